/**
 * `dimse store` pipelining (PS3.7 D.3.3.3 asynchronous operations window) and its reused read
 * buffers: what arrives must equal what was sent, whatever order and timing the SCP answers in.
 * - against `dimse serve` (which grants the window): every file arrives byte for byte;
 * - against a Server whose handler holds the first store until a second one is outstanding: the
 *   CLI really keeps several C-STOREs outstanding, and answers out of order are fine;
 * - against a raw SCP that answers each C-STORE as soon as its command arrives, before it has
 *   read the dataset: buffers must not be reused while their bytes may still be on the way;
 * - `--async-ops 1` proposes no window.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/dataset/index.js'
import { makeSampleInstances, encodeSample } from '../../src/samples/index.js'
import { startServe, type RunningServe } from '../../src/cli/serve.js'
import { PREFETCH_MAX_BYTES, readChunks, storeCommand } from '../../src/cli/store.js'
import { safeName } from '../../src/cli/files.js'
import { Server, DimseChannel, supportedContexts, type ServerOptions } from '../../src/services/index.js'
import { listen, type AcceptorPolicy, type Association, type AssociationListener } from '../../src/association/index.js'
import { CommandField, responseFor, type CStoreRq } from '../../src/dimse/index.js'

const quietIo = () => {
  const err: string[] = []
  const out: string[] = []
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err }
}

/** The dataset bytes of a Part 10 file (everything after the File Meta Information). */
function datasetBytes(file: Uint8Array): Uint8Array {
  return file.subarray(decodeFile(file, { stopBeforeTag: 0x00080000 }).datasetOffset)
}

let root: string
let src: string
/** SOP Instance UID -> dataset bytes of the source file. */
const sent = new Map<string, Uint8Array>()

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dimse-pipe-'))
  src = join(root, 'src')
  mkdirSync(src)
  // Mixed sizes (so that pooled buffers of one size are reused for smaller files) and distinct
  // pixel data per instance (so that bytes from a reused buffer would show).
  const sets = [
    makeSampleInstances({ seed: 'pipe-a', count: 10, patients: 1, sizeKb: 300 }),
    makeSampleInstances({ seed: 'pipe-b', count: 10, patients: 1, sizeKb: 40 }),
    makeSampleInstances({ seed: 'pipe-c', count: 6, patients: 1, sizeKb: 1500 }),
    // Over PREFETCH_MAX_BYTES (8 MiB): streamed from disk in fragment-sized chunks.
    makeSampleInstances({ seed: 'pipe-d', count: 1, patients: 1, sizeKb: 9 * 1024 }),
  ]
  let n = 0
  for (let i = 0; i < 10; i++) {
    for (const set of sets) {
      const s = set[i]
      if (!s) continue
      const bytes = encodeSample(s)
      writeFileSync(join(src, `F${String(n++).padStart(3, '0')}.dcm`), bytes)
      sent.set(s.sopInstanceUid, datasetBytes(bytes))
    }
  }
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('dimse store -> dimse serve, pipelined', () => {
  let running: RunningServe
  let out: string
  const windows: number[] = []
  beforeAll(async () => {
    out = join(root, 'serve')
    running = await startServe(['--storage', out, '--port', '0', '--quiet'], quietIo().io)
    running.server.on('association', (a) => windows.push(a.asyncOps.maxOperationsInvoked))
  })
  afterAll(async () => {
    await running?.close()
  })

  it('has a file that is streamed rather than read whole', () => {
    expect(Math.max(...[...sent.values()].map((b) => b.length))).toBeGreaterThan(PREFETCH_MAX_BYTES)
  })

  it('negotiates a window of 8 and stores every file byte for byte', async () => {
    const { io, err } = quietIo()
    const code = await storeCommand.run(['127.0.0.1', String(running.address.port), '--aec', 'DIMSE', src], io)
    expect(err.join('')).toBe('')
    expect(code).toBe(0)
    expect(windows).toEqual([8])
    const stored = readdirSync(out).filter((f) => f.endsWith('.dcm'))
    expect(stored.length).toBe(sent.size)
    for (const [uid, bytes] of sent) {
      const got = datasetBytes(new Uint8Array(readFileSync(join(out, `${safeName(uid)}.dcm`))))
      expect(Buffer.compare(got, bytes), uid).toBe(0)
    }
  })

  it('--async-ops 1 proposes no window (one C-STORE at a time)', async () => {
    const { io } = quietIo()
    windows.length = 0
    const code = await storeCommand.run(['127.0.0.1', String(running.address.port), '--aec', 'DIMSE', '--async-ops', '1', src], io)
    expect(code).toBe(0)
    expect(windows).toEqual([1])
  })

  it('dimse serve --async-ops 1 grants no window', async () => {
    const other = await startServe(['--storage', join(root, 'serve1'), '--port', '0', '--quiet', '--async-ops', '1'], quietIo().io)
    const seen: number[] = []
    other.server.on('association', (a) => seen.push(a.asyncOps.maxOperationsInvoked))
    try {
      const { io } = quietIo()
      expect(await storeCommand.run(['127.0.0.1', String(other.address.port), '--aec', 'DIMSE', src], io)).toBe(0)
      expect(seen).toEqual([1])
    } finally {
      await other.close()
    }
  })

  it('rejects an invalid --async-ops', async () => {
    const { io } = quietIo()
    await expect(storeCommand.run(['127.0.0.1', String(running.address.port), '--async-ops', '0', src], io)).rejects.toThrow(/async-ops/)
  })
})

describe('dimse store against an SCP that answers out of order', () => {
  let server: Server
  let active = 0
  let maxActive = 0
  const received = new Map<string, Uint8Array>()
  let first = true
  let releaseFirst: (() => void) | undefined
  beforeAll(async () => {
    const options: ServerOptions = {
      aeTitle: 'HOLDER',
      contexts: supportedContexts({ verification: true, storage: true }),
      asyncOps: { maxOperationsInvoked: 4, maxOperationsPerformed: 1 },
      handlers: {
        store: async (rq) => {
          active++
          maxActive = Math.max(maxActive, active)
          if (releaseFirst && active >= 2) releaseFirst()
          try {
            const bytes = await rq.bytes()
            if (first) {
              // Hold the first store until another one is outstanding (or give up after 5 s):
              // its response then goes out after later ones.
              first = false
              await new Promise<void>((resolve) => {
                releaseFirst = resolve
                setTimeout(resolve, 5000)
              })
            }
            received.set(rq.sopInstanceUid, bytes)
            return 0
          } finally {
            active--
          }
        },
      },
    }
    server = new Server(options)
    await server.listen(0, '127.0.0.1')
  })
  afterAll(async () => {
    await server?.close({ abort: true })
  })

  it('keeps several C-STOREs outstanding and every dataset arrives intact', async () => {
    const { io, err } = quietIo()
    const code = await storeCommand.run(['127.0.0.1', String(server.address().port), '--aec', 'HOLDER', src], io)
    expect(err.join('')).toBe('')
    expect(code).toBe(0)
    expect(maxActive).toBeGreaterThanOrEqual(2)
    expect(received.size).toBe(sent.size)
    for (const [uid, bytes] of sent) expect(Buffer.compare(received.get(uid)!, bytes), uid).toBe(0)
  })
})

describe('dimse store against an SCP that answers before reading the dataset', () => {
  let listener: AssociationListener
  let big: string
  const bigSent = new Map<string, Uint8Array>()
  const received = new Map<string, Uint8Array[]>()
  beforeAll(async () => {
    // Files larger than what loopback socket buffers hold, but still read whole (<= 8 MiB):
    // when the answer comes, most of the dataset is still in the SCU's buffer.
    big = join(root, 'big')
    mkdirSync(big)
    makeSampleInstances({ seed: 'pipe-big', count: 6, patients: 1, sizeKb: 6000 }).forEach((s, i) => {
      const bytes = encodeSample(s)
      writeFileSync(join(big, `B${i}.dcm`), bytes)
      bigSent.set(s.sopInstanceUid, datasetBytes(bytes))
    })
    const policy: AcceptorPolicy = {
      aeTitle: 'EARLY',
      contexts: supportedContexts({ storage: true }),
      asyncOps: { maxOperationsInvoked: 8, maxOperationsPerformed: 1 },
    }
    listener = await listen({ host: '127.0.0.1', port: 0, policy }, (assoc: Association) => {
      const channel: DimseChannel = new DimseChannel(assoc, {
        onRequest: (r) => {
          if (r.command.commandField !== CommandField.CStoreRq) return
          const rq = r.command as CStoreRq
          // Success before a single dataset byte was read (PS3.7 does not forbid it), then a
          // pause before reading it: the association (and the SCU's socket) is held back.
          channel.send(r.context.id, responseFor(rq, 0)).catch(() => undefined)
          const parts: Uint8Array[] = []
          received.set(rq.affectedSopInstanceUid, parts)
          void (async () => {
            await new Promise((resolve) => setTimeout(resolve, 150))
            // Copy each chunk (they are views of socket buffers).
            for await (const c of r.stream ?? []) parts.push(new Uint8Array(c))
          })()
        },
      })
    })
  })
  afterAll(async () => {
    await listener?.close({ abort: true })
  })

  it('never reuses a buffer whose bytes may still be on the way', async () => {
    const { io, err } = quietIo()
    // A window of 2: the third file is read while the first one is still being sent.
    const code = await storeCommand.run(['127.0.0.1', String(listener.address().port), '--aec', 'EARLY', '--async-ops', '2', big], io)
    expect(err.join('')).toBe('')
    expect(code).toBe(0)
    // The SCU releases once its messages are written; the SCP may still be reading the last one.
    for (let i = 0; i < 100 && [...received.values()].reduce((n, p) => n + p.reduce((m, c) => m + c.length, 0), 0) < [...bigSent.values()].reduce((n, b) => n + b.length, 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(received.size).toBe(bigSent.size)
    for (const [uid, bytes] of bigSent) {
      const got = Buffer.concat(received.get(uid)!)
      expect(Buffer.compare(got, bytes), uid).toBe(0)
    }
  }, 30_000)
})

describe('dimse store against an SCP that answers and then never reads the dataset', () => {
  let listener: AssociationListener
  let one: string
  beforeAll(async () => {
    // One file larger than what loopback socket buffers hold: its last bytes cannot go out.
    one = join(root, 'stalled')
    mkdirSync(one)
    const [s] = makeSampleInstances({ seed: 'pipe-stall', count: 1, patients: 1, sizeKb: 6000 })
    writeFileSync(join(one, 'S.dcm'), encodeSample(s!))
    const policy: AcceptorPolicy = { aeTitle: 'STALL', contexts: supportedContexts({ storage: true }) }
    listener = await listen({ host: '127.0.0.1', port: 0, policy }, (assoc: Association) => {
      const channel: DimseChannel = new DimseChannel(assoc, {
        onRequest: (r) => {
          if (r.command.commandField !== CommandField.CStoreRq) return
          // Success at once, and the dataset is never read: the association stops reading.
          channel.send(r.context.id, responseFor(r.command as CStoreRq, 0)).catch(() => undefined)
          assoc.pause()
        },
      })
    })
  })
  afterAll(async () => {
    await listener?.close({ abort: true })
  })

  it('ends within the ACSE timeout instead of waiting for ever to release', async () => {
    const { io } = quietIo()
    const started = Date.now()
    const run = storeCommand.run(['127.0.0.1', String(listener.address().port), '--aec', 'STALL', '--timeout', '1', one], io)
    const outcome = await Promise.race([run.then(() => 'ended', () => 'ended'), new Promise((r) => setTimeout(() => r('hangs'), 10_000))])
    expect(outcome).toBe('ended')
    expect(Date.now() - started).toBeLessThan(10_000)
  }, 20_000)
})

describe('readChunks', () => {
  it('reads a file from an offset in chunks of the given size, the last one shorter', async () => {
    const p = join(root, 'chunks.bin')
    const bytes = new Uint8Array(10_001).map((_, i) => (i * 7) & 0xff)
    writeFileSync(p, bytes)
    const chunks: Uint8Array[] = []
    for await (const c of readChunks(p, 1, 4000)) chunks.push(new Uint8Array(c))
    expect(chunks.map((c) => c.length)).toEqual([4000, 4000, 2000])
    expect(Buffer.compare(Buffer.concat(chunks), bytes.subarray(1))).toBe(0)
    const exact: Uint8Array[] = []
    for await (const c of readChunks(p, 2001, 4000)) exact.push(c)
    expect(exact.map((c) => c.length)).toEqual([4000, 4000])
    const none: Uint8Array[] = []
    for await (const c of readChunks(p, 10_001, 4000)) none.push(c)
    expect(none).toEqual([])
  })
})
