/**
 * encodeDataset against byte layouts written out from PS3.5 §7 by hand (a test-only builder),
 * never against its own output.
 */
import { describe, expect, it } from 'vitest'
import '../../../src/index.js' // node:zlib deflate codec
import { inflateRawSync } from 'node:zlib'
import { DataElement, Dataset } from '../../../src/dataset/element.js'
import { decodeDataset } from '../../../src/dataset/decode.js'
import { encodeDataset } from '../../../src/dataset/encode.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { DatasetEncodeError } from '../../../src/errors.js'

const IVR = TransferSyntax.ImplicitVRLittleEndian
const EVR = TransferSyntax.ExplicitVRLittleEndian
const BE = TransferSyntax.ExplicitVRBigEndian

const u16 = (n: number, be = false) => (be ? [(n >> 8) & 0xff, n & 0xff] : [n & 0xff, (n >> 8) & 0xff])
const u32 = (n: number, be = false) => (be ? [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff] : [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24])
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
const tag = (t: number, be = false) => [...u16(t >>> 16, be), ...u16(t & 0xffff, be)]
const hex = (b: Uint8Array | number[]) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex')

function sample(): Dataset {
  const ds = new Dataset()
  ds.set(0x00080016, 'UI', ['1.2.3']) // odd → NUL padding (PS3.5 §6.2, UI)
  ds.set(0x00080060, 'CS', ['CT']) // even
  ds.set(0x00100010, 'PN', ['Doe^J']) // odd → space padding
  ds.set(0x00280010, 'US', [0x0102])
  ds.set(0x00091010, 'OB', new Uint8Array([1, 2, 3])) // odd → NUL padding
  ds.set(0x7fe00010, 'OW', new Uint16Array([0x0102]))
  return ds
}

describe('encodeDataset', () => {
  it('explicit VR little endian: 2- and 4-byte length headers and padding (PS3.5 §7.1.2)', () => {
    const expected = [
      ...tag(0x00080016), ...ascii('UI'), ...u16(6), ...ascii('1.2.3'), 0,
      ...tag(0x00080060), ...ascii('CS'), ...u16(2), ...ascii('CT'),
      ...tag(0x00091010), ...ascii('OB'), 0, 0, ...u32(4), 1, 2, 3, 0,
      ...tag(0x00100010), ...ascii('PN'), ...u16(6), ...ascii('Doe^J '),
      ...tag(0x00280010), ...ascii('US'), ...u16(2), 0x02, 0x01,
      ...tag(0x7fe00010), ...ascii('OW'), 0, 0, ...u32(2), 0x02, 0x01,
    ]
    expect(hex(encodeDataset(sample(), EVR))).toBe(hex(expected))
  })

  it('implicit VR little endian: tag and 32-bit length only (PS3.5 §7.1.3)', () => {
    const expected = [
      ...tag(0x00080016), ...u32(6), ...ascii('1.2.3'), 0,
      ...tag(0x00080060), ...u32(2), ...ascii('CT'),
      ...tag(0x00091010), ...u32(4), 1, 2, 3, 0,
      ...tag(0x00100010), ...u32(6), ...ascii('Doe^J '),
      ...tag(0x00280010), ...u32(2), 0x02, 0x01,
      ...tag(0x7fe00010), ...u32(2), 0x02, 0x01,
    ]
    expect(hex(encodeDataset(sample(), IVR))).toBe(hex(expected))
  })

  it('explicit VR big endian: tags, lengths and binary values swapped, OB as is (PS3.5 §7.3)', () => {
    const expected = [
      ...tag(0x00080016, true), ...ascii('UI'), ...u16(6, true), ...ascii('1.2.3'), 0,
      ...tag(0x00080060, true), ...ascii('CS'), ...u16(2, true), ...ascii('CT'),
      ...tag(0x00091010, true), ...ascii('OB'), 0, 0, ...u32(4, true), 1, 2, 3, 0,
      ...tag(0x00100010, true), ...ascii('PN'), ...u16(6, true), ...ascii('Doe^J '),
      ...tag(0x00280010, true), ...ascii('US'), ...u16(2, true), 0x01, 0x02,
      ...tag(0x7fe00010, true), ...ascii('OW'), 0, 0, ...u32(2, true), 0x01, 0x02,
    ]
    expect(hex(encodeDataset(sample(), BE))).toBe(hex(expected))
  })

  it('deflated explicit VR little endian is raw deflate of the explicit LE encoding (PS3.5 §A.5)', () => {
    const out = encodeDataset(sample(), TransferSyntax.DeflatedExplicitVRLittleEndian)
    expect(hex(inflateRawSync(out))).toBe(hex(encodeDataset(sample(), EVR)))
    expect(decodeDataset(out, TransferSyntax.DeflatedExplicitVRLittleEndian).dataset.string(0x00100010)).toBe('Doe^J')
  })

  it('sequences with defined and undefined lengths (PS3.5 §7.5)', () => {
    const item1 = new Dataset()
    item1.set(0x00080100, 'SH', ['12'])
    const ds = new Dataset()
    ds.set(0x00081115, 'SQ', [item1, new Dataset()])
    const el = [...tag(0x00080100), ...ascii('SH'), ...u16(2), ...ascii('12')]
    const defined = [...tag(0x00081115), ...ascii('SQ'), 0, 0, ...u32(8 + el.length + 8), ...tag(0xfffee000), ...u32(el.length), ...el, ...tag(0xfffee000), ...u32(0)]
    expect(hex(encodeDataset(ds, EVR))).toBe(hex(defined))
    const undef = [
      ...tag(0x00081115), ...ascii('SQ'), 0, 0, ...u32(0xffffffff),
      ...tag(0xfffee000), ...u32(0xffffffff), ...el, ...tag(0xfffee00d), ...u32(0),
      ...tag(0xfffee000), ...u32(0xffffffff), ...tag(0xfffee00d), ...u32(0),
      ...tag(0xfffee0dd), ...u32(0),
    ]
    expect(hex(encodeDataset(ds, EVR, { sequenceLength: 'undefined' }))).toBe(hex(undef))
  })

  it('preserve keeps the length form each sequence and item was read with', () => {
    const el = [...tag(0x00080100), ...ascii('SH'), ...u16(2), ...ascii('12')]
    // undefined-length sequence holding one defined-length and one undefined-length item
    const src = new Uint8Array([
      ...tag(0x00081115), ...ascii('SQ'), 0, 0, ...u32(0xffffffff),
      ...tag(0xfffee000), ...u32(el.length), ...el,
      ...tag(0xfffee000), ...u32(0xffffffff), ...el, ...tag(0xfffee00d), ...u32(0),
      ...tag(0xfffee0dd), ...u32(0),
      ...tag(0x00081140), ...ascii('SQ'), 0, 0, ...u32(8 + el.length), ...tag(0xfffee000), ...u32(el.length), ...el,
    ])
    const ds = decodeDataset(src, EVR, { lenient: false }).dataset
    expect(hex(encodeDataset(ds, EVR, { sequenceLength: 'preserve' }))).toBe(hex(src))
    expect(encodeDataset(ds, EVR).length).toBe(src.length - 8 - 8) // all defined: no item or sequence delimiter
  })

  it('encapsulated pixel data: OB, undefined length, BOT item, fragment items, delimiter (PS3.5 §A.4)', () => {
    const ds = new Dataset()
    ds.set(0x7fe00010, 'OB', { offsetTable: new Uint8Array(0), fragments: [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])] })
    const expected = [
      ...tag(0x7fe00010), ...ascii('OB'), 0, 0, ...u32(0xffffffff),
      ...tag(0xfffee000), ...u32(0),
      ...tag(0xfffee000), ...u32(4), 1, 2, 3, 0,
      ...tag(0xfffee000), ...u32(2), 4, 5,
      ...tag(0xfffee0dd), ...u32(0),
    ]
    expect(hex(encodeDataset(ds, TransferSyntax.JPEGBaseline8Bit))).toBe(hex(expected))
  })

  it('group lengths: omitted by default, kept or computed on request (PS3.5 §7.2)', () => {
    const ds = new Dataset()
    ds.set(0x00080000, 'UL', [999])
    ds.set(0x00080060, 'CS', ['CT'])
    ds.set(0x00100010, 'PN', ['AB'])
    const cs = [...tag(0x00080060), ...ascii('CS'), ...u16(2), ...ascii('CT')]
    const pn = [...tag(0x00100010), ...ascii('PN'), ...u16(2), ...ascii('AB')]
    expect(hex(encodeDataset(ds, EVR))).toBe(hex([...cs, ...pn]))
    expect(hex(encodeDataset(ds, EVR, { groupLength: 'keep' }))).toBe(hex([...tag(0x00080000), ...ascii('UL'), ...u16(4), ...u32(999), ...cs, ...pn]))
    expect(hex(encodeDataset(ds, EVR, { groupLength: 'compute' }))).toBe(
      hex([...tag(0x00080000), ...ascii('UL'), ...u16(4), ...u32(10), ...cs, ...tag(0x00100000), ...ascii('UL'), ...u16(4), ...u32(10), ...pn]),
    )
  })

  it('a value too long for a 16-bit length in explicit VR is an error', () => {
    const ds = new Dataset()
    ds.set(0x00100010, 'PN', ['A'.repeat(70000)])
    expect(() => encodeDataset(ds, EVR)).toThrow(DatasetEncodeError)
    expect(encodeDataset(ds, IVR).length).toBe(8 + 70000)
  })

  it('text is encoded in the character set of (0008,0005), inherited by items', () => {
    const item = new Dataset()
    item.set(0x00100010, 'PN', ['Ä'])
    const ds = new Dataset()
    ds.set(0x00080005, 'CS', ['ISO_IR 192'])
    ds.set(0x00081115, 'SQ', [item])
    const out = encodeDataset(ds, IVR)
    expect(hex(out.subarray(out.length - 2))).toBe('c384') // UTF-8 Ä, even length, no padding
    const latin = new Dataset()
    latin.set(0x00080005, 'CS', ['ISO_IR 100'])
    latin.set(0x00100010, 'PN', ['Ä'])
    const out2 = encodeDataset(latin, IVR)
    expect(hex(out2.subarray(out2.length - 2))).toBe('c420')
  })

  it('values still in their raw form are written from the raw view', () => {
    const src = encodeDataset(sample(), EVR)
    const decoded = decodeDataset(src, EVR).dataset
    const pn = decoded.get(0x00100010)!
    expect(pn.bytes({ littleEndian: true, charset: [] })).toBe(pn.raw) // same view, no re-encoding
    expect(pn.isLazy).toBe(true)
    expect(hex(encodeDataset(decoded, EVR))).toBe(hex(src))
    expect(pn.isLazy).toBe(true) // encoding did not decode the value
    // to big endian, a lazy US is converted; an OB view is reused
    const be = decodeDataset(encodeDataset(decoded, BE), BE).dataset
    expect(be.number(0x00280010)).toBe(0x0102)
  })

  it('elements built from values in one dataset and decoded ones in another mix', () => {
    const decoded = decodeDataset(encodeDataset(sample(), EVR), EVR).dataset
    decoded.set(DataElement.fromValue(0x00100020, 'LO', ['ID']))
    const again = decodeDataset(encodeDataset(decoded, BE), BE).dataset
    expect(again.string(0x00100020)).toBe('ID')
    expect(again.string(0x00080016)).toBe('1.2.3')
  })
})
