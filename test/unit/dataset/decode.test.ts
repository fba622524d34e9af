/**
 * decodeDataset against byte layouts written out from PS3.5 §7 by a small test-only builder
 * (not the encoder under test).
 */
import { describe, expect, it } from 'vitest'
import { deflateRawSync } from 'node:zlib'
import '../../../src/index.js' // registers the node:zlib deflate codec
import { decodeDataset } from '../../../src/dataset/decode.js'
import type { EncapsulatedPixelData } from '../../../src/dataset/element.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { DicomParseError } from '../../../src/errors.js'
import { thrownBy } from '../../helpers/errors.js'

const IVR = TransferSyntax.ImplicitVRLittleEndian
const EVR = TransferSyntax.ExplicitVRLittleEndian
const BE = TransferSyntax.ExplicitVRBigEndian
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])
const U = 0xffffffff

// ---- test-only builder: PS3.5 §7.1.2 (explicit), §7.1.3 (implicit), §7.5 (items) -------------
const u16 = (n: number, be = false) => (be ? [(n >> 8) & 0xff, n & 0xff] : [n & 0xff, (n >> 8) & 0xff])
const u32 = (n: number, be = false) => (be ? [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff] : [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24])
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
function tag(t: number, be = false) {
  return [...u16(t >>> 16, be), ...u16(t & 0xffff, be)]
}
/** Explicit VR element; `len` overrides the length field (e.g. undefined length). */
function ex(t: number, vr: string, value: number[], opts: { be?: boolean; len?: number } = {}): number[] {
  const len = opts.len ?? value.length
  const h = LONG.has(vr) ? [...ascii(vr), 0, 0, ...u32(len, opts.be)] : [...ascii(vr), ...u16(len, opts.be)]
  return [...tag(t, opts.be), ...h, ...value]
}
function im(t: number, value: number[], len = value.length): number[] {
  return [...tag(t), ...u32(len), ...value]
}
function item(content: number[], undefinedLength = false, be = false): number[] {
  return undefinedLength ? [...tag(0xfffee000, be), ...u32(U, be), ...content, ...tag(0xfffee00d, be), ...u32(0, be)] : [...tag(0xfffee000, be), ...u32(content.length, be), ...content]
}
const seqDelim = (be = false) => [...tag(0xfffee0dd, be), ...u32(0, be)]
const bytes = (...parts: number[][]) => new Uint8Array(parts.flat())

describe('explicit VR little endian (PS3.5 §7.1.2)', () => {
  it('reads 2-byte and 4-byte length headers and lazy values', () => {
    const b = bytes(
      ex(0x00080016, 'UI', [...ascii('1.2.3'), 0]),
      ex(0x00100010, 'PN', ascii('Doe^John')),
      ex(0x00280010, 'US', u16(512)),
      ex(0x00091010, 'OB', [1, 2, 3, 0]),
      ex(0x00181030, 'LO', ascii('AB ')),
      ex(0x00081030, 'UT', ascii('x')),
    )
    const { dataset, warnings } = decodeDataset(b, EVR)
    expect(warnings).toHaveLength(2) // odd lengths of LO and UT
    expect(dataset.size).toBe(6)
    const pn = dataset.get(0x00100010)!
    expect(pn.isLazy).toBe(true)
    expect(pn.raw).toEqual(new Uint8Array(ascii('Doe^John')))
    expect(dataset.string(0x00080016)).toBe('1.2.3')
    expect(dataset.number(0x00280010)).toBe(512)
    expect(dataset.get(0x00091010)!.vr).toBe('OB')
    expect(dataset.get(0x00091010)!.value).toEqual(new Uint8Array([1, 2, 3, 0]))
    expect(dataset.string(0x00081030)).toBe('x')
  })

  it('raw values are views of the input, not copies', () => {
    const b = bytes(ex(0x00100010, 'PN', ascii('AB')))
    const el = decodeDataset(b, EVR).dataset.get(0x00100010)!
    expect(el.raw!.buffer).toBe(b.buffer)
    expect(el.raw!.byteOffset).toBe(8)
  })

  it('sequences: defined and undefined lengths, nested, empty items and sequences (PS3.5 §7.5)', () => {
    const inner = ex(0x00081150, 'UI', [...ascii('1.2'), 0])
    const b = bytes(
      ex(0x00081110, 'SQ', [], { len: 0 }),
      ex(0x00081115, 'SQ', [...item(inner), ...item([], true), ...item(inner, true)], { len: 8 + inner.length + 16 + 8 + inner.length + 8 }),
      ex(0x00081140, 'SQ', [...item([...ex(0x00081199, 'SQ', [...item(inner, true), ...seqDelim()], { len: U })], true), ...seqDelim()], { len: U }),
      ex(0x00100010, 'PN', ascii('AB')),
    )
    const { dataset, warnings } = decodeDataset(b, EVR, { lenient: false })
    expect(warnings).toEqual([])
    expect(dataset.items(0x00081110)).toEqual([])
    const items = dataset.items(0x00081115)
    expect(items.map((i) => i.size)).toEqual([1, 0, 1])
    expect(items[2]!.string(0x00081150)).toBe('1.2')
    const nested = dataset.items(0x00081140)[0]!.items(0x00081199)
    expect(nested[0]!.string(0x00081150)).toBe('1.2')
    expect(dataset.string(0x00100010)).toBe('AB')
  })

  it('encapsulated pixel data: Basic Offset Table and fragments as views (PS3.5 §A.4)', () => {
    const b = bytes(
      ex(0x00280010, 'US', u16(2)),
      ex(0x7fe00010, 'OB', [...item(u32(0)), ...item([1, 2, 3, 4]), ...item([5, 6]), ...seqDelim()], { len: U }),
    )
    const v = decodeDataset(b, TransferSyntax.JPEGBaseline8Bit, { lenient: false }).dataset.get(0x7fe00010)!.value as EncapsulatedPixelData
    expect(v.offsetTable).toEqual(new Uint8Array([0, 0, 0, 0]))
    expect(v.fragments).toEqual([new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6])])
    expect(v.fragments[0]!.buffer).toBe(b.buffer)
  })

  it('encapsulated pixel data written as OW or UN is OB (PS3.5 §A.4), with a warning; an error in strict mode', () => {
    for (const vr of ['OW', 'UN']) {
      const b = bytes(ex(0x7fe00010, vr, [...item([]), ...item([1, 2]), ...seqDelim()], { len: U }))
      const r = decodeDataset(b, TransferSyntax.JPEGBaseline8Bit)
      const el = r.dataset.get(0x7fe00010)!
      expect(el.vr).toBe('OB')
      expect((el.value as EncapsulatedPixelData).fragments).toEqual([new Uint8Array([1, 2])])
      expect(r.warnings).toEqual([`encapsulated pixel data with VR ${vr} read as OB at offset 0 in (7FE0,0010)`])
      expect(() => decodeDataset(b, TransferSyntax.JPEGBaseline8Bit, { lenient: false })).toThrow(DicomParseError)
    }
    // implicit VR: the dictionary's OW is no statement of the file, so no warning
    const imp = bytes(im(0x7fe00010, [...item([]), ...item([3, 4]), ...seqDelim()], U))
    const r = decodeDataset(imp, IVR)
    expect(r.dataset.get(0x7fe00010)!.vr).toBe('OB')
    expect(r.warnings).toEqual([])
  })

  it('encapsulated pixel data nested in an item (Icon Image Sequence)', () => {
    const icon = [...ex(0x00280010, 'US', u16(1)), ...ex(0x7fe00010, 'OB', [...item([]), ...item([9, 9]), ...seqDelim()], { len: U })]
    const b = bytes(ex(0x00880200, 'SQ', [...item(icon, true), ...seqDelim()], { len: U }), ex(0x7fe00010, 'OB', [...item([]), ...item([7, 7]), ...seqDelim()], { len: U }))
    const { dataset } = decodeDataset(b, TransferSyntax.JPEGBaseline8Bit, { lenient: false })
    const iconPd = dataset.items(0x00880200)[0]!.get(0x7fe00010)!.value as EncapsulatedPixelData
    expect(iconPd.fragments).toEqual([new Uint8Array([9, 9])])
    expect((dataset.get(0x7fe00010)!.value as EncapsulatedPixelData).fragments).toEqual([new Uint8Array([7, 7])])
  })

  it('UN of undefined length is a sequence in implicit VR little endian (PS3.5 §6.2.2)', () => {
    const b = bytes(ex(0x00091010, 'UN', [...item(im(0x00100010, ascii('AB')), true), ...seqDelim()], { len: U }), ex(0x00100020, 'LO', ascii('ID')))
    const { dataset } = decodeDataset(b, EVR, { lenient: false })
    const el = dataset.get(0x00091010)!
    expect(el.vr).toBe('SQ')
    expect(el.items[0]!.get(0x00100010)!.vr).toBe('PN')
    expect(el.items[0]!.string(0x00100010)).toBe('AB')
    expect(dataset.string(0x00100020)).toBe('ID')
  })

  it('a public sequence sent as UN of defined length is read as SQ (lenient, with a warning)', () => {
    const content = item(im(0x00080100, ascii('12')))
    const b = bytes(ex(0x00081115, 'UN', content))
    const r = decodeDataset(b, EVR)
    expect(r.dataset.get(0x00081115)!.vr).toBe('SQ')
    expect(r.dataset.items(0x00081115)[0]!.string(0x00080100)).toBe('12')
    expect(r.warnings.join()).toMatch(/UN read as SQ/)
  })

  it('Specific Character Set applies to the dataset and its items; an item may have its own', () => {
    const utf8 = [...new TextEncoder().encode('Ä')]
    const latin1 = [0xc4]
    const b = bytes(
      ex(0x00080005, 'CS', ascii('ISO_IR 192')),
      ex(0x00081115, 'SQ', [...item(ex(0x00100010, 'PN', utf8)), ...item([...ex(0x00080005, 'CS', ascii('ISO_IR 100')), ...ex(0x00100010, 'PN', [...latin1, 0x20])])], { len: 8 + 8 + utf8.length + 8 + 18 + 10 }),
      ex(0x00100010, 'PN', utf8),
    )
    const { dataset } = decodeDataset(b, EVR, { lenient: false })
    expect(dataset.string(0x00100010)).toBe('Ä')
    const [a, c] = dataset.items(0x00081115)
    expect(a!.string(0x00100010)).toBe('Ä')
    expect(c!.string(0x00100010)).toBe('Ä')
    expect(c!.context.charset).toEqual(['ISO_IR 100'])
    expect(dataset.context.charset).toEqual(['ISO_IR 192'])
  })
})

describe('implicit VR little endian (PS3.5 §7.1.3, §A.1)', () => {
  it('takes VRs from the dictionary; group length UL, private creator LO, unknown private UN, Pixel Data OW', () => {
    const b = bytes(
      im(0x00080000, u32(8)),
      im(0x00080060, ascii('CT')),
      im(0x00090010, ascii('ACME 1.0')),
      im(0x00091001, [1, 2]),
      im(0x00100010, ascii('AB')),
      im(0x7fe00010, [1, 0, 2, 0]),
    )
    const { dataset } = decodeDataset(b, IVR, { lenient: false })
    expect(dataset.elements().map((e) => e.vr)).toEqual(['UL', 'CS', 'LO', 'UN', 'PN', 'OW'])
    expect(dataset.get(0x7fe00010)!.value).toEqual(new Uint16Array([1, 2]))
  })

  it('private elements take the private dictionary VR through their creator', () => {
    // (0087,xx50) EstimatedRetrieveTime of creator "1.2.840.113708.794.1.1.2.0" is IS in
    // DCMTK's private.dic; the block byte (here 0x10) is whatever the creator element reserves
    const b = bytes(im(0x00870010, ascii('1.2.840.113708.794.1.1.2.0 ')), im(0x00871050, ascii('1000')), im(0x00871150, ascii('1000')))
    const { dataset } = decodeDataset(b, IVR)
    expect(dataset.get(0x00871050)!.vr).toBe('IS')
    expect(dataset.number(0x00871050)).toBe(1000)
    expect(dataset.get(0x00871150)!.vr).toBe('UN') // block 0x11 has no creator
  })

  it('US or SS is resolved by Pixel Representation', () => {
    const signed = decodeDataset(bytes(im(0x00280103, u16(1)), im(0x00280106, u16(0xfffe))), IVR).dataset
    expect(signed.get(0x00280106)!.vr).toBe('SS')
    expect(signed.number(0x00280106)).toBe(-2)
    const unsigned = decodeDataset(bytes(im(0x00280103, u16(0)), im(0x00280106, u16(0xfffe))), IVR).dataset
    expect(unsigned.get(0x00280106)!.vr).toBe('US')
  })

  it('sequences of undefined length, including unknown private ones', () => {
    const b = bytes(im(0x00091001, [...item(im(0x00100010, ascii('AB')), true), ...seqDelim()], U), im(0x00081115, [...item(im(0x00080100, ascii('12'))), ...seqDelim()], U))
    const { dataset } = decodeDataset(b, IVR, { lenient: false })
    expect(dataset.get(0x00091001)!.vr).toBe('SQ')
    expect(dataset.items(0x00091001)[0]!.string(0x00100010)).toBe('AB')
    expect(dataset.items(0x00081115)[0]!.string(0x00080100)).toBe('12')
  })
})

describe('explicit VR big endian (PS3.5 §7.3, §A.3)', () => {
  it('swaps tags, lengths and multi-byte values, not OB', () => {
    const b = bytes(
      ex(0x00280010, 'US', u16(0x0102, true), { be: true }),
      ex(0x00181050, 'FD', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], { be: true }),
      ex(0x00091010, 'OB', [1, 2], { be: true }),
      ex(0x7fe00010, 'OW', [0x01, 0x02, 0x03, 0x04], { be: true }),
      ex(0x00081115, 'SQ', item(ex(0x00280011, 'US', u16(7, true), { be: true }), false, true), { be: true, len: 18 }),
    )
    const { dataset } = decodeDataset(b, BE, { lenient: false })
    expect(dataset.number(0x00280010)).toBe(0x0102)
    expect(dataset.number(0x00181050)).toBe(1.5)
    expect(dataset.get(0x00091010)!.value).toEqual(new Uint8Array([1, 2]))
    expect(dataset.get(0x7fe00010)!.value).toEqual(new Uint16Array([0x0102, 0x0304]))
    expect(dataset.items(0x00081115)[0]!.number(0x00280011)).toBe(7)
  })
})

describe('options', () => {
  it('stopBeforeTag stops at the first top-level tag ≥ the given one', () => {
    const b = bytes(ex(0x00100010, 'PN', ascii('AB')), ex(0x00280010, 'US', u16(1)), ex(0x7fe00010, 'OW', [1, 2]))
    const { dataset } = decodeDataset(b, EVR, { stopBeforeTag: 0x7fe00010 })
    expect(dataset.elements().map((e) => e.tag)).toEqual([0x00100010, 0x00280010])
  })

  it('maxInflatedLength stops a deflate bomb (PS3.5 §A.5 data inflating beyond the limit)', () => {
    const big = new Uint8Array(8 * 1024 * 1024)
    big.set(ex(0x00091010, 'OB', [], { len: big.length - 12 }))
    const bomb = deflateRawSync(big)
    expect(bomb.length).toBeLessThan(20000)
    expect(() => decodeDataset(bomb, TransferSyntax.DeflatedExplicitVRLittleEndian, { maxInflatedLength: 1 << 20 })).toThrow(DicomParseError)
    expect(decodeDataset(bomb, TransferSyntax.DeflatedExplicitVRLittleEndian).dataset.get(0x00091010)!.raw!.length).toBe(big.length - 12)
  })

  it('maxElementLength rejects a longer value before reading it', () => {
    const b = bytes(ex(0x00091010, 'OB', [1, 2, 3, 4]))
    expect(() => decodeDataset(b, EVR, { maxElementLength: 2 })).toThrow(/exceeds the limit/)
  })
})

describe('bad input', () => {
  const err = (f: () => unknown): DicomParseError => thrownBy(DicomParseError, f)

  it('a value length past the end: error in strict mode with offset and tag path, warning in lenient mode', () => {
    const b = bytes(ex(0x00081115, 'SQ', item([...ex(0x00100010, 'PN', ascii('AB')), ...ex(0x00100020, 'LO', ascii('ABCD')).slice(0, 10)]), { len: U }))
    const e = err(() => decodeDataset(b, EVR, { lenient: false }))
    expect(e.tagPath).toBe('(0008,1115)[0].(0010,0020)')
    expect(e.offset).toBe(12 + 8 + 10)
    const r = decodeDataset(b, EVR)
    expect(r.warnings.length).toBeGreaterThan(0)
    expect(r.dataset.items(0x00081115)[0]!.string(0x00100010)).toBe('AB')
  })

  it('a huge declared length does not allocate: it is checked against the data first', () => {
    const b = bytes(ex(0x00091010, 'OB', [1, 2], { len: 0xfffffff0 }))
    expect(err(() => decodeDataset(b, EVR, { lenient: false })).reason).toMatch(/past the end/)
    expect(decodeDataset(b, EVR).dataset.get(0x00091010)!.raw!.length).toBe(2)
  })

  it('odd lengths: error in strict mode, warning in lenient mode', () => {
    const b = bytes(ex(0x00100010, 'PN', ascii('ABC')))
    expect(err(() => decodeDataset(b, EVR, { lenient: false })).reason).toMatch(/odd/)
    expect(decodeDataset(b, EVR).warnings[0]).toMatch(/odd value length 3/)
  })

  it('an item tag where an element is expected is an error in both modes', () => {
    const b = bytes(item([]))
    err(() => decodeDataset(b, EVR))
    err(() => decodeDataset(b, EVR, { lenient: false }))
  })

  it('a non-item tag inside a sequence is an error', () => {
    const b = bytes(ex(0x00081115, 'SQ', ex(0x00100010, 'PN', ascii('AB')), { len: 10 }))
    expect(err(() => decodeDataset(b, EVR)).reason).toMatch(/expected an Item/)
  })

  it('missing trailing delimiters at the end of the data: warnings in lenient mode', () => {
    const b = bytes(ex(0x00081115, 'SQ', [...tag(0xfffee000), ...u32(U), ...ex(0x00100010, 'PN', ascii('AB'))], { len: U }))
    const r = decodeDataset(b, EVR)
    expect(r.dataset.items(0x00081115)[0]!.string(0x00100010)).toBe('AB')
    expect(r.warnings.join('\n')).toMatch(/missing Item Delimitation/)
    expect(r.warnings.join('\n')).toMatch(/missing Sequence Delimitation/)
    err(() => decodeDataset(b, EVR, { lenient: false }))
  })

  it('unknown VR letters: read as UN with a 32-bit length in lenient mode', () => {
    const b = bytes([...tag(0x00091010), ...ascii('XY'), 0, 0, ...u32(2), 1, 2], ex(0x00100010, 'PN', ascii('AB')))
    const r = decodeDataset(b, EVR)
    expect(r.dataset.get(0x00091010)!.vr).toBe('UN')
    expect(r.dataset.string(0x00100010)).toBe('AB')
    err(() => decodeDataset(b, EVR, { lenient: false }))
  })

  it('an implicit VR element in explicit data (per element) and a whole implicit dataset under an explicit syntax', () => {
    const mixed = bytes(ex(0x00080060, 'CS', ascii('CT')), im(0x00100010, ascii('AB')), ex(0x00100020, 'LO', ascii('ID')))
    const r = decodeDataset(mixed, EVR)
    expect(r.dataset.string(0x00100010)).toBe('AB')
    expect(r.dataset.string(0x00100020)).toBe('ID')
    expect(r.warnings.join()).toMatch(/implicit VR element/)
    const implicit = bytes(im(0x00080060, ascii('CT')), im(0x00100010, ascii('AB')))
    const r2 = decodeDataset(implicit, EVR)
    expect(r2.dataset.get(0x00100010)!.vr).toBe('PN')
    expect(r2.warnings[0]).toMatch(/implicit VR although/)
  })

  it('explicit VR data under the implicit syntax is detected', () => {
    const b = bytes(ex(0x00080060, 'CS', ascii('CT')), ex(0x00100010, 'PN', ascii('AB')))
    const r = decodeDataset(b, IVR)
    expect(r.dataset.string(0x00100010)).toBe('AB')
    expect(r.warnings[0]).toMatch(/explicit VR although/)
  })

  it('truncated headers and fragments end cleanly', () => {
    for (const b of [bytes(tag(0x00100010), [0x50]), bytes(ex(0x7fe00010, 'OB', [...item([1, 2]), 0xfe, 0xff], { len: U }))]) {
      const r = decodeDataset(b, EVR)
      expect(r.warnings.length).toBeGreaterThan(0)
      err(() => decodeDataset(b, EVR, { lenient: false }))
    }
  })
})
