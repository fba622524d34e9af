/**
 * `dimse echo HOST PORT`: C-ECHO (Verification, PS3.4 Annex A), like DCMTK's echoscu.
 * @module
 */
import { parseArgs } from 'node:util'
import { verificationContext } from '../services/index.js'
import { statusDescription } from '../dimse/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { COMMON_OPTIONS, COMMON_USAGE, hostPort, openAssociation } from './net.js'

const usage = `usage: dimse echo HOST PORT [options]

Send a C-ECHO request and report the round trip.

${COMMON_USAGE}
`

export const echoCommand: CliCommand = {
  name: 'echo',
  summary: 'verify a peer with C-ECHO',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: COMMON_OPTIONS, allowPositionals: true })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    const target = hostPort(positionals, usage)
    const started = performance.now()
    const assoc = await openAssociation(values, target, [verificationContext()], io)
    try {
      const r = await assoc.echo()
      const ms = (performance.now() - started).toFixed(1)
      if (r.status !== 0) throw new CliError(`C-ECHO failed: status 0x${r.status.toString(16).padStart(4, '0')} ${statusDescription(r.status)}`)
      io.stdout(`C-ECHO ${values.aec ?? 'ANY-SCP'}@${target.host}:${target.port}: Success (${ms} ms)\n`)
    } finally {
      await assoc.release().catch(() => assoc.abort())
    }
    return 0
  },
}
