/**
 * What the network commands share: the common flags (`--aet`, `--aec`, `--timeout`,
 * `--max-pdu`, TLS, user identity, `-v`), query keys (`-k KEY=VALUE`), and opening an
 * association. Only the public API is used.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { ParseArgsConfig } from 'node:util'
import { Client, type AssociateOptions, type ClientAssociation } from '../services/index.js'
import type { ProposedContext } from '../association/index.js'
import { Dataset, lookupTag, parseTag, resolveTag, type VR, VR_INFO, tagOfKeyword } from '../dataset/index.js'
import { summarizePdu } from '../pdu/index.js'
import { UserIdentityType } from '../pdu/types.js'
import { CliError, type CliIo } from './io.js'

/** parseArgs options every network command accepts. */
export const COMMON_OPTIONS = {
  aet: { type: 'string' },
  aec: { type: 'string' },
  timeout: { type: 'string' },
  'max-pdu': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export const COMMON_USAGE = `common options:
  --aet AE          our (calling) AE title (default DIMSE)
  --aec AE          the called AE title (default ANY-SCP)
  --timeout S       connect/ACSE/DIMSE timeout in seconds (default 30)
  --max-pdu N       our maximum PDU length (default 262144)
  --tls-cert F --tls-key F   use TLS with this client certificate and key
  --tls-ca F        use TLS, trusting this CA (PEM) for the peer's certificate
                    (without it, the system's CAs; either flag turns TLS on)
  --user U [--password P]    user identity negotiation (PS3.7 D.3.3.7)
  -v, --verbose     log PDUs and DIMSE messages to stderr`

/** Values of the common options after parseArgs. */
export interface CommonValues {
  aet?: string
  aec?: string
  timeout?: string
  'max-pdu'?: string
  'tls-cert'?: string
  'tls-key'?: string
  'tls-ca'?: string
  user?: string
  password?: string
  verbose?: boolean
}

/** HOST PORT from positionals. */
export function hostPort(positionals: string[], usage: string): { host: string; port: number } {
  const [host, portText] = positionals
  if (host === undefined || portText === undefined) throw new CliError(`missing HOST PORT\n${usage}`, 2)
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`invalid port ${portText}`, 2)
  return { host, port }
}

/** A positive number option, or the default. */
export function numberOption(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw new CliError(`invalid --${name} ${text}`, 2)
  return n
}

/** Open an association with the common options applied. */
export async function openAssociation(
  v: CommonValues,
  target: { host: string; port: number },
  presentationContexts: ProposedContext[],
  io: CliIo,
  extra: Partial<AssociateOptions> = {},
): Promise<ClientAssociation> {
  const timeoutMs = numberOption(v.timeout, 'timeout', 30) * 1000
  const options: AssociateOptions = {
    host: target.host,
    port: target.port,
    calledAeTitle: v.aec ?? 'ANY-SCP',
    callingAeTitle: v.aet ?? 'DIMSE',
    presentationContexts,
    maxPduLength: numberOption(v['max-pdu'], 'max-pdu', 262144),
    timeouts: { connectMs: timeoutMs, acseMs: timeoutMs },
    dimseTimeoutMs: timeoutMs,
    ...extra,
  }
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new CliError('--tls-cert and --tls-key go together', 2)
  if (v.password !== undefined && v.user === undefined) throw new CliError('--password needs --user', 2)
  if (v['tls-cert'] || v['tls-ca']) {
    options.tls = {
      ...(v['tls-cert'] ? { cert: readFileSync(v['tls-cert']) } : {}),
      ...(v['tls-key'] ? { key: readFileSync(v['tls-key']) } : {}),
      ...(v['tls-ca'] ? { ca: readFileSync(v['tls-ca']) } : {}),
    }
  }
  if (v.user !== undefined) {
    options.userIdentity =
      v.password !== undefined
        ? { type: UserIdentityType.UsernameAndPasscode, primaryField: v.user, secondaryField: v.password }
        : { type: UserIdentityType.Username, primaryField: v.user }
  }
  const client = new Client({ aeTitle: options.callingAeTitle ?? 'DIMSE' })
  try {
    const assoc = await client.associate(options)
    if (v.verbose) {
      assoc.association.on('pdu', (e) => io.stderr(`${e.direction === 'sent' ? '>>' : '<<'} ${e.summary}\n`))
    }
    return assoc
  } catch (e) {
    throw new CliError(`cannot associate with ${v.aec ?? 'ANY-SCP'} at ${target.host}:${target.port}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Log a PDU summary line when verbose (used before the association exists too). */
export { summarizePdu }

/**
 * Parse `-k` query keys: `Keyword=value`, `gggg,eeee=value`, or a key alone (a return key with
 * an empty value). `Seq.Key=value` sets a key inside the first item of a sequence.
 */
export function parseKeys(keys: readonly string[], into: Dataset = new Dataset()): Dataset {
  for (const k of keys) {
    const eq = k.indexOf('=')
    const path = (eq < 0 ? k : k.slice(0, eq)).trim()
    const value = eq < 0 ? '' : k.slice(eq + 1)
    setPath(into, path.split('.'), value)
  }
  return into
}

function tagOf(name: string): number {
  const t = parseTag(name) ?? tagOfKeyword(name)
  if (t === undefined) throw new CliError(`unknown key ${name}`, 2)
  return t
}

function setPath(ds: Dataset, path: string[], value: string): void {
  const [head, ...rest] = path
  const t = tagOf(head!.replace(/\[\d+\]$/, ''))
  const vr: VR = lookupTag(t)?.vr[0] ?? 'UN'
  if (rest.length > 0 || vr === 'SQ') {
    let items = ds.get(t)?.items
    if (!items || items.length === 0) {
      items = [new Dataset(ds.context)]
      ds.set(t, 'SQ', items)
    }
    if (rest.length > 0) setPath(items[0]!, rest, value)
    return
  }
  ds.set(resolveTag(t), vr, valueFor(vr, value))
}

function valueFor(vr: VR, text: string): string[] | number[] | Uint8Array {
  if (text === '') return VR_INFO[vr].kind === 'bulk' ? new Uint8Array(0) : []
  const parts = text.split('\\')
  switch (VR_INFO[vr].kind) {
    case 'binary-number':
    case 'number-string':
      return parts.map((p) => {
        const n = Number(p)
        if (Number.isNaN(n)) throw new CliError(`value ${p} is not a number (${vr})`, 2)
        return n
      })
    case 'tag':
      return parts.map((p) => tagOf(p))
    case 'bulk':
      return new TextEncoder().encode(text)
    default:
      return parts
  }
}
