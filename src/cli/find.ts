/**
 * `dimse find HOST PORT -k KEY=VALUE...`: C-FIND (PS3.4 Annex C, K), like DCMTK's findscu.
 * Prints a table of the matches, or one line of DICOM JSON per match with `--json`.
 * @module
 */
import { parseArgs } from 'node:util'
import { queryContexts } from '../services/index.js'
import { statusDescription } from '../dimse/index.js'
import { datasetToJson, formatTag, lookupTag, type Dataset } from '../dataset/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { COMMON_OPTIONS, COMMON_USAGE, hostPort, openAssociation } from './net.js'
import { QUERY_OPTIONS, QUERY_USAGE, queryFrom } from './keys.js'

const usage = `usage: dimse find HOST PORT [--model M] [--level L] -k KEY[=VALUE]... [--json]

Query with C-FIND and print the matches.

${QUERY_USAGE}
  --json            print each match as one line of DICOM JSON

${COMMON_USAGE}
`

export const findCommand: CliCommand = {
  name: 'find',
  summary: 'query a peer with C-FIND',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...QUERY_OPTIONS, json: { type: 'boolean' } },
      allowPositionals: true,
    })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    const target = hostPort(positionals, usage)
    const { model, identifier } = queryFrom(values, true)
    const assoc = await openAssociation(values, target, queryContexts(model, ['find']), io)
    const rows: Dataset[] = []
    try {
      const op = assoc.find(model, identifier)
      for await (const m of op) {
        if (values.json) io.stdout(`${JSON.stringify(datasetToJson(m.identifier))}\n`)
        else rows.push(m.identifier)
      }
      const r = await op.result
      if (r.status !== 0) throw new CliError(`C-FIND failed: status 0x${r.status.toString(16).padStart(4, '0')} ${statusDescription(r.status)}${r.errorComment ? ` (${r.errorComment})` : ''}`)
    } finally {
      await assoc.release().catch(() => assoc.abort())
    }
    if (!values.json) io.stdout(table(identifier, rows))
    return 0
  },
}

/** A plain text table: one column per query key (level and charset left out), one row per match. */
function table(query: Dataset, rows: Dataset[]): string {
  const tags = query.elements().map((e) => e.tag).filter((t) => t !== 0x00080052 && t !== 0x00080005)
  const head = tags.map((t) => lookupTag(t)?.keyword || formatTag(t))
  const cells = rows.map((r) => tags.map((t) => cell(r, t)))
  const width = head.map((h, i) => Math.min(40, Math.max(h.length, ...cells.map((c) => c[i]!.length))))
  const line = (c: string[]) => c.map((x, i) => x.slice(0, 40).padEnd(width[i]!)).join('  ').trimEnd()
  return [line(head), ...cells.map(line), `${rows.length} match${rows.length === 1 ? '' : 'es'}`, ''].join('\n')
}

function cell(ds: Dataset, t: number): string {
  const el = ds.get(t)
  if (!el) return ''
  if (el.vr === 'SQ') return `(${el.items.length} item${el.items.length === 1 ? '' : 's'})`
  return el.strings.join('\\')
}
