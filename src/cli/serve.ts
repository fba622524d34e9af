/**
 * `dimse serve`: a small archive — Verification, Storage (every storage SOP class, uncompressed
 * and the common compressed transfer syntaxes accepted as-is) and Query/Retrieve FIND, MOVE and
 * GET over the Part 10 files in a folder. Logs each association and operation on one line.
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises'
import { timingSafeEqual } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Server, supportedContexts, worklistFind, type PeerAddress, type ServerOptions } from '../services/index.js'
import { SopClass } from '../dataset/index.js'
import { statusCategory } from '../dimse/index.js'
import { trimAeTitle } from '../pdu/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { FileArchive, loadWorklist } from './archive.js'
import { numberOption } from './net.js'
import { UserIdentityType } from '../pdu/types.js'

const usage = `usage: dimse serve --storage DIR [--port P] [--aet AE] [--peer AE=HOST:PORT]... [options]

Run an archive: C-ECHO, C-STORE into DIR, C-FIND / C-MOVE / C-GET over the files in DIR.

  --storage DIR     where instances are stored (Part 10 files; indexed at start)
  --port P          TCP port (default 11112; 0 picks a free one)
  --host H          interface to bind (default 127.0.0.1; 0.0.0.0 for all)
  --aet AE          our AE title (default DIMSE)
  --peer AE=HOST:PORT   a C-MOVE destination (repeatable)
  --max-pdu N       our maximum PDU length (default 262144)
  --max-associations N  associations at once (default 64)
  --timeout S       ACSE timeout, and DIMSE timeout for the responses we wait for (C-GET and
                    C-MOVE sub-operations), in seconds (default 30)
  --tls-cert F --tls-key F [--tls-ca F]   TLS (with --tls-ca: require client certificates)
  --user U --password P   require this user identity (username and passcode; PS3.7 D.3.3.7):
                    associations without it, or with another one, get A-ASSOCIATE-RJ
  --async-ops N     grant an asynchronous operations window of up to N outstanding requests
                    (PS3.7 D.3.3.3) to requestors that propose one (default 16; 1 = never)
  --worklist DIR    answer Modality Worklist C-FIND from the items in DIR (DICOM JSON
                    *.json files, or Part 10 files)
  --quiet           no per-operation log lines
`

const OPTIONS = {
  storage: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  aet: { type: 'string' },
  peer: { type: 'string', multiple: true },
  'max-pdu': { type: 'string' },
  'max-associations': { type: 'string' },
  timeout: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'async-ops': { type: 'string' },
  worklist: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Compare a received identity field with the configured text without an early exit. */
function sameBytes(received: Uint8Array, expected: string): boolean {
  const want = new TextEncoder().encode(expected)
  return received.length === want.length && timingSafeEqual(received, want)
}

/** Default `--async-ops` of `dimse serve`. */
export const SERVE_ASYNC_OPS = 16

/** A running `dimse serve`, as {@link startServe} returns it. */
export interface RunningServe {
  server: Server
  archive: FileArchive
  /** Where it listens. */
  address: { host: string; port: number }
  /** Stop listening and abort open associations. */
  close(): Promise<void>
}

/**
 * Start the archive server of `dimse serve` with the command's arguments and return once it
 * listens (the command itself then waits for SIGINT/SIGTERM). Usable in-process, e.g. by tests.
 */
export async function startServe(args: string[], io: CliIo): Promise<RunningServe> {
  const { values } = parseArgs({ args, options: OPTIONS })
  if (!values.storage) throw new CliError(`missing --storage DIR\n${usage}`, 2)
  const peers: Record<string, PeerAddress> = {}
  for (const p of values.peer ?? []) {
    const m = /^([^=]+)=(.+):(\d+)$/.exec(p)
    if (!m) throw new CliError(`invalid --peer ${p} (AE=HOST:PORT)`, 2)
    peers[m[1]!] = { host: m[2]!, port: Number(m[3]) }
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new CliError('--tls-cert and --tls-key go together', 2)
  if (values['tls-ca'] !== undefined && values['tls-cert'] === undefined) throw new CliError('--tls-ca needs --tls-cert and --tls-key', 2)
  if (values.password !== undefined && values.user === undefined) throw new CliError('--password needs --user', 2)
  await mkdir(values.storage, { recursive: true })
  const archive = new FileArchive(values.storage)
  const { indexed, skipped } = await archive.load()
  const worklist = values.worklist !== undefined ? await loadWorklist(values.worklist).catch((e: unknown) => {
    throw new CliError(`cannot read --worklist ${values.worklist}: ${e instanceof Error ? e.message : String(e)}`)
  }) : undefined
  const log = (line: string) => {
    if (!values.quiet) io.stdout(`${new Date().toISOString()} ${line}\n`)
  }
  const aet = values.aet ?? 'DIMSE'
  const timeoutMs = numberOption(values.timeout, 'timeout', 30) * 1000
  const tls =
    values['tls-cert'] && values['tls-key']
      ? {
          cert: await readFile(values['tls-cert']),
          key: await readFile(values['tls-key']),
          // With a CA: mutual TLS, clients without a certificate signed by it are refused.
          ...(values['tls-ca'] ? { ca: await readFile(values['tls-ca']), requestCert: true, rejectUnauthorized: true } : {}),
        }
      : undefined
  // Without --worklist the Modality Worklist FIND context is not accepted at all (rather than
  // accepted and answered with no matches).
  const contexts = supportedContexts({ verification: true, storage: true, find: true, move: true, get: true }).filter(
    (c) => worklist !== undefined || c.abstractSyntax !== SopClass.ModalityWorklistInformationModelFind,
  )
  const window = Math.floor(numberOption(values['async-ops'], 'async-ops', SERVE_ASYNC_OPS))
  if (window < 1 || window > 0xffff) throw new CliError(`invalid --async-ops ${values['async-ops']} (1..65535)`, 2)
  const options: ServerOptions = {
    aeTitle: aet,
    contexts,
    handlers: {
      store: archive.store,
      find: (rq) => {
        if (rq.sopClassUid === SopClass.ModalityWorklistInformationModelFind) return worklist ? worklistFind(rq.identifier, worklist.items) : []
        return archive.find(rq)
      },
      move: archive.retrieve,
      get: archive.retrieve,
    },
    peers,
    maxPduLength: numberOption(values['max-pdu'], 'max-pdu', 262144),
    maxAssociations: numberOption(values['max-associations'], 'max-associations', 64),
    timeouts: { acseMs: timeoutMs, connectMs: timeoutMs },
    dimseTimeoutMs: timeoutMs,
    ...(tls ? { tls } : {}),
    ...(values.user !== undefined
      ? {
          // PS3.7 D.3.3.7: a requestor without user identity, or with a wrong one, is rejected.
          userIdentity: (id) => {
            const ok =
              sameBytes(id.primaryField, values.user!) &&
              (values.password === undefined || (id.type === UserIdentityType.UsernameAndPasscode && sameBytes(id.secondaryField, values.password)))
            return ok ? { accept: true } : { accept: false }
          },
          // No User Identity item at all: rejected too (permanent, service-user, no reason given).
          accept: (rq) => (rq.userInformation.userIdentityRq ? undefined : { result: 1, source: 1, reason: 1 }),
        }
      : {}),
  }
  // PS3.7 D.3.3.3: a requestor that proposes a window may keep this many requests outstanding
  // (`dimse store` pipelines its C-STOREs); the Server runs each request as it arrives.
  if (window > 1) options.asyncOps = { maxOperationsInvoked: window, maxOperationsPerformed: 1 }
  const server = new Server(options)
  server.on('association', (a) => {
    log(`association from ${trimAeTitle(a.callingAeTitle)} (${a.remote}) to ${trimAeTitle(a.calledAeTitle)}: ${a.acceptedContexts.length} contexts accepted`)
    a.on('released', () => log(`association from ${trimAeTitle(a.callingAeTitle)} released`))
    a.on('aborted', (e) => log(`association from ${trimAeTitle(a.callingAeTitle)} aborted: ${e.message}`))
  })
  // With --quiet no listener: the line is not even built.
  if (!values.quiet) server.on('operation', (e) =>
    log(`${e.operation} from ${trimAeTitle(e.callingAeTitle)}: ${statusCategory(e.status)} (0x${e.status.toString(16).padStart(4, '0')}) ${e.durationMs} ms${e.detail ? ` ${e.detail}` : ''}`),
  )
  server.on('error', (e) => log(`error: ${e.message}`))
  await server.listen(values.port === undefined ? 11112 : numberOption(values.port, 'port', 11112), values.host ?? '127.0.0.1')
  const address = server.address()
  const notes = [
    ...(skipped.length ? [`${skipped.length} unreadable files skipped`] : []),
    ...(worklist ? [`${worklist.items.length} worklist items${worklist.skipped.length ? `, ${worklist.skipped.length} unreadable` : ''}`] : []),
    ...(tls ? [tls.requestCert ? 'TLS with client certificates' : 'TLS'] : []),
  ]
  io.stdout(`dimse serve: ${aet} listening on ${address.host}:${address.port}, ${indexed} instances in ${values.storage}${notes.length ? ` (${notes.join('; ')})` : ''}\n`)
  return { server, archive, address, close: () => server.close({ abort: true }) }
}

/** `dimse serve`: {@link startServe}, then wait for SIGINT/SIGTERM and close. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run a storage and query/retrieve SCP over a folder',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args, options: OPTIONS })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    const running = await startServe(args, io)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await running.close()
    io.stdout('dimse serve: stopped\n')
    return 0
  },
}
