import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeText, encodeText } from '../../src/dataset/charset.js'
import { DicomError } from '../../src/errors.js'
import type { VR } from '../../src/dataset/vr.js'

// Repertoires are built here from the platform's TextDecoder, independently of the tables in
// src/dataset/charset-tables.ts.

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i <= to; i++) out.push(i)
  return out
}
const ASCII = range(0x20, 0x7e).map((c) => String.fromCharCode(c))

function upperHalf(label: string): string[] {
  const s = new TextDecoder(label).decode(new Uint8Array(range(0xa0, 0xff)))
  return Array.from(s).filter((c) => c !== '\ufffd')
}

/** All characters of a 94x94 set, decoded from its EUC form (optionally after a prefix byte). */
function dbcs(label: string, prefix: number[] = [], skipLeads: number[] = []): string[] {
  const d = new TextDecoder(label)
  const out = new Set<string>()
  for (let b1 = 0xa1; b1 <= 0xfe; b1++) {
    if (skipLeads.includes(b1)) continue
    for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
      const s = d.decode(new Uint8Array([...prefix, b1, b2]))
      if (s.length === 1 && s !== '\ufffd') out.add(s)
    }
  }
  return [...out]
}

function gbk(): string[] {
  const d = new TextDecoder('gbk')
  const out = new Set<string>()
  for (let b1 = 0x81; b1 <= 0xfe; b1++)
    for (let b2 = 0x40; b2 <= 0xfe; b2++) {
      if (b2 === 0x7f) continue
      const s = d.decode(new Uint8Array([b1, b2]))
      if (s.length === 1 && s !== '\ufffd') out.add(s)
    }
  return [...out]
}

const KATAKANA = range(0xff61, 0xff9f).map((c) => String.fromCharCode(c))
const ROMAJI = ASCII.filter((c) => c !== '\\' && c !== '~').concat('‾')
const JIS0208 = dbcs('euc-jp', [], [0xad]) // row 13 holds NEC extensions, not JIS X 0208
const JIS0212 = dbcs('euc-jp', [0x8f])

/** Characters that have a special meaning for the VR: delimiters and, for LT, line controls. */
function specials(vr: VR, romaji = false): string[] {
  switch (vr) {
    case 'PN': return ['\\', '^', '=']
    case 'LO': return ['\\']
    default: return romaji ? ['\r\n', '\t'] : ['\\', '\r\n', '\t']
  }
}

const CASES: Array<{ name: string; charset: string[]; chars: (vr: VR) => string[] }> = [
  { name: 'default', charset: [], chars: () => ASCII },
  { name: 'ISO_IR 100', charset: ['ISO_IR 100'], chars: () => ASCII.concat(upperHalf('iso-8859-1')) },
  ...([
    ['ISO_IR 101', 'iso-8859-2'], ['ISO_IR 109', 'iso-8859-3'], ['ISO_IR 110', 'iso-8859-4'],
    ['ISO_IR 144', 'iso-8859-5'], ['ISO_IR 127', 'iso-8859-6'], ['ISO_IR 126', 'iso-8859-7'],
    ['ISO_IR 138', 'iso-8859-8'], ['ISO_IR 148', 'iso-8859-9'], ['ISO_IR 203', 'iso-8859-15'],
    ['ISO_IR 166', 'windows-874'],
  ] as const).map(([term, label]) => ({ name: term, charset: [term], chars: () => ASCII.concat(upperHalf(label)) })),
  {
    name: 'ISO_IR 13',
    charset: ['ISO_IR 13'],
    chars: (vr: VR) => ROMAJI.concat(KATAKANA, vr === 'LT' ? ['¥'] : []),
  },
  { name: 'ISO_IR 192', charset: ['ISO_IR 192'], chars: () => [] /* see below */ },
  { name: '\\ISO 2022 IR 87', charset: ['', 'ISO 2022 IR 87'], chars: () => ASCII.concat(JIS0208) },
  { name: '\\ISO 2022 IR 159', charset: ['', 'ISO 2022 IR 159'], chars: () => ASCII.concat(JIS0212) },
  {
    name: '\\ISO 2022 IR 87\\ISO 2022 IR 159',
    charset: ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'],
    chars: () => ASCII.concat(JIS0208, JIS0212),
  },
  {
    name: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    charset: ['ISO 2022 IR 13', 'ISO 2022 IR 87'],
    chars: (vr: VR) => ROMAJI.concat(KATAKANA, JIS0208, vr === 'LT' ? ['¥'] : []),
  },
  { name: '\\ISO 2022 IR 149', charset: ['', 'ISO 2022 IR 149'], chars: () => ASCII.concat(dbcs('euc-kr')) },
  { name: '\\ISO 2022 IR 58', charset: ['', 'ISO 2022 IR 58'], chars: () => ASCII.concat(dbcs('gbk')) },
  {
    name: 'ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 144',
    charset: ['ISO 2022 IR 100', 'ISO 2022 IR 126', 'ISO 2022 IR 144'],
    chars: () => ASCII.concat(upperHalf('iso-8859-1'), upperHalf('iso-8859-7'), upperHalf('iso-8859-5')),
  },
  {
    name: 'ISO 2022 IR 6\\ISO 2022 IR 100\\ISO 2022 IR 149',
    charset: ['ISO 2022 IR 6', 'ISO 2022 IR 100', 'ISO 2022 IR 149'],
    chars: () => ASCII.concat(upperHalf('iso-8859-1'), dbcs('euc-kr')),
  },
  { name: 'GBK', charset: ['GBK'], chars: () => ASCII.concat(gbk()) },
]

const VRS: VR[] = ['PN', 'LO', 'LT']

describe('encode → decode round-trips strings drawn from each charset repertoire', () => {
  for (const c of CASES) {
    if (c.name === 'ISO_IR 192') continue
    for (const vr of VRS) {
      it(`${c.name} (${vr})`, () => {
        const romaji = c.charset[0]?.includes('13') ?? false
        const alphabet = c.chars(vr).concat(specials(vr, romaji))
        fc.assert(
          fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (parts) => {
            const text = parts.join('')
            const bytes = encodeText(text, c.charset, vr)
            const warnings: string[] = []
            expect(decodeText(bytes, c.charset, vr, (m) => warnings.push(m))).toBe(text)
            expect(warnings).toEqual([])
          }),
          { numRuns: 200 },
        )
      })
    }
  }

  it('ISO_IR 192 round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(decodeText(encodeText(text, ['ISO_IR 192'], 'LT'), ['ISO_IR 192'], 'LT')).toBe(text)
      }),
    )
  })

  it('GB18030 round-trips any well-formed string (except U+E5E5, which it does not map)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\ue5e5')), (text) => {
        expect(decodeText(encodeText(text, ['GB18030'], 'LT'), ['GB18030'], 'LT')).toBe(text)
      }),
    )
  })
})

describe('decoding arbitrary bytes never throws', () => {
  const charsets = fc.constantFrom<string[]>(
    [], ['ISO_IR 100'], ['ISO_IR 13'], ['', 'ISO 2022 IR 87'], ['ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159'],
    ['', 'ISO 2022 IR 149'], ['', 'ISO 2022 IR 58'], ['ISO_IR 192'], ['GB18030'], ['GBK'], ['garbage'], ['ISO-IR 144'],
  )
  // bytes biased towards ESC and escape sequence bytes
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x1b, 0x24, 0x28, 0x29, 0x2d, 0x42, 0x41, 0x43, 0x5c, 0x5e, 0x3d))
  it('returns a string for any input and any charset', () => {
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 64 }), charsets, fc.constantFrom<VR>('PN', 'LO', 'LT'), (bytes, cs, vr) => {
        expect(typeof decodeText(new Uint8Array(bytes), cs, vr, () => {})).toBe('string')
      }),
      { numRuns: 500 },
    )
  })
  it('encoding either succeeds or throws DicomError ERR_CHARSET', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), charsets, (text, cs) => {
        try {
          encodeText(text, cs, 'LO')
        } catch (e) {
          expect(e).toBeInstanceOf(DicomError)
          expect((e as DicomError).code).toBe('ERR_CHARSET')
        }
      }),
      { numRuns: 300 },
    )
  })
})
