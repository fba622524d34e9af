/**
 * An in-memory transport pair: what one side writes, the other receives, asynchronously and in
 * order. For tests, examples and fuzzing.
 * @module
 */
import { DicomError } from '../errors.js'
import { TransportEmitter, type Transport } from './transport.js'

/** Options of {@link createMemoryTransportPair}. */
export interface MemoryTransportOptions {
  /** Bytes that may queue up at a paused reader before `write()` waits (default 1 MiB). */
  highWaterMark?: number
}

class MemoryTransport extends TransportEmitter implements Transport {
  peer!: MemoryTransport
  readonly remote = 'memory'
  #closed = false
  #ended = false
  #peerEnded = false
  #paused = false
  #queue: Uint8Array[] = []
  #queued = 0
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = []
  #flushScheduled = false
  constructor(readonly highWaterMark: number) {
    super()
  }
  get closed(): boolean {
    return this.#closed
  }
  write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#closed || this.#ended) return Promise.reject(new DicomError('ERR_TRANSPORT', 'write after end'))
    // Copy: the caller may reuse its buffers after the promise resolves, like a socket allows.
    for (const c of chunks) if (c.length > 0) this.peer.#enqueue(new Uint8Array(c))
    if (this.peer.#queued <= this.highWaterMark) return Promise.resolve()
    return new Promise((resolve, reject) => this.peer.#waiters.push({ resolve, reject }))
  }
  #enqueue(chunk: Uint8Array): void {
    this.#queue.push(chunk)
    this.#queued += chunk.length
    this.#schedule()
  }
  #schedule(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flush()
    })
  }
  #flush(): void {
    while (!this.#paused && !this.#closed && this.#queue.length > 0) {
      const c = this.#queue.shift()!
      this.#queued -= c.length
      this.emit('data', c)
    }
    if (this.#queued <= this.highWaterMark) {
      const w = this.#waiters
      this.#waiters = []
      for (const x of w) x.resolve()
    }
    if (this.#queue.length === 0 && this.#peerEnded && !this.#closed && !this.#paused) {
      this.#peerEnded = false
      this.emit('end')
      if (this.#ended) this.#finish()
    }
  }
  pause(): void {
    this.#paused = true
  }
  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#schedule()
  }
  end(): void {
    if (this.#ended || this.#closed) return
    this.#ended = true
    this.peer.#peerEnded = true
    this.peer.#schedule()
    // Closed once both directions have ended.
    if (this.peer.#ended) setImmediate(() => this.#finishBoth())
  }
  #finishBoth(): void {
    this.#finish()
    this.peer.#finish()
  }
  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    const w = this.#waiters
    this.#waiters = []
    for (const x of w) x.reject(new DicomError('ERR_TRANSPORT', 'transport closed'))
    setImmediate(() => this.emit('close'))
  }
  destroy(error?: Error): void {
    if (this.#closed) return
    if (error) setImmediate(() => this.emit('error', error))
    this.#finish()
    // The peer sees the connection drop (like a TCP reset): it gets end then close.
    const p = this.peer
    if (!p.#closed) {
      setImmediate(() => {
        if (!p.#closed) {
          p.emit('end')
          p.#finish()
        }
      })
    }
  }
}

/**
 * Create two connected in-memory transports. Writes are copied and delivered on a later
 * macrotask; `pause()` holds delivery and makes the writer wait past `highWaterMark`.
 */
export function createMemoryTransportPair(options: MemoryTransportOptions = {}): [Transport, Transport] {
  const hwm = options.highWaterMark ?? 1024 * 1024
  const a = new MemoryTransport(hwm)
  const b = new MemoryTransport(hwm)
  a.peer = b
  b.peer = a
  return [a, b]
}
