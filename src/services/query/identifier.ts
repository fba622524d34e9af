/**
 * Build a C-FIND / C-MOVE / C-GET / worklist identifier from a plain object of keywords, as an
 * SCU writes a query: `makeIdentifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'Doe*',
 * StudyInstanceUID: '' })`.
 * @module
 */
import type { Tag } from '../../dataset/tag.js'
import { formatTag, parseTag } from '../../dataset/tag.js'
import type { VR } from '../../dataset/vr.js'
import { VR_INFO } from '../../dataset/vr.js'
import { Dataset, DataElement } from '../../dataset/element.js'
import type { ElementValue, ValueContext } from '../../dataset/element.js'
import { lookupTag, tagOfKeyword } from '../../dataset/dictionary.js'
import { DicomError } from '../../errors.js'
import type { QueryKey } from './models.js'
import { ModalityWorklistModel, QueryRetrieveModels, QueryTags } from './models.js'

/**
 * The value of one key: a string (backslash separates values, so `'1.2\\1.3'` is a UID list),
 * several values, a number, `''` or `null` for universal matching / a return key, or an array of
 * objects for a sequence (usually one item; `[]` asks for the whole sequence).
 */
export type IdentifierValue = string | number | null | readonly (string | number)[] | readonly IdentifierInit[]

/** Keys by keyword (or by tag as `(gggg,eeee)` / `ggggeeee`). */
export interface IdentifierInit {
  readonly [keyword: string]: IdentifierValue
}

/** Options of {@link makeIdentifier}. */
export interface MakeIdentifierOptions {
  /** Defined terms of Specific Character Set (0008,0005) for non-ASCII values, e.g. `['ISO_IR 192']`. */
  charset?: readonly string[]
}

let modelVrs: Map<Tag, VR> | undefined
function vrOfModelKey(t: Tag): VR | undefined {
  if (modelVrs === undefined) {
    modelVrs = new Map<Tag, VR>()
    const add = (keys: readonly QueryKey[]) => {
      for (const k of keys) {
        modelVrs!.set(k.tag, k.vr)
        if (k.items !== undefined) add(k.items)
      }
    }
    for (const m of QueryRetrieveModels) for (const d of m.levels) add(d.keys)
    add(ModalityWorklistModel.keys)
    modelVrs.set(QueryTags.QueryRetrieveLevel, 'CS')
    modelVrs.set(QueryTags.SpecificCharacterSet, 'CS')
    modelVrs.set(QueryTags.RetrieveAETitle, 'AE')
    modelVrs.set(QueryTags.InstanceAvailability, 'CS')
    modelVrs.set(QueryTags.TimezoneOffsetFromUTC, 'SH')
  }
  return modelVrs.get(t)
}

function resolve(name: string): { tag: Tag; vr: VR } {
  const known = (QueryTags as Readonly<Record<string, Tag>>)[name]
  const t = known ?? tagOfKeyword(name) ?? parseTag(name)
  if (t === undefined) throw new DicomError('ERR_INVALID_ARGUMENT', `unknown keyword: ${name}`)
  const vr = vrOfModelKey(t) ?? lookupTag(t)?.vr[0]
  if (vr === undefined) throw new DicomError('ERR_INVALID_ARGUMENT', `no VR known for ${formatTag(t)}`)
  return { tag: t, vr }
}

function isItems(v: IdentifierValue): v is readonly IdentifierInit[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null)
}

function toValue(name: string, vr: VR, v: IdentifierValue, ctx: ValueContext): ElementValue {
  if (vr === 'SQ') {
    if (v === null || v === '') return []
    if (!isItems(v)) throw new DicomError('ERR_INVALID_ARGUMENT', `${name} is a sequence: give an array of items`)
    return v.map((item) => build(item, ctx))
  }
  if (v === null || v === '') return VR_INFO[vr].kind === 'bulk' ? new Uint8Array(0) : []
  if (isItems(v) && (v as readonly unknown[]).length > 0) throw new DicomError('ERR_INVALID_ARGUMENT', `${name} is not a sequence`)
  const list: (string | number)[] = typeof v === 'string' ? v.split('\\') : typeof v === 'number' ? [v] : [...(v as readonly (string | number)[])]
  const kind = VR_INFO[vr].kind
  if (kind === 'binary-number' || kind === 'tag') {
    return list.map((x) => {
      const n = typeof x === 'number' ? x : Number(x)
      if (!Number.isFinite(n)) throw new DicomError('ERR_INVALID_ARGUMENT', `${name} (${vr}) needs numbers, got ${String(x)}`)
      return n
    })
  }
  if (kind === 'text' || kind === 'ascii' || kind === 'number-string') return list.map(String)
  throw new DicomError('ERR_INVALID_ARGUMENT', `${name} (${vr}) cannot be given as a query key`)
}

function build(keys: IdentifierInit, ctx: ValueContext): Dataset {
  const ds = new Dataset(ctx)
  for (const [name, v] of Object.entries(keys)) {
    const { tag, vr } = resolve(name)
    ds.set(DataElement.fromValue(tag, vr, toValue(name, vr, v, ctx), ctx))
  }
  return ds
}

/**
 * Make an identifier from keywords. VRs come from the information model tables, then from the
 * data dictionary. Strings are kept as given (`*`, `?`, ranges and UID lists included), so the
 * result can be sent as is.
 * @throws DicomError `ERR_INVALID_ARGUMENT` for an unknown keyword or a value of the wrong shape
 * @see PS3.4 C.4.1.1.3.1
 */
export function makeIdentifier(keys: IdentifierInit, options: MakeIdentifierOptions = {}): Dataset {
  const charset = options.charset ?? []
  const ctx: ValueContext = { littleEndian: true, charset }
  const ds = build(keys, ctx)
  if (charset.length > 0) ds.set(DataElement.fromValue(QueryTags.SpecificCharacterSet, 'CS', [...charset], ctx))
  return ds
}
