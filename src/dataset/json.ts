/**
 * The DICOM JSON Model (PS3.18 Annex F): conversion between a {@link Dataset} and the JSON
 * object that DICOMweb services exchange. No Node imports: runs in browsers too.
 *
 * Choices where the standard leaves room (see docs/json-differences.md):
 * - DS and IS values are JSON Numbers when they parse as finite numbers, else the original
 *   string (F.2.3, Table F.2.3-1 allows "Number or String").
 * - SV and UV values are JSON Numbers when they are safe integers (|v| < 2^53), else decimal
 *   strings (F.2.3 note: a String may be used to avoid losing precision).
 * - FL and FD values that are not finite (NaN, ±Infinity) cannot be JSON Numbers; they are
 *   written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` and read back.
 * - Encapsulated Pixel Data is InlineBinary of its Value Field as encoded in PS3.5 §A.4: the
 *   Basic Offset Table item followed by one item per fragment (without the Sequence
 *   Delimitation Item; one is accepted on input).
 * @see PS3.18 Annex F
 * @module
 */
import type { Tag } from './tag.js'
import { tagToHex, isGroupLengthTag, ItemTag, SequenceDelimitationTag } from './tag.js'
import type { VR } from './vr.js'
import { VR_INFO, isVR } from './vr.js'
import type { ElementValue, EncapsulatedPixelData, ValueContext } from './element.js'
import { DataElement, Dataset, DEFAULT_CONTEXT } from './element.js'
import { decodeAscii } from './values.js'
import { DicomError } from '../errors.js'

/** A Person Name value: its three component groups (PS3.18 F.2.2, PS3.5 §6.2.1). */
export interface DicomJsonPersonName {
  Alphabetic?: string
  Ideographic?: string
  Phonetic?: string
}

/** One entry of a `Value` array: a string, number, person name, item, or null (empty value, F.2.5). */
export type DicomJsonValue = string | number | null | DicomJsonPersonName | DicomJsonModel

/** One attribute object of the DICOM JSON Model (PS3.18 F.2.2). */
export interface DicomJsonAttribute {
  /** The Value Representation. */
  vr: VR
  /** Values (absent when the attribute is empty). Items for SQ, name objects for PN. */
  Value?: DicomJsonValue[]
  /** Base64 of the little-endian Value Field (F.2.7), for OB OD OF OL OV OW UN. */
  InlineBinary?: string
  /** Where to fetch the Value Field (F.2.6). */
  BulkDataURI?: string
}

/** A DICOM JSON Model object: attributes keyed by 8 uppercase hex digits (`"00100010"`). */
export interface DicomJsonModel {
  [tag: string]: DicomJsonAttribute
}

/**
 * The location of an element inside a dataset, as JSON keys and item indexes, e.g.
 * `"0040A730[1].0040A043"`.
 */
export type DicomJsonPath = string

/** Options of {@link datasetToJson}. */
export interface DatasetToJsonOptions {
  /**
   * Called for every element whose VR may carry a BulkDataURI (F.2.2: DS FL FD IS LT OB OD OF
   * OL OV OW SL SS ST SV UC UL UN US UT UV); a returned string replaces the value by
   * `BulkDataURI`, undefined keeps the value inline.
   */
  bulkDataUri?: (el: DataElement, path: DicomJsonPath) => string | undefined
  /** Include group length (gggg,0000) elements. Default false (F.2.2 says they shall not be included). */
  includeGroupLength?: boolean
}

/** Options of {@link datasetFromJson}. */
export interface DatasetFromJsonOptions {
  /**
   * Resolves a BulkDataURI to the value bytes (little endian). When it is absent or returns
   * undefined, the element is left out of the dataset.
   */
  bulkData?: (uri: string, vr: VR, path: DicomJsonPath) => Uint8Array | undefined
  /**
   * Whether top-level Pixel Data (7FE0,0010) InlineBinary holds encapsulated (item) encoding.
   * `'auto'` (default): when its bytes parse completely as a sequence of items.
   */
  encapsulatedPixelData?: boolean | 'auto'
}

/** VRs whose value may be replaced by a BulkDataURI (PS3.18 F.2.2). */
const BULK_URI_VRS: ReadonlySet<VR> = new Set<VR>([
  'DS', 'FL', 'FD', 'IS', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SL', 'SS', 'ST', 'SV', 'UC', 'UL', 'UN', 'US', 'UT', 'UV',
])

const LE_CONTEXT: ValueContext = Object.freeze({ littleEndian: true, charset: Object.freeze([]) as readonly string[] })

const PIXEL_DATA: Tag = 0x7fe00010

// ---------------------------------------------------------------------------------------------
// Dataset -> JSON

/**
 * Convert a dataset to the DICOM JSON Model (PS3.18 Annex F). Attributes are inserted in
 * ascending tag order (F.2.2); group lengths are left out unless asked for. To write JSON text
 * in that order use {@link stringifyDicomJson} (JavaScript itself lists all-digit keys such as
 * `"20500020"` first).
 * @see PS3.18 F.2
 */
export function datasetToJson(ds: Dataset, options: DatasetToJsonOptions = {}): DicomJsonModel {
  return toJson(ds, options, '')
}

function toJson(ds: Dataset, opts: DatasetToJsonOptions, prefix: string): DicomJsonModel {
  const out: DicomJsonModel = {}
  for (const el of ds.elements()) {
    if (isGroupLengthTag(el.tag) && !opts.includeGroupLength) continue
    const key = tagToHex(el.tag)
    out[key] = attributeToJson(el, opts, prefix + key)
  }
  return out
}

function attributeToJson(el: DataElement, opts: DatasetToJsonOptions, path: string): DicomJsonAttribute {
  const vr = el.vr
  const attr: DicomJsonAttribute = { vr }
  if (opts.bulkDataUri !== undefined && BULK_URI_VRS.has(vr)) {
    const uri = opts.bulkDataUri(el, path)
    if (uri !== undefined) {
      attr.BulkDataURI = uri
      return attr
    }
  }
  const info = VR_INFO[vr]
  switch (info.kind) {
    case 'sequence': {
      const items = el.items
      if (items.length > 0) attr.Value = items.map((item, i) => toJson(item, opts, `${path}[${i}].`))
      break
    }
    case 'bulk': {
      const bytes = binaryValueBytes(el)
      if (bytes.length > 0) attr.InlineBinary = base64Encode(bytes)
      break
    }
    case 'number-string': {
      const strings = numberStrings(el)
      if (strings.length > 0) attr.Value = strings.map(numberOrString)
      break
    }
    case 'text':
    case 'ascii': {
      const strings = el.strings
      if (strings.length > 0) attr.Value = vr === 'PN' ? strings.map(personNameToJson) : strings.map((s) => (s === '' ? null : s))
      break
    }
    case 'binary-number': {
      const nums = el.value as number[]
      if (nums.length > 0) attr.Value = nums.map((n) => (vr === 'FL' ? float32ToJson(n) : finiteOrString(n)))
      break
    }
    case 'bigint': {
      const nums = el.value as bigint[]
      if (nums.length > 0) attr.Value = nums.map(bigintToJson)
      break
    }
    case 'tag': {
      const tags = el.value as number[]
      if (tags.length > 0) attr.Value = tags.map(tagToHex)
      break
    }
  }
  return attr
}

/** The Value Field of a binary element in little-endian order (F.2.7 applies PS3.5 byte ordering). */
function binaryValueBytes(el: DataElement): Uint8Array {
  const v = el.isLazy ? undefined : el.value
  if (v !== undefined && isEncapsulated(v)) return encodeEncapsulated(v)
  const raw = el.raw
  // Raw bytes are exact (odd lengths included); reuse them when already little endian.
  if (raw !== undefined && (el.context.littleEndian || VR_INFO[el.vr].size === 1)) return raw
  const value = el.value
  if (isEncapsulated(value)) return encodeEncapsulated(value)
  return el.bytes(LE_CONTEXT)
}

function isEncapsulated(v: ElementValue): v is EncapsulatedPixelData {
  return !Array.isArray(v) && !ArrayBuffer.isView(v) && typeof v === 'object' && 'fragments' in v
}

/** Items of encapsulated pixel data, PS3.5 §A.4: (FFFE,E000) + 4-byte length + value, little endian. */
function encodeEncapsulated(px: EncapsulatedPixelData): Uint8Array {
  const parts = [px.offsetTable, ...px.fragments]
  let size = 0
  for (const p of parts) size += 8 + p.length
  const out = new Uint8Array(size)
  const dv = new DataView(out.buffer)
  let o = 0
  for (const p of parts) {
    dv.setUint16(o, 0xfffe, true)
    dv.setUint16(o + 2, 0xe000, true)
    dv.setUint32(o + 4, p.length, true)
    out.set(p, o + 8)
    o += 8 + p.length
  }
  return out
}

/** DS/IS values as the strings that were stored (or formatted from numbers). */
function numberStrings(el: DataElement): string[] {
  const raw = el.raw
  if (raw !== undefined) {
    if (raw.length === 0) return []
    return decodeAscii(raw).split('\\').map((s) => s.replace(/^[ \0]+|[ \0]+$/g, ''))
  }
  const v = el.value
  if (!Array.isArray(v)) return []
  return (v as unknown[]).map((x) => (typeof x === 'number' ? (Number.isNaN(x) ? '' : String(x)) : String(x)))
}

/** F.2.3: DS/IS as Number when the text is a finite number, else the text; empty → null (F.2.5). */
function numberOrString(s: string): string | number | null {
  if (s === '') return null
  const n = Number(s)
  return Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? n : s
}

function finiteOrString(n: number): number | string {
  return Number.isFinite(n) ? n : String(n)
}

/** The shortest decimal that reads back as the same float32 (what a float32 value "is"). */
function float32ToJson(n: number): number | string {
  if (!Number.isFinite(n)) return String(n)
  for (let p = 1; p <= 9; p++) {
    const c = Number(n.toPrecision(p))
    if (Math.fround(c) === n) return c
  }
  return n
}

function bigintToJson(b: bigint): number | string {
  const n = Number(b)
  return Number.isSafeInteger(n) ? n : b.toString()
}

/**
 * PN value → component groups split on '=' (PS3.5 §6.2.1). Only non-empty groups are written
 * (F.2.2); a group made of component delimiters alone (`^^^^`) has no non-empty component,
 * since trailing empty components and their delimiters may be omitted (PS3.5 §6.2.1), so it is
 * empty too. A value with no non-empty group is an empty value: null (F.2.5).
 */
function personNameToJson(s: string): DicomJsonPersonName | null {
  const [a, i, p] = s.split('=')
  const pn: DicomJsonPersonName = {}
  if (nonEmptyGroup(a)) pn.Alphabetic = a
  if (nonEmptyGroup(i)) pn.Ideographic = i
  if (nonEmptyGroup(p)) pn.Phonetic = p
  return pn.Alphabetic === undefined && pn.Ideographic === undefined && pn.Phonetic === undefined ? null : pn
}

function nonEmptyGroup(g: string | undefined): g is string {
  return g !== undefined && /[^\^ ]/.test(g)
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Serialise a DICOM JSON Model object as JSON text with attributes in ascending tag order
 * (F.2.2). Use this rather than `JSON.stringify`: JavaScript objects list keys that look like
 * array indexes (all digits, no leading zero, e.g. `"20500020"`) before all other keys, so
 * `JSON.stringify` would write `"20500020"` before `"00080005"`. Within an attribute the order is
 * `vr`, `Value`, `InlineBinary`, `BulkDataURI`; within a PN value `Alphabetic`, `Ideographic`,
 * `Phonetic`. `space` indents like `JSON.stringify`'s third argument (a count of spaces).
 */
export function stringifyDicomJson(json: DicomJsonModel, space = 0): string {
  const nl = space > 0 ? '\n' : ''
  const sep = space > 0 ? ': ' : ':'
  const pad = (depth: number) => ' '.repeat(space * depth)
  const obj = (entries: [string, string][], depth: number): string => {
    if (entries.length === 0) return '{}'
    const body = entries.map(([k, v]) => `${pad(depth + 1)}${JSON.stringify(k)}${sep}${v}`).join(`,${nl}`)
    return `{${nl}${body}${nl}${pad(depth)}}`
  }
  const arr = (items: string[], depth: number): string => {
    if (items.length === 0) return '[]'
    return `[${nl}${items.map((v) => pad(depth + 1) + v).join(`,${nl}`)}${nl}${pad(depth)}]`
  }
  const value = (v: DicomJsonValue, vr: VR, depth: number): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v)
    if (vr === 'SQ') return model(v as DicomJsonModel, depth)
    const pn = v as DicomJsonPersonName
    const e: [string, string][] = []
    for (const k of ['Alphabetic', 'Ideographic', 'Phonetic'] as const) if (pn[k] !== undefined) e.push([k, JSON.stringify(pn[k])])
    return obj(e, depth)
  }
  const attribute = (a: DicomJsonAttribute, depth: number): string => {
    const e: [string, string][] = [['vr', JSON.stringify(a.vr)]]
    if (a.Value !== undefined) e.push(['Value', arr(a.Value.map((v) => value(v, a.vr, depth + 2)), depth + 1)])
    if (a.InlineBinary !== undefined) e.push(['InlineBinary', JSON.stringify(a.InlineBinary)])
    if (a.BulkDataURI !== undefined) e.push(['BulkDataURI', JSON.stringify(a.BulkDataURI)])
    return obj(e, depth)
  }
  const model = (m: DicomJsonModel, depth: number): string =>
    obj(Object.keys(m).sort().map((k) => [k, attribute(m[k]!, depth + 1)]), depth)
  return model(json, 0)
}

// ---------------------------------------------------------------------------------------------
// JSON -> Dataset

/**
 * Build a dataset from a DICOM JSON Model object. Values are held decoded; Specific Character
 * Set (0008,0005) in the JSON becomes the dataset's charset for later encoding.
 * Throws {@link DicomError} `ERR_DATASET_VALUE` for anything that is not valid DICOM JSON.
 * @see PS3.18 F.2
 */
export function datasetFromJson(json: DicomJsonModel, options: DatasetFromJsonOptions = {}): Dataset {
  return fromJson(json, options, '', DEFAULT_CONTEXT, true)
}

function fail(path: string, msg: string): never {
  throw new DicomError('ERR_DATASET_VALUE', `DICOM JSON ${path ? `${path}: ` : ''}${msg}`)
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function fromJson(json: unknown, opts: DatasetFromJsonOptions, prefix: string, parent: ValueContext, top: boolean): Dataset {
  if (!isObject(json)) fail(prefix, 'a dataset must be a JSON object')
  let ctx = parent
  const cs = json['00080005']
  if (isObject(cs) && Array.isArray(cs['Value'])) {
    const charset = (cs['Value'] as unknown[]).map((v) => (typeof v === 'string' ? v : ''))
    ctx = { littleEndian: true, charset }
  }
  const ds = new Dataset(ctx)
  for (const key of Object.keys(json)) {
    const path = prefix + key
    if (!/^[0-9A-Fa-f]{8}$/.test(key)) fail(path, 'attribute keys must be 8 hex digits')
    const tag = parseInt(key, 16) >>> 0
    const el = attributeFromJson(tag, json[key], opts, path, ctx, top)
    if (el !== undefined) ds.set(el)
  }
  return ds
}

function attributeFromJson(
  tag: Tag,
  attr: unknown,
  opts: DatasetFromJsonOptions,
  path: string,
  ctx: ValueContext,
  top: boolean,
): DataElement | undefined {
  if (!isObject(attr)) fail(path, 'an attribute must be a JSON object')
  const vr = attr['vr']
  if (typeof vr !== 'string' || !isVR(vr)) fail(path, `unknown vr ${JSON.stringify(vr)}`)
  const info = VR_INFO[vr]
  const present = ['Value', 'InlineBinary', 'BulkDataURI'].filter((k) => attr[k] !== undefined)
  if (present.length > 1) fail(path, `has more than one of ${present.join(', ')}`)

  if (attr['BulkDataURI'] !== undefined) {
    const uri = attr['BulkDataURI']
    if (typeof uri !== 'string') fail(path, 'BulkDataURI must be a string')
    if (!BULK_URI_VRS.has(vr)) fail(path, `BulkDataURI is not allowed for VR ${vr}`)
    const bytes = opts.bulkData?.(uri, vr, path)
    if (bytes === undefined) return undefined
    return DataElement.fromBytes(tag, vr, bytes, { littleEndian: true, charset: ctx.charset })
  }
  if (attr['InlineBinary'] !== undefined) {
    const b64 = attr['InlineBinary']
    if (typeof b64 !== 'string') fail(path, 'InlineBinary must be a string')
    if (info.kind !== 'bulk') fail(path, `InlineBinary is not allowed for VR ${vr}`)
    const bytes = base64Decode(b64, path)
    if (top && tag === PIXEL_DATA && opts.encapsulatedPixelData !== false) {
      const px = parseEncapsulated(bytes)
      if (px !== undefined) return DataElement.fromValue(tag, vr, px, LE_CONTEXT)
      if (opts.encapsulatedPixelData === true) fail(path, 'Pixel Data is not a valid encapsulated item sequence')
    }
    return DataElement.fromBytes(tag, vr, bytes, LE_CONTEXT)
  }
  const raw = attr['Value']
  if (raw !== undefined && !Array.isArray(raw)) fail(path, 'Value must be an array')
  const values: unknown[] = raw ?? []
  return DataElement.fromValue(tag, vr, valueFromJson(vr, values, opts, path, ctx), ctx)
}

function valueFromJson(vr: VR, values: unknown[], opts: DatasetFromJsonOptions, path: string, ctx: ValueContext): ElementValue {
  const info = VR_INFO[vr]
  const bad = (i: number, what: string): never => fail(`${path}[${i}]`, `${vr} value must be ${what}, got ${JSON.stringify(values[i])}`)
  switch (info.kind) {
    case 'sequence':
      return values.map((item, i) => {
        if (!isObject(item)) bad(i, 'an object')
        return fromJson(item, opts, `${path}[${i}].`, ctx, false)
      })
    case 'bulk':
      if (values.length > 0) fail(path, `VR ${vr} must use InlineBinary or BulkDataURI, not Value`)
      return emptyBulk(vr)
    case 'text':
    case 'ascii':
      return values.map((v, i) => {
        if (v === null) return ''
        if (vr === 'PN' && isObject(v)) return personNameFromJson(v, () => bad(i, 'a person name object'))
        if (typeof v !== 'string') return bad(i, vr === 'PN' ? 'a person name object' : 'a string')
        return v
      })
    case 'number-string': {
      const anyText = values.some((v) => typeof v === 'string' && !isNumericText(v))
      if (anyText) {
        return values.map((v, i) => (v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : bad(i, 'a number or string')))
      }
      return values.map((v, i) => (v === null ? NaN : typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : bad(i, 'a number or string')))
    }
    case 'binary-number':
      return values.map((v, i) => {
        // FL values are single precision: the shortest decimal written by datasetToJson reads back exactly.
        if (typeof v === 'number') return vr === 'FL' ? Math.fround(v) : v
        if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') {
          if (vr === 'FL' || vr === 'FD') return Number(v)
        }
        return bad(i, 'a number')
      })
    case 'bigint':
      return values.map((v, i) => {
        if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
        if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim())
        return bad(i, 'an integer number or string')
      })
    case 'tag':
      return values.map((v, i) => {
        if (typeof v !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(v)) return bad(i, 'an 8-hex-digit tag string')
        return parseInt(v, 16) >>> 0
      })
  }
}

function isNumericText(s: string): boolean {
  const t = s.trim()
  return t === '' || (Number.isFinite(Number(t)) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t))
}

/** An empty typed array of the right kind for an empty bulk element. */
function emptyBulk(vr: VR): ElementValue {
  switch (vr) {
    case 'OW': return new Uint16Array(0)
    case 'OF': return new Float32Array(0)
    case 'OD': return new Float64Array(0)
    case 'OL': return new Uint32Array(0)
    case 'OV': return new BigUint64Array(0)
    default: return new Uint8Array(0)
  }
}

function personNameFromJson(v: Record<string, unknown>, bad: () => never): string {
  const groups: string[] = []
  for (const k of Object.keys(v)) if (k !== 'Alphabetic' && k !== 'Ideographic' && k !== 'Phonetic') bad()
  for (const k of ['Alphabetic', 'Ideographic', 'Phonetic']) {
    const g = v[k]
    if (g !== undefined && typeof g !== 'string') bad()
    groups.push(g ?? '')
  }
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop()
  return groups.join('=')
}

/**
 * Parse encapsulated Pixel Data items (PS3.5 §A.4): a Basic Offset Table item, then fragment
 * items, optionally ended by a Sequence Delimitation Item. Undefined when the bytes are not
 * exactly such a sequence.
 */
function parseEncapsulated(bytes: Uint8Array): EncapsulatedPixelData | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const items: Uint8Array[] = []
  let o = 0
  while (o < bytes.length) {
    if (o + 8 > bytes.length) return undefined
    const t = ((dv.getUint16(o, true) << 16) | dv.getUint16(o + 2, true)) >>> 0
    const len = dv.getUint32(o + 4, true)
    if (t === SequenceDelimitationTag && len === 0 && o + 8 === bytes.length) break
    if (t !== ItemTag) return undefined
    // The length is checked against the bytes actually present before taking a view.
    if (len > bytes.length - o - 8) return undefined
    items.push(bytes.subarray(o + 8, o + 8 + len))
    o += 8 + len
  }
  if (items.length === 0) return undefined
  return { offsetTable: items[0]!, fragments: items.slice(1) }
}

// ---------------------------------------------------------------------------------------------
// Base64 (RFC 4648 §4), written out so that it runs without Buffer and without btoa limits.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1)
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i
  return t
})()

/** Base64-encode bytes (standard alphabet, with `=` padding). */
export function base64Encode(bytes: Uint8Array): string {
  const chunks: string[] = []
  const CHUNK = 3 * 8192
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK)
    let s = ''
    let i = start
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
      s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!
    }
    if (i < end) {
      const b1 = i + 1 < end ? bytes[i + 1]! : 0
      const n = (bytes[i]! << 16) | (b1 << 8)
      s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + (i + 1 < end ? B64[(n >>> 6) & 63]! : '=') + '='
    }
    chunks.push(s)
  }
  return chunks.join('')
}

/**
 * Decode base64 (standard alphabet; padding optional; ASCII whitespace ignored). Throws
 * {@link DicomError} `ERR_DATASET_VALUE` on any other character.
 */
export function base64Decode(text: string, path = ''): Uint8Array {
  let clean = text
  if (/[\s]/.test(clean)) clean = clean.replace(/[\t\n\f\r ]+/g, '')
  let end = clean.length
  while (end > 0 && clean.charCodeAt(end - 1) === 0x3d) end--
  if (clean.length - end > 2 || end % 4 === 1) fail(path, 'InlineBinary is not valid base64')
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const c = clean.charCodeAt(i)
    const v = c < 128 ? B64_INDEX[c]! : -1
    if (v < 0) fail(path, `InlineBinary has a non-base64 character at ${i}`)
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >>> bits) & 0xff
    }
  }
  return out
}
