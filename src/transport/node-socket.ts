/**
 * `Transport` over a Node `net.Socket` or `tls.TLSSocket`, plus `connect()` for requestors and
 * `listenTransport()` for acceptors. The only module that imports node:net / node:tls.
 * TLS follows PS3.15 Annex B.1 (TLS secure transport connection profile); TLS 1.2 is the
 * minimum (BCP 195, PS3.15 B.9).
 * @module
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { DicomError, TimeoutError } from '../errors.js'
import { TransportEmitter, type Transport } from './transport.js'

/** PEM or DER material: a string, bytes, or a list of either. */
export type TlsMaterial = string | Uint8Array | (string | Uint8Array)[]

/** TLS settings for both sides (a subset of Node's `tls` options). */
export interface TlsOptions {
  /** Our private key (PEM). Required on the server side and for client certificates. */
  key?: TlsMaterial
  /** Our certificate chain (PEM). */
  cert?: TlsMaterial
  /** Trusted CA certificates for verifying the peer. */
  ca?: TlsMaterial
  passphrase?: string
  /** Verify the peer certificate (default true). For a server: reject clients without a valid certificate when `requestCert`. */
  rejectUnauthorized?: boolean
  /** Server: ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean
  /** Client: SNI / name to verify the server certificate against (default: the host). */
  servername?: string
  /** Default 'TLSv1.2'. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3'
  maxVersion?: 'TLSv1.2' | 'TLSv1.3'
}

type Mat = string | Buffer | (string | Buffer)[]
const mat = (m: TlsMaterial | undefined): Mat | undefined =>
  m === undefined
    ? undefined
    : Array.isArray(m)
      ? m.map((x) => (typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength)))
      : typeof m === 'string'
        ? m
        : Buffer.from(m.buffer, m.byteOffset, m.byteLength)

function secureContextOptions(o: TlsOptions): tls.SecureContextOptions {
  const out: tls.SecureContextOptions = { minVersion: o.minVersion ?? 'TLSv1.2' }
  const key = mat(o.key)
  const cert = mat(o.cert)
  const ca = mat(o.ca)
  if (key !== undefined) out.key = key
  if (cert !== undefined) out.cert = cert
  if (ca !== undefined) out.ca = ca
  if (o.passphrase !== undefined) out.passphrase = o.passphrase
  if (o.maxVersion !== undefined) out.maxVersion = o.maxVersion
  return out
}

/** Corked writes are flushed at once when this many bytes wait. */
const FLUSH_BYTES = 64 * 1024

class SocketTransport extends TransportEmitter implements Transport {
  #closed = false
  #corked = false
  readonly #flush = (): void => {
    if (!this.#corked) return
    this.#corked = false
    this.socket.uncork()
  }
  readonly remote: string
  readonly secure: boolean
  constructor(readonly socket: net.Socket) {
    super()
    this.secure = socket instanceof tls.TLSSocket
    socket.setNoDelay(true)
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk))
    socket.on('end', () => this.emit('end'))
    socket.on('error', (err) => this.emit('error', err))
    socket.on('close', () => {
      this.#closed = true
      this.emit('close')
    })
  }
  get closed(): boolean {
    return this.#closed
  }
  write(chunks: readonly Uint8Array[]): Promise<void> {
    const s = this.socket
    if (this.#closed || s.destroyed || !s.writable) return Promise.reject(new DicomError('ERR_TRANSPORT', 'write on a closed transport'))
    let ok = true
    // Header and payload as separate buffers, sent as one unit (ws sendFrame pattern). Writes
    // made in the same tick share one cork, flushed on the next tick or once 64 KiB wait: many
    // small PDUs (C-FIND responses) then leave in one writev instead of one system call each.
    if (!this.#corked) {
      this.#corked = true
      s.cork()
      process.nextTick(this.#flush)
    }
    for (const c of chunks) if (c.length > 0) ok = s.write(c)
    if (s.writableLength >= FLUSH_BYTES) this.#flush()
    if (ok) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        s.off('drain', onDrain)
        s.off('close', onClose)
        s.off('error', onError)
        if (err) reject(err)
        else resolve()
      }
      const onDrain = (): void => done()
      const onClose = (): void => done(new DicomError('ERR_TRANSPORT', 'transport closed before the write drained'))
      const onError = (e: Error): void => done(new DicomError('ERR_TRANSPORT', `transport error: ${e.message}`, { cause: e }))
      s.on('drain', onDrain)
      s.on('close', onClose)
      s.on('error', onError)
    })
  }
  pause(): void {
    this.socket.pause()
  }
  resume(): void {
    this.socket.resume()
  }
  end(): void {
    this.#flush()
    // A second end() (ours after the peer's FIN, when we had ended first) would make Node build
    // an ERR_STREAM_ALREADY_FINISHED error, formatted message and stack, for nothing.
    if (!this.#closed && !this.socket.writableEnded) this.socket.end()
  }
  destroy(error?: Error): void {
    this.#flush() // an A-ABORT written just before must still leave
    this.socket.destroy(error)
  }
}

/** Wrap a connected socket (plain or TLS) as a {@link Transport}. */
export function wrapSocket(socket: net.Socket): Transport {
  return new SocketTransport(socket)
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  host: string
  port: number
  /** Use TLS with these settings. */
  tls?: TlsOptions
  /** Give up after this many ms (TCP connect plus TLS handshake). Default 30000; 0 = no limit. */
  timeoutMs?: number
}

/** Open a transport connection as requestor (PS3.8 §9.1.2, TRANSPORT CONNECT). Rejects with `TimeoutError` ('connect') or `DicomError` ERR_TRANSPORT. */
export function connect(options: ConnectOptions): Promise<Transport> {
  const timeoutMs = options.timeoutMs ?? 30000
  return new Promise((resolve, reject) => {
    let settled = false
    let socket: net.Socket
    const event = options.tls ? 'secureConnect' : 'connect'
    if (options.tls) {
      const t = options.tls
      socket = tls.connect({
        host: options.host,
        port: options.port,
        ...secureContextOptions(t),
        rejectUnauthorized: t.rejectUnauthorized ?? true,
        servername: t.servername ?? (net.isIP(options.host) ? undefined : options.host),
        // Node checks the host name against the certificate; with an IP host it checks the IP SAN.
      })
    } else {
      socket = net.connect({ host: options.host, port: options.port })
    }
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            fail(new TimeoutError('connect', timeoutMs))
          }, timeoutMs)
        : undefined
    const fail = (err: Error): void => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      socket.destroy()
      reject(err instanceof DicomError ? err : new DicomError('ERR_TRANSPORT', `cannot connect to ${options.host}:${options.port}: ${err.message}`, { cause: err }))
    }
    socket.once('error', fail)
    socket.once(event, () => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      socket.off('error', fail)
      resolve(new SocketTransport(socket))
    })
  })
}

/** Options of {@link listenTransport}. */
export interface ListenTransportOptions {
  /** Interface to bind; default: all interfaces (as Node does). Pass '127.0.0.1' for loopback only. */
  host?: string
  /** 0 = an ephemeral port. */
  port: number
  tls?: TlsOptions
  /** TLS handshake limit in ms (default 30000). */
  handshakeTimeoutMs?: number
}

/** A listening server producing transports. */
export interface TransportServer {
  /** The bound address. */
  address(): { host: string; port: number }
  /** Stop accepting; resolves when the listening socket is closed (existing connections stay). */
  close(): Promise<void>
}

/**
 * Listen for transport connections (PS3.8 §9.1.3). `onTransport` is called for every connection
 * (after the TLS handshake when TLS is on). Connection-level errors never reach the process:
 * a failed handshake just drops that connection, reported through `onError` if given.
 */
export function listenTransport(
  options: ListenTransportOptions,
  onTransport: (transport: Transport) => void,
  onError?: (error: Error) => void,
): Promise<TransportServer> {
  let server: net.Server
  if (options.tls) {
    const t = options.tls
    server = tls.createServer({
      ...secureContextOptions(t),
      requestCert: t.requestCert ?? false,
      rejectUnauthorized: t.rejectUnauthorized ?? true,
      handshakeTimeout: options.handshakeTimeoutMs ?? 30000,
    })
    server.on('secureConnection', (s: tls.TLSSocket) => onTransport(new SocketTransport(s)))
    server.on('tlsClientError', (err: Error, s: tls.TLSSocket) => {
      s.destroy()
      onError?.(err)
    })
  } else {
    server = net.createServer((s) => onTransport(new SocketTransport(s)))
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      server.on('error', (e) => onError?.(e))
      resolve({
        address() {
          const a = server.address() as net.AddressInfo
          return { host: a.address, port: a.port }
        },
        close() {
          return new Promise<void>((res) => server.close(() => res()))
        },
      })
    })
  })
}
