/**
 * Decoded elements record where their value lies in the input instead of holding a view per
 * element: the view is created on first access of `raw`, then kept. Expected bytes come from a
 * hand-written explicit VR little endian layout (PS3.5 §7.1.2), not from the encoder.
 */
import { describe, expect, it } from 'vitest'
import { decodeDataset } from '../../../src/dataset/decode.js'
import { DataElement } from '../../../src/dataset/element.js'
import { encodeDataset } from '../../../src/dataset/encode.js'

const EXPLICIT_LE = '1.2.840.10008.1.2.1'

/** One explicit VR LE element with a 16-bit length: tag, VR, length, value. */
function el16(group: number, elem: number, vr: string, value: number[]): number[] {
  return [group & 0xff, group >> 8, elem & 0xff, elem >> 8, vr.charCodeAt(0), vr.charCodeAt(1), value.length & 0xff, value.length >> 8, ...value]
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))

describe('lazy raw views of decoded elements', () => {
  const body = [
    ...el16(0x0008, 0x0060, 'CS', ascii('CT')),
    ...el16(0x0010, 0x0010, 'PN', ascii('Doe^John')),
    ...el16(0x0020, 0x0013, 'IS', ascii('12')),
    ...el16(0x0028, 0x0010, 'US', [0x00, 0x02]),
  ]
  // the dataset sits at offset 3 of a larger buffer, as in a Part 10 file or a socket chunk
  const input = new Uint8Array([0xaa, 0xbb, 0xcc, ...body, 0xdd])
  const view = input.subarray(3, 3 + body.length)

  it('raw is a view of the input at the value offset, created once and kept', () => {
    const { dataset } = decodeDataset(view, EXPLICIT_LE)
    const cs = dataset.get(0x00080060)!
    expect(cs.rawLength).toBe(2)
    const raw = cs.raw!
    expect(raw.buffer).toBe(input.buffer) // not copied
    expect(raw.byteOffset).toBe(3 + 8)
    expect([...raw]).toEqual(ascii('CT'))
    expect(cs.raw).toBe(raw) // same view on every access
    const pn = dataset.get(0x00100010)!
    expect(pn.raw!.byteOffset).toBe(3 + 10 + 8)
    expect([...pn.raw!]).toEqual(ascii('Doe^John'))
  })

  it('value decodes from the input without raw being read first, and raw still works after', () => {
    const { dataset } = decodeDataset(view, EXPLICIT_LE)
    expect(dataset.get(0x00100010)!.value).toEqual(['Doe^John'])
    expect(dataset.get(0x00200013)!.value).toEqual([12])
    expect(dataset.get(0x00280010)!.value).toEqual([512])
    expect([...dataset.get(0x00280010)!.raw!]).toEqual([0x00, 0x02])
    expect(dataset.get(0x00080060)!.strings).toEqual(['CT'])
  })

  it('re-encodes byte for byte whether or not values or views were touched', () => {
    const untouched = decodeDataset(view, EXPLICIT_LE).dataset
    expect([...encodeDataset(untouched, EXPLICIT_LE)]).toEqual(body)
    const touched = decodeDataset(view, EXPLICIT_LE).dataset
    for (const e of touched) void e.value
    expect([...encodeDataset(touched, EXPLICIT_LE)]).toEqual(body)
  })

  it('elements built from bytes or values keep their documented raw', () => {
    const bytes = new Uint8Array(ascii('AB'))
    const e = DataElement.fromBytes(0x00080060, 'CS', bytes, { littleEndian: true, charset: [] })
    expect(e.raw).toBe(bytes)
    expect(e.rawLength).toBe(2)
    const v = DataElement.fromValue(0x00080060, 'CS', ['AB'])
    expect(v.raw).toBeUndefined()
    expect(v.rawLength).toBe(-1)
    expect(v.undefinedLength).toBe(false)
    v.undefinedLength = true
    expect(v.undefinedLength).toBe(true)
  })
})
