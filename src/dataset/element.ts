/**
 * Data elements and datasets. An element decoded from bytes keeps a view of its raw value and
 * decodes it only when `value` is first read (dicomParser's offset records, pynetdicom's lazy
 * datasets): an SCP can store or forward a dataset without decoding a single value, and a bad
 * value only fails the caller that touches it.
 * @module
 */
import type { Tag } from './tag.js'
import { formatTag } from './tag.js'
import type { VR } from './vr.js'
import { VRS, VR_INDEX, VR_INFO } from './vr.js'
import { decodeValueAt, encodeValue } from './values.js'
import { lookupTag, tagOfKeyword } from './dictionary.js'
import { DicomError } from '../errors.js'

/** Encapsulated Pixel Data (PS3.5 §A.4): the Basic Offset Table and the fragments, undecoded. */
export interface EncapsulatedPixelData {
  /** Value of the first item (empty when there is no Basic Offset Table). */
  offsetTable: Uint8Array
  fragments: Uint8Array[]
}

/** Any decoded element value. */
export type ElementValue =
  | string[]
  | number[]
  | bigint[]
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | Dataset[]
  | EncapsulatedPixelData

/**
 * What an element needs to decode its raw bytes: byte order and the Specific Character Set in
 * force. One object is shared by all elements of a dataset (and by items that inherit it), so
 * that (0008,0005) read later still applies.
 */
export interface ValueContext {
  littleEndian: boolean
  /** Defined terms of (0008,0005); empty means the default repertoire. */
  charset: readonly string[]
}

export const DEFAULT_CONTEXT: ValueContext = Object.freeze({ littleEndian: true, charset: Object.freeze([]) as readonly string[] })

/** One data element: a tag, a VR and a value (decoded lazily when the element came from bytes). */
export class DataElement {
  // Fields are declared (no class-field initialisers): the constructor is the only store of each,
  // which keeps construction cheap for the ~10^5 elements of a large decoded tree.
  declare readonly tag: Tag
  declare readonly vr: VR
  /**
   * The raw value bytes are `_len` bytes at offset `_off` of `_src` (undefined when the element
   * has no raw bytes). The decoder records offsets into the data it reads rather than one view
   * per element; {@link raw} creates the view on first access and keeps it (`_src` becomes the
   * view, `_off` 0), and {@link value} decodes straight from `_src`.
   */
  private declare _src: Uint8Array | undefined
  private declare _off: number
  private declare _len: number
  private declare _value: ElementValue | undefined
  private declare _ctx: ValueContext
  private declare _undef: boolean

  private constructor(tag: Tag, vr: VR, src: Uint8Array | undefined, off: number, len: number, value: ElementValue | undefined, ctx: ValueContext) {
    this.tag = tag
    this.vr = vr
    this._src = src
    // Offsets and lengths computed in optimised code can arrive boxed (as heap numbers) although
    // they are small integers; `| 0` stores them as small integers, so that these fields never
    // turn into boxed doubles (one extra heap object per element). Values of 2^31 and more (data
    // over 2 GiB) are kept as they are.
    this._off = off < 0x7fffffff ? off | 0 : off
    this._len = len < 0x7fffffff ? len | 0 : len
    this._value = value
    this._ctx = ctx
    this._undef = false
  }

  /**
   * For a sequence: it was read with undefined length (PS3.5 §7.5.2); the encoder keeps that
   * form when asked to preserve length forms.
   */
  get undefinedLength(): boolean {
    return this._undef
  }

  set undefinedLength(v: boolean) {
    this._undef = v
  }

  /** An element from a decoded value. */
  static fromValue(tag: Tag, vr: VR, value: ElementValue, ctx: ValueContext = DEFAULT_CONTEXT): DataElement {
    return new DataElement(tag, vr, undefined, 0, 0, value, ctx)
  }

  /** An element over raw value bytes (a view; not copied), decoded on first access. */
  static fromBytes(tag: Tag, vr: VR, raw: Uint8Array, ctx: ValueContext): DataElement {
    return new DataElement(tag, vr, raw, 0, raw.length, undefined, ctx)
  }

  /**
   * An element over the `length` raw value bytes at `offset` in `source` (not copied; the view
   * of them is created on first access). For decoders: `offset + length <= source.length`.
   * @internal
   */
  static fromSource(tag: Tag, vr: VR, source: Uint8Array, offset: number, length: number, ctx: ValueContext): DataElement {
    return new DataElement(tag, vr, source, offset, length, undefined, ctx)
  }

  /** The decoded value (strings, numbers, typed array, items or fragments). */
  get value(): ElementValue {
    if (this._value === undefined) this._value = decodeValueAt(this.vr, this._src!, this._off, this._len, this._ctx, this.tag)
    return this._value
  }

  /**
   * The raw value bytes in the byte order of `context.littleEndian`, as read, when the element
   * came from bytes and has not been changed; undefined for sequences, encapsulated pixel data
   * and elements built from values.
   */
  get raw(): Uint8Array | undefined {
    const src = this._src
    if (src === undefined || (this._off === 0 && src.length === this._len)) return src
    const v = new Uint8Array(src.buffer, src.byteOffset + this._off, this._len)
    this._src = v
    this._off = 0
    return v
  }

  /**
   * Length in bytes of the raw value (`raw.length`, without creating the view), or -1 when the
   * element has no raw bytes.
   * @internal
   */
  get rawLength(): number {
    return this._src === undefined ? -1 : this._len
  }

  /** The context the raw bytes are in. */
  get context(): ValueContext {
    return this._ctx
  }

  /** True when the value has not been decoded yet. */
  get isLazy(): boolean {
    return this._value === undefined
  }

  /**
   * The value bytes encoded for `ctx` (byte order, character set), without the padding byte:
   * the raw bytes when they already fit, else the encoded value. Not for SQ or encapsulated data.
   */
  bytes(ctx: ValueContext = this._ctx): Uint8Array {
    if (this._src !== undefined && sameEncoding(this.vr, this._ctx, ctx)) return this.raw!
    return encodeValue(this.vr, this.value, ctx, this.tag)
  }

  /** Items of a sequence (empty for other VRs). */
  get items(): Dataset[] {
    return this.vr === 'SQ' ? (this.value as Dataset[]) : []
  }

  /** Values as strings (for string VRs; numbers are formatted). */
  get strings(): string[] {
    const v = this.value
    if (Array.isArray(v)) return (v as unknown[]).map((x) => (typeof x === 'string' ? x : String(x)))
    return []
  }
}

function sameEncoding(vr: VR, a: ValueContext, b: ValueContext): boolean {
  const kind = VR_INFO[vr].kind
  if (kind === 'text') return sameCharset(a.charset, b.charset)
  if (kind === 'ascii' || kind === 'number-string') return true
  if (VR_INFO[vr].size <= 1) return true
  return a.littleEndian === b.littleEndian
}

function sameCharset(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  return a.every((x, i) => x === b[i])
}

/** Record codes (above the VR indexes 0-33) of a sequence (its items in the record), read with defined / undefined length. */
const SEQUENCE = 62
const SEQUENCE_UNDEFINED = 61
/** Record code of encapsulated pixel data (its value in the record; undefined length, OB). */
const ENCAPSULATED = 60

/** The element of a record that holds a sequence's items or encapsulated pixel data (see {@link Dataset}). */
function recordObject(tag: number, x: unknown, code: number, ctx: ValueContext): DataElement {
  const el = DataElement.fromValue(tag >>> 0, code === ENCAPSULATED ? 'OB' : 'SQ', x as ElementValue, ctx)
  if (code !== SEQUENCE) el.undefinedLength = true
  return el
}

/** A tag number or a dictionary keyword such as `PatientName`. */
export type TagOrKeyword = Tag | string

/** Resolve a keyword (or a tag given as `(gggg,eeee)` / `ggggeeee`) to a tag. */
export function resolveTag(t: TagOrKeyword): Tag {
  if (typeof t === 'number') return t
  const byKeyword = tagOfKeyword(t)
  if (byKeyword !== undefined) return byKeyword
  const m = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(t)
  if (m) return ((parseInt(m[1]!, 16) << 16) | parseInt(m[2]!, 16)) >>> 0
  throw new DicomError('ERR_INVALID_ARGUMENT', `unknown keyword or tag: ${t}`)
}

/**
 * A dataset: data elements ordered by tag. Iteration is always in ascending tag order
 * (PS3.5 §7.1), whatever the insertion order.
 */
export class Dataset implements Iterable<DataElement> {
  // Three representations, one at a time or (sorted, map) together:
  // - records (`recs`): what decoders build. Three entries per element: the tag (as int32), the
  //   offset of the raw value in `src`, and its length × 64 + the VR index; or, for a sequence
  //   or encapsulated pixel data, the items or the value, and a code (SEQUENCE,
  //   SEQUENCE_UNDEFINED, ENCAPSULATED); all share `_context`.
  //   No object per element until the
  //   dataset is accessed, which then turns the records into elements once ({@link materialize}):
  //   a lazily decoded file costs a few numbers per element, not an object and a view.
  // - a tag-sorted array (`sorted`) while elements arrive in ascending order (lookups use a
  //   binary search); no Map for the many small items of a decoded sequence;
  // - a Map once an insertion breaks that order.
  // (Declared fields, assigned once in the constructor: no class-field initialisers.)
  private declare map: Map<Tag, DataElement> | undefined
  private declare sorted: DataElement[] | undefined
  private declare recs: unknown[] | undefined
  private declare src: Uint8Array | undefined
  private declare _context: ValueContext
  /**
   * For an item: it was read with undefined length (PS3.5 §7.5.2); the encoder keeps that form
   * when asked to preserve length forms.
   */
  declare undefinedLength: boolean

  /** An empty dataset whose elements are in `context` (byte order and character set). */
  constructor(context: ValueContext = DEFAULT_CONTEXT) {
    this.map = undefined
    this.sorted = []
    this.recs = undefined
    this.src = undefined
    this._context = context
    this.undefinedLength = false
  }

  /** The value context of elements that belong to this dataset. */
  get context(): ValueContext {
    return this._context
  }

  set context(c: ValueContext) {
    // Elements recorded so far keep the context they were read with.
    if (this.recs !== undefined) this.materialize()
    this._context = c
  }

  /** Number of elements (top level). */
  get size(): number {
    if (this.recs !== undefined) return this.recs.length / 3
    return this.sorted !== undefined ? this.sorted.length : this.map!.size
  }

  /** Whether the dataset has element `t` (a tag or a dictionary keyword). */
  has(t: TagOrKeyword): boolean {
    return this.get(t) !== undefined
  }

  /** Element `t` (a tag or a dictionary keyword), or undefined. */
  get(t: TagOrKeyword): DataElement | undefined {
    const tag = resolveTag(t)
    if (this.recs !== undefined) this.materialize()
    const s = this.sorted
    if (s === undefined) return this.map!.get(tag)
    let lo = 0
    let hi = s.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const mt = s[mid]!.tag
      if (mt === tag) return s[mid]
      if (mt < tag) lo = mid + 1
      else hi = mid - 1
    }
    return undefined
  }

  /** Turn records into element objects (once; they are kept). */
  private materialize(): void {
    const r = this.recs!
    const src = this.src
    const ctx = this._context
    const n = r.length / 3
    const out = new Array<DataElement>(n)
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      const x = r[k + 2] as number
      const code = x % 64
      out[i] = code < 34 ? DataElement.fromSource((r[k] as number) >>> 0, VRS[code]!, src!, r[k + 1] as number, (x - code) / 64, ctx) : recordObject(r[k] as number, r[k + 1], code, ctx)
    }
    this.sorted = out
    this.recs = undefined
    this.src = undefined
  }

  /**
   * Append an element over `length` raw bytes at `offset` in `source` (decoders): kept as a
   * record while the dataset is empty or a list of records in ascending tag order, with one
   * source and the dataset's context; otherwise as {@link set} would.
   * @internal
   */
  appendRaw(tag: Tag, vr: VR, source: Uint8Array, offset: number, length: number, ctx: ValueContext): void {
    const r = this.recordsFor(tag, ctx)
    if (r !== undefined && (this.src === source || this.src === undefined)) {
      this.src = source
      r.push(tag | 0, offset, length * 64 + VR_INDEX[vr])
      return
    }
    if (this.recs !== undefined) this.materialize()
    this.set(DataElement.fromSource(tag, vr, source, offset, length, ctx))
  }

  /**
   * Append a sequence read by a decoder: its items are kept in the record while the dataset is
   * in record form, else a sequence element is {@link set}.
   * @internal
   */
  appendSequence(tag: Tag, items: Dataset[], undefinedLength: boolean, ctx: ValueContext): void {
    const r = this.recordsFor(tag, ctx)
    if (r !== undefined) {
      r.push(tag | 0, items, undefinedLength ? SEQUENCE_UNDEFINED : SEQUENCE)
      return
    }
    if (this.recs !== undefined) this.materialize()
    this.set(recordObject(tag, items, undefinedLength ? SEQUENCE_UNDEFINED : SEQUENCE, ctx))
  }

  /**
   * Append encapsulated pixel data read by a decoder (OB, undefined length).
   * @internal
   */
  appendEncapsulated(tag: Tag, value: EncapsulatedPixelData, ctx: ValueContext): void {
    const r = this.recordsFor(tag, ctx)
    if (r !== undefined) {
      r.push(tag | 0, value, ENCAPSULATED)
      return
    }
    if (this.recs !== undefined) this.materialize()
    this.set(recordObject(tag, value, ENCAPSULATED, ctx))
  }

  /** The record list when an element `tag` read in `ctx` can be appended as a record. */
  private recordsFor(tag: Tag, ctx: ValueContext): unknown[] | undefined {
    if (ctx !== this._context) return undefined
    const r = this.recs
    if (r !== undefined) return r.length === 0 || (r[r.length - 3] as number) >>> 0 < tag ? r : undefined
    if (this.sorted === undefined || this.sorted.length !== 0) return undefined
    this.sorted = undefined
    this.map = undefined // (empty too)
    return (this.recs = [])
  }

  /**
   * Raw bytes of element `tag`, without turning records into elements (decoders: private
   * creators, Pixel Representation, Specific Character Set).
   * @internal
   */
  rawOf(tag: Tag): Uint8Array | undefined {
    const r = this.recs
    if (r === undefined) return this.get(tag)?.raw
    let lo = 0
    let hi = r.length / 3 - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const mt = (r[mid * 3] as number) >>> 0
      if (mt === tag) {
        const x = r[mid * 3 + 2] as number
        const code = x % 64
        if (code >= 34) return undefined // sequence or encapsulated pixel data: no raw bytes
        const src = this.src!
        return new Uint8Array(src.buffer, src.byteOffset + (r[mid * 3 + 1] as number), (x - code) / 64)
      }
      if (mt < tag) lo = mid + 1
      else hi = mid - 1
    }
    return undefined
  }

  /** The Map of elements, built from the sorted list when there is none yet. */
  private index(): Map<Tag, DataElement> {
    if (this.map === undefined) {
      const m = new Map<Tag, DataElement>()
      for (const el of this.sorted!) m.set(el.tag, el)
      this.map = m
    }
    return this.map
  }

  /**
   * Add or replace an element. Given a tag (or keyword) and a value, the VR defaults to the
   * dictionary's (first) VR for that tag.
   */
  set(el: DataElement): this
  set(t: TagOrKeyword, vr: VR | undefined, value: ElementValue): this
  set(a: DataElement | TagOrKeyword, vr?: VR, value?: ElementValue): this {
    let el: DataElement
    if (a instanceof DataElement) el = a
    else {
      const t = resolveTag(a)
      const v = vr ?? lookupTag(t)?.vr[0]
      if (v === undefined) throw new DicomError('ERR_INVALID_ARGUMENT', `no VR given for ${formatTag(t)} and none in the dictionary`)
      el = DataElement.fromValue(t, v, value!, this._context)
    }
    if (this.recs !== undefined) this.materialize()
    const s = this.sorted
    if (s !== undefined) {
      // Appending in ascending order (what decoders do) keeps the sorted list; anything else
      // (a replacement or an out-of-order tag) drops it, to be rebuilt on demand.
      const last = s[s.length - 1]
      if (last === undefined || last.tag < el.tag) {
        s.push(el)
        this.map?.set(el.tag, el)
        return this
      }
      this.index()
      this.sorted = undefined
    }
    this.map!.set(el.tag, el)
    return this
  }

  /** Remove element `t`; false when there was none. */
  delete(t: TagOrKeyword): boolean {
    const tag = resolveTag(t)
    if (this.get(tag) === undefined) return false
    this.index().delete(tag)
    this.sorted = undefined
    return true
  }

  /**
   * Drop the spare capacity of the element list (decoders call it when an item is complete:
   * a list grown by appending keeps room for at least 16 entries).
   * @internal
   */
  compact(): void {
    const r = this.recs
    if (r !== undefined) {
      if (r.length > 0) this.recs = r.slice()
      return
    }
    const s = this.sorted
    if (s !== undefined && s.length > 0) this.sorted = s.slice()
  }

  /** Elements in ascending tag order. */
  elements(): readonly DataElement[] {
    if (this.recs !== undefined) this.materialize()
    if (this.sorted === undefined) this.sorted = [...this.map!.values()].sort((x, y) => x.tag - y.tag)
    return this.sorted
  }

  [Symbol.iterator](): Iterator<DataElement> {
    return this.elements()[Symbol.iterator]()
  }

  /** First value of a string element, or undefined when absent or empty. */
  string(t: TagOrKeyword): string | undefined {
    return this.get(t)?.strings[0]
  }

  /** All values of a string element ([] when absent). */
  strings(t: TagOrKeyword): string[] {
    return this.get(t)?.strings ?? []
  }

  /** First value of a numeric element (US, UL, IS, DS, FL, ...), or undefined. */
  number(t: TagOrKeyword): number | undefined {
    const v = this.get(t)?.value
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0]
    if (Array.isArray(v) && typeof v[0] === 'string') {
      const n = Number(v[0])
      return Number.isNaN(n) ? undefined : n
    }
    return undefined
  }

  /** Items of a sequence element ([] when absent). */
  items(t: TagOrKeyword): Dataset[] {
    return this.get(t)?.items ?? []
  }
}
