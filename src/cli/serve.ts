/**
 * `dimse serve`: a small archive — Verification, Storage (every storage SOP class, uncompressed
 * and the common compressed transfer syntaxes accepted as-is) and Query/Retrieve FIND, MOVE and
 * GET over the Part 10 files in a folder. Logs each association and operation on one line.
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Server, type PeerAddress } from '../services/index.js'
import { statusCategory } from '../dimse/index.js'
import { trimAeTitle } from '../pdu/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { FileArchive } from './archive.js'
import { numberOption } from './net.js'

const usage = `usage: dimse serve --storage DIR [--port P] [--aet AE] [--peer AE=HOST:PORT]... [options]

Run an archive: C-ECHO, C-STORE into DIR, C-FIND / C-MOVE / C-GET over the files in DIR.

  --storage DIR     where instances are stored (Part 10 files; indexed at start)
  --port P          TCP port (default 11112; 0 picks a free one)
  --host H          interface to bind (default 127.0.0.1; 0.0.0.0 for all)
  --aet AE          our AE title (default DIMSE)
  --peer AE=HOST:PORT   a C-MOVE destination (repeatable)
  --max-pdu N       our maximum PDU length (default 262144)
  --max-associations N  associations at once (default 64)
  --tls-cert F --tls-key F [--tls-ca F]   TLS (with --tls-ca: require client certificates)
  --user U --password P   require this user identity (username and passcode)
  --quiet           no per-operation log lines
`

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run a storage and query/retrieve SCP over a folder',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        storage: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        aet: { type: 'string' },
        peer: { type: 'string', multiple: true },
        'max-pdu': { type: 'string' },
        'max-associations': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    if (!values.storage) throw new CliError(`missing --storage DIR\n${usage}`, 2)
    const peers: Record<string, PeerAddress> = {}
    for (const p of values.peer ?? []) {
      const m = /^([^=]+)=(.+):(\d+)$/.exec(p)
      if (!m) throw new CliError(`invalid --peer ${p} (AE=HOST:PORT)`, 2)
      peers[m[1]!] = { host: m[2]!, port: Number(m[3]) }
    }
    await mkdir(values.storage, { recursive: true })
    const archive = new FileArchive(values.storage)
    const { indexed, skipped } = await archive.load()
    const log = (line: string) => {
      if (!values.quiet) io.stdout(`${new Date().toISOString()} ${line}\n`)
    }
    const aet = values.aet ?? 'DIMSE'
    const tls =
      values['tls-cert'] && values['tls-key']
        ? {
            cert: await readFile(values['tls-cert']),
            key: await readFile(values['tls-key']),
            ...(values['tls-ca'] ? { ca: await readFile(values['tls-ca']), requestCert: true } : {}),
          }
        : undefined
    const server = new Server({
      aeTitle: aet,
      handlers: {
        store: archive.store,
        find: (rq) => archive.find(rq),
        move: archive.retrieve,
        get: archive.retrieve,
      },
      peers,
      maxPduLength: numberOption(values['max-pdu'], 'max-pdu', 262144),
      maxAssociations: numberOption(values['max-associations'], 'max-associations', 64),
      ...(tls ? { tls } : {}),
      ...(values.user !== undefined
        ? {
            userIdentity: (id) => {
              const user = new TextDecoder().decode(id.primaryField)
              const pass = new TextDecoder().decode(id.secondaryField)
              return user === values.user && (values.password === undefined || pass === values.password) ? { accept: true } : { accept: false }
            },
          }
        : {}),
    })
    server.on('association', (a) => {
      log(`association from ${trimAeTitle(a.callingAeTitle)} (${a.remote}) to ${trimAeTitle(a.calledAeTitle)}: ${a.acceptedContexts.length} contexts accepted`)
      a.on('released', () => log(`association from ${trimAeTitle(a.callingAeTitle)} released`))
      a.on('aborted', (e) => log(`association from ${trimAeTitle(a.callingAeTitle)} aborted: ${e.message}`))
    })
    server.on('operation', (e) =>
      log(`${e.operation} from ${trimAeTitle(e.callingAeTitle)}: ${statusCategory(e.status)} (0x${e.status.toString(16).padStart(4, '0')}) ${e.durationMs} ms${e.detail ? ` ${e.detail}` : ''}`),
    )
    server.on('error', (e) => log(`error: ${e.message}`))
    await server.listen(values.port === undefined ? 11112 : numberOption(values.port, 'port', 11112), values.host ?? '127.0.0.1')
    const addr = server.address()
    io.stdout(`dimse serve: ${aet} listening on ${addr.host}:${addr.port}, ${indexed} instances in ${values.storage}${skipped.length ? ` (${skipped.length} unreadable files skipped)` : ''}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close({ abort: true })
    io.stdout('dimse serve: stopped\n')
    return 0
  },
}
