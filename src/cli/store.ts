/**
 * `dimse store HOST PORT PATH...`: C-STORE files and folders (recursively), like DCMTK's
 * storescu. Files are sent in their own transfer syntax when the peer accepts it (streamed from
 * disk, never held whole), converted between uncompressed syntaxes otherwise.
 * @module
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { isUncompressed } from '../dataset/index.js'
import { statusCategory, statusDescription } from '../dimse/index.js'
import { contextsForInstances, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, type ClientAssociation, type ProposedContext } from '../services/index.js'
import { CliError, type CliCommand, type CliIo } from './io.js'
import { gcEvery } from './memory.js'
import { COMMON_OPTIONS, COMMON_USAGE, hostPort, numberOption, openAssociation } from './net.js'
import { readPart10HeaderSync } from './files.js'

/** Default `--async-ops`: C-STOREs kept outstanding when the peer grants the window. */
export const DEFAULT_ASYNC_OPS = 8

const usage = `usage: dimse store HOST PORT PATH... [options]

Send DICOM files (folders are searched recursively) with C-STORE.

  --async-ops N     propose an asynchronous operations window of N outstanding C-STOREs
                    (PS3.7 D.3.3.3; default ${DEFAULT_ASYNC_OPS}); used only as far as the peer grants it
                    (peers that do not answer it get one at a time); 1 = do not propose

${COMMON_USAGE}
`

const OPTIONS = { ...COMMON_OPTIONS, 'async-ops': { type: 'string' } } as const

/** One file to send, from its header. */
export interface StoreFile {
  path: string
  size: number
  sopClassUid: string
  sopInstanceUid: string
  transferSyntaxUid: string
  datasetOffset: number
}

/**
 * List files under the given paths (recursively, in name order). Synchronous: one readdir per
 * folder (entry types come with it) instead of a thread-pool stat per file; symbolic links are
 * followed.
 */
export async function listFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  const walk = (p: string, known?: 'file' | 'dir'): void => {
    let kind = known
    if (kind === undefined) {
      const s = statSync(p, { throwIfNoEntry: false })
      if (!s) throw new CliError(`${p}: no such file or directory`)
      kind = s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined
    }
    if (kind === 'file') out.push(p)
    else if (kind === 'dir') {
      const entries = readdirSync(p, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      for (const e of entries) walk(join(p, e.name), e.isDirectory() ? 'dir' : e.isFile() ? 'file' : undefined)
    }
  }
  for (const p of paths) walk(p)
  return out
}

/**
 * Read the header of a Part 10 file: its File Meta Information when that is complete, else the
 * dataset up to group 0009 (from the first 256 KiB when it fits).
 */
export async function readHeader(path: string): Promise<StoreFile> {
  const h = readPart10HeaderSync(path, 0x00090000, 256 * 1024)
  return { path, size: h.size, sopClassUid: h.sopClassUid, sopInstanceUid: h.sopInstanceUid, transferSyntaxUid: h.file.transferSyntaxUid, datasetOffset: h.file.datasetOffset }
}

/** Contexts for a set of files (see contextsForInstances). */
export function contextsForFiles(files: readonly StoreFile[]): ProposedContext[] {
  return contextsForInstances(files)
}

/** Prefetched bytes of outstanding C-STOREs, at most (one file is always allowed). */
export const PREFETCH_BUDGET_BYTES = 16 * 1024 * 1024

/** Files up to this size are read whole, ahead of their turn; larger ones are streamed. */
export const PREFETCH_MAX_BYTES = 8 * 1024 * 1024

/**
 * Reusable read buffers for whole files. A fresh buffer per file costs a page fault per 4 KiB on
 * first touch (and garbage for the collector): on the benchmark machine reading a 512 KiB file
 * into a fresh buffer took 0.2-1.5 ms, into a reused one 0.05 ms. A buffer may be given back
 * only once nothing can still be sending from it (see {@link storeBatch}).
 */
export class ReadBufferPool {
  readonly #free: Uint8Array[] = []
  #freeBytes = 0
  readonly #maxBuffers: number
  readonly #maxBytes: number

  /**
   * @param maxBuffers buffers kept for reuse at most (others are left to the collector)
   * @param maxBytes bytes kept for reuse at most
   */
  constructor(maxBuffers: number, maxBytes: number = PREFETCH_BUDGET_BYTES) {
    this.#maxBuffers = maxBuffers
    this.#maxBytes = maxBytes
  }

  /** A buffer of at least `n` bytes (its content is stale: overwrite before use). */
  take(n: number): Uint8Array {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const b = this.#free[i]!
      if (b.length >= n) {
        this.#free.splice(i, 1)
        this.#freeBytes -= b.length
        return b
      }
    }
    // Rounded up to 64 KiB, so that files of similar sizes can share buffers.
    return new Uint8Array(Buffer.allocUnsafeSlow(Math.ceil(Math.max(n, 1) / 65536) * 65536).buffer)
  }

  /** Give a buffer back for reuse. */
  give(b: Uint8Array): void {
    if (this.#free.length >= this.#maxBuffers || this.#freeBytes + b.length > this.#maxBytes) return
    this.#free.push(b)
    this.#freeBytes += b.length
  }
}

/** A whole file read into a (pooled) buffer: `bytes` is the file, a view of `buffer`. */
export interface PrefetchedFile {
  /** The file's bytes: the first `bytes.length` bytes of `buffer`. */
  bytes: Uint8Array
  /** The pooled buffer, to give back once nothing can still be sending from it. */
  buffer: Uint8Array
}

/**
 * Read a file whole when it is small enough to prefetch (else undefined: it will be streamed),
 * synchronously (page-cache reads of at most {@link PREFETCH_MAX_BYTES}; cheaper than four
 * thread-pool round trips) into a buffer from `pool`.
 */
export function prefetchFile(f: StoreFile, pool: ReadBufferPool): PrefetchedFile | undefined {
  if (f.size > PREFETCH_MAX_BYTES) return undefined
  const fd = openSync(f.path, 'r')
  try {
    // Its size now (it may have changed since the header was read), never more than the limit.
    const size = fstatSync(fd).size
    if (size > PREFETCH_MAX_BYTES) return undefined
    const buffer = pool.take(size)
    let got = 0
    while (got < size) {
      const r = readSync(fd, buffer, got, size - got, got)
      if (r === 0) break
      got += r
    }
    return { bytes: buffer.subarray(0, got), buffer }
  } finally {
    closeSync(fd)
  }
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
      body: readChunks(f.path, f.datasetOffset, readChunkSize(assoc)),
    })
  }
  if (!isUncompressed(f.transferSyntaxUid)) throw new Error(`transfer syntax ${f.transferSyntaxUid} not accepted and cannot be converted`)
  return assoc.store({ file: whole ?? (await readFile(f.path)) })
}

/** Counts the bytes read by streamed sends, for early collection of read buffers (see memory.ts). */
let sentBytes: ((bytes: number) => void) | undefined

/**
 * A file from `start` to its end in chunks of `chunkSize` bytes (the last one shorter), each a
 * fresh buffer (the transport may hold on to it until written). Read synchronously: against a
 * read stream (thread-pool reads) this took ~20% less CPU of `dimse store` on 10 MiB and
 * 200 MiB instances; a page-cache read of one fragment blocks for well under a millisecond.
 * The file is opened on the first chunk and closed when the iteration ends or is abandoned.
 */
export async function* readChunks(path: string, start: number, chunkSize: number): AsyncGenerator<Uint8Array> {
  const note = (sentBytes ??= gcEvery())
  const fd = openSync(path, 'r')
  try {
    for (let pos = start; ; ) {
      const chunk = new Uint8Array(Buffer.allocUnsafeSlow(chunkSize).buffer, 0, chunkSize)
      let n = 0
      while (n < chunkSize) {
        const r = readSync(fd, chunk, n, chunkSize - n, pos + n)
        if (r === 0) break
        n += r
      }
      if (n === 0) return
      pos += n
      note(n)
      yield n === chunkSize ? chunk : chunk.subarray(0, n)
      if (n < chunkSize) return
    }
  } finally {
    closeSync(fd)
  }
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
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true })
    if (values.help) {
      io.stdout(usage)
      return 0
    }
    const target = hostPort(positionals, usage)
    const paths = positionals.slice(2)
    if (paths.length === 0) throw new CliError(`no files given\n${usage}`, 2)
    const asyncOps = Math.floor(numberOption(values['async-ops'], 'async-ops', DEFAULT_ASYNC_OPS))
    if (asyncOps < 1 || asyncOps > 0xffff) throw new CliError(`invalid --async-ops ${values['async-ops']} (1..65535)`, 2)
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
    const report = (f: StoreFile, r: { status: number; errorComment?: string } | Error): void => {
      if (r instanceof Error) {
        failed++
        io.stderr(`dimse: ${f.path}: failed: ${r.message}\n`)
      } else {
        const cat = statusCategory(r.status)
        const code = r.status.toString(16).padStart(4, '0')
        if (cat === 'Success' || cat === 'Warning') {
          stored++
          bytes += f.size
          if (cat === 'Warning') io.stderr(`dimse: ${f.path}: warning 0x${code} ${statusDescription(r.status)}\n`)
        } else {
          failed++
          io.stderr(`dimse: ${f.path}: failed 0x${code} ${statusDescription(r.status)}${r.errorComment ? ` (${r.errorComment})` : ''}\n`)
        }
      }
      if (tty) {
        const s = (performance.now() - started) / 1000
        io.stderr(`\r${stored + failed}/${files.length} instances, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6 / Math.max(s, 1e-3)).toFixed(1)} MB/s`)
      }
    }
    // At most 128 presentation contexts per association (PS3.8 §9.3.2.2: IDs 1..255, odd).
    for (const batch of batches(files)) {
      if (batch.length === 0) continue
      const extra = asyncOps > 1 ? { asyncOps: { maxOperationsInvoked: asyncOps, maxOperationsPerformed: 1 } } : {}
      const assoc = await openAssociation(values, target, contextsForFiles(batch), io, extra)
      try {
        await storeBatch(assoc, batch, report)
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

/**
 * Store files over one association, keeping as many C-STOREs outstanding as the negotiated
 * asynchronous operations window allows (PS3.7 D.3.3.3; 1 when the peer did not grant one), so
 * that the next instance is on the wire while the peer stores the previous one. Small files are
 * read whole ahead of their turn, within {@link PREFETCH_BUDGET_BYTES}, into reused buffers.
 * `report` sees each file's outcome (in completion order). Throws when the association fails.
 */
export async function storeBatch(
  assoc: ClientAssociation,
  batch: readonly StoreFile[],
  report: (f: StoreFile, r: { status: number; errorComment?: string } | Error) => void,
): Promise<void> {
  const granted = assoc.association.asyncOps.maxOperationsInvoked
  // 0 = unlimited (PS3.7 D.3.3.3): still keep a bounded number queued here.
  const window = granted === 0 ? DEFAULT_ASYNC_OPS : Math.max(1, Math.min(granted, 0xffff))
  const pool = new ReadBufferPool(window + 2)
  // When may a file's buffer be reused? Not when its own response arrives: a peer may answer
  // before it has read the whole dataset, and the transport may still hold views of it. But
  // messages go out one after another on one ordered stream, so once the peer has answered a
  // request sent *later*, it has read every byte of the earlier ones: their buffers are free.
  // Buffers of operations that failed locally (no response) are never reused.
  const answered = new Map<number, Uint8Array>()
  let lastAnswered = -1
  const onAnswered = (index: number, buffer: Uint8Array | undefined): void => {
    if (buffer) answered.set(index, buffer)
    if (index > lastAnswered) lastAnswered = index
    for (const [i, b] of answered) {
      if (i < lastAnswered) {
        answered.delete(i)
        pool.give(b)
      }
    }
  }
  const inFlight = new Set<Promise<void>>()
  let heldBytes = 0
  let fatal: unknown
  for (let i = 0; i < batch.length && fatal === undefined; i++) {
    const f = batch[i]!
    const size = f.size <= PREFETCH_MAX_BYTES ? f.size : 0
    // One more than the window waits in the channel, so that it can go out the moment a slot frees.
    while (inFlight.size > 0 && (inFlight.size > window || heldBytes + size > PREFETCH_BUDGET_BYTES) && fatal === undefined) await Promise.race(inFlight)
    if (fatal !== undefined) break
    let whole: PrefetchedFile | undefined
    try {
      whole = prefetchFile(f, pool)
    } catch (e) {
      report(f, e instanceof Error ? e : new Error(String(e)))
      continue
    }
    const held = whole?.bytes.length ?? 0
    heldBytes += held
    const op: Promise<void> = storeFile(assoc, f, whole?.bytes)
      .then(
        (r) => {
          onAnswered(i, whole?.buffer)
          report(f, r)
        },
        (e: unknown) => {
          if (assoc.channel.failed) fatal ??= e
          else report(f, e instanceof Error ? e : new Error(String(e)))
        },
      )
      .finally(() => {
        heldBytes -= held
        inFlight.delete(op)
      })
    inFlight.add(op)
  }
  await Promise.all(inFlight)
  if (fatal !== undefined) throw fatal
  // A peer may have answered before reading everything: the caller's release() waits for the
  // last bytes to go out (Association.release), under the ACSE timeout.
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
