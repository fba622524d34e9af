/**
 * DatasetStreamDecoder and Specific Character Set (0008,0005): the value read from the stream
 * sets the character set of the text that follows (PS3.5 §6.1.2.3), as decodeDataset does.
 * Bytes are laid out by hand (explicit VR little endian, PS3.5 §7.1.2).
 */
import { describe, expect, it } from 'vitest'
import { DatasetStreamDecoder } from '../../../src/dataset/stream.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'

function el(group: number, elem: number, vr: string, value: number[]): number[] {
  const v = value.length % 2 ? [...value, 0x20] : value
  return [group & 0xff, group >> 8, elem & 0xff, elem >> 8, vr.charCodeAt(0), vr.charCodeAt(1), v.length & 0xff, v.length >> 8, ...v]
}
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))

function streamed(bytes: number[], chunk: number): { name: string | undefined; charset: readonly string[] } {
  const dec = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian })
  const b = Uint8Array.from(bytes)
  for (let i = 0; i < b.length; i += chunk) dec.push(b.subarray(i, i + chunk))
  const { dataset, warnings } = dec.end()
  expect(warnings).toEqual([])
  return { name: dataset.string(0x00100010), charset: dataset.context.charset }
}

describe('DatasetStreamDecoder with Specific Character Set', () => {
  it('reads Latin-1 names after ISO_IR 100, whatever the chunking', () => {
    const bytes = [...el(8, 5, 'CS', ascii('ISO_IR 100')), ...el(0x10, 0x10, 'PN', [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])]
    for (const chunk of [1, 3, 7, bytes.length]) {
      const r = streamed(bytes, chunk)
      expect(r.name).toBe('Müller')
      expect(r.charset).toEqual(['ISO_IR 100'])
    }
  })

  it('reads UTF-8 after ISO_IR 192, and splits multi-valued terms keeping an empty first one', () => {
    const utf8 = [...new TextEncoder().encode('Gr\u00fc\u00df')]
    expect(streamed([...el(8, 5, 'CS', ascii('ISO_IR 192')), ...el(0x10, 0x10, 'PN', utf8)], 5).name).toBe('Grüß')
    const r = streamed([...el(8, 5, 'CS', ascii('\\ISO 2022 IR 100 ')), ...el(0x10, 0x10, 'PN', ascii('Doe'))], 4)
    expect(r.charset).toEqual(['', 'ISO 2022 IR 100'])
    expect(r.name).toBe('Doe')
  })

  it('applies the character set when it is not the first element (decoded in a run of whole elements)', () => {
    // Several elements in one chunk are decoded together after the first one: the character set
    // read among them must still apply to the text after it.
    const bytes = [...el(4, 0x1130, 'CS', ascii('FSID')), ...el(8, 5, 'CS', ascii('ISO_IR 100')), ...el(0x10, 0x10, 'PN', [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])]
    for (const chunk of [12, 30, bytes.length]) {
      const r = streamed(bytes, chunk)
      expect(r.name).toBe('Müller')
      expect(r.charset).toEqual(['ISO_IR 100'])
    }
  })
})
