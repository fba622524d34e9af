import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { charsetOfTerm, decodeText, encodeText, parseSpecificCharacterSet } from '../../../src/dataset/charset.js'
import { DicomError } from '../../../src/errors.js'
import { CORPUS_DIR } from '../../helpers/corpus.js'
import { peersAvailable } from '../../helpers/process.js'

const u8 = (...b: number[]) => new Uint8Array(b)
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
/** PS3.5 writes bytes as column/row ("05/09" = 0x59). */
const colRow = (s: string) => s.trim().split(/\s+/).map((t) => { const [c, r] = t.split('/'); return Number(c) * 16 + Number(r) })

function collect(): { warnings: string[]; onWarning: (m: string) => void } {
  const warnings: string[] = []
  return { warnings, onWarning: (m) => warnings.push(m) }
}

describe('PS3.5 Annex H-K examples: decode and encode to the exact bytes of the standard', () => {
  it('H.3-1 Japanese, \\ISO 2022 IR 87', () => {
    // PS3.5 Example H.3-1, "Encoded representation".
    const bytes = u8(...colRow(`05/09 06/01 06/13 06/01 06/04 06/01 05/14 05/04 06/01 07/02 06/15 07/05 03/13 01/11 02/04
      04/02 03/11 03/03 04/05 04/04 01/11 02/08 04/02 05/14 01/11 02/04 04/02 04/02 04/00 04/15 03/10 01/11 02/08 04/02
      03/13 01/11 02/04 04/02 02/04 06/04 02/04 05/14 02/04 04/00 01/11 02/08 04/02 05/14 01/11 02/04 04/02 02/04 03/15
      02/04 06/13 02/04 02/06 01/11 02/08 04/02`))
    const cs = ['', 'ISO 2022 IR 87']
    const text = 'Yamada^Tarou=山田^太郎=やまだ^たろう'
    const w = collect()
    expect(decodeText(bytes, cs, 'PN', w.onWarning)).toBe(text)
    expect(w.warnings).toEqual([])
    expect(encodeText(text, cs, 'PN')).toEqual(bytes)
  })

  it('H.3-2 Japanese, ISO 2022 IR 13\\ISO 2022 IR 87 (G0 returns to JIS X 0201 Romaji)', () => {
    const bytes = u8(...colRow(`13/04 12/15 12/00 13/14 05/14 12/00 13/11 11/03 03/13 01/11 02/04 04/02 03/11 03/03 04/05
      04/04 01/11 02/08 04/10 05/14 01/11 02/04 04/02 04/02 04/00 04/15 03/10 01/11 02/08 04/10 03/13 01/11 02/04 04/02
      02/04 06/04 02/04 05/14 02/04 04/00 01/11 02/08 04/10 05/14 01/11 02/04 04/02 02/04 03/15 02/04 06/13 02/04 02/06
      01/11 02/08 04/10`))
    const cs = ['ISO 2022 IR 13', 'ISO 2022 IR 87']
    const text = 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'
    expect(decodeText(bytes, cs, 'PN')).toBe(text)
    expect(encodeText(text, cs, 'PN')).toEqual(bytes)
  })

  it('I.2 Korean, \\ISO 2022 IR 149 (G1 re-designated in each component)', () => {
    const bytes = u8(...colRow(`04/08 06/15 06/14 06/07 05/14 04/07 06/09 06/12 06/04 06/15 06/14 06/07 03/13 01/11 02/04
      02/09 04/03 15/11 15/03 05/14 01/11 02/04 02/09 04/03 13/01 12/14 13/04 13/07 03/13 01/11 02/04 02/09 04/03 12/08
      10/11 05/14 01/11 02/04 02/09 04/03 11/01 14/06 11/05 11/15`))
    const cs = ['', 'ISO 2022 IR 149']
    const text = 'Hong^Gildong=洪^吉洞=홍^길동'
    expect(decodeText(bytes, cs, 'PN')).toBe(text)
    expect(encodeText(text, cs, 'PN')).toEqual(bytes)
  })

  it('K.2 Chinese, \\ISO 2022 IR 58', () => {
    // PS3.5 Example K.2-1 (the trailing 0x20 is value padding, added by the value codec).
    const bytes = u8(0x5a, 0x68, 0x61, 0x6e, 0x67, 0x5e, 0x58, 0x69, 0x61, 0x6f, 0x44, 0x6f, 0x6e, 0x67, 0x3d, 0x1b, 0x24,
      0x29, 0x41, 0xd5, 0xc5, 0x5e, 0x1b, 0x24, 0x29, 0x41, 0xd0, 0xa1, 0xb6, 0xab, 0x3d)
    const cs = ['', 'ISO 2022 IR 58']
    expect(decodeText(bytes, cs, 'PN')).toBe('Zhang^XiaoDong=张^小东=')
    expect(encodeText('Zhang^XiaoDong=张^小东=', cs, 'PN')).toEqual(bytes)
  })

  it('K.3 Chinese LT, \\ISO 2022 IR 58: G1 designated again after each CR LF', () => {
    const line = (d: number[]) => [0x1b, 0x24, 0x29, 0x41, 0xb5, 0xda, ...d, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3, 0x0d, 0x0a]
    const bytes = u8(0x31, 0x2e, ...line([0xd2, 0xbb]), 0x32, 0x2e, ...line([0xb6, 0xfe]), 0x33, 0x2e, ...line([0xc8, 0xfd]))
    const text = '1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n'
    const cs = ['', 'ISO 2022 IR 58']
    expect(decodeText(bytes, cs, 'LT')).toBe(text)
    expect(encodeText(text, cs, 'LT')).toEqual(bytes)
  })

  it('J.3 Chinese, GB18030', () => {
    const bytes = u8(0x57, 0x61, 0x6e, 0x67, 0x5e, 0x58, 0x69, 0x61, 0x6f, 0x44, 0x6f, 0x6e, 0x67, 0x3d, 0xcd, 0xf5, 0x5e,
      0xd0, 0xa1, 0xb6, 0xab, 0x3d)
    expect(decodeText(bytes, ['GB18030'], 'PN')).toBe('Wang^XiaoDong=王^小东=')
    expect(encodeText('Wang^XiaoDong=王^小东=', ['GB18030'], 'PN')).toEqual(bytes)
    expect(encodeText('Wang^XiaoDong=王^小东=', ['GBK'], 'PN')).toEqual(bytes)
  })
})

describe('single-byte character sets', () => {
  const cases: Array<[string, number[], string]> = [
    ['ISO_IR 100', [0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65], 'Jérôme'],
    ['ISO_IR 101', [0xb1, 0xe6], 'ąć'],
    ['ISO_IR 109', [0xa1, 0xfd], 'Ħŭ'],
    ['ISO_IR 110', [0xa2, 0xbd], 'ĸŊ'],
    ['ISO_IR 144', [0xbb, 0xee, 0xda], 'Люк'],
    ['ISO_IR 127', [0xc7, 0xe4], 'ال'],
    ['ISO_IR 126', [0xc4, 0xe9], 'Δι'],
    ['ISO_IR 138', [0xf9, 0xf8], 'שר'],
    ['ISO_IR 148', [0xd0, 0xfd, 0xde], 'ĞıŞ'],
    ['ISO_IR 203', [0xa4, 0xbd], '€œ'],
    ['ISO_IR 166', [0xa1, 0xd2], 'กา'],
  ]
  for (const [term, bytes, text] of cases) {
    it(`${term}: ${text}`, () => {
      expect(decodeText(u8(...bytes), [term], 'LO')).toBe(text)
      expect(encodeText(text, [term], 'LO')).toEqual(u8(...bytes))
      // the same set with code extensions needs no escape sequence (it is the initial G1)
      expect(encodeText(text, [term.replace('ISO_IR', 'ISO 2022 IR')], 'LO')).toEqual(u8(...bytes))
    })
  }

  it('a leading 0xFF 0xFE is two Latin-1 characters (Node 20 loses them with ignoreBOM)', () => {
    expect(decodeText(u8(0xff), ['ISO_IR 100'], 'LO')).toBe('ÿ')
    expect(decodeText(u8(0xff, 0xfe, 0x41), ['ISO_IR 100'], 'LO')).toBe('ÿþA')
  })

  it('C1 bytes are kept as U+0080..U+009F (not windows-1252) with a warning, and never written', () => {
    const w = collect()
    expect(decodeText(u8(0x80, 0x9f), ['ISO_IR 100'], 'LT', w.onWarning)).toBe('\u0080\u009f')
    expect(w.warnings.length).toBe(2)
    expect(() => encodeText('\u0085', ['ISO_IR 100'], 'LT')).toThrow(/C1/)
  })

  it('default repertoire is ASCII: encoding anything else fails with ERR_CHARSET', () => {
    expect(encodeText('Doe^John', [], 'PN')).toEqual(u8(...ascii('Doe^John')))
    expect(() => encodeText('Jérôme', [], 'PN')).toThrow(DicomError)
    try {
      encodeText('山', ['ISO_IR 100'], 'LO')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DicomError)
      expect((e as DicomError).code).toBe('ERR_CHARSET')
      expect((e as DicomError).message).toContain('U+5C71')
      expect((e as DicomError).message).toContain('ISO_IR 100')
    }
  })

  it('high bytes in the default repertoire are read as ISO 8859-1 with a warning', () => {
    const w = collect()
    expect(decodeText(u8(0x4a, 0xe9), [], 'LO', w.onWarning)).toBe('Jé')
    expect(w.warnings.length).toBe(1)
  })
})

describe('ISO_IR 13 (JIS X 0201)', () => {
  it('G1 is half-width katakana, G0 is Romaji: 07/14 is OVERLINE', () => {
    expect(decodeText(u8(0xd4, 0xcf, 0xc0, 0xde, 0x7e), ['ISO_IR 13'], 'LO')).toBe('ﾔﾏﾀﾞ‾')
    expect(encodeText('ﾔﾏﾀﾞ‾', ['ISO_IR 13'], 'LO')).toEqual(u8(0xd4, 0xcf, 0xc0, 0xde, 0x7e))
    expect(() => encodeText('~', ['ISO_IR 13'], 'LO')).toThrow(/U\+007E/)
  })
  it('05/12 is the value delimiter in multi-valued VRs and YEN SIGN in LT/ST/UT', () => {
    expect(decodeText(u8(0x41, 0x5c, 0x42), ['ISO_IR 13'], 'LO')).toBe('A\\B')
    expect(decodeText(u8(0x41, 0x5c, 0x42), ['ISO_IR 13'], 'LT')).toBe('A¥B')
    expect(encodeText('A¥B', ['ISO_IR 13'], 'LT')).toEqual(u8(0x41, 0x5c, 0x42))
    expect(() => encodeText('A¥B', ['ISO_IR 13'], 'LO')).toThrow(DicomError)
  })
})

describe('ISO 2022 state handling', () => {
  it('a 0x5C inside a JIS X 0208 character is not a delimiter', () => {
    // JIS X 0208 0x215C is U+FF0B FULLWIDTH PLUS SIGN in the WHATWG index (row 1, cell 60).
    const bytes = u8(0x1b, 0x24, 0x42, 0x21, 0x5c, 0x1b, 0x28, 0x42, 0x5c, 0x41)
    expect(decodeText(bytes, ['', 'ISO 2022 IR 87'], 'LO')).toBe('＋\\A')
  })
  it('the initial state is restored at the value delimiter', () => {
    // ISO-IR 126 (Greek) designated to G1, then back to ISO-IR 100 after the backslash.
    const bytes = u8(0x1b, 0x2d, 0x46, 0xc4, 0x5c, 0xc4)
    const cs = ['ISO 2022 IR 100', 'ISO 2022 IR 126']
    expect(decodeText(bytes, cs, 'LO')).toBe('Δ\\Ä')
    expect(encodeText('Δ\\Ä', cs, 'LO')).toEqual(bytes)
    // in LT the backslash is a character: Greek stays in G1
    expect(decodeText(bytes, cs, 'LT')).toBe('Δ\\Δ')
  })
  it('JIS X 0212 is designated with ESC $ ( D', () => {
    // JIS X 0212 0x3021 (row 16, cell 1) is U+4E02.
    const bytes = u8(0x1b, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1b, 0x28, 0x42)
    expect(decodeText(bytes, ['', 'ISO 2022 IR 159'], 'LO')).toBe('丂')
    expect(encodeText('丂', ['', 'ISO 2022 IR 159'], 'LO')).toEqual(bytes)
  })
  it('tolerates a missing G1 re-designation after a PN delimiter, with a warning', () => {
    const bytes = u8(0x1b, 0x24, 0x29, 0x43, 0xfb, 0xf3, 0x5e, 0xd1, 0xce)
    const w = collect()
    expect(decodeText(bytes, ['', 'ISO 2022 IR 149'], 'PN', w.onWarning)).toBe('洪^吉')
    expect(w.warnings.length).toBe(1)
  })
  it('unknown escape sequences become U+FFFD, undeclared ones are used with a warning', () => {
    const w = collect()
    expect(decodeText(u8(0x41, 0x1b, 0x25, 0x47, 0x42), ['ISO_IR 100'], 'LO', w.onWarning)).toBe('A\ufffdB')
    expect(decodeText(u8(0x1b, 0x2d, 0x46, 0xc4), ['ISO_IR 100'], 'LO', w.onWarning)).toBe('Δ')
    expect(w.warnings.length).toBe(2)
  })
  it('reads ESC $ @ (JIS C 6226-1978) as JIS X 0208, with a warning', () => {
    const w = collect()
    expect(decodeText(u8(0x1b, 0x24, 0x40, 0x3b, 0x33, 0x1b, 0x28, 0x42), ['', 'ISO 2022 IR 87'], 'PN', w.onWarning)).toBe('山')
    expect(w.warnings.length).toBe(1)
  })
  it('refuses to encode ESC', () => {
    expect(() => encodeText('a\u001bb', ['', 'ISO 2022 IR 87'], 'LT')).toThrow(DicomError)
  })
})

describe('Unicode and GB encodings', () => {
  it('ISO_IR 192: invalid bytes become U+FFFD with a warning; never throws', () => {
    const w = collect()
    expect(decodeText(u8(0x41, 0xff, 0x42), ['ISO_IR 192'], 'LO', w.onWarning)).toBe('A\ufffdB')
    expect(w.warnings.length).toBe(1)
  })
  it('ISO_IR 192: a leading BOM is kept as U+FEFF, not dropped', () => {
    expect(decodeText(u8(0xef, 0xbb, 0xbf, 0x41), ['ISO_IR 192'], 'LO')).toBe('\ufeffA')
  })
  it('ISO_IR 192: an unpaired surrogate cannot be encoded', () => {
    expect(() => encodeText('a\ud800', ['ISO_IR 192'], 'LO')).toThrow(DicomError)
    expect(encodeText('a😀', ['ISO_IR 192'], 'LO')).toEqual(u8(0x61, 0xf0, 0x9f, 0x98, 0x80))
  })
  it('GB18030 4-byte codes: BMP (U+00A5 is 0x81308436) and supplementary (U+10000 is 0x90308130)', () => {
    expect(encodeText('¥', ['GB18030'], 'LO')).toEqual(u8(0x81, 0x30, 0x84, 0x36))
    expect(encodeText('\u{10000}', ['GB18030'], 'LO')).toEqual(u8(0x90, 0x30, 0x81, 0x30))
    expect(decodeText(u8(0x81, 0x30, 0x84, 0x36, 0x90, 0x30, 0x81, 0x30), ['GB18030'], 'LO')).toBe('¥\u{10000}')
    expect(() => encodeText('¥', ['GBK'], 'LO')).toThrow(DicomError)
  })
  it('a 0x5C trail byte in GBK is part of a character', () => {
    // GBK 0x815C (lead 0x81, trail 0x5C) decodes as one character, not as a delimiter.
    const s = decodeText(u8(0x81, 0x5c), ['GBK'], 'LO')
    expect(s.length).toBe(1)
    expect(s).not.toContain('\\')
    expect(encodeText(s, ['GBK'], 'LO')).toEqual(u8(0x81, 0x5c))
  })
})

describe('term normalisation and warnings', () => {
  it('parseSpecificCharacterSet splits on backslash, trims, keeps an empty value 1', () => {
    expect(parseSpecificCharacterSet('\\ISO 2022 IR 87 ')).toEqual(['', 'ISO 2022 IR 87'])
    expect(parseSpecificCharacterSet(['ISO 2022 IR 13', ' ISO 2022 IR 87'])).toEqual(['ISO 2022 IR 13', 'ISO 2022 IR 87'])
    expect(parseSpecificCharacterSet('ISO_IR 100 \\')).toEqual(['ISO_IR 100'])
    expect(parseSpecificCharacterSet('  ')).toEqual([])
  })
  it('charsetOfTerm knows the defined terms and maps misspellings', () => {
    expect(charsetOfTerm('ISO 2022 IR 149')).toMatchObject({ term: 'ISO 2022 IR 149', codeExtensions: true, g1: 'ISO-IR 149' })
    expect(charsetOfTerm('ISO_IR 13')).toMatchObject({ g0: 'ISO-IR 14', g1: 'ISO-IR 13', codeExtensions: false })
    expect(charsetOfTerm('ISO-IR 100')).toMatchObject({ term: 'ISO_IR 100', normalizedFrom: 'ISO-IR 100' })
    expect(charsetOfTerm('iso_ir100')?.term).toBe('ISO_IR 100')
    expect(charsetOfTerm('utf-8')?.term).toBe('ISO_IR 192')
    expect(charsetOfTerm('garbage')).toBeUndefined()
  })
  it('a misspelled term decodes as the term it means, with a warning', () => {
    const w = collect()
    expect(decodeText(u8(0x4a, 0xe9), ['ISO-IR 100'], 'PN', w.onWarning)).toBe('Jé')
    expect(w.warnings[0]).toMatch(/ISO-IR 100.*ISO_IR 100/)
  })
  it('an unknown term falls back to UTF-8 when valid, else ISO 8859-1, with a warning', () => {
    const w = collect()
    expect(decodeText(u8(0xc3, 0xa9), ['KLINGON'], 'LO', w.onWarning)).toBe('é')
    expect(decodeText(u8(0xe9), ['KLINGON'], 'LO', w.onWarning)).toBe('é')
    expect(w.warnings.some((m) => m.includes('KLINGON'))).toBe(true)
    expect(() => encodeText('é', ['KLINGON'], 'LO')).toThrow(DicomError)
    expect(encodeText('e', ['KLINGON'], 'LO')).toEqual(u8(0x65))
  })
  it('ISO_IR 13 as value 1 of a multi-valued set works like ISO 2022 IR 13, with a warning', () => {
    const w = collect()
    const bytes = u8(0xd4, 0x5e, 0x1b, 0x24, 0x42, 0x3b, 0x33, 0x1b, 0x28, 0x4a)
    expect(decodeText(bytes, ['ISO_IR 13', 'ISO 2022 IR 87'], 'PN', w.onWarning)).toBe('ﾔ^山')
    expect(w.warnings.length).toBe(1)
    // an unsplit value is split
    expect(decodeText(bytes, ['ISO 2022 IR 13\\ISO 2022 IR 87'], 'PN')).toBe('ﾔ^山')
  })
  it('ISO_IR 192 combined with other values uses UTF-8 and warns', () => {
    const w = collect()
    expect(decodeText(u8(0xc3, 0xa9), ['ISO_IR 192', 'ISO 2022 IR 87'], 'LO', w.onWarning)).toBe('é')
    expect(w.warnings.length).toBe(1)
  })
})

// ---------------------------------------------------------------------------------------------
// Real files: compare with pydicom's decoding of PatientName (golden JSON).

const CORPUS = CORPUS_DIR
const haveCorpus = existsSync(join(CORPUS, 'files'))
if (!haveCorpus) console.log(`charset corpus tests skipped: ${CORPUS} not found`)

/** Test-only scan of an explicit VR LE file for short-form elements with a given tag and VR. */
function findElements(file: Uint8Array, group: number, element: number, vr: string): Array<{ offset: number; value: Uint8Array }> {
  const out: Array<{ offset: number; value: Uint8Array }> = []
  const pat = [group & 0xff, group >> 8, element & 0xff, element >> 8, vr.charCodeAt(0), vr.charCodeAt(1)]
  for (let i = 0; i + 8 <= file.length; i++) {
    if (pat.every((b, k) => file[i + k] === b)) {
      const len = file[i + 6]! | (file[i + 7]! << 8)
      out.push({ offset: i, value: file.subarray(i + 8, i + 8 + len) })
    }
  }
  return out
}

interface PnGolden { Alphabetic?: string; Ideographic?: string; Phonetic?: string }

describe.skipIf(!haveCorpus)('corpus PatientName decoding agrees with pydicom', () => {
  const files = [
    'pydicom__chrArab.dcm', 'pydicom__chrFren.dcm', 'pydicom__chrFrenMulti.dcm', 'pydicom__chrGreek.dcm',
    'pydicom__chrH31.dcm', 'pydicom__chrHbrw.dcm', 'pydicom__chrI2.dcm', 'pydicom__chrJapMulti.dcm',
    'pydicom__chrRuss.dcm', 'pydicom__chrX1.dcm', 'pydicom__chrSQEncoding.dcm', 'fo-dicom__GH1301.dcm',
    'fo-dicom__chrGB2312.dcm',
  ]
  for (const name of files) {
    it(name, () => {
      const file = new Uint8Array(readFileSync(join(CORPUS, 'files', name)))
      const golden = JSON.parse(readFileSync(join(CORPUS, 'golden', `${name}.pydicom.json`), 'utf8')) as Record<string, unknown>
      const pn = findElements(file, 0x0010, 0x0010, 'PN')[0]!
      // the Specific Character Set in effect is the last one before the name (sequence items may override)
      const cs = findElements(file, 0x0008, 0x0005, 'CS').filter((e) => e.offset < pn.offset).pop()!
      const charset = parseSpecificCharacterSet(String.fromCharCode(...cs.value))
      // pydicom puts the item's PatientName inside (0032,1064) for chrSQEncoding
      const holder = name === 'pydicom__chrSQEncoding.dcm'
        ? ((golden['00321064'] as { Value: Array<Record<string, unknown>> }).Value[0]!)
        : golden
      let expected = (holder['00100010'] as { Value: PnGolden[] }).Value
      if (name === 'fo-dicom__chrGB2312.dcm') {
        // pydicom leaves the ESC $ ) A designations in the text (it does not interpret
        // ISO 2022 IR 58 escape sequences); PS3.5 K.2 says they designate GB 2312 to G1.
        expected = expected.map((v) => Object.fromEntries(Object.entries(v).map(([k, s]) => [k, s.replaceAll('\u001b$)A', '')])))
      }
      const w = collect()
      const text = decodeText(pn.value, charset, 'PN', w.onWarning).replace(/[ \0]+$/, '')
      const values = text.split('\\').map((v) => {
        const [a, i, p] = v.split('=')
        const g: PnGolden = {}
        if (a) g.Alphabetic = a
        if (i) g.Ideographic = i
        if (p) g.Phonetic = p
        return g
      })
      expect(values).toEqual(expected)
      if (name !== 'pydicom__chrSQEncoding.dcm') expect(w.warnings).toEqual([])
      // and encoding the decoded text gives back the file's bytes (up to padding), except
      // where the file is not minimal: chrSQEncoding designates ASCII, which IR 13 does not declare.
      if (name !== 'pydicom__chrSQEncoding.dcm') {
        const raw = pn.value.subarray(0, pn.value.length - (/[ \0]$/.test(String.fromCharCode(pn.value[pn.value.length - 1]!)) ? 1 : 0))
        expect(encodeText(text, charset, 'PN')).toEqual(raw)
      }
    })
  }
})

// ---------------------------------------------------------------------------------------------
// Differential tests against DCMTK (dcm2json decodes to UTF-8; dcmconv +C encodes from UTF-8).
// DCMTK uses glibc iconv here, which cannot convert ISO 2022 IR 87 / IR 159, and dcmconv cannot
// write code extensions at all, so the ISO 2022 multi-byte cases are checked in one direction.

const haveDcmtk = peersAvailable('charset', [['dcm2json', '--version'], ['dcmconv', '--version']], { skipped: 'the DCMTK tests' })

/** Test-only builder: explicit VR LE elements with 2-byte lengths, padded with a space. */
function element(group: number, elem: number, vr: string, value: Uint8Array): number[] {
  const v = [...value]
  if (v.length % 2) v.push(0x20)
  return [group & 0xff, group >> 8, elem & 0xff, elem >> 8, vr.charCodeAt(0), vr.charCodeAt(1), v.length & 0xff, v.length >> 8, ...v]
}

const DIFF_CASES: Array<{ charset: string[]; sample: string[] }> = [
  { charset: ['ISO_IR 100'], sample: ['Jérôme', 'Buc^Jérôme', 'ÆØÅ ÿ', 'Größe'] },
  { charset: ['ISO_IR 101'], sample: ['Łódź', 'Příliš žluťoučký'] },
  { charset: ['ISO_IR 144'], sample: ['Люкceмбypг', 'Иванов^Иван'] },
  { charset: ['ISO_IR 126'], sample: ['Διονυσιος', 'αβγ^ΔΕΖ'] },
  { charset: ['ISO_IR 127'], sample: ['قباني^لنزار'] },
  { charset: ['ISO_IR 138'], sample: ['שרון^דבורה'] },
  { charset: ['ISO_IR 148'], sample: ['Çağrı^Işık'] },
  { charset: ['ISO_IR 166'], sample: ['สมชาย^ใจดี'] },
  // one value only: DCMTK 3.6.7 (iconv JIS_X0201) turns the 05/12 value delimiter into YEN SIGN
  // before splitting values, whereas PS3.5 §6.1.2.3 keeps 05/12 as the delimiter in every repertoire
  { charset: ['ISO_IR 13'], sample: ['ﾔﾏﾀﾞ^ﾀﾛｳ ABC'] },
  { charset: ['ISO_IR 192'], sample: ['Wang^XiaoDong=王^小東', '😀 émoji', 'Ωmega'] },
  { charset: ['GB18030'], sample: ['Wang^XiaoDong=王^小东', '¥€ 中文', '\u{20000}'] },
  { charset: ['', 'ISO 2022 IR 149'], sample: ['Hong^Gildong=洪^吉洞=홍^길동', '한글 text 한글'] },
  { charset: ['', 'ISO 2022 IR 58'], sample: ['Zhang^XiaoDong=张^小东', '第一行文字。'] },
  { charset: ['ISO 2022 IR 100', 'ISO 2022 IR 126'], sample: ['Jérôme Δίας', 'é^α=β'] },
]

describe.skipIf(!haveDcmtk)('DCMTK agrees', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-charset-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  for (const { charset, sample } of DIFF_CASES) {
    const name = charset.join('\\')
    it(`dcm2json decodes what encodeText wrote (${name})`, () => {
      // one multi-valued LO (Study Description), one PN per sample, one LT with CR LF lines
      const lo = sample.map((s) => s.replace(/[\\^=]/g, ' ')).join('\\')
      const lt = sample.join('\r\n')
      const file = new Uint8Array([
        ...element(0x0008, 0x0005, 'CS', new TextEncoder().encode(charset.join('\\'))),
        ...element(0x0008, 0x1030, 'LO', encodeText(lo, charset, 'LO')),
        ...element(0x0010, 0x0010, 'PN', encodeText(sample.join('\\'), charset, 'PN')),
        ...element(0x0010, 0x4000, 'LT', encodeText(lt, charset, 'LT')),
      ])
      const path = join(dir, 'enc.dcm')
      writeFileSync(path, file)
      const json = JSON.parse(execFileSync('dcm2json', ['-q', '-f', '-te', path], { encoding: 'utf8' })) as Record<string, { Value: unknown[] }>
      expect(json['00081030']!.Value).toEqual(lo.split('\\'))
      const pn = (json['00100010']!.Value as PnGolden[]).map((g) => [g.Alphabetic ?? '', g.Ideographic ?? '', g.Phonetic ?? ''].join('=').replace(/=+$/, ''))
      expect(pn).toEqual(sample)
      expect(json['00104000']!.Value).toEqual([lt])
    })

    // dcmconv cannot convert to code extensions ("value '\\ISO 2022 IR 149' not supported")
    it.skipIf(charset.length > 1)(`decodeText reads what dcmconv +C wrote (${name})`, () => {
      const lt = sample.join('\r\n')
      const utf8 = new Uint8Array([
        ...element(0x0008, 0x0005, 'CS', new TextEncoder().encode('ISO_IR 192')),
        ...element(0x0010, 0x0010, 'PN', new TextEncoder().encode(sample.join('\\'))),
        ...element(0x0010, 0x4000, 'LT', new TextEncoder().encode(lt)),
      ])
      const src = join(dir, 'utf8.dcm')
      const dst = join(dir, 'conv.dcm')
      writeFileSync(src, utf8)
      execFileSync('dcmconv', ['-q', '-f', '-te', '+C', charset.join('\\'), '-F', '+te', src, dst])
      const out = new Uint8Array(readFileSync(dst))
      const pn = findElements(out, 0x0010, 0x0010, 'PN')[0]!.value
      const ltRaw = findElements(out, 0x0010, 0x4000, 'LT')[0]!.value
      const w = collect()
      expect(decodeText(pn, charset, 'PN', w.onWarning).replace(/ $/, '')).toBe(sample.join('\\'))
      expect(decodeText(ltRaw, charset, 'LT', w.onWarning).replace(/ $/, '')).toBe(lt)
      expect(w.warnings).toEqual([])
      // and encodeText writes the same bytes as DCMTK
      const unpad = (b: Uint8Array) => (b.length > 0 && b[b.length - 1] === 0x20 ? b.subarray(0, b.length - 1) : b)
      expect(encodeText(sample.join('\\'), charset, 'PN')).toEqual(unpad(pn))
      expect(encodeText(lt, charset, 'LT')).toEqual(unpad(ltRaw))
    })
  }
})
