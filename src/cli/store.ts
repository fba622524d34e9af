/**
 * `dimse store HOST PORT PATH...`: C-STORE files and folders (recursively), like DCMTK's
 * storescu. Files are sent in their own transfer syntax when the peer accepts it (streamed from
 * disk, never held whole), converted between uncompressed syntaxes otherwise.
 * @module
 */
import { createReadStream } from 'node:fs'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { isUncompressed } from '../dataset/index.js'
import { statusCategory, statusDescription } from '../dimse/index.js'
import { contextsForInstances, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, type ClientAssociation, type ProposedContext } from '../services/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { COMMON_OPTIONS, COMMON_USAGE, hostPort, openAssociation } from './net.js'
import { readPart10Header } from './files.js'

const usage = `usage: dimse store HOST PORT PATH... [options]

Send DICOM files (folders are searched recursively) with C-STORE.

${COMMON_USAGE}
`

/** One file to send, from its header. */
export interface StoreFile {
  path: string
  size: number
  sopClassUid: string
  sopInstanceUid: string
  transferSyntaxUid: string
  datasetOffset: number
}

/** List files under the given paths (recursively). */
export async function listFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => undefined)
    if (!s) throw new CliError(`${p}: no such file or directory`)
    if (s.isDirectory()) {
      const entries = (await readdir(p)).sort()
      for (const e of entries) await walk(join(p, e))
    } else if (s.isFile()) out.push(p)
  }
  for (const p of paths) await walk(p)
  return out
}

/** Read the header of a Part 10 file (up to the first 256 KiB when it fits). */
export async function readHeader(path: string): Promise<StoreFile> {
  const h = await readPart10Header(path, 0x00090000, 256 * 1024)
  return { path, size: h.size, sopClassUid: h.sopClassUid, sopInstanceUid: h.sopInstanceUid, transferSyntaxUid: h.file.transferSyntaxUid, datasetOffset: h.file.datasetOffset }
}

/** Contexts for a set of files (see contextsForInstances). */
export function contextsForFiles(files: readonly StoreFile[]): ProposedContext[] {
  return contextsForInstances(files)
}

/** Files up to this size are read whole, the next one while the current one is being sent. */
export const PREFETCH_MAX_BYTES = 8 * 1024 * 1024

/** Read a file whole when it is small enough to prefetch (else undefined: it will be streamed). */
export async function prefetchFile(f: StoreFile): Promise<Uint8Array | undefined> {
  if (f.size > PREFETCH_MAX_BYTES) return undefined
  const b = await readFile(f.path)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Send one file: from `whole` (its bytes, already read) or streamed from disk when its syntax
 * was accepted, converted otherwise.
 */
export async function storeFile(assoc: ClientAssociation, f: StoreFile, whole?: Uint8Array): Promise<{ status: number; errorComment?: string }> {
  const same = assoc.acceptedContexts.some((c) => c.abstractSyntax === f.sopClassUid && c.transferSyntax === f.transferSyntaxUid)
  if (same && whole) {
    return assoc.store({ sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid, transferSyntaxUid: f.transferSyntaxUid, body: whole.subarray(f.datasetOffset) })
  }
  if (same) {
    return assoc.store({
      sopClassUid: f.sopClassUid,
      sopInstanceUid: f.sopInstanceUid,
      transferSyntaxUid: f.transferSyntaxUid,
      // Chunks of exactly one PDV fragment: each goes out as a view, never re-assembled by a copy.
      body: createReadStream(f.path, { start: f.datasetOffset, highWaterMark: readChunkSize(assoc) }),
    })
  }
  if (!isUncompressed(f.transferSyntaxUid)) throw new Error(`transfer syntax ${f.transferSyntaxUid} not accepted and cannot be converted`)
  return assoc.store({ file: whole ?? (await readFile(f.path)) })
}

/**
 * File read size for streaming a dataset: the largest PDV fragment the peer takes (its maximum
 * PDU length less the PDV header, PS3.8 §9.3.5), so every read chunk is one fragment and is sent
 * without being copied; capped at 4 MiB (peers that announce no limit) and kept even (DCMTK
 * refuses odd fragments).
 */
export function readChunkSize(assoc: ClientAssociation): number {
  const n = Math.min(assoc.association.maxPdvDataLength, 4 * 1024 * 1024)
  return Math.max(2, n - (n % 2))
}

export const storeCommand: CliCommand = {
  name: 'store',
  summary: 'send DICOM files with C-STORE',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: COMMON_OPTIONS, allowPositionals: true })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    const target = hostPort(positionals, usage)
    const paths = positionals.slice(2)
    if (paths.length === 0) throw new CliError(`no files given\n${usage}`, 2)
    const files: StoreFile[] = []
    let failed = 0
    for (const p of await listFiles(paths)) {
      try {
        files.push(await readHeader(p))
      } catch (e) {
        failed++
        io.stderr(`dimse: ${p}: not sent: ${e instanceof Error ? e.message : String(e)}\n`)
      }
    }
    const tty = process.stderr.isTTY === true
    const started = performance.now()
    let stored = 0
    let bytes = 0
    // At most 128 presentation contexts per association (PS3.8 §9.3.2.2: IDs 1..255, odd).
    for (const batch of batches(files)) {
      if (batch.length === 0) continue
      const assoc = await openAssociation(values, target, contextsForFiles(batch), io)
      try {
        // Small files are read one ahead, so that disk latency overlaps the network exchange.
        let next = batch[0] ? prefetchFile(batch[0]) : undefined
        for (let i = 0; i < batch.length; i++) {
          const f = batch[i]!
          const current = next
          next = batch[i + 1] ? prefetchFile(batch[i + 1]!) : undefined
          next?.catch(() => undefined)
          try {
            const r = await storeFile(assoc, f, await current)
            const cat = statusCategory(r.status)
            if (cat === 'Success' || cat === 'Warning') {
              stored++
              bytes += f.size
              if (cat === 'Warning') io.stderr(`dimse: ${f.path}: warning 0x${r.status.toString(16).padStart(4, '0')} ${statusDescription(r.status)}\n`)
            } else {
              failed++
              io.stderr(`dimse: ${f.path}: failed 0x${r.status.toString(16).padStart(4, '0')} ${statusDescription(r.status)}${r.errorComment ? ` (${r.errorComment})` : ''}\n`)
            }
          } catch (e) {
            if (assoc.channel.failed) throw e
            failed++
            io.stderr(`dimse: ${f.path}: failed: ${e instanceof Error ? e.message : String(e)}\n`)
          }
          if (tty) {
            const s = (performance.now() - started) / 1000
            io.stderr(`\r${stored + failed}/${files.length} instances, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6 / Math.max(s, 1e-3)).toFixed(1)} MB/s`)
          }
        }
      } finally {
        await assoc.release().catch(() => assoc.abort())
      }
    }
    if (tty) io.stderr('\n')
    const s = (performance.now() - started) / 1000
    io.stdout(`stored ${stored}, failed ${failed}; ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s (${(bytes / 1e6 / Math.max(s, 1e-3)).toFixed(1)} MB/s)\n`)
    return failed > 0 ? 1 : 0
  },
}

/** Split files so that each association proposes at most 128 contexts (counted as contextsForInstances does). */
function batches(files: StoreFile[]): StoreFile[][] {
  const out: StoreFile[][] = []
  let cur: StoreFile[] = []
  let seen = new Set<string>()
  let count = 0
  for (const f of files) {
    const keys = [`${f.sopClassUid}`]
    if (!DEFAULT_PROPOSED_TRANSFER_SYNTAXES.includes(f.transferSyntaxUid)) keys.push(`${f.sopClassUid}|${f.transferSyntaxUid}`)
    const fresh = keys.filter((k) => !seen.has(k))
    if (count + fresh.length > 128 && cur.length > 0) {
      out.push(cur)
      cur = []
      seen = new Set()
      count = 0
    }
    for (const k of keys) if (!seen.has(k)) {
      seen.add(k)
      count++
    }
    cur.push(f)
  }
  out.push(cur)
  return out
}
