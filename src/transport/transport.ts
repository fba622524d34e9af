/**
 * The byte-stream transport beneath the Upper Layer (PS3.8 §9.1: TCP, optionally TLS per
 * PS3.15 Annex B.1). `Association` talks only to this interface, so it runs over a socket, an
 * in-memory pair, or anything else that carries bytes in order.
 * @module
 */

/** Events of a {@link Transport}, with their argument tuples. */
export interface TransportEvents {
  /** Bytes arrived. The chunk may be a view into a larger buffer; do not keep it past the call without copying if the source reuses memory. */
  data: [chunk: Uint8Array]
  /** The peer ended its side of the stream. */
  end: []
  /** A transport failure; `close` follows. */
  error: [error: Error]
  /** The connection is fully closed. Emitted exactly once. */
  close: []
}

/** A listener for event `K`. */
export type TransportListener<K extends keyof TransportEvents> = (...args: TransportEvents[K]) => void

/** A bidirectional, ordered byte stream with back-pressure. */
export interface Transport {
  /**
   * Write the chunks in order, as one unit (corked where the medium supports it). Resolves once
   * the bytes are handed over and, when the outgoing buffer is full, once it has drained.
   * Rejects if the transport is closed or fails.
   */
  write(chunks: readonly Uint8Array[]): Promise<void>
  /** Stop emitting `data` until `resume()` (the peer is then held back by flow control). */
  pause(): void
  /** Resume emitting `data`. */
  resume(): void
  /** Half-close: no more writes; the connection closes once the peer ends too. */
  end(): void
  /** Close immediately, discarding anything not yet written. */
  destroy(error?: Error): void
  /** True once `close` has been emitted. */
  readonly closed: boolean
  /** A description of the peer for diagnostics, e.g. `127.0.0.1:104` or `memory`. */
  readonly remote: string
  /**
   * True for TLS: the connection should be closed with {@link end}, which sends the TLS
   * close_notify alert (PS3.15 B.1 relies on TLS; RFC 8446 §6.1), rather than dropped.
   */
  readonly secure?: boolean
  on<K extends keyof TransportEvents>(event: K, listener: TransportListener<K>): this
  off<K extends keyof TransportEvents>(event: K, listener: TransportListener<K>): this
}

/** A minimal typed listener registry shared by the transports (no Node dependency). */
export class TransportEmitter {
  readonly #listeners: { [K in keyof TransportEvents]: Set<TransportListener<K>> } = {
    data: new Set(),
    end: new Set(),
    error: new Set(),
    close: new Set(),
  }
  /** Bytes that arrived while nobody listened for 'data'; delivered to the first listener. */
  #unclaimed: Uint8Array[] = []

  /** Add a listener. */
  on<K extends keyof TransportEvents>(event: K, listener: TransportListener<K>): this {
    ;(this.#listeners[event] as Set<TransportListener<K>>).add(listener)
    if (event === 'data' && this.#unclaimed.length > 0) queueMicrotask(() => this.#deliverUnclaimed())
    return this
  }

  #deliverUnclaimed(): void {
    const set = this.#listeners.data
    while (this.#unclaimed.length > 0 && set.size > 0) {
      const c = this.#unclaimed.shift()!
      for (const l of [...set]) l(c)
    }
  }
  /** Remove a listener. */
  off<K extends keyof TransportEvents>(event: K, listener: TransportListener<K>): this {
    ;(this.#listeners[event] as Set<TransportListener<K>>).delete(listener)
    return this
  }
  /** Call the listeners of `event`; returns whether there were any. */
  protected emit<K extends keyof TransportEvents>(event: K, ...args: TransportEvents[K]): boolean {
    if (event === 'data' && (this.#listeners.data.size === 0 || this.#unclaimed.length > 0)) {
      // Keep bytes that arrive before anyone listens (e.g. between connect() and attaching an
      // Association) instead of dropping them; keep order behind bytes already kept.
      this.#unclaimed.push(args[0] as Uint8Array)
      if (this.#listeners.data.size > 0) queueMicrotask(() => this.#deliverUnclaimed())
      return false
    }
    const set = this.#listeners[event] as Set<TransportListener<K>>
    const n = set.size
    if (n === 1) {
      // The usual case (one association per transport): no snapshot array per chunk.
      for (const l of set) {
        l(...args)
        break
      }
    } else if (n > 1) {
      for (const l of [...set]) l(...args)
    }
    return n > 0
  }
}
