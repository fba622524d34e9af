/**
 * `dimse move` (C-MOVE, like movescu) and `dimse get` (C-GET, like getscu).
 * @module
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { COMMON_STORAGE_SOP_CLASSES, queryContexts, storageContexts, type RetrieveProgress } from '../services/index.js'
import { safeName, writeInstance } from './files.js'
import { statusDescription, statusCategory } from '../dimse/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { COMMON_OPTIONS, COMMON_USAGE, hostPort, openAssociation } from './net.js'
import { QUERY_OPTIONS, QUERY_USAGE, queryFrom } from './keys.js'
import { DEFAULT_PROPOSED_TRANSFER_SYNTAXES } from '../services/contexts.js'

const moveUsage = `usage: dimse move HOST PORT --dest AE [--model M] [--level L] -k KEY=VALUE...

Ask the peer to send the matching instances to AE (C-MOVE).

  --dest AE         the move destination AE title (known to the peer)
${QUERY_USAGE}

${COMMON_USAGE}
`

const getUsage = `usage: dimse get HOST PORT --out DIR [--model M] [--level L] -k KEY=VALUE...

Retrieve the matching instances over the same association (C-GET) into DIR.

  --out DIR         where to write the received instances (Part 10 files)
${QUERY_USAGE}

${COMMON_USAGE}
`

function summary(kind: string, r: RetrieveProgress & { status: number; errorComment?: string }): string {
  const cat = statusCategory(r.status)
  const s = `${kind}: ${cat} (0x${r.status.toString(16).padStart(4, '0')} ${statusDescription(r.status)}) completed ${r.completed ?? 0}, failed ${r.failed ?? 0}, warning ${r.warning ?? 0}`
  return r.failedSopInstanceUids?.length ? `${s}; failed instances: ${r.failedSopInstanceUids.join(', ')}` : s
}

export const moveCommand: CliCommand = {
  name: 'move',
  summary: 'ask a peer to send instances to an AE with C-MOVE',
  usage: moveUsage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...QUERY_OPTIONS, dest: { type: 'string' } }, allowPositionals: true })
    if (values.help) {
      io.stdout(moveUsage)
      return 0
    }
    const target = hostPort(positionals, moveUsage)
    if (!values.dest) throw new CliError(`missing --dest AE\n${moveUsage}`, 2)
    const { model, identifier } = queryFrom(values, false)
    const assoc = await openAssociation(values, target, queryContexts(model, ['move']), io)
    try {
      const op = assoc.move(model, identifier, { destination: values.dest })
      for await (const p of op) if (values.verbose) io.stderr(`pending: remaining ${p.remaining ?? '?'}, completed ${p.completed ?? 0}, failed ${p.failed ?? 0}\n`)
      const r = await op.result
      io.stdout(`${summary('C-MOVE', r)}\n`)
      return statusCategory(r.status) === 'Success' ? 0 : 1
    } finally {
      await assoc.release().catch(() => assoc.abort())
    }
  },
}

export const getCommand: CliCommand = {
  name: 'get',
  summary: 'retrieve instances over the same association with C-GET',
  usage: getUsage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...QUERY_OPTIONS, out: { type: 'string' } }, allowPositionals: true })
    if (values.help) {
      io.stdout(getUsage)
      return 0
    }
    const target = hostPort(positionals, getUsage)
    if (!values.out) throw new CliError(`missing --out DIR\n${getUsage}`, 2)
    const out = values.out
    await mkdir(out, { recursive: true })
    const { model, identifier } = queryFrom(values, false)
    // Role selection: we act as the Storage SCP for the sub-operations (PS3.4 C.4.3, PS3.7 D.3.3.4).
    // At most 128 contexts: the commonest storage classes first.
    const storage = storageContexts(COMMON_STORAGE_SOP_CLASSES, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, { scuRole: false, scpRole: true })
    const contexts = [...queryContexts(model, ['get']), ...storage].slice(0, 128)
    let received = 0
    const assoc = await openAssociation(values, target, contexts, io, {
      onStore: async (rq) => {
        await writeInstance(join(out, `${safeName(rq.sopInstanceUid)}.dcm`), rq)
        received++
        return 0
      },
    })
    try {
      const op = assoc.get(model, identifier)
      for await (const p of op) if (values.verbose) io.stderr(`pending: remaining ${p.remaining ?? '?'}, completed ${p.completed ?? 0}\n`)
      const r = await op.result
      io.stdout(`${summary('C-GET', r)}; ${received} written to ${out}\n`)
      return statusCategory(r.status) === 'Success' ? 0 : 1
    } finally {
      await assoc.release().catch(() => assoc.abort())
    }
  },
}

