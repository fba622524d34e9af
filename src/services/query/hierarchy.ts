/**
 * Hierarchical search over a Query/Retrieve information model (PS3.4 §C.4.1.2 / §C.4.1.3):
 * identifier validation, collapsing stored instances into entities of a level, and building the
 * C-FIND response identifiers.
 * @module
 */
import type { Tag } from '../../dataset/tag.js'
import { formatTag } from '../../dataset/tag.js'
import type { VR } from '../../dataset/vr.js'
import { VR_INFO } from '../../dataset/vr.js'
import { Dataset, DataElement } from '../../dataset/element.js'
import type { ElementValue } from '../../dataset/element.js'
import type { QueryRetrieveLevel, QueryRetrieveModel, QueryRetrieveOperation, QueryLevelDefinition } from './models.js'
import { LEVEL_INDEPENDENT_KEYS, QueryTags, levelIndex, levelOfKey } from './models.js'
import type { MatchOptions } from './matching.js'
import { isEmptyElement, matchElement, matchIdentifier, matchKindOf, valueStrings } from './matching.js'

/** Why an identifier is not valid for the model and level. */
export type IdentifierProblemReason =
  | 'missing-level'
  | 'unknown-level'
  | 'missing-unique-key'
  | 'unique-key-not-single'
  | 'key-below-level'
  | 'key-not-allowed'

/** One problem found by {@link validateIdentifier}. */
export interface IdentifierProblem {
  reason: IdentifierProblemReason
  /** The offending attribute. */
  tag: Tag
  message: string
}

/** Result of {@link validateIdentifier}. */
export interface IdentifierValidation {
  valid: boolean
  /** The Query/Retrieve Level of the identifier, when it names a level of the model. */
  level: QueryRetrieveLevel | undefined
  problems: IdentifierProblem[]
  /**
   * Not errors: keys of higher levels other than their unique keys, which a strictly hierarchical
   * SCU would not send (they are matched anyway).
   */
  warnings: IdentifierProblem[]
  /**
   * The status to answer an invalid identifier with: 0xA900 "Identifier does not match SOP
   * Class" (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4); undefined when valid.
   */
  status: number | undefined
}

/** Options of {@link validateIdentifier}. */
export interface ValidateOptions {
  /** The operation the identifier belongs to (default FIND). */
  operation?: QueryRetrieveOperation
  /**
   * Relational search / retrieve negotiated by extended negotiation (PS3.4 C.4.1.2.2, C.4.2.2.2):
   * unique keys of higher levels may be absent or non-single. Default false.
   */
  relational?: boolean
}

function problem(reason: IdentifierProblemReason, tag: Tag, message: string): IdentifierProblem {
  return { reason, tag, message }
}

/**
 * Validate a C-FIND, C-MOVE or C-GET identifier against a model (hierarchical baseline behaviour):
 * - Query/Retrieve Level (0008,0052) names a level of the model;
 * - each level above carries its unique key with a single value (C-FIND: PS3.4 C.4.1.2.1;
 *   C-MOVE/C-GET: C.4.2.2.1, C.4.3.2.1);
 * - C-FIND: no key of a level below the query level;
 * - C-MOVE/C-GET: the unique key of the level is present (a single UID or a list of UIDs) and no
 *   other keys are present.
 * @see PS3.4 C.4.1.2.1
 */
export function validateIdentifier(query: Dataset, model: QueryRetrieveModel, options: ValidateOptions = {}): IdentifierValidation {
  const operation = options.operation ?? 'FIND'
  const problems: IdentifierProblem[] = []
  const warnings: IdentifierProblem[] = []
  const lvText = query.string(QueryTags.QueryRetrieveLevel)
  const idx = lvText === undefined ? -1 : levelIndex(model, lvText)
  if (lvText === undefined || lvText === '') {
    problems.push(problem('missing-level', QueryTags.QueryRetrieveLevel, 'Query/Retrieve Level (0008,0052) is missing or empty'))
  } else if (idx < 0) {
    problems.push(problem('unknown-level', QueryTags.QueryRetrieveLevel, `level ${lvText} is not a level of the ${model.title}`))
  }
  if (idx < 0) return { valid: false, level: undefined, problems, warnings, status: 0xa900 }
  const levelDef = model.levels[idx]!
  const above = model.levels.slice(0, idx)
  const allowed = new Set<Tag>(above.map((d) => d.uniqueKey.tag))
  allowed.add(levelDef.uniqueKey.tag)

  for (const d of above) {
    const el = query.get(d.uniqueKey.tag)
    if (el === undefined || isEmptyElement(el)) {
      if (options.relational !== true) {
        problems.push(problem('missing-unique-key', d.uniqueKey.tag, `${d.uniqueKey.keyword} ${formatTag(d.uniqueKey.tag)} of level ${d.level} is required`))
      }
    } else if (valueStrings(el).length !== 1 || matchKindOf(el) !== 'single') {
      if (options.relational !== true) {
        problems.push(problem('unique-key-not-single', d.uniqueKey.tag, `${d.uniqueKey.keyword} ${formatTag(d.uniqueKey.tag)} of level ${d.level} must be a single value`))
      }
    }
  }

  if (operation !== 'FIND') {
    const el = query.get(levelDef.uniqueKey.tag)
    const kind = el === undefined ? 'universal' : matchKindOf(el)
    if (el === undefined || kind === 'universal' || (kind !== 'single' && kind !== 'list-of-uid')) {
      problems.push(problem('missing-unique-key', levelDef.uniqueKey.tag, `${levelDef.uniqueKey.keyword} ${formatTag(levelDef.uniqueKey.tag)} must hold one or more UIDs`))
    }
  }

  for (const el of query) {
    const t = el.tag
    if ((t & 0xffff) === 0 || LEVEL_INDEPENDENT_KEYS.has(t) || allowed.has(t)) continue
    if (operation !== 'FIND') {
      problems.push(problem('key-not-allowed', t, `${formatTag(t)} is not allowed in a C-${operation} identifier`))
      continue
    }
    const keyLevel = levelOfKey(model, t)
    if (keyLevel === undefined) continue // an optional key the model does not list
    const ki = levelIndex(model, keyLevel)
    if (ki > idx) problems.push(problem('key-below-level', t, `${formatTag(t)} belongs to level ${keyLevel}, below ${levelDef.level}`))
    else if (ki < idx && !levelDef.keys.some((x) => x.tag === t)) {
      warnings.push(problem('key-not-allowed', t, `${formatTag(t)} belongs to level ${keyLevel}, above ${levelDef.level}`))
    }
  }
  const valid = problems.length === 0
  return { valid, level: levelDef.level, problems, warnings, status: valid ? undefined : 0xa900 }
}

function emptyValue(vr: VR): ElementValue {
  const kind = VR_INFO[vr].kind
  return kind === 'bulk' ? new Uint8Array(0) : []
}

/**
 * Build one C-FIND response identifier: exactly the keys of the query (return keys) with the
 * matched entity's values (zero length when it has none), plus Query/Retrieve Level, Specific
 * Character Set (the entity's, which the values are in) and, for hierarchical models, the
 * unique keys of the levels above `level`. Sequence keys return the entity's items that match the
 * query item, reduced to the item's keys (all items, whole, when the query item is empty).
 * Keys the SCP answers itself, such as Retrieve AE Title (0008,0054) or Instance Availability
 * (0008,0056), come back as the entity has them (zero length when absent): set them afterwards.
 *
 * @param query the request identifier
 * @param match the matched entity
 * @param level the query level (defaults to the query's Query/Retrieve Level)
 * @param model the information model (adds the higher-level unique keys)
 * @see PS3.4 C.4.1.1.3.2, C.2.2.2.6
 */
export function buildResponse(query: Dataset, match: Dataset, level?: QueryRetrieveLevel, model?: QueryRetrieveModel, options: MatchOptions = {}): Dataset {
  const out = new Dataset(match.context)
  copyKeys(query, match, out, options)
  const cs = match.get(QueryTags.SpecificCharacterSet)
  if (cs !== undefined) out.set(cs)
  else out.delete(QueryTags.SpecificCharacterSet)
  const lv = level ?? (query.string(QueryTags.QueryRetrieveLevel) as QueryRetrieveLevel | undefined)
  if (lv !== undefined) out.set(DataElement.fromValue(QueryTags.QueryRetrieveLevel, 'CS', [lv]))
  if (model !== undefined && lv !== undefined) {
    const idx = levelIndex(model, lv)
    for (const d of model.levels.slice(0, Math.max(0, idx + 1))) {
      if (out.has(d.uniqueKey.tag) && !isEmptyElement(out.get(d.uniqueKey.tag)!)) continue
      if (d.level === lv && !query.has(d.uniqueKey.tag)) continue
      const el = match.get(d.uniqueKey.tag)
      if (el !== undefined) out.set(el)
    }
  }
  return out
}

function copyKeys(query: Dataset, match: Dataset, out: Dataset, options: MatchOptions): void {
  for (const key of query) {
    if ((key.tag & 0xffff) === 0) continue
    const el = match.get(key.tag)
    if (key.vr === 'SQ' && el !== undefined && el.vr === 'SQ') {
      const qItem = key.items[0]
      if (qItem === undefined || qItem.size === 0) {
        out.set(el)
        continue
      }
      const items = el.items.filter((ci) => matchIdentifier(qItem, ci, options)).map((ci) => {
        const sub = new Dataset(ci.context)
        copyKeys(qItem, ci, sub, options)
        return sub
      })
      out.set(DataElement.fromValue(key.tag, 'SQ', items, match.context))
      continue
    }
    out.set(el ?? DataElement.fromValue(key.tag, key.vr, emptyValue(key.vr), match.context))
  }
}

/** Entity attributes computed when instances are collapsed to a level (PS3.4 C.3.4, C.6.1.1). */
function aggregates(group: readonly Dataset[], def: QueryLevelDefinition): DataElement[] {
  const distinct = (t: Tag) => {
    const s = new Set<string>()
    for (const ds of group) {
      const v = ds.string(t)
      if (v !== undefined && v !== '') s.add(v)
    }
    return s
  }
  const is = (t: Tag, n: number) => DataElement.fromValue(t, 'IS', [n])
  const n = group.length
  switch (def.level) {
    case 'PATIENT':
      return [
        is(QueryTags.NumberOfPatientRelatedStudies, distinct(QueryTags.StudyInstanceUID).size),
        is(QueryTags.NumberOfPatientRelatedSeries, distinct(QueryTags.SeriesInstanceUID).size),
        is(QueryTags.NumberOfPatientRelatedInstances, n),
      ]
    case 'STUDY':
      return [
        DataElement.fromValue(QueryTags.ModalitiesInStudy, 'CS', [...distinct(QueryTags.Modality)].sort()),
        DataElement.fromValue(QueryTags.SOPClassesInStudy, 'UI', [...distinct(QueryTags.SOPClassUID)].sort()),
        is(QueryTags.NumberOfStudyRelatedSeries, distinct(QueryTags.SeriesInstanceUID).size),
        is(QueryTags.NumberOfStudyRelatedInstances, n),
      ]
    case 'SERIES':
      return [is(QueryTags.NumberOfSeriesRelatedInstances, n)]
    default:
      return []
  }
}

/**
 * Group instance datasets into the entities of `level` (by the unique keys of that level and
 * the levels above) and give each entity the attributes of its first instance plus the
 * computed counts and summaries of the level (Number of ... Related ..., Modalities in Study,
 * SOP Classes in Study). Instances lacking a unique key of the path are skipped.
 */
export function collapseToLevel(instances: Iterable<Dataset>, model: QueryRetrieveModel, level: QueryRetrieveLevel): Dataset[] {
  const idx = levelIndex(model, level)
  if (idx < 0) return []
  const path = model.levels.slice(0, idx + 1).map((d) => d.uniqueKey.tag)
  const groups = new Map<string, Dataset[]>()
  for (const ds of instances) {
    const ids = path.map((t) => ds.string(t))
    if (ids.some((x) => x === undefined || x === '')) continue
    const key = ids.join('\u0000')
    const g = groups.get(key)
    if (g === undefined) groups.set(key, [ds])
    else g.push(ds)
  }
  const def = model.levels[idx]!
  const out: Dataset[] = []
  for (const group of groups.values()) {
    if (def.level === 'IMAGE') {
      out.push(group[0]!)
      continue
    }
    const first = group[0]!
    const entity = new Dataset(first.context)
    for (const el of first) entity.set(el)
    for (const el of aggregates(group, def)) entity.set(el)
    out.push(entity)
  }
  return out
}

/** Result of {@link hierarchicalFind}. */
export interface FindResult {
  validation: IdentifierValidation
  /** Response identifiers, one per matching entity; empty when the identifier is invalid. */
  responses: Generator<Dataset, void, undefined>
}

/** Options of {@link hierarchicalFind}. */
export interface FindOptions extends MatchOptions {
  /** Relational search (PS3.4 C.4.1.2.2); default false. */
  relational?: boolean
  /**
   * Whether `candidates` are instances to collapse to the query level (default true) or already
   * entities of that level.
   */
  collapse?: boolean
}

/**
 * A C-FIND SCP over an in-memory collection: validate the identifier, collapse the instances to
 * the query level, match each entity and build its response identifier. Responses are produced
 * lazily, so a cancelled find stops early.
 * @see PS3.4 C.4.1.3.1
 */
export function hierarchicalFind(query: Dataset, candidates: Iterable<Dataset>, model: QueryRetrieveModel, options: FindOptions = {}): FindResult {
  const validateOpts: ValidateOptions = { operation: 'FIND' }
  if (options.relational !== undefined) validateOpts.relational = options.relational
  const validation = validateIdentifier(query, model, validateOpts)
  function* run(): Generator<Dataset, void, undefined> {
    const lv = validation.level
    if (!validation.valid || lv === undefined) return
    const entities = options.collapse === false ? candidates : collapseToLevel(candidates, model, lv)
    for (const entity of entities) {
      if (matchIdentifier(query, entity, options)) yield buildResponse(query, entity, lv, model, options)
    }
  }
  return { validation, responses: run() }
}

/**
 * The instances a C-MOVE or C-GET identifier selects: those whose unique keys at and above the
 * level match (list of UID matching at the level). Validate the identifier first with
 * {@link validateIdentifier} and `operation: 'MOVE'` or `'GET'`.
 * @see PS3.4 C.4.2.2.1, C.4.3.2.1
 */
export function selectForRetrieve(query: Dataset, instances: Iterable<Dataset>, model: QueryRetrieveModel): Dataset[] {
  const lv = query.string(QueryTags.QueryRetrieveLevel)
  const idx = lv === undefined ? -1 : levelIndex(model, lv)
  if (idx < 0) return []
  const keys = model.levels.slice(0, idx + 1).map((d) => d.uniqueKey.tag)
  const out: Dataset[] = []
  for (const ds of instances) {
    if (keys.every((t) => { const k = query.get(t); return k === undefined || matchElement(k, ds.get(t)) })) out.push(ds)
  }
  return out
}

/**
 * A Modality Worklist C-FIND SCP over in-memory worklist items: yields the response identifier
 * of every item matching the query (sequence matching applies to the Scheduled Procedure Step
 * Sequence). Lazy, so a cancelled find stops early.
 * @see PS3.4 K.4.1.3.1, C.2.2.2.6
 */
export function* worklistFind(query: Dataset, items: Iterable<Dataset>, options: MatchOptions = {}): Generator<Dataset, void, undefined> {
  for (const item of items) if (matchIdentifier(query, item, options)) yield buildResponse(query, item, undefined, undefined, options)
}
