/**
 * C-FIND attribute matching (PS3.4 §C.2.2.2) as pure functions over `Dataset`: single value,
 * list of UID, universal, wild card, range, sequence and (optionally) empty value matching, and
 * combined date-time range matching.
 *
 * Implementation choices the standard leaves to the SCP (they belong in a conformance statement):
 * - PN: literal by default; `personNameMatching: 'insensitive'` ignores case and accents. A key
 *   without `=` is also compared with each component group of the candidate. Trailing `^` and
 *   `=` delimiters are insignificant (PS3.5 §6.2.1).
 * - DA/TM/DT single values are compared at the precision of the key (`1030` matches `103015`).
 *   Timezone offsets of DT values are not applied (wall-clock comparison).
 * - IS/DS and binary numbers are compared numerically (PS3.4 C.2.2.2.1.1 leaves IS/DS to the SCP).
 * - A key with several values (other than UI) matches when any of its values matches; a candidate
 *   with several values matches when any of its values matches.
 * @module
 */
import type { Tag } from '../../dataset/tag.js'
import type { VR } from '../../dataset/vr.js'
import { VR_INFO } from '../../dataset/vr.js'
import type { Dataset, DataElement } from '../../dataset/element.js'
import { decodeAscii } from '../../dataset/values.js'
import { DATE_TIME_PAIRS, LEVEL_INDEPENDENT_KEYS } from './models.js'

/** How Person Name values are compared. @see PS3.4 C.2.2.2.1 */
export type PersonNameMatching = 'literal' | 'insensitive'

/** Options of {@link matchIdentifier}. */
export interface MatchOptions {
  /**
   * `literal` (default): PN values match exactly, like other VRs. `insensitive`: case and accents
   * (Unicode combining marks) are ignored, as PS3.4 C.2.2.2.1 allows for PN.
   */
  personNameMatching?: PersonNameMatching
  /**
   * Combined date-time range matching (PS3.4 C.2.2.2.5.1, negotiated by extended negotiation):
   * `true` uses {@link DATE_TIME_PAIRS}; or give the pairs. Default: off (date and time matched
   * independently).
   */
  combinedDateTime?: boolean | readonly (readonly [date: Tag, time: Tag])[]
  /**
   * Empty value matching (PS3.4 C.2.2.2.8, negotiated): a key value of two QUOTATION MARKs
   * (`""`) matches candidates whose attribute is absent or empty. Default: off (`""` is then an
   * ordinary single value).
   */
  emptyValueMatching?: boolean
  /** Tags never matched, in addition to {@link LEVEL_INDEPENDENT_KEYS} and group lengths. */
  ignoreTags?: ReadonlySet<Tag>
}

/** The kind of matching a key value asks for. @see PS3.4 C.2.2.2 */
export type MatchKind = 'universal' | 'single' | 'list-of-uid' | 'wildcard' | 'range' | 'sequence' | 'empty-value'

/** VRs on which `*` and `?` are wild cards. @see PS3.4 C.2.2.2.4 */
export const WILDCARD_VRS: ReadonlySet<VR> = new Set<VR>(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT'])

/** VRs on which `-` denotes a range. @see PS3.4 C.2.2.2.5 */
export const RANGE_VRS: ReadonlySet<VR> = new Set<VR>(['DA', 'TM', 'DT'])

/**
 * The values of a key or candidate element as text: strings for string VRs, decimal text for
 * numbers. IS/DS elements read from bytes give their original text (so `*` or a range is seen).
 */
export function valueStrings(el: DataElement): string[] {
  const kind = VR_INFO[el.vr].kind
  if (kind === 'number-string' && el.raw !== undefined) {
    const text = decodeAscii(el.raw)
    return text.length === 0 ? [] : text.split('\\').map((s) => s.replace(/^[ \0]+|[ \0]+$/g, ''))
  }
  if (kind === 'bulk' || kind === 'sequence') return []
  const v = el.value
  if (!Array.isArray(v)) return []
  return (v as unknown[]).map((x) => (typeof x === 'string' ? x : typeof x === 'number' && Number.isNaN(x) ? '' : String(x)))
}

/** True when an element has no value (zero length, or only padding). */
export function isEmptyElement(el: DataElement): boolean {
  const kind = VR_INFO[el.vr].kind
  if (kind === 'sequence') return el.items.length === 0
  if (kind === 'bulk') {
    const v = el.value
    return ArrayBuffer.isView(v) ? v.byteLength === 0 : (v as { fragments: Uint8Array[] }).fragments.length === 0
  }
  return valueStrings(el).every((s) => s === '')
}

function isAllStars(s: string): boolean {
  return s.length > 0 && /^\*+$/.test(s)
}

/**
 * Classify a key element: which matching of PS3.4 C.2.2.2 its value asks for.
 * `emptyValueMatching` makes `""` an empty-value key (C.2.2.2.8).
 */
export function matchKindOf(key: DataElement, options: MatchOptions = {}): MatchKind {
  if (key.vr === 'SQ') return isUniversalSequenceKey(key) ? 'universal' : 'sequence'
  if (isEmptyElement(key)) return 'universal'
  const values = valueStrings(key)
  if (options.emptyValueMatching === true && values.length === 1 && values[0] === '""') return 'empty-value'
  if (key.vr === 'UI') return values.length > 1 ? 'list-of-uid' : 'single'
  if (WILDCARD_VRS.has(key.vr)) {
    if (values.some(isAllStars)) return 'universal'
    if (values.some((s) => s.includes('*') || s.includes('?'))) return 'wildcard'
  }
  if (RANGE_VRS.has(key.vr) && values.some((s) => parseRange(key.vr, s) !== undefined)) return 'range'
  return 'single'
}

/** C.2.2.2.6: a sequence key with no item, or one item holding only universal keys, matches all. */
function isUniversalSequenceKey(key: DataElement): boolean {
  const items = key.items
  if (items.length === 0) return true
  return items.every((item) => item.elements().every((el) => matchKindOf(el) === 'universal'))
}

// ---------------------------------------------------------------------------------------------
// Wild cards (C.2.2.2.4)

const wildcardCache = new Map<string, RegExp>()

/**
 * Wild card matching: `*` matches any sequence of characters (also none), `?` any single
 * character (a Unicode code point, not a byte). @see PS3.4 C.2.2.2.4
 */
export function matchWildcard(pattern: string, value: string): boolean {
  let re = wildcardCache.get(pattern)
  if (re === undefined) {
    let src = '^'
    for (const ch of pattern) {
      if (ch === '*') src += '.*'
      else if (ch === '?') src += '.'
      else src += ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&') // the 'u' flag rejects needless escapes like \-
    }
    re = new RegExp(src + '$', 'su')
    if (wildcardCache.size > 1024) wildcardCache.clear()
    wildcardCache.set(pattern, re)
  }
  return re.test(value)
}

// ---------------------------------------------------------------------------------------------
// Dates and times (C.2.2.2.5)

/** A parsed range: either bound may be absent (open). Bounds are normalised, padded values. */
export interface DateTimeRange {
  /** Lowest matching value, as a fixed-width digit string, or undefined when open. */
  lower?: string
  /** Highest matching value, as a fixed-width digit string, or undefined when open. */
  upper?: string
}

const DA_RE = /^(\d{4})(\d{2})(\d{2})$/
const TM_RE = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$/
const DT_RE = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?([+-]\d{4})?$/

function normDate(s: string): string {
  // ACR-NEMA style "YYYY.MM.DD" is still seen in queries (PS3.5 §6.2 note on DA)
  return /^\d{4}\.\d{2}\.\d{2}$/.test(s) ? s.replace(/\./g, '') : s
}
function normTime(s: string): string {
  return /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? s.replace(/:/g, '') : s
}

/**
 * Normalise one DA, TM or DT value to a fixed-width digit string, padding missing components
 * with their lowest (`bound = 'low'`) or highest (`'high'`) value: DA → 8 digits, TM → 12
 * (HHMMSSFFFFFF), DT → 20 (YYYYMMDDHHMMSSFFFFFF). Undefined when the text is not such a value.
 */
export function normalizeDateTime(vr: 'DA' | 'TM' | 'DT', text: string, bound: 'low' | 'high' = 'low'): string | undefined {
  const hi = bound === 'high'
  if (vr === 'DA') {
    const m = DA_RE.exec(normDate(text))
    return m ? m[1]! + m[2]! + m[3]! : undefined
  }
  if (vr === 'TM') {
    const m = TM_RE.exec(normTime(text))
    if (!m) return undefined
    return m[1]! + (m[2] ?? (hi ? '59' : '00')) + (m[3] ?? (hi ? '59' : '00')) + frac(m[4], hi)
  }
  const m = DT_RE.exec(text)
  if (!m) return undefined
  return (
    m[1]! +
    (m[2] ?? (hi ? '12' : '01')) +
    (m[3] ?? (hi ? '31' : '01')) +
    (m[4] ?? (hi ? '23' : '00')) +
    (m[5] ?? (hi ? '59' : '00')) +
    (m[6] ?? (hi ? '59' : '00')) +
    frac(m[7], hi)
  )
}

function frac(f: string | undefined, hi: boolean): string {
  if (f === undefined) return hi ? '999999' : '000000'
  return f.padEnd(6, hi ? '9' : '0')
}

/**
 * Parse a range value `a-b`, `-b` or `a-` of VR DA, TM or DT into padded bounds; undefined when
 * the value is not a range. A DT value whose part after `-` is a valid UTC offset below the lower
 * bound (e.g. `20200101120000-0500`) is a single value with an offset, not a range.
 * @see PS3.4 C.2.2.2.5
 */
export function parseRange(vr: VR, text: string): DateTimeRange | undefined {
  if (vr !== 'DA' && vr !== 'TM' && vr !== 'DT') return undefined
  const dashes = [...text.matchAll(/-/g)].map((m) => m.index)
  if (dashes.length === 0) return undefined
  for (const i of dashes) {
    const a = text.slice(0, i).trim()
    const b = text.slice(i + 1).trim()
    if (a === '' && b === '') continue
    if (vr === 'DT' && a !== '' && /^\d{4}$/.test(b) && isSingleDtWithOffset(text, a, b)) continue
    const lower = a === '' ? undefined : normalizeDateTime(vr, a, 'low')
    const upper = b === '' ? undefined : normalizeDateTime(vr, b, 'high')
    if ((a !== '' && lower === undefined) || (b !== '' && upper === undefined)) continue
    const r: DateTimeRange = {}
    if (lower !== undefined) r.lower = lower
    if (upper !== undefined) r.upper = upper
    return r
  }
  return undefined
}

function isSingleDtWithOffset(text: string, a: string, b: string): boolean {
  if (!DT_RE.test(text)) return false
  const hh = Number(b.slice(0, 2))
  const mm = Number(b.slice(2))
  const validOffset = hh <= 14 && mm < 60
  return validOffset && b < a.slice(0, 4)
}

function strip(vr: VR, s: string): string {
  return vr === 'DT' ? s.replace(/[+-]\d{4}$/, '') : s
}

/** True when the candidate date/time `value` lies within `range` (inclusive). */
export function inRange(vr: 'DA' | 'TM' | 'DT', range: DateTimeRange, value: string): boolean {
  const v = normalizeDateTime(vr, strip(vr, value), 'low')
  if (v === undefined) return false
  if (range.lower !== undefined && v < range.lower) return false
  if (range.upper !== undefined && v > range.upper) return false
  return true
}

function matchDateTimeValue(vr: 'DA' | 'TM' | 'DT', key: string, value: string): boolean {
  const range = parseRange(vr, key)
  if (range !== undefined) return inRange(vr, range, value)
  // single value: compared at the precision of the key
  const k = strip(vr, key)
  const lower = normalizeDateTime(vr, k, 'low')
  const upper = normalizeDateTime(vr, k, 'high')
  if (lower === undefined || upper === undefined) return key === value
  return inRange(vr, { lower, upper }, value)
}

// ---------------------------------------------------------------------------------------------
// Person names

function normalizePn(s: string, insensitive: boolean): string {
  let out = s
    .split('=')
    .map((g) => g.replace(/\^+$/, '').trim())
    .join('=')
    .replace(/=+$/, '')
  if (insensitive) out = out.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  return out
}

function matchPersonName(key: string, value: string, options: MatchOptions): boolean {
  const insensitive = options.personNameMatching === 'insensitive'
  const k = normalizePn(key, insensitive)
  const v = normalizePn(value, insensitive)
  const wild = k.includes('*') || k.includes('?')
  const test = (candidate: string) => (wild ? matchWildcard(k, candidate) : k === candidate)
  if (test(v)) return true
  // a key without component groups is compared with each group of the candidate
  if (!k.includes('=') && v.includes('=')) return v.split('=').some((g) => g !== '' && test(g))
  return false
}

// ---------------------------------------------------------------------------------------------
// Element and identifier matching

function matchOneValue(vr: VR, key: string, value: string, options: MatchOptions): boolean {
  if (vr === 'PN') return matchPersonName(key, value, options)
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') return matchDateTimeValue(vr, key, value)
  if (WILDCARD_VRS.has(vr) && (key.includes('*') || key.includes('?'))) return matchWildcard(key, value)
  const kind = VR_INFO[vr].kind
  if (kind === 'number-string' || kind === 'binary-number' || kind === 'bigint' || kind === 'tag') {
    const a = Number(key)
    const b = Number(value)
    if (key.trim() !== '' && value.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b)) return a === b
  }
  return key === value
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Match one key element against the candidate's element (undefined when the candidate lacks the
 * attribute). An absent or empty candidate attribute matches only universal keys (and empty value
 * keys). @see PS3.4 C.2.2.2
 */
export function matchElement(key: DataElement, candidate: DataElement | undefined, options: MatchOptions = {}): boolean {
  const kind = matchKindOf(key, options)
  if (kind === 'universal') return true
  const candidateEmpty = candidate === undefined || isEmptyElement(candidate)
  if (kind === 'empty-value') return candidateEmpty
  if (candidateEmpty) return false
  if (kind === 'sequence') {
    // C.2.2.2.6: the single query item matches when it matches at least one candidate item
    const item = key.items[0]!
    return candidate.items.some((ci) => matchIdentifier(item, ci, options))
  }
  if (VR_INFO[key.vr].kind === 'bulk') {
    return bytesEqual(key.bytes(), candidate.bytes())
  }
  const keys = valueStrings(key)
  const values = valueStrings(candidate)
  // C.2.2.2.2 list of UID matching is the UI case of "any key value equals any candidate value"
  return keys.some((kv) => values.some((cv) => matchOneValue(key.vr, kv, cv, options)))
}

function isIgnored(t: Tag, options: MatchOptions): boolean {
  return (t & 0xffff) === 0 || LEVEL_INDEPENDENT_KEYS.has(t) || options.ignoreTags?.has(t) === true
}

/**
 * True when `candidate` matches every key of `query` (PS3.4 C.2.2.2). Specific Character Set,
 * Query/Retrieve Level and the other level-independent keys are never matched; keys the
 * candidate lacks match only when universal.
 *
 * @param query the C-FIND request identifier (or a sequence item of it)
 * @param candidate a stored entity's attributes (e.g. an instance's dataset)
 * @see PS3.4 C.2.2.2
 */
export function matchIdentifier(query: Dataset, candidate: Dataset, options: MatchOptions = {}): boolean {
  const combined = combinedPairs(query, options)
  const skip = new Set<Tag>()
  for (const [d, t] of combined) {
    if (!matchCombinedDateTime(query.get(d)!, query.get(t)!, candidate.get(d), candidate.get(t))) return false
    skip.add(d).add(t)
  }
  for (const key of query) {
    if (isIgnored(key.tag, options) || skip.has(key.tag)) continue
    if (!matchElement(key, candidate.get(key.tag), options)) return false
  }
  return true
}

function combinedPairs(query: Dataset, options: MatchOptions): (readonly [Tag, Tag])[] {
  const opt = options.combinedDateTime
  if (opt === undefined || opt === false) return []
  const pairs = opt === true ? DATE_TIME_PAIRS : opt
  return pairs.filter(([d, t]) => {
    const de = query.get(d)
    const te = query.get(t)
    if (de === undefined || te === undefined) return false
    const dk = matchKindOf(de)
    const tk = matchKindOf(te)
    return (dk === 'range' || dk === 'single') && (tk === 'range' || tk === 'single') && valueStrings(de).length === 1 && valueStrings(te).length === 1
  })
}

/**
 * Combined date-time range matching: `<date1>-<date2>` with `<time1>-<time2>` selects the
 * interval from date1 time1 to date2 time2. A candidate without a time matches on its date.
 * @see PS3.4 C.2.2.2.5.1
 */
function matchCombinedDateTime(dateKey: DataElement, timeKey: DataElement, cd: DataElement | undefined, ct: DataElement | undefined): boolean {
  if (cd === undefined || isEmptyElement(cd)) return false
  const dText = valueStrings(dateKey)[0]!
  const tText = valueStrings(timeKey)[0]!
  const dr = parseRange('DA', dText) ?? single('DA', dText)
  const tr = parseRange('TM', tText) ?? single('TM', tText)
  if (dr === undefined || tr === undefined) return false
  const lower = dr.lower === undefined ? undefined : dr.lower + (tr.lower ?? '000000000000')
  const upper = dr.upper === undefined ? undefined : dr.upper + (tr.upper ?? '235959999999')
  const date = normalizeDateTime('DA', valueStrings(cd)[0] ?? '', 'low')
  if (date === undefined) return false
  const timeText = ct === undefined ? undefined : valueStrings(ct)[0]
  if (timeText === undefined || timeText === '') {
    return (dr.lower === undefined || date >= dr.lower) && (dr.upper === undefined || date <= dr.upper)
  }
  const time = normalizeDateTime('TM', timeText, 'low')
  if (time === undefined) return false
  const v = date + time
  return (lower === undefined || v >= lower) && (upper === undefined || v <= upper)
}

function single(vr: 'DA' | 'TM', text: string): DateTimeRange | undefined {
  const lower = normalizeDateTime(vr, text, 'low')
  const upper = normalizeDateTime(vr, text, 'high')
  return lower === undefined || upper === undefined ? undefined : { lower, upper }
}
