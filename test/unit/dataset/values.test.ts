/**
 * Value codec (PS3.5 §6.2): per-VR decoding of raw bytes written out by hand, padding rules,
 * byte order, and DS formatting.
 */
import { describe, expect, it } from 'vitest'
import { decodeValue, encodeValue, formatDS } from '../../../src/dataset/values.js'
import type { ValueContext } from '../../../src/dataset/element.js'
import { DataElement } from '../../../src/dataset/element.js'
import { DatasetEncodeError } from '../../../src/errors.js'
import { encodeText } from '../../../src/dataset/charset.js'
import fc from 'fast-check'

const LE: ValueContext = { littleEndian: true, charset: [] }
const BE: ValueContext = { littleEndian: false, charset: [] }
const b = (...x: number[]) => new Uint8Array(x)
const a = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)))

describe('decodeValue', () => {
  it('strings: split on backslash, padding trimmed per VR (PS3.5 Table 6.2-1)', () => {
    expect(decodeValue('CS', a(' A \\B '), LE)).toEqual(['A', 'B'])
    expect(decodeValue('UI', a('1.2\0'), LE)).toEqual(['1.2'])
    expect(decodeValue('LO', a(' lead kept  '), LE)).toEqual([' lead kept'])
    expect(decodeValue('LT', a('a\\b  '), LE)).toEqual(['a\\b']) // LT is single-valued
    expect(decodeValue('PN', a(''), LE)).toEqual([])
    expect(decodeValue('SH', a('\\x'), LE)).toEqual(['', 'x'])
  })

  it('DS and IS decode to numbers; empty values to NaN', () => {
    expect(decodeValue('DS', a('1.5\\-2e3\\\\ 7 '), LE)).toEqual([1.5, -2000, NaN, 7])
    expect(decodeValue('IS', a('+12 '), LE)).toEqual([12])
  })

  it('binary numbers in both byte orders', () => {
    expect(decodeValue('US', b(1, 2, 3, 4), LE)).toEqual([0x0201, 0x0403])
    expect(decodeValue('US', b(1, 2, 3, 4), BE)).toEqual([0x0102, 0x0304])
    expect(decodeValue('SS', b(0xfe, 0xff), LE)).toEqual([-2])
    expect(decodeValue('SL', b(0xff, 0xff, 0xff, 0xfe), BE)).toEqual([-2])
    expect(decodeValue('FL', b(0, 0, 0xc0, 0x3f), LE)).toEqual([1.5])
    expect(decodeValue('FD', b(0x3f, 0xf8, 0, 0, 0, 0, 0, 0), BE)).toEqual([1.5])
    expect(decodeValue('UV', b(1, 0, 0, 0, 0, 0, 0, 0x80), LE)).toEqual([0x8000000000000001n])
    expect(decodeValue('SV', b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), LE)).toEqual([-1n])
  })

  it('AT: group then element, each in the byte order (PS3.5 §6.2 AT)', () => {
    expect(decodeValue('AT', b(0x18, 0x00, 0x65, 0x10), LE)).toEqual([0x00181065])
    expect(decodeValue('AT', b(0x00, 0x18, 0x10, 0x65), BE)).toEqual([0x00181065])
  })

  it('bulk: a view when aligned in host order, a converted copy otherwise', () => {
    const buf = b(0, 1, 2, 3, 4)
    const aligned = decodeValue('OW', buf.subarray(0, 4), LE) as Uint16Array
    expect(aligned).toEqual(new Uint16Array([0x0100, 0x0302]))
    expect(aligned.buffer).toBe(buf.buffer)
    const unaligned = decodeValue('OW', buf.subarray(1, 5), LE) as Uint16Array
    expect(unaligned).toEqual(new Uint16Array([0x0201, 0x0403]))
    expect(decodeValue('OW', buf.subarray(0, 4), BE)).toEqual(new Uint16Array([0x0001, 0x0203]))
    expect(decodeValue('OB', buf, BE)).toBe(buf)
  })
})

describe('encodeValue', () => {
  it('strings are joined with backslash, without padding (the dataset encoder pads)', () => {
    expect(encodeValue('CS', ['A', 'B'], LE)).toEqual(a('A\\B'))
    expect(encodeValue('DS', [1.5, -2000, NaN], LE)).toEqual(a('1.5\\-2000\\'))
    expect(encodeValue('IS', [12], LE)).toEqual(a('12'))
  })

  it('numbers in both byte orders', () => {
    expect(encodeValue('US', [0x0102], BE)).toEqual(b(1, 2))
    expect(encodeValue('UL', [0x01020304], LE)).toEqual(b(4, 3, 2, 1))
    expect(encodeValue('AT', [0x00181065], BE)).toEqual(b(0x00, 0x18, 0x10, 0x65))
    expect(encodeValue('OW', new Uint16Array([0x0102]), BE)).toEqual(b(1, 2))
  })

  it('rejects values that do not fit', () => {
    expect(() => encodeValue('IS', [1.5], LE)).toThrow(DatasetEncodeError)
    expect(() => encodeValue('CS', ['Ä'.repeat(1) + '\u4e00'], LE)).toThrow(DatasetEncodeError)
    expect(() => formatDS(Infinity)).toThrow(DatasetEncodeError)
  })

  it('formatDS keeps at most 16 characters (PS3.5 Table 6.2-1)', () => {
    for (const x of [Math.PI, -1 / 3, 1e-20, 123456789012345678, -0.000123456789]) {
      const s = formatDS(x)
      expect(s.length).toBeLessThanOrEqual(16)
      expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-10)
    }
  })
})

describe('ASCII fast path', () => {
  it('text VRs encode plain ASCII exactly as the charset codec does, under every character set', () => {
    const terms = [[], ['ISO_IR 100'], ['ISO_IR 192'], ['GB18030'], ['GBK'], ['ISO_IR 13'], ['ISO 2022 IR 13', 'ISO 2022 IR 87'], ['', 'ISO 2022 IR 87'], ['ISO 2022 IR 6', 'ISO 2022 IR 149'], ['ISO_IR 144'], ['', 'ISO 2022 IR 58']]
    const ch = fc.constantFrom('\t', '\n', '\r', '\f', '~', '\u001b', ...Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0x20 + i)))
    fc.assert(
      fc.property(fc.constantFrom(...terms), fc.constantFrom('PN', 'LO', 'UT', 'ST', 'SH') as fc.Arbitrary<'PN' | 'LO' | 'UT' | 'ST' | 'SH'>, fc.string({ unit: ch, maxLength: 24 }), (cs, vr, text) => {
        const multi = vr !== 'UT' && vr !== 'ST'
        const values = multi ? text.split('\\') : [text]
        const run = (f: () => Uint8Array) => {
          try {
            return Buffer.from(f()).toString('hex')
          } catch (e) {
            return `error ${(e as Error).message}`
          }
        }
        expect(run(() => encodeValue(vr, values, { littleEndian: true, charset: cs }))).toBe(run(() => encodeText(values.join(multi ? '\\' : ''), cs, vr)))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('DataElement', () => {
  it('decodes lazily once and bytes() returns the raw view when the encoding matches', () => {
    const raw = a('AB')
    const el = DataElement.fromBytes(0x00100010, 'PN', raw, LE)
    expect(el.isLazy).toBe(true)
    expect(el.bytes(LE)).toBe(raw)
    expect(el.value).toEqual(['AB'])
    expect(el.isLazy).toBe(false)
    const us = DataElement.fromBytes(0x00280010, 'US', b(1, 2), LE)
    expect(us.bytes(BE)).toEqual(b(2, 1))
  })
})
