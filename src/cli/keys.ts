/**
 * Options shared by find, move and get: the information model, the level and `-k` keys.
 * @module
 */
import type { ParseArgsConfig } from 'node:util'
import { Dataset } from '../dataset/index.js'
import type { QueryModel } from '../services/index.js'
import { CliError } from './io.js'
import { parseKeys } from './net.js'

export const QUERY_OPTIONS = {
  model: { type: 'string', short: 'm' },
  level: { type: 'string', short: 'l' },
  key: { type: 'string', short: 'k', multiple: true },
} as const satisfies ParseArgsConfig['options']

export const QUERY_USAGE = `query options:
  --model M         patient | study | worklist (find only) | patient-study (default study)
  --level L         PATIENT | STUDY | SERIES | IMAGE (default STUDY; not for worklist)
  -k KEY=VALUE      a matching key (keyword or gggg,eeee; Seq.Key for a key in a sequence item)
  -k KEY            a return key`

const MODELS: Record<string, QueryModel> = {
  patient: 'patient',
  study: 'study',
  worklist: 'worklist',
  'patient-study': 'patient-study',
}

/** Model and identifier from the query options. */
export function queryFrom(values: { model?: string; level?: string; key?: string[] }, allowWorklist: boolean): { model: QueryModel; identifier: Dataset } {
  const model = MODELS[(values.model ?? 'study').toLowerCase()]
  if (!model || (model === 'worklist' && !allowWorklist)) throw new CliError(`unknown model ${values.model}`, 2)
  const identifier = new Dataset()
  if (model !== 'worklist') {
    const level = (values.level ?? 'STUDY').toUpperCase()
    if (!['PATIENT', 'STUDY', 'SERIES', 'IMAGE'].includes(level)) throw new CliError(`unknown level ${values.level}`, 2)
    identifier.set('QueryRetrieveLevel', 'CS', [level])
  }
  parseKeys(values.key ?? [], identifier)
  return { model, identifier }
}
