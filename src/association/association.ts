/**
 * `Association`: one DICOM Upper Layer association (PS3.8 §7, §9), for both roles. It connects
 * the transport, the PDU framer/codec and the pure state machine of `fsm.ts`, performs the
 * effects the state machine asks for, owns the timers (ARTIM, connect, ACSE, idle) and exposes
 * typed events.
 * @module
 */
import { concatBytes } from '../internal/bytes.js'
import { EventEmitter } from 'node:events'
import {
  AbortReason,
  AssociationAbortedError,
  AssociationRejectedError,
  DicomError,
  NegotiationError,
  PduError,
  TimeoutError,
} from '../errors.js'
import { decodePdu } from '../pdu/decode.js'
import { summarizePdu } from '../pdu/describe.js'
import { encodePdu } from '../pdu/encode.js'
import { PduFramer } from '../pdu/framer.js'
import {
  AbortSource,
  PduType,
  RELEASE_RP,
  RELEASE_RQ,
  RejectReason,
  RejectResult,
  RejectSource,
  type AbortPdu,
  type AssociateAcPdu,
  type AssociateRjPdu,
  type AssociateRqPdu,
  type ExtendedNegotiation,
  type PDataTfPdu,
  type Pdu,
  type PduFrame,
  type Pdv,
  type UserIdentityRq,
} from '../pdu/types.js'
import { connect, type TlsOptions } from '../transport/node-socket.js'
import type { Transport } from '../transport/transport.js'
import { step, type FsmActionName, type FsmEffect, type FsmEvent, type FsmState, type StepContext } from './fsm.js'
import {
  DEFAULT_MAX_PDU_LENGTH,
  buildAssociateRq,
  interpretAssociateAc,
  negotiateAsAcceptor,
  rejectPdu,
  type AcceptedContext,
  type AcceptorPolicy,
  type AssociateRqOptions,
  type AsyncOpsWindow,
  type RejectedContext,
} from './negotiation.js'

/** Timers of an association, in milliseconds; 0 disables one. */
export interface AssociationTimeouts {
  /** TCP connect + TLS handshake (requestor). Default 30000. */
  connectMs?: number
  /**
   * ACSE / ARTIM timer (PS3.8 §9.1.5): how long to wait for an A-ASSOCIATE-RQ after a connection
   * was accepted, for the A-ASSOCIATE-AC/RJ or A-RELEASE-RP, and for the peer to close the
   * connection after an abort, reject or release. Default 30000.
   */
  acseMs?: number
  /** Abort an established association after this long without any PDU in either direction. Default 0 (off). */
  idleMs?: number
}

/** Options of {@link Association.request}. */
export interface AssociationRequestOptions extends AssociateRqOptions {
  /** Peer host (ignored when `transport` is given). */
  host?: string
  /** Peer port (ignored when `transport` is given). */
  port?: number
  /** Use TLS (PS3.15 B.1). */
  tls?: TlsOptions
  /** An already connected transport (e.g. one end of an in-memory pair) instead of host/port. */
  transport?: Transport
  timeouts?: AssociationTimeouts
}

/** Options of {@link Association.accept} besides the negotiation policy. */
export interface AssociationAcceptOptions {
  timeouts?: AssociationTimeouts
  /**
   * A reject decided by the service provider before the user's policy is consulted (AE-6 with
   * "not acceptable"), e.g. local limit exceeded. Used by `AssociationListener`.
   */
  providerReject?: { result: number; source: number; reason: number }
}

/** Payload of the 'pdu' diagnostic event. */
export interface PduEvent {
  direction: 'sent' | 'received'
  pdu: Pdu
  /** Length of the PDU on the wire, header included. */
  length: number
  summary: string
}

/** Payload of the 'transition' diagnostic event (pynetdicom's EVT_FSM_TRANSITION). */
export interface TransitionEvent {
  from: FsmState
  event: FsmEvent
  action: FsmActionName
  to: FsmState
}

/** Events of an {@link Association} with their argument tuples. */
export interface AssociationEventMap {
  /** The association is established (A-ASSOCIATE accepted). */
  established: []
  /** A P-DATA-TF PDU arrived (P-DATA indication). */
  pdata: [pdu: PDataTfPdu]
  /**
   * The peer asked for a release (A-RELEASE indication). The association answers it itself; a
   * listener may call `holdRelease(promise)` to send pending responses first.
   */
  releaseRequested: []
  /** The association was released gracefully. */
  released: []
  /** The association was aborted, by either side or by the provider. */
  aborted: [error: AssociationAbortedError]
  /** The transport is closed; nothing more will happen. */
  closed: []
  /** Diagnostic: every PDU sent or received. */
  pdu: [event: PduEvent]
  /** Diagnostic: every state machine transition. */
  transition: [event: TransitionEvent]
}

const DEFAULT_TIMEOUT_MS = 30000
const RELEASE_RQ_BYTES: readonly Uint8Array[] = encodePdu(RELEASE_RQ)
const RELEASE_RP_BYTES: readonly Uint8Array[] = encodePdu(RELEASE_RP)
const REQUESTOR_STEP: StepContext = Object.freeze({ isRequestor: true })
const ACCEPTOR_STEP: StepContext = Object.freeze({ isRequestor: false })
/** Fragment size used when the peer announced an unlimited PDU length (0). */
const UNLIMITED_FRAGMENT = DEFAULT_MAX_PDU_LENGTH - 6

type Deferred<T> = { resolve: (v: T) => void; reject: (e: Error) => void; promise: Promise<T>; settled: boolean }
function deferred<T>(): Deferred<T> {
  let res!: (v: T) => void
  let rej!: (e: Error) => void
  const promise = new Promise<T>((a, b) => {
    res = a
    rej = b
  })
  // A deferred nobody awaits must not crash the process with an unhandled rejection.
  promise.catch(() => undefined)
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(v) {
      d.settled = true
      res(v)
    },
    reject(e) {
      d.settled = true
      rej(e)
    },
  }
  return d
}

/**
 * One association, requestor or acceptor. Create it with {@link Association.request} or
 * {@link Association.accept}; both resolve once the association is established.
 *
 * @example
 * ```ts
 * const assoc = await Association.request({ host, port: 104, callingAeTitle: 'ME', calledAeTitle: 'PACS',
 *   presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }] })
 * assoc.on('pdata', (pdu) => { ... })
 * await assoc.sendMessage(1, commandBytes)
 * await assoc.release()
 * ```
 * @see PS3.8 §7 (service primitives), §9.2 (state machine)
 */
export class Association extends EventEmitter<AssociationEventMap> {
  /** 'requestor' when we opened the association, 'acceptor' otherwise. */
  readonly role: 'requestor' | 'acceptor'
  /** Presentation contexts accepted by both sides. */
  acceptedContexts: AcceptedContext[] = []
  /** Proposed contexts that were not accepted. */
  rejectedContexts: RejectedContext[] = []
  /** The peer's Maximum Length Received (0 = unlimited): the largest P-DATA-TF we may send. */
  peerMaxPduLength = 0
  /** Our Maximum Length Received (0 = unlimited): the largest P-DATA-TF we accept. */
  readonly ourMaxPduLength: number
  /** Calling AE title (the requestor's), without padding. */
  callingAeTitle = ''
  /** Called AE title (the acceptor's, as the requestor addressed it), without padding. */
  calledAeTitle = ''
  /** Acceptor: the identity the requestor presented. Requestor: what we sent. */
  userIdentity: UserIdentityRq | undefined
  /** Requestor: the acceptor's positive user identity response, if any. */
  userIdentityServerResponse: Uint8Array | undefined
  /** The peer's Implementation Class UID (PS3.7 D.3.3.2). */
  peerImplementationClassUid: string | undefined
  /** The peer's Implementation Version Name, if it sent one. */
  peerImplementationVersionName: string | undefined
  /** Negotiated asynchronous operations window (default 1/1). */
  asyncOps: AsyncOpsWindow = { maxOperationsInvoked: 1, maxOperationsPerformed: 1 }
  /** Extended negotiation items proposed (acceptor) or answered (requestor). */
  extendedNegotiation: ExtendedNegotiation[] = []
  /** The A-ASSOCIATE-RQ of this association (sent or received). */
  associateRq: AssociateRqPdu | undefined
  /** The A-ASSOCIATE-AC of this association (sent or received). */
  associateAc: AssociateAcPdu | undefined

  #state: FsmState = 'Sta1'
  #transport: Transport | undefined
  #framer: PduFramer
  #timeouts: Required<AssociationTimeouts>
  #artim: ReturnType<typeof setTimeout> | undefined
  #acse: ReturnType<typeof setTimeout> | undefined
  #idle: ReturnType<typeof setTimeout> | undefined
  #closeFallback: ReturnType<typeof setTimeout> | undefined
  #policy: AcceptorPolicy | undefined
  #providerReject: AssociationAcceptOptions['providerReject']
  #outgoing: { rj?: AssociateRjPdu; pdata?: PDataTfPdu; abortReason?: number } = {}
  #established = deferred<void>()
  #release: Deferred<void> | undefined
  #abortError: AssociationAbortedError | undefined
  #lastWrite: Promise<void> = Promise.resolve()
  #inbox: PduFrame[] = []
  #paused = false
  #processing = false
  #readFailed = false
  #closed = false
  #sendChain: Promise<void> = Promise.resolve()
  #finalEmitted = false

  private constructor(role: 'requestor' | 'acceptor', ourMaxPduLength: number, timeouts: AssociationTimeouts | undefined) {
    super()
    this.role = role
    this.ourMaxPduLength = ourMaxPduLength
    this.#timeouts = {
      connectMs: timeouts?.connectMs ?? DEFAULT_TIMEOUT_MS,
      acseMs: timeouts?.acseMs ?? DEFAULT_TIMEOUT_MS,
      idleMs: timeouts?.idleMs ?? 0,
    }
    this.#framer = new PduFramer({ maxPduLength: ourMaxPduLength })
  }

  /** The current state machine state, 'Sta1'..'Sta13'. */
  get state(): FsmState {
    return this.#state
  }

  /** True while data may be sent (Sta6, or Sta8 after the peer asked to release). */
  get isEstablished(): boolean {
    return this.#state === 'Sta6' || this.#state === 'Sta8'
  }

  /** Why the association was aborted (by either side or the provider), once it was; else undefined. */
  get abortError(): AssociationAbortedError | undefined {
    return this.#abortError
  }

  /** A description of the peer (transport address). */
  get remote(): string {
    return this.#transport?.remote ?? ''
  }

  /**
   * Open an association as requestor (A-ASSOCIATE request, PS3.8 §7.1): connect, send the
   * A-ASSOCIATE-RQ, wait for the answer.
   * @throws AssociationRejectedError on A-ASSOCIATE-RJ; TimeoutError ('connect' or 'acse');
   *   AssociationAbortedError if aborted meanwhile; NegotiationError if no context was accepted;
   *   DicomError ERR_TRANSPORT if the connection fails; ERR_INVALID_ARGUMENT for bad options.
   */
  static async request(options: AssociationRequestOptions): Promise<Association> {
    const rq = buildAssociateRq(options)
    const assoc = new Association('requestor', rq.userInformation.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH, options.timeouts)
    assoc.associateRq = rq
    assoc.callingAeTitle = rq.callingAeTitle
    assoc.calledAeTitle = rq.calledAeTitle
    assoc.userIdentity = rq.userInformation.userIdentityRq
    assoc.#dispatch('Evt1') // AE-1 → Sta4: the connect happens here
    let transport: Transport
    try {
      if (options.transport) transport = options.transport
      else {
        if (options.host === undefined || options.port === undefined)
          throw new DicomError('ERR_INVALID_ARGUMENT', 'host and port (or transport) are required')
        transport = await connect({
          host: options.host,
          port: options.port,
          ...(options.tls ? { tls: options.tls } : {}),
          timeoutMs: assoc.#timeouts.connectMs,
        })
      }
    } catch (e) {
      assoc.#state = 'Sta1'
      assoc.#emitClosedOnce()
      throw e
    }
    assoc.#attach(transport)
    assoc.#startAcse('acse')
    assoc.#dispatch('Evt2') // AE-2: send A-ASSOCIATE-RQ → Sta5
    await assoc.#established.promise
    if (assoc.acceptedContexts.length === 0) {
      assoc.abort()
      throw new NegotiationError('the peer accepted none of the proposed presentation contexts')
    }
    return assoc
  }

  /**
   * Serve an association as acceptor on a freshly connected transport (Evt5, AE-5): wait for the
   * A-ASSOCIATE-RQ (ARTIM), answer it by `policy`, resolve once established.
   * @throws AssociationRejectedError when we rejected it; TimeoutError ('artim') when no RQ came;
   *   AssociationAbortedError on abort or a protocol error.
   */
  static async accept(transport: Transport, policy: AcceptorPolicy, options: AssociationAcceptOptions = {}): Promise<Association> {
    const assoc = new Association('acceptor', policy.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH, options.timeouts)
    assoc.#policy = policy
    assoc.#providerReject = options.providerReject
    assoc.#attach(transport)
    assoc.#dispatch('Evt5') // AE-5: start ARTIM → Sta2
    await assoc.#established.promise
    return assoc
  }

  // ------------------------------------------------------------------------------------------
  // Public operations

  /**
   * Send one P-DATA-TF PDU with the given PDVs (P-DATA request, Evt9). Resolves when written
   * (waiting for the transport to drain when it is full).
   * @throws DicomError ERR_ASSOC_CLOSED if the association cannot send data now;
   *   ERR_INVALID_ARGUMENT if the PDU exceeds the peer's maximum length.
   */
  sendPData(pdvs: Pdv[]): Promise<void> {
    if (this.#state !== 'Sta6' && this.#state !== 'Sta8')
      return Promise.reject(this.#abortError ?? new DicomError('ERR_ASSOC_CLOSED', `cannot send P-DATA in state ${this.#state}`))
    let len = 0
    for (const p of pdvs) len += 6 + p.data.length
    if (this.peerMaxPduLength > 0 && len > this.peerMaxPduLength)
      return Promise.reject(new DicomError('ERR_INVALID_ARGUMENT', `P-DATA-TF of ${len} bytes exceeds the peer maximum of ${this.peerMaxPduLength}`))
    this.#outgoing.pdata = { type: PduType.PDataTf, pdvs }
    // release() waits for the messages being written (still Sta6): progress restarts its timer.
    if (this.#release !== undefined && this.#state === 'Sta6') this.#startAcse('acse')
    this.#dispatch('Evt9')
    return this.#lastWrite
  }

  /** The largest P-DATA-TF variable field we pack several PDVs into: the peer's maximum, or 256 KiB when it sets none. */
  get #packLimit(): number {
    return this.peerMaxPduLength > 0 ? this.peerMaxPduLength : UNLIMITED_FRAGMENT + 6
  }

  /** The largest PDV data size we may send: peer max - 6 (PDU header excluded; PDV item header 4+2). */
  get maxPdvDataLength(): number {
    return this.peerMaxPduLength > 0 ? Math.max(1, this.peerMaxPduLength - 6) : UNLIMITED_FRAGMENT
  }

  /**
   * Send a whole DIMSE message on a presentation context: the command set, then the dataset if
   * any, each fragmented into PDVs that fit the peer's maximum PDU length (one PDV per PDU).
   * The message control header (PS3.8 Annex E.2) has bit 0 set for command fragments and bit 1
   * on the last fragment of the command and of the dataset. Messages are sent one after another
   * (never interleaved). A dataset may be a byte stream; it is not buffered beyond one fragment.
   * If the stream fails after part of the message was sent, the association is aborted (a
   * partial message cannot be withdrawn) and the promise rejects with the stream's error.
   */
  sendMessage(contextId: number, command: Uint8Array, dataset?: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    if (!this.acceptedContexts.some((c) => c.id === contextId))
      return Promise.reject(new NegotiationError(`presentation context ${contextId} was not accepted`))
    this.#messagesQueued++
    const run = this.#sendChain.then(() =>
      this.#sendMessageNow(contextId, command, dataset).then(
        () => {
          this.#messagesQueued--
        },
        (e: unknown) => {
          this.#messagesQueued--
          // A message cut off half-way cannot be completed or withdrawn (PS3.8 has no way to
          // cancel a PDV sequence): the only safe outcome is to abort the association.
          const err = e instanceof Error ? e : new Error(String(e))
          if (this.#started && this.isEstablished) this.abort(err)
          throw err
        },
      ),
    )
    this.#sendChain = run.catch(() => undefined)
    return run
  }
  /** Messages passed to sendMessage whose last PDU has not been handed to the transport yet. */
  #messagesQueued = 0

  async #sendMessageNow(contextId: number, command: Uint8Array, dataset?: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const max = this.maxPdvDataLength
    this.#started = false
    const send = (data: Uint8Array, isCommand: boolean, isLast: boolean): Promise<void> => {
      this.#started = true
      return this.sendPData([{ contextId, isCommand, isLast, data }])
    }
    // PDV packing: a P-DATA-TF carries one or more PDV items (PS3.8 §9.3.5), so a command and a
    // dataset that fit the peer's maximum PDU length together (each PDV item adds 6 bytes: item
    // length, context ID, message control header; PS3.8 §9.3.5.1, Annex E.2) go out as one PDU
    // and one write. Each fragment is still a whole command or dataset (even lengths).
    if (dataset instanceof Uint8Array && command.length + dataset.length + 12 <= this.#packLimit) {
      this.#started = true
      return this.sendPData([
        { contextId, isCommand: true, isLast: true, data: command },
        { contextId, isCommand: false, isLast: true, data: dataset },
      ])
    }
    for (let off = 0; ; off += max) {
      const end = Math.min(command.length, off + max)
      await send(command.subarray(off, end), true, end >= command.length)
      if (end >= command.length) break
    }
    if (dataset === undefined) return
    if (dataset instanceof Uint8Array) {
      for (let off = 0; ; off += max) {
        const end = Math.min(dataset.length, off + max)
        await send(dataset.subarray(off, end), false, end >= dataset.length)
        if (end >= dataset.length) break
      }
      return
    }
    // Streamed: hold one full fragment back so the last one can carry the "last" bit.
    let held: Uint8Array | undefined
    let parts: Uint8Array[] = []
    let partLen = 0
    const flushPart = (): Uint8Array => {
      const frag = concatBytes(parts, partLen)
      parts = []
      partLen = 0
      return frag
    }
    for await (const chunk of dataset) {
      let off = 0
      while (off < chunk.length) {
        const take = Math.min(max - partLen, chunk.length - off)
        parts.push(chunk.subarray(off, off + take))
        partLen += take
        off += take
        if (partLen === max) {
          if (held) await send(held, false, false)
          held = flushPart()
        }
      }
    }
    if (partLen > 0) {
      if (held) await send(held, false, false)
      held = flushPart()
    }
    await send(held ?? new Uint8Array(0), false, true)
  }

  /**
   * Called from a 'releaseRequested' listener: delay our A-RELEASE-RP until `work` settles, so
   * that responses still being produced can be sent first (Sta8 allows P-DATA, PS3.8 Table 9-10
   * AR-7). Messages already being sent with `sendMessage` are always waited for.
   */
  holdRelease(work: Promise<unknown>): void {
    this.#releaseHolds.push(work)
  }
  #releaseHolds: Promise<unknown>[] = []

  /** Whether the message being sent has put any PDV on the wire yet. */
  #started = false

  /** Stop reading from the transport (and emitting 'pdata') until `resume()`. */
  pause(): void {
    this.#paused = true
    this.#transport?.pause()
  }

  /** Resume reading after `pause()`. */
  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#transport?.resume()
    this.#drainInbox()
  }

  /**
   * Release the association gracefully (A-RELEASE, PS3.8 §7.2), including a release collision
   * (both sides ask at once, Sta9-Sta12). Resolves when released.
   * Messages being written when it is called go out in full before the A-RELEASE-RQ.
   * @throws AssociationAbortedError if it is aborted meanwhile, also when the ACSE timer runs
   *   out (the error's `cause` is then a TimeoutError 'acse'): no A-RELEASE-RP in time, or, while
   *   messages are still being written, no progress in writing them for that long.
   */
  release(): Promise<void> {
    if (this.#release) return this.#release.promise
    if (this.#state !== 'Sta6')
      return Promise.reject(this.#abortError ?? new DicomError('ERR_ASSOC_CLOSED', `cannot release in state ${this.#state}`))
    const release = (this.#release = deferred<void>())
    const send = (): void => {
      // Aborted meanwhile (the promise is rejected already), or the peer asked first and the
      // release completed (or is completing) from that side: nothing to send.
      if (this.#state !== 'Sta6') return
      this.#startAcse('acse')
      this.#dispatch('Evt11') // AR-1: send A-RELEASE-RQ → Sta7
    }
    // The A-RELEASE-RQ must not land between the PDVs of a message still being written (a peer
    // may answer a request before reading all of it): it waits for the messages queued so far.
    // Messages queued after this call find the association in Sta7 and are refused.
    if (this.#messagesQueued === 0) send()
    else {
      // The ACSE timer covers the wait too: a peer that stops reading (it may have answered
      // already) would otherwise leave release() pending for ever. Each PDU handed over meanwhile
      // restarts it (sendPData), so a slow transfer that still makes progress is not cut off.
      this.#startAcse('acse')
      void this.#sendChain.then(send)
    }
    return release.promise
  }

  /**
   * Abort the association (A-ABORT request, Evt15; AA-1). The A-ABORT PDU carries source 0
   * (service user) and reason 0 (PS3.8 Table 9-26). `cause` becomes the `cause` of the
   * AssociationAbortedError emitted with 'aborted' and used to reject pending operations.
   */
  abort(cause?: Error): void {
    const st = this.#state
    if (st === 'Sta1' || st === 'Sta13') return
    if (st === 'Sta2') {
      // Table 9-10 has no A-ABORT request in Sta2 (no association yet): just drop the connection.
      this.#transport?.destroy()
      return
    }
    this.#pendingAbortCause = cause
    this.#dispatch('Evt15')
  }
  #pendingAbortCause: Error | undefined

  // ------------------------------------------------------------------------------------------
  // Transport plumbing

  #attach(transport: Transport): void {
    this.#transport = transport
    transport.on('data', (chunk) => this.#onData(chunk))
    transport.on('end', () => {
      // The peer closed its side: nothing more can arrive. Close ours too.
      transport.end()
    })
    transport.on('error', (err) => {
      this.#transportError = err
    })
    transport.on('close', () => this.#onTransportClosed())
  }
  #transportError: Error | undefined

  #onData(chunk: Uint8Array): void {
    if (this.#readFailed || this.#closed) return
    try {
      for (const f of this.#framer.push(chunk)) this.#inbox.push(f)
    } catch (e) {
      this.#readFailed = true
      if (this.#holdLazy) this.#releaseHoldNextTurn()
      this.#drainInbox()
      this.#onInvalidPdu(e)
      return
    }
    if (this.#holdLazy) this.#releaseHoldNextTurn()
    this.#drainInbox()
  }

  #drainInbox(): void {
    if (this.#processing) return
    this.#processing = true
    try {
      while (!this.#paused && !this.#holdAfterEstablish && this.#inbox.length > 0 && !this.#closed) {
        const frame = this.#inbox.shift()!
        let pdu: Pdu
        try {
          pdu = decodePdu(frame)
        } catch (e) {
          this.#inbox = []
          this.#readFailed = true
          this.#onInvalidPdu(e)
          return
        }
        try {
          this.#emitPdu('received', pdu, (frame.bodyLength ?? frame.body.length) + 6)
          this.#onPdu(pdu)
        } catch (e) {
          // A throwing event listener must not escape into the transport's event loop (it would
          // crash the process): abort this association instead and carry the error as the cause.
          this.abort(e instanceof Error ? e : new Error(String(e)))
        }
      }
    } finally {
      this.#processing = false
    }
  }

  #onInvalidPdu(e: unknown): void {
    // Evt19: unrecognized or invalid PDU (PS3.8 §9.2.3); AA-8/AA-1/AA-7 answer it.
    this.#outgoing.abortReason = e instanceof PduError ? e.abortReason : AbortReason.NotSpecified
    this.#invalidCause = e instanceof Error ? e : undefined
    this.#dispatch('Evt19')
  }
  #invalidCause: Error | undefined

  #onPdu(pdu: Pdu): void {
    this.#touchIdle()
    // For PDUs that arrive in the wrong state, AA-8 sends reason 2 "unexpected PDU".
    this.#outgoing.abortReason = AbortReason.UnexpectedPdu
    switch (pdu.type) {
      case PduType.AssociateRq:
        this.associateRq = pdu
        if (this.#providerReject) {
          // AE-6, "not acceptable by the service provider": answer A-ASSOCIATE-RJ directly.
          const r = this.#providerReject
          this.#outgoing.rj = rejectPdu(r.result, r.source, r.reason)
          this.#establishError = new AssociationRejectedError(r.result, r.source, r.reason, describeReject(r))
        }
        this.#dispatch('Evt6', { associateRqAcceptable: this.#providerReject === undefined })
        return
      case PduType.AssociateAc:
        this.#receivedAc = pdu
        this.#dispatch('Evt3')
        return
      case PduType.AssociateRj:
        this.#receivedRj = pdu
        this.#dispatch('Evt4')
        return
      case PduType.PDataTf:
        this.#receivedPData = pdu
        this.#dispatch('Evt10')
        return
      case PduType.ReleaseRq:
        this.#dispatch('Evt12')
        return
      case PduType.ReleaseRp:
        this.#dispatch('Evt13')
        return
      case PduType.Abort:
        this.#receivedAbort = pdu
        this.#dispatch('Evt16', { abortFromServiceUser: pdu.source !== AbortSource.ServiceProvider })
        return
    }
  }
  #receivedAc: AssociateAcPdu | undefined
  #receivedRj: AssociateRjPdu | undefined
  #receivedPData: PDataTfPdu | undefined
  #receivedAbort: AbortPdu | undefined

  #onTransportClosed(): void {
    if (this.#closed) return
    this.#closed = true
    this.#clearTimers()
    if (this.#state !== 'Sta1') this.#dispatch('Evt17')
    this.#emitClosedOnce()
  }

  #emitClosedOnce(): void {
    if (this.#finalEmitted) return
    this.#finalEmitted = true
    this.#clearTimers()
    // Build the error only when a promise is still waiting for it: after a normal release both
    // are settled, and an Error (with its stack trace) per association is a measurable cost.
    const release = this.#release
    if (!this.#established.settled || (release && !release.settled)) {
      const err = this.#abortError ?? new AssociationAbortedError(AbortSource.ServiceProvider, 0, 'connection closed')
      this.#established.reject(this.#establishError ?? err)
      release?.reject(err)
    }
    this.emit('closed')
  }

  // ------------------------------------------------------------------------------------------
  // State machine driver

  #dispatch(event: FsmEvent, ctx?: { associateRqAcceptable?: boolean; abortFromServiceUser?: boolean }): void {
    const from = this.#state
    const r = step(from, event, ctx ? { isRequestor: this.role === 'requestor', ...ctx } : this.#stepContext)
    if (!r) {
      // Empty cell: a local primitive issued in the wrong state (a received PDU always has a cell
      // in the states where a connection exists). Nothing happens.
      return
    }
    this.#state = r.next
    if (this.listenerCount('transition') > 0) this.emit('transition', { from, event, action: r.action, to: r.next })
    for (const eff of r.effects) this.#perform(eff, r.action)
  }

  /** The context of a step without event-specific facts (one object per association, not per PDU). */
  get #stepContext(): StepContext {
    return this.role === 'requestor' ? REQUESTOR_STEP : ACCEPTOR_STEP
  }

  #perform(eff: FsmEffect, action: FsmActionName): void {
    switch (eff.kind) {
      case 'connect':
      case 'acceptTransport':
      case 'ignore':
        return
      case 'startArtim':
        this.#startArtim()
        return
      case 'stopArtim':
        this.#stopArtim()
        return
      case 'closeTransport':
        this.#closeTransport(action)
        return
      case 'send':
        this.#send(eff.pdu, eff.abortSource, action)
        return
      case 'indicate':
        this.#indicate(eff.primitive, action)
        return
    }
  }

  #send(kind: Extract<FsmEffect, { kind: 'send' }>['pdu'], abortSource: 'service-user' | 'service-provider' | undefined, action: FsmActionName): void {
    let pdu: Pdu
    switch (kind) {
      case 'A-ASSOCIATE-RQ':
        pdu = this.associateRq!
        break
      case 'A-ASSOCIATE-AC':
        pdu = this.associateAc!
        break
      case 'A-ASSOCIATE-RJ':
        pdu = this.#outgoing.rj ?? rejectPdu(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven)
        break
      case 'P-DATA-TF':
        pdu = this.#outgoing.pdata!
        this.#outgoing.pdata = undefined
        break
      case 'A-RELEASE-RQ':
        pdu = RELEASE_RQ
        break
      case 'A-RELEASE-RP':
        pdu = RELEASE_RP
        break
      case 'A-ABORT': {
        const provider = abortSource === 'service-provider'
        // PS3.8 Table 9-26: the reason is significant only for a service-provider abort.
        pdu = {
          type: PduType.Abort,
          source: provider ? AbortSource.ServiceProvider : AbortSource.ServiceUser,
          reason: provider ? (this.#outgoing.abortReason ?? AbortReason.NotSpecified) : 0,
        }
        if (action === 'AA-1' || action === 'AA-7') this.#noteLocalAbort(pdu)
        break
      }
    }
    this.#write(pdu)
  }

  #noteLocalAbort(pdu: AbortPdu): void {
    if (this.#abortError) return
    const cause = this.#pendingAbortCause ?? this.#invalidCause
    const msg = this.#pendingAbortCause ? `association aborted locally: ${this.#pendingAbortCause.message}` : 'association aborted locally'
    this.#failWith(new AssociationAbortedError(pdu.source, pdu.reason, msg, cause ? { cause } : undefined))
  }

  #write(pdu: Pdu): void {
    const t = this.#transport
    if (!t || t.closed) {
      this.#lastWrite = Promise.reject(new DicomError('ERR_ASSOC_CLOSED', 'transport is closed'))
      this.#lastWrite.catch(() => undefined)
      return
    }
    // A-RELEASE-RQ/RP are constant: their 10 bytes are encoded once (never changed after).
    const chunks = pdu === RELEASE_RQ ? RELEASE_RQ_BYTES : pdu === RELEASE_RP ? RELEASE_RP_BYTES : encodePdu(pdu)
    if (this.listenerCount('pdu') > 0) {
      let len = 0
      for (const c of chunks) len += c.length
      this.#emitPdu('sent', pdu, len)
    }
    if (pdu.type !== PduType.AssociateRq && pdu.type !== PduType.Abort) this.#touchIdle()
    const p = t.write(chunks)
    p.catch(() => undefined)
    this.#lastWrite = p
  }

  #emitPdu(direction: 'sent' | 'received', pdu: Pdu, length: number): void {
    if (this.listenerCount('pdu') === 0) return
    this.emit('pdu', { direction, pdu, length, summary: summarizePdu(pdu) })
  }

  #indicate(primitive: Extract<FsmEffect, { kind: 'indicate' }>['primitive'], action: FsmActionName): void {
    switch (primitive) {
      case 'A-ASSOCIATE-indication':
        void this.#answerAssociateRq().catch((e: unknown) => this.abort(e instanceof Error ? e : new Error(String(e))))
        return
      case 'A-ASSOCIATE-confirm-accept': {
        this.#stopAcse()
        const rq = this.associateRq!
        const ac = this.#receivedAc!
        this.associateAc = ac
        const n = interpretAssociateAc(rq, ac)
        this.acceptedContexts = n.acceptedContexts
        this.rejectedContexts = n.rejectedContexts
        this.peerMaxPduLength = n.peerMaxPduLength
        this.asyncOps = n.asyncOps
        this.peerImplementationClassUid = n.peerImplementationClassUid
        this.peerImplementationVersionName = n.peerImplementationVersionName
        this.userIdentityServerResponse = n.userIdentityServerResponse
        this.extendedNegotiation = n.extendedNegotiation
        this.#touchIdle()
        this.#holdInboxUntilUserAttached()
        this.emit('established')
        this.#established.resolve()
        return
      }
      case 'A-ASSOCIATE-confirm-reject': {
        this.#stopAcse()
        const rj = this.#receivedRj!
        this.#established.reject(new AssociationRejectedError(rj.result, rj.source, rj.reason, describeReject(rj)))
        return
      }
      case 'P-DATA-indication':
        this.emit('pdata', this.#receivedPData!)
        return
      case 'A-RELEASE-indication':
        this.#releaseHolds = []
        this.emit('releaseRequested')
        if (action === 'AR-2') {
          // We answer the release ourselves (PS3.8 §7.2: the only answer is affirmative), once the
          // messages being sent and the work passed to holdRelease() are done: Sta8 still allows
          // P-DATA (AR-7), so pending responses go out before the A-RELEASE-RP.
          const holds = [...this.#releaseHolds, this.#sendChain]
          this.#releaseHolds = []
          void Promise.allSettled(holds).then(() => {
            if (this.#state !== 'Sta8') return
            this.#dispatch('Evt14') // AR-4: send A-RELEASE-RP, ARTIM → Sta13
            this.#emitReleased()
          })
        } else if (this.role === 'requestor') {
          // AR-8 collision, requestor side (Sta9): answer first (AR-9 → Sta11), then await RP.
          this.#dispatch('Evt14')
        }
        // Acceptor side of a collision (Sta10): wait for the RP (AR-10), then answer.
        return
      case 'A-RELEASE-confirm':
        this.#stopAcse()
        this.#emitReleased()
        if (action === 'AR-10') this.#dispatch('Evt14') // Sta12 → AR-4 → Sta13
        return
      case 'A-ABORT-indication':
      case 'A-P-ABORT-indication': {
        let err: AssociationAbortedError
        if (action === 'AA-3' && this.#receivedAbort) {
          const a = this.#receivedAbort
          err = new AssociationAbortedError(a.source, a.reason, `association aborted by the peer (source ${a.source}, reason ${a.reason})`)
        } else if (action === 'AA-8') {
          const reason = this.#outgoing.abortReason ?? AbortReason.NotSpecified
          const cause = this.#invalidCause
          err = new AssociationAbortedError(
            AbortSource.ServiceProvider,
            reason,
            `association aborted: ${cause ? cause.message : `unexpected PDU in state ${this.#state}`}`,
            cause ? { cause } : undefined,
          )
        } else {
          const cause = this.#transportError
          err = new AssociationAbortedError(
            AbortSource.ServiceProvider,
            0,
            `connection closed${cause ? `: ${cause.message}` : ''}`,
            cause ? { cause } : undefined,
          )
        }
        this.#failWith(err)
        return
      }
    }
  }

  /**
   * Called when the association becomes established: PDUs that arrived together with the
   * A-ASSOCIATE-AC/RQ, or in the same synchronous run, wait until the next macrotask, so that code
   * attaching listeners right after `await Association.request()/accept()` sees every event.
   * PDUs that arrive after the current microtask checkpoint are handled at once.
   */
  #holdInboxUntilUserAttached(): void {
    this.#holdAfterEstablish = true
    if (this.#inbox.length > 0) {
      this.#releaseHoldNextTurn()
      return
    }
    // Nothing waits yet (the usual case): no timer. The code that attaches listeners runs as
    // microtasks of the current checkpoint; once that checkpoint has run (the microtask below
    // lifts the hold in it), data that arrives is handled at once. Data that arrives before, in
    // the same synchronous run (e.g. several chunks delivered in one loop), waits for the next
    // macrotask.
    this.#holdLazy = true
    queueMicrotask(() => {
      if (!this.#holdLazy) return
      this.#holdLazy = false
      this.#holdAfterEstablish = false
    })
  }
  /** Data arrived while held: handle it (and what else waits) on the next macrotask. */
  #releaseHoldNextTurn(): void {
    this.#holdLazy = false
    setImmediate(() => {
      this.#holdAfterEstablish = false
      this.#drainInbox()
    })
  }
  #holdAfterEstablish = false
  /** The hold was set without a timer and the current microtask checkpoint has not run yet. */
  #holdLazy = false

  #emitReleased(): void {
    this.#clearIdle()
    this.emit('released')
    this.#release?.resolve()
  }

  #failWith(err: AssociationAbortedError): void {
    if (this.#abortError) return
    this.#abortError = err
    this.#clearIdle()
    this.#stopAcse()
    this.#established.reject(this.#establishError ?? err)
    this.#release?.reject(err)
    this.emit('aborted', err)
  }
  #establishError: Error | undefined

  async #answerAssociateRq(): Promise<void> {
    const rq = this.associateRq!
    this.callingAeTitle = rq.callingAeTitle
    this.calledAeTitle = rq.calledAeTitle
    this.userIdentity = rq.userInformation.userIdentityRq
    this.peerImplementationClassUid = rq.userInformation.implementationClassUid
    this.peerImplementationVersionName = rq.userInformation.implementationVersionName
    this.extendedNegotiation = rq.userInformation.extendedNegotiations ?? []
    this.peerMaxPduLength = rq.userInformation.maxPduLength ?? 0
    let decision: Awaited<ReturnType<typeof negotiateAsAcceptor>>
    try {
      decision = await negotiateAsAcceptor(rq, this.#policy!)
    } catch (e) {
      // A failing policy hook rejects the association rather than crashing anything.
      decision = { kind: 'reject', rj: rejectPdu(RejectResult.RejectedTransient, RejectSource.ServiceUser, RejectReason.NoReasonGiven) }
      this.#policyError = e instanceof Error ? e : new Error(String(e))
    }
    if (this.#state !== 'Sta3') return // aborted or closed meanwhile
    if (decision.kind === 'reject') {
      this.#outgoing.rj = decision.rj
      this.#established.reject(
        new AssociationRejectedError(decision.rj.result, decision.rj.source, decision.rj.reason, describeReject(decision.rj)),
      )
      this.#dispatch('Evt8') // AE-8: send RJ, ARTIM → Sta13
      return
    }
    this.associateAc = decision.ac
    this.acceptedContexts = decision.acceptedContexts
    this.rejectedContexts = decision.rejectedContexts
    this.asyncOps = decision.asyncOps
    this.#holdInboxUntilUserAttached()
    this.#dispatch('Evt7') // AE-7: send AC → Sta6
    this.#touchIdle()
    this.emit('established')
    this.#established.resolve()
  }
  #policyError: Error | undefined

  /** The error thrown by the acceptor policy, if a hook failed and the association was rejected for it. */
  get policyError(): Error | undefined {
    return this.#policyError
  }

  // ------------------------------------------------------------------------------------------
  // Timers and closing

  #startArtim(): void {
    this.#stopArtim()
    // The AE-6 provider reject happens before ARTIM: prepare the RJ once we know the RQ.
    const ms = this.#timeouts.acseMs
    if (ms <= 0) return
    this.#artim = setTimeout(() => {
      this.#artim = undefined
      if (this.#state === 'Sta2') {
        this.#establishError = new TimeoutError('artim', ms)
        this.#established.reject(this.#establishError)
      }
      this.#dispatch('Evt18')
    }, ms)
  }

  #stopArtim(): void {
    if (this.#artim) clearTimeout(this.#artim)
    this.#artim = undefined
  }

  #startAcse(timer: 'acse'): void {
    this.#stopAcse()
    const ms = this.#timeouts.acseMs
    if (ms <= 0) return
    this.#acse = setTimeout(() => {
      this.#acse = undefined
      const err = new TimeoutError(timer, ms)
      if (this.#state === 'Sta4' || this.#state === 'Sta5') this.#establishError = err
      this.abort(err)
    }, ms)
  }

  #stopAcse(): void {
    if (this.#acse) clearTimeout(this.#acse)
    this.#acse = undefined
  }

  #touchIdle(): void {
    const ms = this.#timeouts.idleMs
    if (ms <= 0) return
    if (this.#idle) clearTimeout(this.#idle)
    this.#idle = setTimeout(() => {
      this.#idle = undefined
      if (this.#state === 'Sta6') this.abort(new TimeoutError('idle', ms))
    }, ms)
  }

  #clearIdle(): void {
    if (this.#idle) clearTimeout(this.#idle)
    this.#idle = undefined
  }

  #clearTimers(): void {
    this.#stopArtim()
    this.#stopAcse()
    this.#clearIdle()
    if (this.#closeFallback) clearTimeout(this.#closeFallback)
    this.#closeFallback = undefined
  }

  #closeTransport(action: FsmActionName): void {
    const t = this.#transport
    if (!t || t.closed) {
      if (!t) this.#emitClosedOnce()
      return
    }
    // Over TLS the graceful path below is kept: end() sends the close_notify alert.
    if ((action === 'AR-3' || action === 'AE-4') && t.secure !== true) {
      // The requestor closes after the peer's last word, A-RELEASE-RP or A-ASSOCIATE-RJ (PS3.8
      // Table 9-7 AR-3, 9-6 AE-4), while the acceptor waits for that close under ARTIM (Sta13).
      // Everything we wrote was read before that answer and nothing more may come: close the
      // connection at once, as DCMTK does, instead of half-closing and waiting for the peer's FIN
      // (one event-loop wake-up, a socket shutdown and a fallback timer less per association).
      t.destroy()
      return
    }
    t.end()
    // If the peer does not close its side, drop the connection after a grace period.
    this.#closeFallback = setTimeout(() => t.destroy(), 2000)
    this.#closeFallback.unref?.()
  }
}

/** A human-readable description of an A-ASSOCIATE-RJ (PS3.8 Table 9-21). */
export function describeReject(rj: { result: number; source: number; reason: number }): string {
  const result = rj.result === 1 ? 'rejected-permanent' : rj.result === 2 ? 'rejected-transient' : `result ${rj.result}`
  const table: Record<number, Record<number, string>> = {
    1: { 1: 'no-reason-given', 2: 'application-context-name-not-supported', 3: 'calling-AE-title-not-recognized', 7: 'called-AE-title-not-recognized' },
    2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
    3: { 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
  }
  const source = rj.source === 1 ? 'service-user' : rj.source === 2 ? 'service-provider (ACSE)' : rj.source === 3 ? 'service-provider (presentation)' : `source ${rj.source}`
  const reason = table[rj.source]?.[rj.reason] ?? `reason ${rj.reason}`
  return `${result}, ${source}, ${reason}`
}
