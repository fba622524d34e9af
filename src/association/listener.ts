/**
 * `listen()`: accept associations on a TCP (or TLS) port and hand each established one to a
 * callback. The base a service-level Server is built on.
 * @module
 */
import { RejectResult, RejectSource, RejectReason } from '../pdu/types.js'
import { listenTransport, type TlsOptions, type TransportServer } from '../transport/node-socket.js'
import type { Transport } from '../transport/transport.js'
import { Association, type AssociationAcceptOptions, type AssociationTimeouts } from './association.js'
import type { AcceptorPolicy } from './negotiation.js'

/** Options of {@link listen}. */
export interface ListenOptions {
  /** Interface to bind; default all interfaces. Use '127.0.0.1' for loopback only. */
  host?: string
  /** 0 = ephemeral. */
  port: number
  tls?: TlsOptions
  policy: AcceptorPolicy
  /**
   * Associations served at once; one more is answered with A-ASSOCIATE-RJ rejected-transient,
   * service-provider (presentation), local-limit-exceeded (PS3.8 Table 9-21). Default 64; 0 = no limit.
   */
  maxAssociations?: number
  timeouts?: AssociationTimeouts
  /** Called for anything that goes wrong on one connection (never thrown, never fatal). */
  onError?: (error: Error, transport?: Transport) => void
}

/** A running listener. */
export interface AssociationListener {
  /** The bound address (useful with port 0). */
  address(): { host: string; port: number }
  /** Associations currently open (established or being negotiated). */
  readonly activeCount: number
  /**
   * Stop accepting new connections. With `abort: true`, also abort every open association.
   * Resolves once the listening socket and every connection are closed (without `abort`, that
   * is when the open associations have ended on their own).
   */
  close(options?: { abort?: boolean }): Promise<void>
}

/**
 * Listen for associations. `onAssociation` is called with every established association; if it
 * throws or its promise rejects, that association is aborted and `onError` told — the listener and
 * the other associations keep running.
 */
export async function listen(
  options: ListenOptions,
  onAssociation: (association: Association) => void | Promise<void>,
): Promise<AssociationListener> {
  const open = new Set<Transport>()
  const assocs = new Set<Association>()
  const limit = options.maxAssociations ?? 64
  const report = (e: unknown, t?: Transport): void => {
    try {
      options.onError?.(e instanceof Error ? e : new Error(String(e)), t)
    } catch {
      // a failing error hook must not take the listener down
    }
  }
  // Built once, not per connection.
  const acceptOptions: AssociationAcceptOptions = options.timeouts ? { timeouts: options.timeouts } : {}
  const overLimitOptions: AssociationAcceptOptions = {
    ...acceptOptions,
    providerReject: {
      result: RejectResult.RejectedTransient,
      source: RejectSource.ServiceProviderPresentation,
      reason: RejectReason.LocalLimitExceeded,
    },
  }
  const ignore = (): void => undefined
  const onTransport = (t: Transport): void => {
    const overLimit = limit > 0 && open.size >= limit
    open.add(t)
    t.on('close', () => open.delete(t))
    t.on('error', ignore) // errors are reported through the association
    Association.accept(t, options.policy, overLimit ? overLimitOptions : acceptOptions).then(
      (assoc) => {
        assocs.add(assoc)
        assoc.on('closed', () => assocs.delete(assoc))
        let r: void | Promise<void>
        try {
          r = onAssociation(assoc)
        } catch (e) {
          report(e, t)
          assoc.abort(e instanceof Error ? e : undefined)
          return
        }
        if (r && typeof r.then === 'function')
          r.then(undefined, (e: unknown) => {
            report(e, t)
            assoc.abort(e instanceof Error ? e : undefined)
          })
      },
      (e: unknown) => report(e, t),
    )
  }
  const server: TransportServer = await listenTransport(
    {
      port: options.port,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    },
    onTransport,
    (e) => report(e),
  )
  return {
    address: () => server.address(),
    get activeCount() {
      return open.size
    },
    async close(opts) {
      const closing = server.close()
      if (opts?.abort) {
        for (const a of assocs) a.abort()
        for (const t of open) t.destroy()
      }
      await closing
    },
  }
}
