/**
 * Specific Character Set (0008,0005) decoding and encoding of text values (SH, LO, ST, LT, UT,
 * UC, PN), including ISO 2022 code extensions.
 *
 * - Single-byte sets without extensions: PS3.3 C.12.1.1.2 Table C.12-2.
 * - Single-byte sets with extensions (`ISO 2022 IR n`): Table C.12-3.
 * - Multi-byte sets with extensions (JIS X 0208/0212, KS X 1001, GB 2312): Table C.12-4.
 * - Multi-byte sets without extensions (`ISO_IR 192`, `GB18030`, `GBK`): Table C.12-5.
 * - Code extension rules: PS3.5 §6.1.2.4 and §6.1.2.5; examples in PS3.5 Annexes H to K.
 *
 * Decoding never throws: bytes that cannot be decoded become U+FFFD in the string (the raw
 * bytes stay in the element) and problems are reported through `onWarning`. Encoding throws
 * `DicomError('ERR_CHARSET')` for a character the declared character sets cannot represent.
 *
 * No Node imports: this module runs in browsers (TextDecoder with WHATWG labels only).
 * @module
 */
import type { VR } from './vr.js'
import { VR_INFO } from './vr.js'
import { DicomError } from '../errors.js'
import {
  type GraphicSet,
  ALL_SETS,
  ISO_IR_6, ISO_IR_14, ISO_IR_13, ISO_IR_100, ISO_IR_101, ISO_IR_109, ISO_IR_110, ISO_IR_144,
  ISO_IR_127, ISO_IR_126, ISO_IR_138, ISO_IR_148, ISO_IR_203, ISO_IR_166, ISO_IR_87, ISO_IR_159,
  ISO_IR_149, ISO_IR_58,
  gbTwoByte, gbFourByteBmp, gbSupplementary,
} from './charset-tables.js'

/** Callback receiving a human-readable description of a recoverable character set problem. */
export type CharsetWarningHandler = (message: string) => void

/** How a Specific Character Set defined term encodes text. */
export type CharsetKind =
  /** Single-byte, or ISO 2022 with code extensions (escape sequences switch G0/G1). */
  | 'iso2022'
  /** ISO_IR 192: UTF-8. */
  | 'utf-8'
  /** GB18030 (1, 2 or 4 bytes per character). */
  | 'gb18030'
  /** GBK (1 or 2 bytes per character). */
  | 'gbk'

/** What dimse knows about one defined term of Specific Character Set (0008,0005). */
export interface CharsetInfo {
  /** The defined term as spelled in PS3.3 C.12.1.1.2 (empty string: default repertoire). */
  readonly term: string
  readonly kind: CharsetKind
  /** True for the `ISO 2022 ...` terms that allow code extensions (escape sequences). */
  readonly codeExtensions: boolean
  /** Registration of the set the term puts in G0, for `iso2022` terms (e.g. `ISO-IR 6`). */
  readonly g0?: string
  /** Registration of the set the term puts in G1, for `iso2022` terms (e.g. `ISO-IR 100`). */
  readonly g1?: string
  /** What the character set is for. */
  readonly description: string
}

interface TermDef extends CharsetInfo {
  readonly g0Set?: GraphicSet
  readonly g1Set?: GraphicSet
}

function iso(term: string, description: string, codeExtensions: boolean, g0Set?: GraphicSet, g1Set?: GraphicSet): TermDef {
  return {
    term, kind: 'iso2022', codeExtensions, description, g0Set, g1Set,
    ...(g0Set ? { g0: g0Set.id } : {}),
    ...(g1Set ? { g1: g1Set.id } : {}),
  }
}

const SINGLE_BYTE: ReadonlyArray<[number, GraphicSet, string]> = [
  [100, ISO_IR_100, 'Latin alphabet No. 1'],
  [101, ISO_IR_101, 'Latin alphabet No. 2'],
  [109, ISO_IR_109, 'Latin alphabet No. 3'],
  [110, ISO_IR_110, 'Latin alphabet No. 4'],
  [144, ISO_IR_144, 'Cyrillic'],
  [127, ISO_IR_127, 'Arabic'],
  [126, ISO_IR_126, 'Greek'],
  [138, ISO_IR_138, 'Hebrew'],
  [148, ISO_IR_148, 'Latin alphabet No. 5'],
  [203, ISO_IR_203, 'Latin alphabet No. 9'],
  [166, ISO_IR_166, 'Thai'],
]

const TERMS = new Map<string, TermDef>()
function def(t: TermDef): void {
  TERMS.set(t.term, t)
}
// Default repertoire (value 1 empty or absent); 'ISO_IR 6' is a common non-standard spelling.
def(iso('', 'Default repertoire (ASCII)', false, ISO_IR_6))
// Table C.12-2: single-byte without code extensions. G0 is ISO-IR 6, except for ISO_IR 13
// whose G0 is ISO-IR 14 (JIS X 0201 Romaji, PS3.5 §6.1.2.3 Note 3).
for (const [n, set, d] of SINGLE_BYTE) def(iso(`ISO_IR ${n}`, d, false, ISO_IR_6, set))
def(iso('ISO_IR 13', 'Japanese JIS X 0201 (Katakana and Romaji)', false, ISO_IR_14, ISO_IR_13))
// Table C.12-3: single-byte with code extensions.
def(iso('ISO 2022 IR 6', 'Default repertoire (ASCII), code extensions', true, ISO_IR_6))
for (const [n, set, d] of SINGLE_BYTE) def(iso(`ISO 2022 IR ${n}`, `${d}, code extensions`, true, ISO_IR_6, set))
def(iso('ISO 2022 IR 13', 'Japanese JIS X 0201, code extensions', true, ISO_IR_14, ISO_IR_13))
// Table C.12-4: multi-byte with code extensions.
def(iso('ISO 2022 IR 87', 'Japanese JIS X 0208 (Kanji, Hiragana, Katakana)', true, ISO_IR_87))
def(iso('ISO 2022 IR 159', 'Japanese JIS X 0212 (supplementary Kanji)', true, ISO_IR_159))
def(iso('ISO 2022 IR 149', 'Korean KS X 1001 (Hangul and Hanja)', true, undefined, ISO_IR_149))
def(iso('ISO 2022 IR 58', 'Simplified Chinese GB 2312', true, undefined, ISO_IR_58))
// Table C.12-5: multi-byte without code extensions.
def({ term: 'ISO_IR 192', kind: 'utf-8', codeExtensions: false, description: 'Unicode in UTF-8' })
def({ term: 'GB18030', kind: 'gb18030', codeExtensions: false, description: 'Chinese GB 18030' })
def({ term: 'GBK', kind: 'gbk', codeExtensions: false, description: 'Chinese GBK' })

/** Misspellings seen in the wild, keyed by the term upper-cased with non-alphanumerics removed. */
const ALIASES = new Map<string, string>([
  ['ISOIR6', ''], ['ISO646', ''], ['ASCII', ''], ['USASCII', ''],
  ['ISOIR13', 'ISO_IR 13'], ['ISO2022IR13', 'ISO 2022 IR 13'], ['ISO2022IR6', 'ISO 2022 IR 6'],
  ['ISOIR87', 'ISO 2022 IR 87'], ['ISO2022IR87', 'ISO 2022 IR 87'],
  ['ISOIR159', 'ISO 2022 IR 159'], ['ISO2022IR159', 'ISO 2022 IR 159'],
  ['ISOIR149', 'ISO 2022 IR 149'], ['ISO2022IR149', 'ISO 2022 IR 149'],
  ['ISOIR58', 'ISO 2022 IR 58'], ['ISO2022IR58', 'ISO 2022 IR 58'],
  ['ISOIR192', 'ISO_IR 192'], ['UTF8', 'ISO_IR 192'], ['UNICODE', 'ISO_IR 192'],
  ['GB18030', 'GB18030'], ['GBK', 'GBK'], ['GB2312', 'ISO 2022 IR 58'],
  ['LATIN1', 'ISO_IR 100'], ['ISO88591', 'ISO_IR 100'], ['ISO88592', 'ISO_IR 101'], ['ISO88593', 'ISO_IR 109'],
  ['ISO88594', 'ISO_IR 110'], ['ISO88595', 'ISO_IR 144'], ['ISO88596', 'ISO_IR 127'], ['ISO88597', 'ISO_IR 126'],
  ['ISO88598', 'ISO_IR 138'], ['ISO88599', 'ISO_IR 148'], ['ISO885915', 'ISO_IR 203'], ['TIS620', 'ISO_IR 166'],
  ['SHIFTJIS', 'ISO_IR 13'],
])
for (const [n] of SINGLE_BYTE) {
  ALIASES.set(`ISOIR${n}`, `ISO_IR ${n}`)
  ALIASES.set(`ISO2022IR${n}`, `ISO 2022 IR ${n}`)
}

/**
 * Split and normalise the value of Specific Character Set (0008,0005): values are separated
 * by backslash and trimmed; value 1 may be empty (default repertoire for the initial state,
 * PS3.3 C.12.1.1.2), trailing empty values are dropped.
 * @example parseSpecificCharacterSet('\\ISO 2022 IR 87 ') // ['', 'ISO 2022 IR 87']
 */
export function parseSpecificCharacterSet(value: string | readonly string[]): string[] {
  const parts = (typeof value === 'string' ? value.split('\\') : value.flatMap((v) => v.split('\\'))).map((v) =>
    v.replace(/^[\s\0]+|[\s\0]+$/g, ''),
  )
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

/**
 * Information about one defined term of Specific Character Set, or `undefined` when the term
 * is not recognised. Exact defined terms match first; common misspellings (`ISO-IR 100`,
 * `ISO_IR100`, lower case, `UTF-8`, ...) are mapped to the term they most likely mean, with
 * `normalizedFrom` set to the original spelling.
 */
export function charsetOfTerm(term: string): (CharsetInfo & { readonly normalizedFrom?: string }) | undefined {
  const t = term.trim()
  const exact = TERMS.get(t)
  if (exact) return publicInfo(exact)
  const key = t.toUpperCase().replace(/[^A-Z0-9]/g, '')
  const alias = ALIASES.get(key)
  if (alias === undefined) return undefined
  return { ...publicInfo(TERMS.get(alias)!), normalizedFrom: term }
}

function publicInfo(d: TermDef): CharsetInfo {
  const { term, kind, codeExtensions, description } = d
  return { term, kind, codeExtensions, description, ...(d.g0 ? { g0: d.g0 } : {}), ...(d.g1 ? { g1: d.g1 } : {}) }
}

// ---------------------------------------------------------------------------------------------
// Resolution of a list of terms into a codec configuration (cached: the same (0008,0005) is
// used for every text element of a dataset).

type Resolved =
  | { readonly mode: 'unicode'; readonly kind: 'utf-8' | 'gb18030' | 'gbk'; readonly label: string; readonly warnings: readonly string[] }
  | {
      readonly mode: 'iso2022'
      readonly g0: GraphicSet
      readonly g1: GraphicSet | null
      /** Sets the declared terms make available, in declaration order. */
      readonly sets: readonly GraphicSet[]
      readonly warnings: readonly string[]
    }
  | { readonly mode: 'unknown'; readonly warnings: readonly string[] }

const cache = new Map<string, Resolved>()

function describe(charset: readonly string[]): string {
  return charset.length === 0 ? '(default)' : charset.join('\\')
}

function resolve(charset: readonly string[]): Resolved {
  const key = charset.join('\\')
  const hit = cache.get(key)
  if (hit) return hit
  const r = resolveUncached(charset)
  if (cache.size >= 64) cache.clear()
  cache.set(key, r)
  return r
}

function resolveUncached(given: readonly string[]): Resolved {
  // tolerate an unsplit value ('ISO 2022 IR 13\\ISO 2022 IR 87' as one string)
  const raw = given.some((t) => t.includes('\\')) ? given.flatMap((t) => t.split('\\')) : given
  const warnings: string[] = []
  const terms: (TermDef | null)[] = []
  raw.forEach((t, i) => {
    const s = t.trim()
    if (s === '') {
      terms.push(i === 0 ? TERMS.get('')! : null)
      return
    }
    const info = charsetOfTerm(s)
    if (!info) {
      warnings.push(`unknown Specific Character Set term "${s}"`)
      terms.push(null)
      return
    }
    if (info.normalizedFrom !== undefined)
      warnings.push(`non-standard Specific Character Set term "${s}" read as ${info.term === '' ? 'the default repertoire' : `"${info.term}"`}`)
    else if (raw.length > 1 && info.kind === 'iso2022' && !info.codeExtensions && info.term !== '')
      // PS3.3 C.12.1.1.2: with more than one value, the ISO 2022 terms shall be used
      warnings.push(`"${s}" in a multi-valued Specific Character Set read as "${info.term.replace('ISO_IR', 'ISO 2022 IR')}"`)
    terms.push(TERMS.get(info.term)!)
  })
  const known = terms.filter((t): t is TermDef => t !== null)
  if (raw.length === 0) known.push(TERMS.get('')!)
  if (known.length === 0) return { mode: 'unknown', warnings }

  const unicode = known.find((t) => t.kind !== 'iso2022')
  if (unicode) {
    if (known.length > 1 || raw.length > 1)
      warnings.push(`"${unicode.term}" cannot be combined with other character sets; using "${unicode.term}" alone`)
    const kind = unicode.kind as 'utf-8' | 'gb18030' | 'gbk'
    return { mode: 'unicode', kind, label: kind, warnings }
  }

  // Initial designation (PS3.5 §6.1.2.5.4): value 1 in G0 and G1; ISO-IR 6 in G0 and G1
  // undefined when value 1 is empty.
  const first = terms[0] ?? TERMS.get('')!
  let g0: GraphicSet = ISO_IR_6
  let g1: GraphicSet | null = null
  if (first.g0Set && first.g0Set.width === 1) g0 = first.g0Set
  if (first.g1Set) g1 = first.g1Set
  if (first.g0Set && first.g0Set.width === 2)
    warnings.push(`"${first.term}" cannot be value 1 of Specific Character Set; ISO-IR 6 is assumed as initial G0`)
  if (first.g1Set && first.g1Set.width === 2)
    warnings.push(`"${first.term}" should not be value 1 of Specific Character Set; it is used as initial G1`)
  const sets: GraphicSet[] = []
  if (!terms[0]) sets.push(ISO_IR_6)
  for (const t of known) {
    if (t.g0Set && !sets.includes(t.g0Set)) sets.push(t.g0Set)
    if (t.g1Set && !sets.includes(t.g1Set)) sets.push(t.g1Set)
  }
  return { mode: 'iso2022', g0, g1, sets, warnings }
}

function warner(onWarning: CharsetWarningHandler | undefined): (m: string) => void {
  if (!onWarning) return () => {}
  const seen = new Set<string>()
  return (m) => {
    if (seen.has(m)) return
    seen.add(m)
    onWarning(m)
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

// ignoreBOM keeps a leading U+FEFF in the string instead of silently dropping it
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const utf8Encoder = new TextEncoder()
const decoders = new Map<string, TextDecoder>()
function decoderFor(label: string): TextDecoder {
  let d = decoders.get(label)
  // ignoreBOM only for UTF-8: Node 20 drops a lone 0xFF byte in windows-1252 when it is set
  if (!d) decoders.set(label, (d = new TextDecoder(label, label === 'utf-8' ? { ignoreBOM: true } : {})))
  return d
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 4096)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(i + 4096, bytes.length)))
  return s
}

/**
 * Decode the bytes of a text VR value (the whole value, delimiters included) under the given
 * Specific Character Set defined terms (value 1 may be empty).
 *
 * ISO 2022 state returns to the initial designation (PS3.5 §6.1.2.5.3) after the value
 * delimiter `\` (multi-valued VRs), after CR, LF, FF and TAB, and for PN after the component
 * group (`=`) and component (`^`) delimiters. Undecodable bytes become U+FFFD; problems
 * (unknown terms, undeclared escape sequences, invalid byte sequences) go to `onWarning`.
 * @see PS3.5 §6.1.2.4, §6.1.2.5; PS3.3 C.12.1.1.2
 */
export function decodeText(bytes: Uint8Array, charset: readonly string[], vr: VR, onWarning?: CharsetWarningHandler): string {
  const r = resolve(charset)
  const warn = warner(onWarning)
  for (const w of r.warnings) warn(w)
  switch (r.mode) {
    case 'unicode': {
      if (r.kind === 'utf-8') {
        try {
          return utf8Fatal.decode(bytes)
        } catch {
          warn('invalid UTF-8 byte sequence replaced by U+FFFD')
          return decoderFor('utf-8').decode(bytes)
        }
      }
      const s = decoderFor(r.label).decode(bytes)
      if (s.includes('\ufffd')) warn(`invalid ${r.kind.toUpperCase()} byte sequence replaced by U+FFFD`)
      return s
    }
    case 'unknown': {
      if (!bytes.some((b) => b >= 0x80)) return latin1(bytes)
      try {
        const s = utf8Fatal.decode(bytes)
        warn(`text decoded as UTF-8 (character set "${describe(charset)}" not recognised)`)
        return s
      } catch {
        warn(`text decoded as ISO 8859-1 (character set "${describe(charset)}" not recognised)`)
        return latin1(bytes)
      }
    }
    case 'iso2022':
      return decodeIso2022(bytes, r, vr, warn)
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const utf16 = new TextDecoder(LITTLE_ENDIAN_HOST ? 'utf-16le' : 'utf-16be', { ignoreBOM: true })

/**
 * Whole-value decoding with a native decoder when the value cannot change state: no ESC,
 * G0 is ISO-IR 6, and either only GL bytes or a single-byte G1 set with no C1 byte.
 * Returns undefined when the general path is needed (including to report U+FFFD warnings).
 */
function decodeFast(bytes: Uint8Array, r: Extract<Resolved, { mode: 'iso2022' }>): string | undefined {
  if (r.g0 !== ISO_IR_6) return undefined
  let high = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0x1b || (b >= 0x80 && b < 0xa0)) return undefined
    if (b >= 0x80) high = true
  }
  if (!high) return decoderFor('utf-8').decode(bytes)
  const label = r.g1?.fastLabel
  if (label === undefined) return undefined
  const s = decoderFor(label).decode(bytes)
  return s.includes('\ufffd') ? undefined : s
}

function decodeIso2022(
  bytes: Uint8Array,
  r: Extract<Resolved, { mode: 'iso2022' }>,
  vr: VR,
  warn: (m: string) => void,
): string {
  const fast = decodeFast(bytes, r)
  if (fast !== undefined) return fast
  const multi = VR_INFO[vr].multiValued
  const pn = vr === 'PN'
  let g0 = r.g0
  let g1 = r.g1
  let lastG1: GraphicSet | null = null
  // every byte yields at most one UTF-16 code unit (all sets here are in the BMP)
  const units = new Uint16Array(bytes.length)
  let k = 0
  const out = { push: (u: number) => void (units[k++] = u) }
  const n = bytes.length
  let i = 0
  const reset = () => {
    g0 = r.g0
    g1 = r.g1
  }
  while (i < n) {
    const b = bytes[i]!
    if (b === 0x1b) {
      // Escape sequence: ESC, intermediate bytes 02/00..02/15, one final byte 03/00..07/14.
      let j = i + 1
      while (j < n && bytes[j]! >= 0x20 && bytes[j]! <= 0x2f) j++
      const end = j < n && bytes[j]! >= 0x30 && bytes[j]! <= 0x7e ? j + 1 : j
      const seq = bytes.subarray(i, end)
      let set = ALL_SETS.find((s) => s.escape.length === seq.length && s.escape.every((x, k) => x === seq[k]))
      if (!set && seq.length === 3 && seq[1] === 0x24 && seq[2] === 0x40) {
        // ESC $ @ designates JIS C 6226-1978, the predecessor of JIS X 0208; not a DICOM term
        warn('escape sequence ESC $ @ (JIS C 6226-1978) read as JIS X 0208')
        set = ISO_IR_87
      }
      if (set) {
        if (!r.sets.includes(set)) warn(`escape sequence for ${set.id}, which Specific Character Set does not declare`)
        if (set.area === 'G0') g0 = set
        else g1 = lastG1 = set
      } else {
        warn(`unknown escape sequence ${Array.from(seq, (x) => x.toString(16).padStart(2, '0')).join(' ')} replaced by U+FFFD`)
        out.push(0xfffd)
      }
      i = Math.max(end, i + 1)
      continue
    }
    if (b < 0x20 || b === 0x7f) {
      out.push(b)
      if (b === 0x0a || b === 0x0d || b === 0x0c || b === 0x09) reset()
      i++
      continue
    }
    if (b < 0x80) {
      if (g0.width === 1) {
        if ((b === 0x5c && multi) || (pn && (b === 0x5e || b === 0x3d))) {
          out.push(b)
          reset()
        } else {
          const u = g0.decode(b)
          out.push(u < 0 ? 0xfffd : u)
        }
        i++
      } else if (b === 0x20) {
        out.push(0x20)
        i++
      } else {
        const b2 = i + 1 < n ? bytes[i + 1]! : -1
        if (b2 >= 0x21 && b2 <= 0x7e) {
          const u = g0.decode((b << 8) | b2)
          if (u < 0) warn(`unassigned ${g0.id} code replaced by U+FFFD`)
          out.push(u < 0 ? 0xfffd : u)
          i += 2
        } else {
          warn(`truncated ${g0.id} character replaced by U+FFFD`)
          out.push(0xfffd)
          i++
        }
      }
      continue
    }
    if (b < 0xa0) {
      // 08/00..09/15: C1 control characters, which DICOM does not use (PS3.5 §6.1.2.5.1);
      // kept as U+0080..U+009F (also what ISO 8859-1 readers of the default repertoire see).
      if (g1 === null && lastG1 === null && !r.sets.some((s) => s.area === 'G1'))
        warn('byte above 0x7F in the default repertoire; read as ISO 8859-1')
      else warn(`C1 control byte 0x${b.toString(16)} kept as U+00${b.toString(16).toUpperCase()}`)
      out.push(b)
      i++
      continue
    }
    let set = g1
    if (set === null) {
      set = lastG1 ?? r.sets.find((s) => s.area === 'G1') ?? null
      if (set === null) {
        warn('byte above 0x7F in the default repertoire; read as ISO 8859-1')
        out.push(b)
        i++
        continue
      }
      warn(`byte above 0x7F with no G1 character set designated; read as ${set.id}`)
    }
    if (set.width === 1) {
      const u = set.decode(b & 0x7f)
      if (u < 0) warn(`byte 0x${b.toString(16)} is not assigned in ${set.id}; replaced by U+FFFD`)
      out.push(u < 0 ? 0xfffd : u)
      i++
    } else {
      const b2 = i + 1 < n ? bytes[i + 1]! : -1
      if (b >= 0xa1 && b <= 0xfe && b2 >= 0xa1 && b2 <= 0xfe) {
        const u = set.decode(((b & 0x7f) << 8) | (b2 & 0x7f))
        if (u < 0) warn(`unassigned ${set.id} code replaced by U+FFFD`)
        out.push(u < 0 ? 0xfffd : u)
        i += 2
      } else {
        warn(`invalid ${set.id} byte sequence replaced by U+FFFD`)
        out.push(0xfffd)
        i++
      }
    }
  }
  return utf16.decode(units.subarray(0, k))
}

// ---------------------------------------------------------------------------------------------
// Encoding

function charsetError(cp: number, charset: readonly string[], why = ''): DicomError {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0')
  const shown = cp >= 0x20 && !(cp >= 0xd800 && cp <= 0xdfff) ? ` "${String.fromCodePoint(cp)}"` : ''
  return new DicomError(
    'ERR_CHARSET',
    `character U+${hex}${shown} cannot be encoded with Specific Character Set "${describe(charset)}"${why ? `: ${why}` : ''}`,
  )
}

/** Growable byte buffer. */
class Bytes {
  buf: Uint8Array
  len = 0
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(16, size))
  }
  private room(n: number): void {
    if (this.len + n > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2 + n)
      next.set(this.buf.subarray(0, this.len))
      this.buf = next
    }
  }
  byte(b: number): void {
    this.room(1)
    this.buf[this.len++] = b
  }
  pair(b1: number, b2: number): void {
    this.room(2)
    this.buf[this.len++] = b1
    this.buf[this.len++] = b2
  }
  bytes(bs: readonly number[]): void {
    this.room(bs.length)
    for (let i = 0; i < bs.length; i++) this.buf[this.len++] = bs[i]!
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len)
  }
}

/**
 * Encode the text of a text VR value (values already joined with `\`) under the given
 * Specific Character Set defined terms.
 *
 * With code extensions, escape sequences are emitted only where needed: a character is
 * written with the set currently designated if possible, otherwise with the first declared
 * set that has it (designating it to G0 or G1). Before each delimiter (`\`; `^` and `=` for
 * PN; CR, LF, FF, TAB) and at the end of the value, G0 is returned to its initial set, and
 * after the delimiter the initial designation applies again, so sets are re-designated in
 * each component as PS3.5 §6.1.2.5.3 and Annexes H, I and K show.
 * @throws DicomError `ERR_CHARSET` when a character is not in any declared character set.
 * @see PS3.5 §6.1.2.5.3; PS3.3 C.12.1.1.2
 */
export function encodeText(text: string, charset: readonly string[], vr: VR, onWarning?: CharsetWarningHandler): Uint8Array {
  const r = resolve(charset)
  const warn = warner(onWarning)
  for (const w of r.warnings) warn(w)
  switch (r.mode) {
    case 'unicode':
      return r.kind === 'utf-8' ? encodeUtf8(text, charset) : encodeGb(text, r.kind === 'gb18030', charset)
    case 'unknown': {
      const out = new Uint8Array(text.length)
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c >= 0x80) throw charsetError(text.codePointAt(i)!, charset, 'the character set is not recognised')
        out[i] = c
      }
      return out
    }
    case 'iso2022':
      return encodeIso2022(text, r, vr, charset)
  }
}

const ASCII_NO_ESC = /^[\x00-\x1a\x1c-\x7f]*$/
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

function encodeUtf8(text: string, charset: readonly string[]): Uint8Array {
  if (!LONE_SURROGATE.test(text)) return utf8Encoder.encode(text)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = text.charCodeAt(i + 1)
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) i++
      else throw charsetError(c, charset, 'unpaired surrogate')
    }
  }
  return utf8Encoder.encode(text)
}

function encodeGb(text: string, full: boolean, charset: readonly string[]): Uint8Array {
  const out = new Bytes(text.length * 2)
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x80) {
      out.byte(cp)
      continue
    }
    const two = gbTwoByte(full ? 'gb18030' : 'gbk').get(cp)
    if (two !== undefined) {
      out.pair(two >> 8, two & 0xff)
      continue
    }
    if (full) {
      if (cp >= 0x10000) {
        out.bytes(gbSupplementary(cp))
        continue
      }
      const four = gbFourByteBmp().get(cp)
      if (four !== undefined) {
        out.pair(four >>> 24, (four >>> 16) & 0xff)
        out.pair((four >>> 8) & 0xff, four & 0xff)
        continue
      }
    }
    throw charsetError(cp, charset)
  }
  return out.result()
}

function encodeIso2022(
  text: string,
  r: Extract<Resolved, { mode: 'iso2022' }>,
  vr: VR,
  charset: readonly string[],
): Uint8Array {
  // Fast path: ASCII text (no ESC) with ISO-IR 6 as initial G0 never needs an escape sequence.
  if (r.g0 === ISO_IR_6 && ASCII_NO_ESC.test(text)) return utf8Encoder.encode(text)
  const multi = VR_INFO[vr].multiValued
  const pn = vr === 'PN'
  const out = new Bytes(text.length + 8)
  let g0 = r.g0
  let g1 = r.g1
  const restoreG0 = () => {
    if (g0 !== r.g0) {
      out.bytes(r.g0.escape)
      g0 = r.g0
    }
  }
  const sets = r.sets
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!
    if (cp > 0xffff) i++
    if (cp < 0x20 || cp === 0x7f) {
      if (cp === 0x1b) throw charsetError(cp, charset, 'ESC is reserved for escape sequences (PS3.5 §6.1.3)')
      restoreG0()
      out.byte(cp)
      if (cp === 0x0a || cp === 0x0d || cp === 0x0c || cp === 0x09) g1 = r.g1
      continue
    }
    if ((cp === 0x5c && multi) || (pn && (cp === 0x5e || cp === 0x3d))) {
      // Delimiters are written in the initial G0 set, and the initial state applies after them.
      restoreG0()
      out.byte(cp)
      g1 = r.g1
      continue
    }
    if (cp >= 0x80 && cp < 0xa0) throw charsetError(cp, charset, 'C1 control characters are not used in DICOM (PS3.5 §6.1.2.5.1)')
    // the set designated now if it has the character, else the first declared set that has it
    let chosen: GraphicSet | null = null
    let code = -1
    for (let j = -2; j < sets.length; j++) {
      const s = j === -2 ? g0 : j === -1 ? g1 : sets[j]!
      if (s === null) continue
      // In multi-valued VRs byte 05/12 is the value delimiter, so YEN SIGN cannot use it.
      if (s === ISO_IR_14 && cp === 0xa5 && multi) continue
      code = s.encode(cp)
      if (code >= 0) {
        chosen = s
        break
      }
    }
    if (chosen === null) throw charsetError(cp, charset)
    if (chosen.area === 'G0') {
      if (chosen !== g0) {
        out.bytes(chosen.escape)
        g0 = chosen
      }
      if (chosen.width === 1) out.byte(code)
      else out.pair(code >> 8, code & 0xff)
    } else {
      if (chosen !== g1) {
        out.bytes(chosen.escape)
        g1 = chosen
      }
      if (chosen.width === 1) out.byte(code | 0x80)
      else out.pair((code >> 8) | 0x80, (code & 0xff) | 0x80)
    }
  }
  restoreG0()
  return out.result()
}
