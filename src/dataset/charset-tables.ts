/**
 * Graphic character sets (ISO 2022 code elements) used by Specific Character Set, with their
 * code tables built lazily from the platform's `TextDecoder` (WHATWG encodings) on first use.
 *
 * `TextEncoder` only produces UTF-8, so the reverse (Unicode → bytes) tables for legacy
 * character sets are derived here by decoding every byte or byte pair once and caching the
 * result. Nothing in this module imports Node APIs: it runs in browsers too.
 * @module
 */

/**
 * One graphic character set that can be designated to G0 or G1 (PS3.3 C.12.1.1.2,
 * Tables C.12-2 to C.12-4).
 */
export interface GraphicSet {
  /** ISO registration, e.g. `ISO-IR 100`, `ISO-IR 87`. */
  readonly id: string
  /** Bytes per character: 1 for the 94/96 character sets, 2 for the 94^2 sets. */
  readonly width: 1 | 2
  /** Code element the set is designated to by its escape sequence. */
  readonly area: 'G0' | 'G1'
  /** The escape sequence (ESC included) that designates this set (PS3.3 Tables C.12-3/4). */
  readonly escape: readonly number[]
  /**
   * Code point of a character given its 7-bit code (0x21..0x7E, or for 96-sets 0x20..0x7F,
   * per byte; a 2-byte code is `(b1 << 8) | b2`), or -1 when unassigned.
   */
  decode(code: number): number
  /** The 7-bit code of a code point in this set, or -1 when it is not in the repertoire. */
  encode(codePoint: number): number
  /**
   * For 96-character G1 sets: a WHATWG label whose decoder agrees with ISO-IR 6 in GL and
   * with this set in 0xA0..0xFF, used to decode whole values at once when they hold no
   * escape sequence and no C1 byte.
   */
  readonly fastLabel?: string
}

const ESC = 0x1b

/** Lazily build a value once. */
function lazy<T>(build: () => T): () => T {
  let v: T | undefined
  return () => (v ??= build())
}

// ---------------------------------------------------------------------------------------------
// G0 sets: ISO-IR 6 (ASCII) and ISO-IR 14 (JIS X 0201 Romaji)

/** ISO-IR 6, the default repertoire (ASCII graphic characters 0x21..0x7E, plus SPACE). */
export const ISO_IR_6: GraphicSet = {
  id: 'ISO-IR 6',
  width: 1,
  area: 'G0',
  escape: [ESC, 0x28, 0x42], // ESC ( B
  decode: (c) => (c >= 0x20 && c <= 0x7e ? c : -1),
  encode: (cp) => (cp >= 0x20 && cp <= 0x7e ? cp : -1),
}

/**
 * ISO-IR 14, JIS X 0201 Romaji: ISO-IR 6 except that 05/12 is YEN SIGN and 07/14 is OVERLINE
 * (PS3.5 §6.1.2.3 Note 3). The 05/12 byte is also the DICOM value delimiter, which the codec
 * handles before looking at this table, so here 0x5C is YEN SIGN.
 */
export const ISO_IR_14: GraphicSet = {
  id: 'ISO-IR 14',
  width: 1,
  area: 'G0',
  escape: [ESC, 0x28, 0x4a], // ESC ( J
  decode: (c) => (c === 0x5c ? 0xa5 : c === 0x7e ? 0x203e : c >= 0x20 && c <= 0x7e ? c : -1),
  encode: (cp) =>
    cp === 0xa5 ? 0x5c : cp === 0x203e ? 0x7e : cp === 0x5c || cp === 0x7e ? -1 : cp >= 0x20 && cp <= 0x7e ? cp : -1,
}

// ---------------------------------------------------------------------------------------------
// G1 single-byte sets

/** ISO-IR 13, JIS X 0201 Katakana: 0xA1..0xDF → U+FF61..U+FF9F (half-width katakana). */
export const ISO_IR_13: GraphicSet = {
  id: 'ISO-IR 13',
  width: 1,
  area: 'G1',
  escape: [ESC, 0x29, 0x49], // ESC ) I
  decode: (c) => (c >= 0x21 && c <= 0x5f ? 0xff61 + (c - 0x21) : -1),
  encode: (cp) => (cp >= 0xff61 && cp <= 0xff9f ? 0x21 + (cp - 0xff61) : -1),
}

interface SbcsTable {
  dec: Uint16Array // index c - 0x20 (0x20..0x7F), 0 = unassigned
  enc: Map<number, number>
}

function sbcsTable(label: string | null): SbcsTable {
  const dec = new Uint16Array(96)
  if (label === null) {
    // ISO 8859-1: the upper half is the identity on U+00A0..U+00FF.
    for (let i = 0; i < 96; i++) dec[i] = 0xa0 + i
  } else {
    const bytes = new Uint8Array(96)
    for (let i = 0; i < 96; i++) bytes[i] = 0xa0 + i
    const s = new TextDecoder(label).decode(bytes)
    // Every single-byte WHATWG decoder yields one BMP code unit per byte.
    for (let i = 0; i < 96 && i < s.length; i++) {
      const u = s.charCodeAt(i)
      dec[i] = u === 0xfffd ? 0 : u
    }
  }
  const enc = new Map<number, number>()
  for (let i = 0; i < 96; i++) if (dec[i] !== 0 && !enc.has(dec[i]!)) enc.set(dec[i]!, 0x20 + i)
  return { dec, enc }
}

/** A 96-character set designated to G1 with `ESC 2/13 F` (ISO 8859 parts, TIS 620). */
function sbcs96(id: string, final: number, label: string | null): GraphicSet {
  const table = lazy(() => sbcsTable(label))
  return {
    id,
    width: 1,
    area: 'G1',
    escape: [ESC, 0x2d, final],
    decode: (c) => {
      const u = c >= 0x20 && c <= 0x7f ? table().dec[c - 0x20]! : 0
      return u === 0 ? -1 : u
    },
    encode: (cp) => table().enc.get(cp) ?? -1,
    fastLabel: label ?? 'windows-1252',
  }
}

// WHATWG maps the `iso-8859-9` label to windows-1254 and `windows-874` to a superset of
// TIS 620; both agree with the ISO tables on 0xA0..0xFF, the only range used here.
/** ISO 8859-1, Latin alphabet No. 1. */
export const ISO_IR_100 = sbcs96('ISO-IR 100', 0x41, null)
/** ISO 8859-2, Latin alphabet No. 2. */
export const ISO_IR_101 = sbcs96('ISO-IR 101', 0x42, 'iso-8859-2')
/** ISO 8859-3, Latin alphabet No. 3. */
export const ISO_IR_109 = sbcs96('ISO-IR 109', 0x43, 'iso-8859-3')
/** ISO 8859-4, Latin alphabet No. 4. */
export const ISO_IR_110 = sbcs96('ISO-IR 110', 0x44, 'iso-8859-4')
/** ISO 8859-5, Cyrillic. */
export const ISO_IR_144 = sbcs96('ISO-IR 144', 0x4c, 'iso-8859-5')
/** ISO 8859-6, Arabic. */
export const ISO_IR_127 = sbcs96('ISO-IR 127', 0x47, 'iso-8859-6')
/** ISO 8859-7, Greek. */
export const ISO_IR_126 = sbcs96('ISO-IR 126', 0x46, 'iso-8859-7')
/** ISO 8859-8, Hebrew. */
export const ISO_IR_138 = sbcs96('ISO-IR 138', 0x48, 'iso-8859-8')
/** ISO 8859-9, Latin alphabet No. 5. */
export const ISO_IR_148 = sbcs96('ISO-IR 148', 0x4d, 'iso-8859-9')
/** ISO 8859-15, Latin alphabet No. 9. */
export const ISO_IR_203 = sbcs96('ISO-IR 203', 0x62, 'iso-8859-15')
/** TIS 620-2533, Thai. */
export const ISO_IR_166 = sbcs96('ISO-IR 166', 0x54, 'windows-874')

// ---------------------------------------------------------------------------------------------
// 94^2 sets (JIS X 0208, JIS X 0212, KS X 1001, GB 2312)

interface DbcsTable {
  dec: Uint16Array // index (b1-0x21)*94 + (b2-0x21), 0 = unassigned
  enc: Map<number, number>
}

/**
 * Decode all 94×94 codes of a 2-byte set through a WHATWG decoder that accepts them in their
 * 8-bit (EUC) form, optionally after a prefix byte (0x8F selects JIS X 0212 in EUC-JP).
 * Each code is followed by LF so a failed code cannot shift the ones after it.
 */
function dbcsTable(label: string, prefix: number | null, skipRows: readonly number[]): DbcsTable {
  const n = 94 * 94
  const per = prefix === null ? 3 : 4
  const buf = new Uint8Array(n * per)
  let o = 0
  for (let r = 0; r < 94; r++) {
    for (let c = 0; c < 94; c++) {
      if (prefix !== null) buf[o++] = prefix
      buf[o++] = 0xa1 + r
      buf[o++] = 0xa1 + c
      buf[o++] = 0x0a
    }
  }
  const decoder = new TextDecoder(label)
  let parts = decoder.decode(buf).split('\n')
  if (parts.length !== n + 1) {
    // Defensive: decode code by code if the decoder ever merged or split codes.
    parts = []
    for (let i = 0; i < n; i++) parts.push(decoder.decode(buf.subarray(i * per, i * per + per - 1)))
  }
  const dec = new Uint16Array(n)
  const enc = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const p = parts[i]!
    if (p.length !== 1) continue
    const u = p.charCodeAt(0)
    if (u === 0xfffd || (u >= 0xd800 && u <= 0xdfff)) continue
    dec[i] = u
    const row = Math.floor(i / 94)
    const code = ((0x21 + row) << 8) | (0x21 + (i % 94))
    // Keep the first code of a duplicated character; leave vendor rows out of the encoder.
    if (!skipRows.includes(row + 1) && !enc.has(u)) enc.set(u, code)
  }
  return { dec, enc }
}

function dbcs(id: string, area: 'G0' | 'G1', escape: number[], build: () => DbcsTable): GraphicSet {
  const table = lazy(build)
  return {
    id,
    width: 2,
    area,
    escape,
    decode: (code) => {
      const b1 = code >> 8
      const b2 = code & 0xff
      if (b1 < 0x21 || b1 > 0x7e || b2 < 0x21 || b2 > 0x7e) return -1
      const u = table().dec[(b1 - 0x21) * 94 + (b2 - 0x21)]!
      return u === 0 ? -1 : u
    },
    encode: (cp) => table().enc.get(cp) ?? -1,
  }
}

/**
 * JIS X 0208 (ISO-IR 87), `ESC $ B` to G0. Row 13 (NEC special characters, not part of
 * JIS X 0208) is decoded but never produced by the encoder.
 */
export const ISO_IR_87 = dbcs('ISO-IR 87', 'G0', [ESC, 0x24, 0x42], () => dbcsTable('euc-jp', null, [13]))
/** JIS X 0212 (ISO-IR 159), `ESC $ ( D` to G0. */
export const ISO_IR_159 = dbcs('ISO-IR 159', 'G0', [ESC, 0x24, 0x28, 0x44], () => dbcsTable('euc-jp', 0x8f, []))
/** KS X 1001 (ISO-IR 149), `ESC $ ) C` to G1. */
export const ISO_IR_149 = dbcs('ISO-IR 149', 'G1', [ESC, 0x24, 0x29, 0x43], () => dbcsTable('euc-kr', null, []))
/** GB 2312 (ISO-IR 58), `ESC $ ) A` to G1. */
export const ISO_IR_58 = dbcs('ISO-IR 58', 'G1', [ESC, 0x24, 0x29, 0x41], () => dbcsTable('gbk', null, []))

/** Every graphic set, for recognising escape sequences. */
export const ALL_SETS: readonly GraphicSet[] = [
  ISO_IR_6, ISO_IR_14, ISO_IR_13, ISO_IR_100, ISO_IR_101, ISO_IR_109, ISO_IR_110, ISO_IR_144, ISO_IR_127,
  ISO_IR_126, ISO_IR_138, ISO_IR_148, ISO_IR_203, ISO_IR_166, ISO_IR_87, ISO_IR_159, ISO_IR_149, ISO_IR_58,
]

// ---------------------------------------------------------------------------------------------
// GB18030 / GBK encoder tables

const twoByteTables = new Map<string, Map<number, number>>()

/**
 * Reverse table of the 2-byte GBK or GB18030 codes (lead 0x81..0xFE, trail 0x40..0xFE ≠ 0x7F),
 * built from the decoder of that label (platforms may decode a few codes differently for
 * `gbk` and `gb18030`, so each label gets its own table).
 */
export function gbTwoByte(label: 'gbk' | 'gb18030'): Map<number, number> {
  let t = twoByteTables.get(label)
  if (!t) twoByteTables.set(label, (t = buildGbTwoByte(label)))
  return t
}

function buildGbTwoByte(label: string): Map<number, number> {
  const codes: number[] = []
  for (let b1 = 0x81; b1 <= 0xfe; b1++) for (let b2 = 0x40; b2 <= 0xfe; b2++) if (b2 !== 0x7f) codes.push((b1 << 8) | b2)
  const buf = new Uint8Array(codes.length * 3)
  codes.forEach((c, i) => {
    buf[i * 3] = c >> 8
    buf[i * 3 + 1] = c & 0xff
    buf[i * 3 + 2] = 0x0a
  })
  const parts = new TextDecoder(label).decode(buf).split('\n')
  const enc = new Map<number, number>()
  if (parts.length !== codes.length + 1) return enc
  for (let i = 0; i < codes.length; i++) {
    const p = parts[i]!
    if (p.length !== 1 || p === '\ufffd') continue
    const u = p.charCodeAt(0)
    if (!enc.has(u)) enc.set(u, codes[i]!)
  }
  return enc
}

/**
 * Reverse table of the 4-byte GB18030 codes for BMP characters (0x81308130..0x8439FE39),
 * as a map from code point to the 4-byte code packed in a number.
 */
export const gbFourByteBmp = lazy((): Map<number, number> => {
  const codes: number[] = []
  for (let b1 = 0x81; b1 <= 0x84; b1++)
    for (let b2 = 0x30; b2 <= 0x39; b2++)
      for (let b3 = 0x81; b3 <= 0xfe; b3++) for (let b4 = 0x30; b4 <= 0x39; b4++) codes.push(((b1 << 24) | (b2 << 16) | (b3 << 8) | b4) >>> 0)
  const buf = new Uint8Array(codes.length * 5)
  codes.forEach((c, i) => {
    buf[i * 5] = c >>> 24
    buf[i * 5 + 1] = (c >>> 16) & 0xff
    buf[i * 5 + 2] = (c >>> 8) & 0xff
    buf[i * 5 + 3] = c & 0xff
    buf[i * 5 + 4] = 0x0a
  })
  const parts = new TextDecoder('gb18030').decode(buf).split('\n')
  const enc = new Map<number, number>()
  if (parts.length !== codes.length + 1) return enc
  for (let i = 0; i < codes.length; i++) {
    const p = parts[i]!
    if (p.length !== 1 || p === '\ufffd') continue
    const u = p.charCodeAt(0)
    if (!enc.has(u)) enc.set(u, codes[i]!)
  }
  return enc
})

/**
 * GB18030 4-byte code of a supplementary-plane code point: a linear mapping starting at
 * 0x90308130 for U+10000.
 */
export function gbSupplementary(cp: number): [number, number, number, number] {
  let p = cp - 0x10000
  const b4 = 0x30 + (p % 10)
  p = Math.floor(p / 10)
  const b3 = 0x81 + (p % 126)
  p = Math.floor(p / 126)
  const b2 = 0x30 + (p % 10)
  const b1 = 0x90 + Math.floor(p / 10)
  return [b1, b2, b3, b4]
}
