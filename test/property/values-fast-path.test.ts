/**
 * The fast string path of the value decoder (decodeValueAt: plain bytes read straight from the
 * source buffer) must give exactly what the general path gives (decodeValue on a copy of the
 * bytes: character set decoding, split on `\`, padding trimmed by regular expressions, PS3.5
 * §6.1 and Table 6.2-1), for every string VR and character set, whatever the bytes are: those
 * the fast path takes and those it must leave to the general path (ESC, `~`, `\` in
 * single-valued VRs, bytes above 0x7F).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeAscii, decodeValue, decodeValueAt, trimmedAscii } from '../../src/dataset/values.js'
import type { ValueContext } from '../../src/dataset/element.js'
import type { VR } from '../../src/dataset/vr.js'

const STRING_VRS: VR[] = ['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']
const CHARSETS: string[][] = [
  [],
  ['ISO_IR 100'],
  ['ISO_IR 192'],
  ['ISO_IR 13'],
  ['ISO 2022 IR 13', 'ISO 2022 IR 87'],
  ['', 'ISO 2022 IR 149'],
  ['GB18030'],
  ['GBK'],
  ['NOT A CHARSET'],
]
/** Bytes that matter to the fast path, plus ordinary ones. */
const INTERESTING = [0x00, 0x09, 0x0a, 0x1b, 0x20, 0x24, 0x28, 0x2b, 0x2d, 0x2e, 0x30, 0x31, 0x39, 0x3d, 0x41, 0x42, 0x45, 0x5c, 0x5e, 0x61, 0x7d, 0x7e, 0x7f, 0x80, 0x9b, 0xa5, 0xc3, 0xe9, 0xff]
const byte = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 }))

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() }
  } catch (e) {
    return { error: String(e) }
  }
}

describe('decodeValueAt', () => {
  it('equals decodeValue on a copy of the same bytes (any string VR, charset, bytes, offset)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRING_VRS),
        fc.constantFrom(...CHARSETS),
        fc.array(byte, { maxLength: 40 }),
        fc.array(byte, { maxLength: 5 }),
        fc.array(byte, { maxLength: 5 }),
        (vr, charset, value, before, after) => {
          const ctx: ValueContext = { littleEndian: true, charset }
          const src = new Uint8Array([...before, ...value, ...after])
          const fast = outcome(() => decodeValueAt(vr, src, before.length, value.length, ctx))
          const general = outcome(() => decodeValue(vr, new Uint8Array(value), ctx))
          expect(fast).toEqual(general)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('plain values (the fast path) for every VR, with padding and delimiters', () => {
    const ctx: ValueContext = { littleEndian: true, charset: [] }
    const enc = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)))
    const cases: [VR, string][] = [
      ['CS', ' A \\B \0'],
      ['UI', '1.2.840.10008.1.2.1\0'],
      ['PN', 'Doe^John \\ Roe^Jane  '],
      ['LO', '  leading spaces kept, a long value of more than twelve bytes   '],
      ['LT', 'a\\b  '],
      ['UR', ' http://x/\\y '],
      ['DS', ' 1.5\\-2e3\\\\7 '],
      ['IS', '+12 \\0012'],
      ['SH', '\\'],
      ['AE', '        '],
    ]
    for (const [vr, s] of cases) {
      const src = enc(`##${s}##`)
      expect(decodeValueAt(vr, src, 2, s.length, ctx), `${vr} ${JSON.stringify(s)}`).toEqual(decodeValue(vr, enc(s), ctx))
    }
  })

  it('trimmedAscii equals decodeAscii + regex/trim for any bytes', () => {
    const ws = fc.oneof(byte, fc.constantFrom(0x00, 0x09, 0x0b, 0x0d, 0x20, 0xa0, 0x85))
    fc.assert(
      fc.property(fc.array(ws, { maxLength: 70 }), (bytes) => {
        const u = new Uint8Array(bytes)
        expect(trimmedAscii(u)).toBe(decodeAscii(u).replace(/[\0 ]+$/, '').trim())
      }),
      { numRuns: 3000 },
    )
  })
})
