/**
 * Value codec: raw value bytes <-> typed values, per VR (PS3.5 §6.2). Strings are split on the
 * backslash delimiter after character set decoding (a 0x5C byte can be the second byte of a
 * multi-byte character in GBK or ISO 2022 JIS), and padding is trimmed as PS3.5 Table 6.2-1
 * says is insignificant.
 * @module
 */
import type { VR } from './vr.js'
import { VR_INFO } from './vr.js'
import type { ElementValue, ValueContext } from './element.js'
import { decodeText, encodeText } from './charset.js'
import { DicomError, DatasetEncodeError } from '../errors.js'
import { formatTag } from './tag.js'

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Decode ASCII/Latin-1 bytes without TextDecoder overhead for short values. */
export function decodeAscii(b: Uint8Array): string {
  if (b.length < 64) {
    let s = ''
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!)
    return s
  }
  return latin1.decode(b)
}
const latin1 = new TextDecoder('latin1')

/**
 * `decodeAscii(b)` without trailing NULs and spaces, then without leading and trailing white
 * space (as `.replace(/[\0 ]+$/, '').trim()`), without a regular expression: for UIDs read
 * before the dataset, such as the Transfer Syntax UID.
 */
export function trimmedAscii(b: Uint8Array): string {
  let s = 0
  let e = b.length
  for (let i = 0; i < e; i++) if (b[i]! >= 0x80) return decodeAscii(b).replace(/[\0 ]+$/, '').trim()
  while (e > s && (b[e - 1] === 0 || b[e - 1] === 0x20)) e--
  // white space of String.prototype.trim below 0x80: TAB, LF, VT, FF, CR, space
  while (s < e && (b[s] === 0x20 || (b[s]! >= 0x09 && b[s]! <= 0x0d))) s++
  while (e > s && (b[e - 1] === 0x20 || (b[e - 1]! >= 0x09 && b[e - 1]! <= 0x0d))) e--
  // The same UIDs come back file after file (transfer syntaxes): reuse the last string.
  const last = lastTrimmed
  if (last.length === e - s) {
    let i = 0
    while (i < last.length && last.charCodeAt(i) === b[s + i]) i++
    if (i === last.length) return last
  }
  return (lastTrimmed = latin1Range(b, s, e))
}
let lastTrimmed = ''

/** Encode a string of code points < 256 as bytes. */
export function encodeAscii(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) throw new DatasetEncodeError(`character U+${c.toString(16)} is not allowed in this VR`)
    out[i] = c
  }
  return out
}

/**
 * Text whose bytes are its character codes under every Specific Character Set: printable ASCII
 * and the format controls, without `~` (overline in JIS X 0201 romaji), and `\` only as the
 * value delimiter of multi-valued VRs (it is the yen sign in JIS X 0201 romaji).
 */
function isPlainAscii(s: string, multiValued: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c <= 0x7d) {
      if (c === 0x5c && !multiValued) return false
    } else if (c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) return false
  }
  return true
}

/** Trim insignificant padding of one string value, per VR (PS3.5 Table 6.2-1). */
function trimValue(vr: VR, s: string): string {
  switch (trimOf(vr)) {
    case Trim.Both:
      return s.replace(/^[ \0]+|[ \0]+$/g, '')
    case Trim.Spaces:
      return s.replace(/^ +| +$/g, '')
    default:
      // UI, SH LO UC PN LT ST UT: trailing spaces (and stray NULs) are insignificant
      return s.replace(/[ \0]+$/, '')
  }
}

function splitStrings(vr: VR, text: string): string[] {
  if (text.length === 0) return []
  const parts = VR_INFO[vr].multiValued ? text.split('\\') : [text]
  return parts.map((p) => trimValue(vr, p))
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** Decode the raw bytes of an element of VR `vr` (not SQ). */
export function decodeValue(vr: VR, raw: Uint8Array, ctx: ValueContext, tag = 0): ElementValue {
  const vi = VR_INFO[vr]
  const le = ctx.littleEndian
  switch (vi.kind) {
    case 'ascii':
      return splitStrings(vr, decodeAscii(raw))
    case 'text':
      return splitStrings(vr, decodeText(raw, ctx.charset, vr))
    case 'number-string':
      return splitStrings(vr, decodeAscii(raw)).map((s) => (s === '' ? NaN : Number(s)))
    case 'binary-number': {
      const dv = view(raw)
      const n = Math.floor(raw.length / vi.size)
      const out = new Array<number>(n)
      for (let i = 0, o = 0; i < n; i++, o += vi.size) {
        switch (vr) {
          case 'US': out[i] = dv.getUint16(o, le); break
          case 'SS': out[i] = dv.getInt16(o, le); break
          case 'UL': out[i] = dv.getUint32(o, le); break
          case 'SL': out[i] = dv.getInt32(o, le); break
          case 'FL': out[i] = dv.getFloat32(o, le); break
          default: out[i] = dv.getFloat64(o, le)
        }
      }
      return out
    }
    case 'bigint': {
      const dv = view(raw)
      const n = Math.floor(raw.length / 8)
      const out = new Array<bigint>(n)
      for (let i = 0; i < n; i++) out[i] = vr === 'SV' ? dv.getBigInt64(i * 8, le) : dv.getBigUint64(i * 8, le)
      return out
    }
    case 'tag': {
      const dv = view(raw)
      const n = Math.floor(raw.length / 4)
      const out = new Array<number>(n)
      for (let i = 0; i < n; i++) out[i] = ((dv.getUint16(i * 4, le) << 16) | dv.getUint16(i * 4 + 2, le)) >>> 0
      return out
    }
    case 'bulk':
      return bulkView(vr, raw, le)
    case 'sequence':
      throw new DicomError('ERR_DATASET_VALUE', `sequence ${formatTag(tag)} has no raw value`)
  }
}

/**
 * Decode the `len` raw bytes at `off` in `src` of an element of VR `vr` (not SQ): as
 * {@link decodeValue} on that range, but string values in the default repertoire are read
 * straight from `src`, without a view, a TextDecoder call or regular expressions.
 */
export function decodeValueAt(vr: VR, src: Uint8Array, off: number, len: number, ctx: ValueContext, tag = 0): ElementValue {
  const kind = VR_INFO[vr].kind
  if (kind === 'ascii' || kind === 'number-string' || kind === 'text') {
    const v = splitPlain(vr, kind, src, off, off + len)
    if (v !== undefined) return v
  }
  return decodeValue(vr, off === 0 && src.length === len ? src : new Uint8Array(src.buffer, src.byteOffset + off, len), ctx, tag)
}

/** Per VR, how padding is trimmed (PS3.5 Table 6.2-1): by {@link trimValue} and {@link splitPlain}. */
const enum Trim {
  /** Leading and trailing spaces and NULs (AE CS DS IS DA DT TM AS). */
  Both,
  /** Trailing spaces and NULs (SH LO UC PN LT ST UT, and UI). */
  Trailing,
  /** Leading and trailing spaces only (UR). */
  Spaces,
}

function trimOf(vr: VR): Trim {
  switch (vr) {
    case 'AE': case 'CS': case 'DS': case 'IS': case 'DA': case 'DT': case 'TM': case 'AS':
      return Trim.Both
    case 'UR':
      return Trim.Spaces
    default:
      return Trim.Trailing
  }
}

/**
 * Strings of a value whose bytes all read as themselves: the fast path of {@link decodeValueAt}.
 * For the `ascii` and number VRs that is any byte below 0x80 (`decodeAscii` reads bytes as
 * Latin-1). For the text VRs, whose bytes depend on Specific Character Set (PS3.5 §6.1), it is
 * the invariant subset that every defined term reads as ASCII: no ESC (ISO 2022 code extension,
 * PS3.5 §6.1.2.5), no `~` (overline in JIS X 0201 romaji), `\` only as the value delimiter of
 * multi-valued VRs (yen sign in romaji), no byte above 0x7F. Otherwise undefined (general path).
 * Splitting on `\` and trimming as {@link splitStrings} does, on the bytes.
 */
function splitPlain(vr: VR, kind: 'ascii' | 'number-string' | 'text', b: Uint8Array, start: number, end: number): string[] | number[] | undefined {
  if (start === end) return []
  const multi = VR_INFO[vr].multiValued
  let parts = 1
  if (kind === 'text') {
    for (let i = start; i < end; i++) {
      const c = b[i]!
      if (c >= 0x7e || c === 0x1b) return undefined
      if (c === 0x5c) {
        if (!multi) return undefined
        parts++
      }
    }
  } else {
    for (let i = start; i < end; i++) {
      const c = b[i]!
      if (c >= 0x80) return undefined
      if (c === 0x5c) parts++
    }
    if (!multi) parts = 1
  }
  const trim = trimOf(vr)
  const numbers = kind === 'number-string'
  // (separate literals for strings and numbers, so that each array keeps its own element kind)
  const out: (string | number)[] = parts !== 1 ? new Array<string | number>(parts) : numbers ? [0] : ['']
  let s = start
  for (let k = 0; k < parts; k++) {
    let e = end
    if (k < parts - 1) {
      e = s
      while (b[e] !== 0x5c) e++
    }
    const next = e + 1
    if (trim === Trim.Spaces) {
      while (s < e && b[s] === 0x20) s++
      while (e > s && b[e - 1] === 0x20) e--
    } else {
      if (trim === Trim.Both) while (s < e && (b[s] === 0x20 || b[s] === 0)) s++
      while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0)) e--
    }
    const str = latin1Range(b, s, e)
    out[k] = numbers ? (str === '' ? NaN : Number(str)) : str
    s = next
  }
  return out as string[] | number[]
}

/**
 * Recently decoded short strings, by a hash of their bytes (direct-mapped). Datasets repeat
 * short values a lot (code values, coding schemes, CS terms): a hit returns the same string,
 * which is no allocation at all. Strings are immutable, so sharing them is invisible.
 */
const SHORT_CACHE: (string | undefined)[] = new Array<string | undefined>(4096).fill(undefined)
const SHORT_MAX = 16

/** Bytes `b[s..e)` as Latin-1 characters. */
function latin1Range(b: Uint8Array, s: number, e: number): string {
  const n = e - s
  if (n <= 0) return ''
  if (n <= SHORT_MAX) {
    let h = n
    for (let i = s; i < e; i++) h = (h * 31 + b[i]!) | 0
    h = (h ^ (h >>> 12)) & 4095
    const c = SHORT_CACHE[h]
    if (c !== undefined && c.length === n) {
      let i = 0
      while (i < n && c.charCodeAt(i) === b[s + i]) i++
      if (i === n) return c
    }
    const r = buildLatin1(b, s, e)
    SHORT_CACHE[h] = r
    return r
  }
  return buildLatin1(b, s, e)
}

function buildLatin1(b: Uint8Array, s: number, e: number): string {
  const n = e - s
  // Up to 12 characters V8 builds flat strings by concatenation (fastest for short values);
  // longer ones would become chains of cons strings: one native decoder call instead.
  if (n > 12) return latin1.decode(new Uint8Array(b.buffer, b.byteOffset + s, n))
  let r = ''
  let i = s
  for (; i + 4 <= e; i += 4) r += String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!)
  for (; i < e; i++) r += String.fromCharCode(b[i]!)
  return r
}

/** Typed array over bulk bytes: a view when aligned and in host order, else a converted copy. */
function bulkView(vr: VR, raw: Uint8Array, le: boolean): ElementValue {
  const size = VR_INFO[vr].size
  if (size === 1) return raw
  const n = Math.floor(raw.length / size)
  let src = raw
  if (le !== LITTLE_ENDIAN_HOST || raw.byteOffset % size !== 0) {
    src = new Uint8Array(n * size)
    if (le === LITTLE_ENDIAN_HOST) src.set(raw.subarray(0, n * size))
    else for (let i = 0; i < n * size; i += size) for (let j = 0; j < size; j++) src[i + j] = raw[i + size - 1 - j]!
  }
  const buf = src.buffer
  const off = src.byteOffset
  switch (vr) {
    case 'OW': return new Uint16Array(buf, off, n)
    case 'OF': return new Float32Array(buf, off, n)
    case 'OD': return new Float64Array(buf, off, n)
    case 'OL': return new Uint32Array(buf, off, n)
    default: return new BigUint64Array(buf, off, n) // OV
  }
}

/** Format a DS value within its 16-character limit (PS3.5 Table 6.2-1). */
export function formatDS(n: number): string {
  if (!Number.isFinite(n)) throw new DatasetEncodeError(`DS cannot represent ${n}`)
  let s = String(n)
  if (s.length <= 16) return s
  for (let p = 16; p > 0; p--) {
    s = n.toPrecision(p).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1')
    if (s.length <= 16) return s
  }
  return s
}

/** Encode a value of VR `vr` for `ctx`. The result has no padding byte. */
export function encodeValue(vr: VR, value: ElementValue, ctx: ValueContext, tag = 0): Uint8Array {
  const vi = VR_INFO[vr]
  const le = ctx.littleEndian
  const where = () => formatTag(tag)
  switch (vi.kind) {
    case 'ascii':
      return encodeAscii(asStrings(value, where).join('\\'))
    case 'text': {
      const text = asStrings(value, where).join(vi.multiValued ? '\\' : '')
      // Plain ASCII is encoded as itself under every Specific Character Set DICOM defines (G0
      // starts as ISO-IR 6 or JIS X 0201 romaji; UTF-8 and GB18030 include ASCII): skip the codec.
      return isPlainAscii(text, vi.multiValued) ? encodeAscii(text) : encodeText(text, ctx.charset, vr)
    }
    case 'number-string': {
      const parts = (value as unknown[]).map((x) => {
        if (typeof x === 'string') return x
        if (typeof x !== 'number') throw new DatasetEncodeError(`${vr} value must be a number`, where())
        if (Number.isNaN(x)) return ''
        if (vr === 'IS') {
          if (!Number.isInteger(x)) throw new DatasetEncodeError(`IS value ${x} is not an integer`, where())
          return String(x)
        }
        return formatDS(x)
      })
      return encodeAscii(parts.join('\\'))
    }
    case 'binary-number': {
      const arr = value as number[]
      const out = new Uint8Array(arr.length * vi.size)
      const dv = view(out)
      arr.forEach((x, i) => {
        const o = i * vi.size
        switch (vr) {
          case 'US': dv.setUint16(o, x, le); break
          case 'SS': dv.setInt16(o, x, le); break
          case 'UL': dv.setUint32(o, x, le); break
          case 'SL': dv.setInt32(o, x, le); break
          case 'FL': dv.setFloat32(o, x, le); break
          default: dv.setFloat64(o, x, le)
        }
      })
      return out
    }
    case 'bigint': {
      const arr = value as bigint[]
      const out = new Uint8Array(arr.length * 8)
      const dv = view(out)
      arr.forEach((x, i) => (vr === 'SV' ? dv.setBigInt64(i * 8, BigInt(x), le) : dv.setBigUint64(i * 8, BigInt(x), le)))
      return out
    }
    case 'tag': {
      const arr = value as number[]
      const out = new Uint8Array(arr.length * 4)
      const dv = view(out)
      arr.forEach((t, i) => {
        dv.setUint16(i * 4, t >>> 16, le)
        dv.setUint16(i * 4 + 2, t & 0xffff, le)
      })
      return out
    }
    case 'bulk': {
      if (!ArrayBuffer.isView(value)) throw new DatasetEncodeError(`${vr} value must be a typed array`, where())
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      const size = vi.size
      if (size === 1 || le === LITTLE_ENDIAN_HOST) return bytes
      const out = new Uint8Array(bytes.length)
      for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!
      return out
    }
    case 'sequence':
      throw new DatasetEncodeError('sequences are encoded by the dataset encoder', where())
  }
}

function asStrings(value: ElementValue, where: () => string): string[] {
  if (!Array.isArray(value)) throw new DatasetEncodeError('string value must be an array of strings', where())
  return (value as unknown[]).map((x) => (typeof x === 'string' ? x : String(x)))
}
