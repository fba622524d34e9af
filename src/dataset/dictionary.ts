/**
 * Data dictionary lookups (PS3.6 Table 6-1 and 7-1, plus DCMTK's private dictionary): by tag, by
 * keyword and by (private creator, tag). The packed tables in ./generated are parsed into Maps on
 * the first lookup, so importing this module costs nothing until it is used.
 * @module
 */
import type { Tag } from './tag.js'
import type { VR } from './vr.js'
import { PUBLIC_ELEMENTS, RANGE_ELEMENTS } from './generated/dictionary.js'
import { PRIVATE_ELEMENTS } from './generated/private-dictionary.js'

/** One data dictionary entry. */
export interface DictionaryEntry {
  /**
   * The tag. For an entry found through a repeating group or range, the tag that was looked up;
   * for {@link lookupKeyword}, the first tag of the range (e.g. 0x60003000 for `OverlayData`).
   */
  tag: Tag
  /**
   * One VR, or several where the standard allows several (e.g. `OB or OW` → ['OB','OW']); the
   * first is the usual default. Empty for Item and the delimitation items, which have no VR
   * (PS3.5 §7.5).
   */
  vr: VR[]
  /** Value multiplicity as in PS3.6, e.g. `1`, `1-n`, `2-2n`. */
  vm: string
  /** The PS3.6 keyword (retired elements keep theirs, without DCMTK's `RETIRED_` prefix). */
  keyword: string
  /** The PS3.6 name, e.g. `Patient's Name`. */
  name: string
  retired: boolean
  /**
   * For repeating groups and ranges: the pattern as PS3.6 writes it, e.g. `(60xx,3000)`, or
   * DCMTK's range notation for the generic entries, e.g. `(0009-FFFF odd,0010-00FF)`.
   */
  pattern?: string
  /** For private data elements: the Private Creator that reserved the block (PS3.5 §7.8.1). */
  privateCreator?: string
}

type Parity = 0 | 1 | 2 // even, odd, any

interface RangeEntry {
  gLo: number
  gHi: number
  gParity: Parity
  eLo: number
  eHi: number
  eParity: Parity
  /** Number of tags covered, to prefer the narrowest match. */
  size: number
  entry: DictionaryEntry
}

interface Index {
  /** The packed records, one per line; materialised into `entries` on first use. */
  lines: string[]
  entries: (DictionaryEntry | undefined)[]
  /** tag → index into `lines` */
  byTag: Map<Tag, number>
  /** Built on the first keyword lookup. */
  byKeyword: Map<string, DictionaryEntry> | undefined
  /** Masked lookups for the common repeating groups: key is the tag with its group's low byte cleared. */
  byMaskedTag: Map<Tag, RangeEntry[]>
  /** Everything else, narrowest first. */
  ranges: RangeEntry[]
}

let index: Index | undefined
let privateIndex: Map<string, PrivateRecord> | undefined
let privateRanges: PrivateRange[] | undefined

// Entries share (frozen) VR arrays: one per distinct VR combination.
const VR_CACHE = new Map<string, VR[]>()
function parseVrs(text: string): VR[] {
  let v = VR_CACHE.get(text)
  if (v === undefined) {
    v = text === '' ? [] : (text.split('/') as VR[])
    Object.freeze(v)
    VR_CACHE.set(text, v)
  }
  return v
}

/** The name PS3.6 would give when the generator stored none: the keyword split into words. */
function nameFromKeyword(kw: string): string {
  return kw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
}

function parseRange(text: string): [number, number, Parity] {
  // GLO-GHIp, p = e | o | u
  const lo = parseInt(text.substring(0, 4), 16)
  const hi = parseInt(text.substring(5, 9), 16)
  const p = text[9]
  return [lo, hi, p === 'e' ? 0 : p === 'o' ? 1 : 2]
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0')
}

function describeRange(lo: number, hi: number, parity: Parity, isGroup: boolean): string {
  if (lo === hi) return hex4(lo)
  // PS3.6 style where it applies: 60xx (even groups 6000-60FF), 31xx (all elements 3100-31FF).
  const wildcard = (lo & 0xff) === 0 && hi === (lo | 0xff) && parity === (isGroup ? 0 : 2)
  if (wildcard) return hex4(lo).substring(0, 2) + 'xx'
  return `${hex4(lo)}-${hex4(hi)}${parity === 0 ? ' even' : parity === 1 ? ' odd' : ''}`
}

/** Parse one packed record (`…|VR|VM|Keyword|Name|Retired`, the tag field already handled). */
function makeEntry(t: Tag, f: string[], pattern?: string): DictionaryEntry {
  const keyword = f[3]!
  const e: DictionaryEntry = {
    tag: t,
    vr: parseVrs(f[1]!),
    vm: f[2]!,
    keyword,
    name: f[4] || nameFromKeyword(keyword),
    retired: f[5] === '1',
  }
  if (pattern !== undefined) e.pattern = pattern
  return Object.freeze(e)
}

function buildIndex(): Index {
  const lines = PUBLIC_ELEMENTS.split('\n').filter((l) => l !== '')
  const byTag = new Map<Tag, number>()
  for (let i = 0; i < lines.length; i++) byTag.set(parseInt(lines[i]!.substring(0, 8), 16) >>> 0, i)
  const ranges: RangeEntry[] = []
  const byMaskedTag = new Map<Tag, RangeEntry[]>()
  for (const line of RANGE_ELEMENTS.split('\n')) {
    if (line === '') continue
    const f = line.split('|')
    const [gSpec, eSpec] = f[0]!.split(',') as [string, string]
    const [gLo, gHi, gParity] = parseRange(gSpec)
    const [eLo, eHi, eParity] = parseRange(eSpec)
    const pattern = `(${describeRange(gLo, gHi, gParity, true)},${describeRange(eLo, eHi, eParity, false)})`
    const entry = makeEntry(((gLo << 16) | eLo) >>> 0, f, pattern)
    const span = (lo: number, hi: number, p: Parity): number => (p === 2 ? hi - lo + 1 : Math.floor((hi - lo) / 2) + 1)
    const r: RangeEntry = { gLo, gHi, gParity, eLo, eHi, eParity, size: span(gLo, gHi, gParity) * span(eLo, eHi, eParity), entry }
    // Repeating groups (50xx, 60xx, 7Fxx; PS3.5 §7.6) with one element: index by masked tag.
    if ((gLo & 0xff) === 0 && gHi === (gLo | 0xff) && eLo === eHi) {
      const key = ((gLo << 16) | eLo) >>> 0
      const list = byMaskedTag.get(key)
      if (list) list.push(r)
      else byMaskedTag.set(key, [r])
    } else {
      ranges.push(r)
    }
  }
  ranges.sort((a, b) => a.size - b.size)
  return { lines, entries: new Array<DictionaryEntry | undefined>(lines.length), byTag, byKeyword: undefined, byMaskedTag, ranges }
}

function entryAt(ix: Index, i: number): DictionaryEntry {
  let e = ix.entries[i]
  if (e === undefined) {
    const line = ix.lines[i]!
    e = makeEntry(parseInt(line.substring(0, 8), 16) >>> 0, line.split('|'))
    ix.entries[i] = e
  }
  return e
}

function keywordIndex(ix: Index): Map<string, DictionaryEntry> {
  if (ix.byKeyword) return ix.byKeyword
  const m = new Map<string, DictionaryEntry>()
  for (let i = 0; i < ix.lines.length; i++) {
    const e = entryAt(ix, i)
    m.set(e.keyword, e)
  }
  for (const r of ix.ranges) m.set(r.entry.keyword, r.entry)
  for (const list of ix.byMaskedTag.values()) for (const r of list) m.set(r.entry.keyword, r.entry)
  ix.byKeyword = m
  return m
}

function getIndex(): Index {
  return (index ??= buildIndex())
}

function matches(n: number, lo: number, hi: number, parity: Parity): boolean {
  return n >= lo && n <= hi && (parity === 2 || (n & 1) === parity)
}

function withTag(entry: DictionaryEntry, t: Tag): DictionaryEntry {
  if (entry.tag === t) return entry
  const e: DictionaryEntry = { tag: t, vr: entry.vr, vm: entry.vm, keyword: entry.keyword, name: entry.name, retired: entry.retired }
  if (entry.pattern !== undefined) e.pattern = entry.pattern
  return e
}

/**
 * Look up a public data element by tag. Exact entries come first; then repeating groups
 * (50xx, 60xx, 7Fxx; PS3.5 §7.6), element ranges such as (0020,31xx), and the generic entries:
 * any (gggg,0000) is a group length (UL), and (gggg,0010-00FF) in an odd group is a Private
 * Creator (LO, PS3.5 §7.8.1). Private data elements other than creators are not found here; use
 * {@link lookupPrivate}.
 * @see PS3.6 §6 (Registry of DICOM Data Elements)
 */
export function lookupTag(t: Tag): DictionaryEntry | undefined {
  t = t >>> 0 // accept tags built with signed shifts
  const ix = getIndex()
  const i = ix.byTag.get(t)
  if (i !== undefined) return entryAt(ix, i)
  const g = t >>> 16
  const e = t & 0xffff
  const masked = ix.byMaskedTag.get((((g & 0xff00) << 16) | e) >>> 0)
  if (masked) {
    for (const r of masked) if (matches(g, r.gLo, r.gHi, r.gParity)) return withTag(r.entry, t)
  }
  for (const r of ix.ranges) {
    if (matches(g, r.gLo, r.gHi, r.gParity) && matches(e, r.eLo, r.eHi, r.eParity)) return withTag(r.entry, t)
  }
  return undefined
}

/**
 * Look up a public data element by its PS3.6 keyword, e.g. `PatientName`. For a repeating group
 * the entry's tag is the first of the range (`OverlayData` → (6000,3000)).
 */
export function lookupKeyword(keyword: string): DictionaryEntry | undefined {
  return keywordIndex(getIndex()).get(keyword)
}

/** The tag of a PS3.6 keyword, or undefined when the keyword is unknown. */
export function tagOfKeyword(keyword: string): Tag | undefined {
  return keywordIndex(getIndex()).get(keyword)?.tag
}

// ---------------------------------------------------------------------------------------------
// Private data elements

interface PrivateRecord {
  vr: VR[]
  vm: string
  keyword: string
}

interface PrivateRange extends PrivateRecord {
  creator: string
  gLo: number
  gHi: number
  gParity: Parity
  byte: number
}

function privateKey(creator: string, group: number, byte: number): string {
  return `${creator}\u0000${group}\u0000${byte}`
}

function buildPrivateIndex(): void {
  const map = new Map<string, PrivateRecord>()
  const ranges: PrivateRange[] = []
  let creator = ''
  for (const line of PRIVATE_ELEMENTS.split('\n')) {
    if (line === '') continue
    if (line.startsWith('@')) {
      creator = line.substring(1)
      continue
    }
    const f = line.split('|')
    const rec: PrivateRecord = { vr: parseVrs(f[2]!), vm: f[3]!, keyword: f[4]! }
    // 2 hex digits: low byte, any block; 4 hex digits: that element only (see the generator)
    const byte = f[1]!.length === 2 ? parseInt(f[1]!, 16) : 0x10000 | parseInt(f[1]!, 16)
    const gs = f[0]!
    if (gs.length === 4) {
      const k = privateKey(creator, parseInt(gs, 16), byte)
      if (!map.has(k)) map.set(k, rec)
    } else {
      const [gLo, gHi, gParity] = parseRange(gs)
      ranges.push({ ...rec, creator, gLo, gHi, gParity, byte })
    }
  }
  privateIndex = map
  privateRanges = ranges
}

/**
 * Look up a private data element by the value of its Private Creator and its tag. Per PS3.5
 * §7.8.1 the creator (gggg,00xx) reserves the block (gggg,xx00-xxFF), so only the group and the
 * low byte of the element number identify the element within the creator's dictionary; the block
 * byte is whatever the dataset's creator element assigned. Trailing spaces of `creator` (value
 * padding) are ignored. The returned entry carries the looked-up tag and `privateCreator`.
 * Private Creator elements themselves are public-dictionary matters: see {@link lookupTag}.
 */
export function lookupPrivate(creator: string, t: Tag): DictionaryEntry | undefined {
  if (privateIndex === undefined) buildPrivateIndex()
  t = t >>> 0
  const g = t >>> 16
  if ((g & 1) === 0) return undefined
  const el = t & 0xffff
  if (el < 0x1000) return undefined // (gggg,0000-0FFF) are group length, creators and reserved
  const c = creator.replace(/ +$/, '')
  const byte = el & 0xff
  let rec: PrivateRecord | undefined = privateIndex!.get(privateKey(c, g, byte)) ?? privateIndex!.get(privateKey(c, g, 0x10000 | el))
  if (rec === undefined) {
    for (const r of privateRanges!) {
      if (r.creator === c && (r.byte === byte || r.byte === (0x10000 | el)) && matches(g, r.gLo, r.gHi, r.gParity)) {
        rec = r
        break
      }
    }
  }
  if (rec === undefined) return undefined
  return Object.freeze({
    tag: t,
    vr: rec.vr,
    vm: rec.vm,
    keyword: rec.keyword,
    name: nameFromKeyword(rec.keyword),
    retired: false,
    privateCreator: c,
  })
}
