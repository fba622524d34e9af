/**
 * A decoded dataset keeps its elements as records (tag, offset, length, VR) until it is
 * accessed; every public operation must behave as on a dataset of element objects. Input
 * bytes are written by hand (explicit VR little endian, PS3.5 §7.1.2; items §7.5).
 */
import { describe, expect, it } from 'vitest'
import { decodeDataset } from '../../../src/dataset/decode.js'
import { DataElement, Dataset } from '../../../src/dataset/element.js'
import { encodeDataset } from '../../../src/dataset/encode.js'

const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
const u16 = (n: number) => [n & 0xff, n >> 8]
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]
function el(group: number, elem: number, vr: string, value: number[]): number[] {
  return [...u16(group), ...u16(elem), ...ascii(vr), ...u16(value.length), ...value]
}
function implicitEl(group: number, elem: number, value: number[]): number[] {
  return [...u16(group), ...u16(elem), ...u32(value.length), ...value]
}
/** SQ of undefined length with the given items (each of undefined length). */
function sq(group: number, elem: number, items: number[][]): number[] {
  const out = [...u16(group), ...u16(elem), ...ascii('SQ'), 0, 0, ...u32(0xffffffff)]
  for (const it of items) out.push(...u16(0xfffe), ...u16(0xe000), ...u32(0xffffffff), ...it, ...u16(0xfffe), ...u16(0xe00d), ...u32(0))
  out.push(...u16(0xfffe), ...u16(0xe0dd), ...u32(0))
  return out
}

describe('decoded datasets kept as records', () => {
  const bytes = new Uint8Array([
    ...el(0x0008, 0x0060, 'CS', ascii('MR')),
    ...el(0x0010, 0x0010, 'PN', ascii('A^B ')),
    ...el(0x0020, 0x4000, 'LT', ascii('hello!')),
    ...sq(0x0040, 0xa730, [[...el(0x0040, 0xa040, 'CS', ascii('TEXT'))], [...el(0x0040, 0xa010, 'CS', ascii('HAS '))]]),
  ])

  it('size, get, has, iteration order and values', () => {
    const { dataset } = decodeDataset(bytes, EXPLICIT_LE)
    expect(dataset.size).toBe(4) // answered from the records
    expect(dataset.has('Modality')).toBe(true)
    expect(dataset.has(0x00100020)).toBe(false)
    expect(dataset.elements().map((e) => e.tag)).toEqual([0x00080060, 0x00100010, 0x00204000, 0x0040a730])
    expect(dataset.elements().map((e) => e.vr)).toEqual(['CS', 'PN', 'LT', 'SQ'])
    expect(dataset.string('PatientName')).toBe('A^B')
    const items = dataset.items(0x0040a730)
    expect(items.length).toBe(2)
    expect(items[0]!.size).toBe(1)
    expect(items[0]!.string(0x0040a040)).toBe('TEXT')
    expect(items[1]!.string(0x0040a010)).toBe('HAS')
    expect(items[0]!.undefinedLength).toBe(true)
    expect(dataset.get(0x0040a730)!.undefinedLength).toBe(true)
    expect(dataset.get(0x00080060)).toBe(dataset.get(0x00080060)) // one object per element
  })

  it('set, delete and replacement after decoding', () => {
    const { dataset } = decodeDataset(bytes, EXPLICIT_LE)
    dataset.set(0x00100020, 'LO', ['ID1'])
    dataset.set(0x00080060, 'CS', ['CT']) // replaces
    expect(dataset.delete(0x00204000)).toBe(true)
    expect(dataset.delete(0x00204000)).toBe(false)
    expect(dataset.elements().map((e) => e.tag)).toEqual([0x00080060, 0x00100010, 0x00100020, 0x0040a730])
    expect(dataset.string(0x00080060)).toBe('CT')
    expect(dataset.size).toBe(4)
  })

  it('a new context applies to later elements only; recorded ones keep theirs', () => {
    const { dataset } = decodeDataset(bytes, EXPLICIT_LE)
    const before = dataset.context
    const other = { littleEndian: true, charset: ['ISO_IR 100'] }
    dataset.context = other
    expect(dataset.get(0x00100010)!.context).toBe(before)
    dataset.set(0x00100020, 'LO', ['x'])
    expect(dataset.get(0x00100020)!.context).toBe(other)
  })

  it('duplicate and out-of-order tags in the data: last one wins, iteration sorted', () => {
    const dup = new Uint8Array([
      ...el(0x0010, 0x0010, 'PN', ascii('FIRST ')),
      ...el(0x0008, 0x0060, 'CS', ascii('MR')),
      ...el(0x0010, 0x0010, 'PN', ascii('SECOND')),
    ])
    const { dataset } = decodeDataset(dup, EXPLICIT_LE)
    expect(dataset.size).toBe(2)
    expect(dataset.elements().map((e) => e.tag)).toEqual([0x00080060, 0x00100010])
    expect(dataset.string(0x00100010)).toBe('SECOND')
  })

  it('re-encodes byte for byte without being accessed', () => {
    const { dataset } = decodeDataset(bytes, EXPLICIT_LE)
    expect([...encodeDataset(dataset, EXPLICIT_LE, { sequenceLength: 'undefined' })]).toEqual([...bytes])
  })

  it('implicit VR: private creator and Pixel Representation are found among the records', () => {
    // GEMS_IDEN_01 is in DCMTK's private dictionary
    const implicitBytes = new Uint8Array([
      ...implicitEl(0x0009, 0x0010, ascii('GEMS_IDEN_01')),
      ...implicitEl(0x0009, 0x1001, ascii('FULL')),
      ...implicitEl(0x0028, 0x0103, u16(1)),
      ...implicitEl(0x0028, 0x0106, u16(0xfffe)),
    ])
    const { dataset } = decodeDataset(implicitBytes, IMPLICIT_LE)
    expect(dataset.get(0x00090010)!.vr).toBe('LO')
    expect(dataset.get(0x00091001)!.vr).not.toBe('UN') // the creator was found
    expect(dataset.get(0x00280106)!.vr).toBe('SS') // signed: Pixel Representation 1
    expect(dataset.number(0x00280106)).toBe(-2)
  })

  it('an item with its own Specific Character Set: elements before it keep the outer context', () => {
    const latin1Name = [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72] // "Müller" in ISO 8859-1
    const data = new Uint8Array([
      ...sq(0x0008, 0x1115, [[
        ...el(0x0007, 0x0010, 'LO', ascii('CREATOR ')),
        ...el(0x0008, 0x0005, 'CS', ascii('ISO_IR 100')),
        ...el(0x0010, 0x0010, 'PN', latin1Name),
      ]]),
    ])
    const { dataset } = decodeDataset(data, EXPLICIT_LE)
    const item = dataset.items(0x00081115)[0]!
    expect(item.get(0x00070010)!.context).toBe(dataset.context)
    expect(item.get(0x00070010)!.context.charset).toEqual([])
    expect(item.context.charset).toEqual(['ISO_IR 100'])
    expect(item.get(0x00100010)!.context).toBe(item.context)
    expect(item.string(0x00100010)).toBe('Müller')
    expect(item.elements().map((e) => e.tag)).toEqual([0x00070010, 0x00080005, 0x00100010])
  })

  it('built datasets are unaffected', () => {
    const d = new Dataset()
    d.set(DataElement.fromValue(0x00100010, 'PN', ['X']))
    d.set(DataElement.fromValue(0x00080060, 'CS', ['CT']))
    expect(d.elements().map((e) => e.tag)).toEqual([0x00080060, 0x00100010])
  })
})
