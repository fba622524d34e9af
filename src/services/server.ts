/**
 * The SCP side: a server that accepts associations and routes DIMSE requests to the handlers
 * the application supplies — verification, storage, find, move, get and the N-services.
 * Each request that needs an answer has exactly one handler; observations are events.
 * @module
 */
import { EventEmitter } from 'node:events'
import type { Association, AssociationTimeouts } from '../association/association.js'
import { listen, type AssociationListener } from '../association/listener.js'
import type { AcceptedContext, AcceptorPolicy, AsyncOpsWindow, RejectDecision, SupportedContext, UserIdentityDecision } from '../association/negotiation.js'
import type { TlsOptions } from '../transport/node-socket.js'
import type { UserIdentityRq, AssociateRqPdu } from '../pdu/types.js'
import { Dataset, DataElement } from '../dataset/element.js'
import { decodeDataset } from '../dataset/decode.js'
import { encodeDataset } from '../dataset/encode.js'
import { CommandField, commandFieldName, isKnownCommandField } from '../dimse/command.js'
import type { CFindRq, CGetRq, CMoveRq, DimseRequest, DimseResponse } from '../dimse/command.js'
import { cFindRsp, cGetRsp, cMoveRsp, nEventReportRq, responseFor } from '../dimse/messages.js'
import type { DimseError } from '../dimse/errors.js'
import { Status, statusCategory } from '../dimse/status.js'
import { StatusError } from '../errors.js'
import { DimseChannel, type IncomingRequest } from './channel.js'
import { Client, requestOver, storeOver, type ClientAssociation, type OperationResult } from './client.js'
import { contextsForInstances, supportedContexts, UNCOMPRESSED_TRANSFER_SYNTAXES } from './contexts.js'
import { errorComment, runStoreHandler, type StoreHandler } from './store-request.js'
import { ensureNodeCodecs } from './node-codecs.js'

/** What every request handler is told about where the request came from. */
export interface RequestOrigin {
  callingAeTitle: string
  calledAeTitle: string
  /** The association (for its negotiated details: user identity, contexts, remote address). */
  association: Association
}

/** A C-ECHO request. */
export interface EchoRequest extends RequestOrigin {}

/** A C-FIND request: the identifier, decoded, and a signal aborted by C-CANCEL. */
export interface FindRequest extends RequestOrigin {
  command: CFindRq
  sopClassUid: string
  identifier: Dataset
  signal: AbortSignal
}

/** A C-MOVE or C-GET request. */
export interface RetrieveRequest extends RequestOrigin {
  command: CMoveRq | CGetRq
  sopClassUid: string
  identifier: Dataset
  /** C-MOVE only: the Move Destination AE title. */
  destination?: string
  signal: AbortSignal
}

/** One instance to send as a C-STORE sub-operation. */
export interface RetrieveItem {
  sopClassUid: string
  sopInstanceUid: string
  /** Transfer syntax of the stored data, if known (helps proposing contexts). */
  transferSyntaxUid?: string
  /** The Part 10 file bytes. */
  file(): Promise<Uint8Array>
}

/** An N-EVENT-REPORT the SCP sends to the requestor on the same association. */
export interface EventReport {
  eventTypeId: number
  /** Default: the SOP class of the request being handled. */
  sopClassUid?: string
  /** Default: the SOP instance of the request being handled. */
  sopInstanceUid?: string
  /** Event Information. */
  dataset?: Dataset
}

/** A DIMSE-N request (N-GET, N-SET, N-ACTION, N-CREATE, N-DELETE, N-EVENT-REPORT). */
export interface NRequest extends RequestOrigin {
  command: DimseRequest
  dataset: Dataset | undefined
  /** The presentation context the request came on. */
  context: AcceptedContext
  /**
   * Send an N-EVENT-REPORT to the requestor on this association and context, once the response
   * to this request has gone out (e.g. Storage Commitment results, push model, PS3.4 J.3.3).
   * Resolves with the requestor's N-EVENT-REPORT-RSP. Do not await it before the handler
   * returns: it waits for the handler's response to be sent.
   */
  eventReport(report: EventReport): Promise<OperationResult>
}

/** What an {@link ServerHandlers.nService} handler answers. */
export interface NResult {
  status: number
  /** Attribute List / Action Reply / Event Reply, as the operation defines. */
  dataset?: Dataset
  /** N-CREATE: the instance UID the SCP assigned (PS3.7 §10.1.5.1.5). */
  affectedSopInstanceUid?: string
  errorComment?: string
}

/** A find answer: an identifier (status Pending FF00) or an identifier with its own pending status. */
export type FindAnswer = Dataset | { identifier: Dataset; status: number }

/** The handlers of a {@link Server}: one per kind of request. */
export interface ServerHandlers {
  /** C-ECHO; default answers Success. */
  echo?: (request: EchoRequest) => number | Promise<number>
  /** C-STORE. */
  store?: StoreHandler
  /** C-FIND: yield matching identifiers (response identifiers with the return keys). */
  find?: (request: FindRequest) => AsyncIterable<FindAnswer> | Iterable<FindAnswer>
  /** C-MOVE: the instances to send to `request.destination`. */
  move?: (request: RetrieveRequest) => RetrieveItem[] | Promise<RetrieveItem[]>
  /** C-GET: the instances to send back on the same association. */
  get?: (request: RetrieveRequest) => RetrieveItem[] | Promise<RetrieveItem[]>
  /** Any DIMSE-N request (on the contexts of `nSopClasses` or `contexts`). */
  nService?: (request: NRequest) => NResult | Promise<NResult>
}

/** A C-MOVE destination. */
export interface PeerAddress {
  host: string
  port: number
  tls?: TlsOptions
}

/** Options of a {@link Server}. */
export interface ServerOptions {
  aeTitle: string
  handlers: ServerHandlers
  /** Reject associations whose called AE title is not ours (default true). */
  checkCalledAeTitle?: boolean
  /** Only these calling AE titles may associate. */
  allowedCallingAeTitles?: readonly string[]
  /** Supported presentation contexts; default: derived from the handlers given. */
  contexts?: readonly SupportedContext[]
  /** SOP classes (or Meta SOP classes) served by the `nService` handler, accepted with the uncompressed transfer syntaxes. */
  nSopClasses?: readonly string[]
  /** Transfer syntaxes accepted for storage (default: uncompressed and the common compressed ones). */
  storageTransferSyntaxes?: readonly string[]
  /** C-MOVE destinations by AE title. */
  peers?: Readonly<Record<string, PeerAddress>> | ((aeTitle: string) => PeerAddress | undefined)
  /** User identity policy (PS3.7 D.3.3.7). */
  userIdentity?: (identity: UserIdentityRq, rq: AssociateRqPdu) => UserIdentityDecision | Promise<UserIdentityDecision>
  /**
   * Last word on an otherwise acceptable A-ASSOCIATE-RQ: return a reject decision (result,
   * source, reason of PS3.8 Table 9-21) to refuse it, e.g. when no user identity was offered.
   */
  accept?: (rq: AssociateRqPdu) => RejectDecision | undefined | Promise<RejectDecision | undefined>
  maxPduLength?: number
  /**
   * Largest asynchronous operations window granted (PS3.7 D.3.3.3; the answer is the smaller of
   * both sides, 0 = unlimited). Default: not negotiated (1/1).
   */
  asyncOps?: AsyncOpsWindow
  maxAssociations?: number
  timeouts?: AssociationTimeouts
  dimseTimeoutMs?: number
  tls?: TlsOptions
}

/** One line of what happened, for logs. */
export interface OperationEvent {
  callingAeTitle: string
  operation: string
  status: number
  durationMs: number
  detail?: string
}

/** Events of a {@link Server}. */
export interface ServerEventMap {
  association: [association: Association]
  operation: [event: OperationEvent]
  error: [error: Error]
}

/**
 * A DICOM server (SCP). Listen on a port; each association's requests go to the handlers.
 *
 * @example
 * ```ts
 * const server = new Server({ aeTitle: 'ARCHIVE', handlers: { store: async (rq) => { ...; return 0 } } })
 * await server.listen(11112, '127.0.0.1')
 * ```
 */
export class Server extends EventEmitter<ServerEventMap> {
  readonly options: ServerOptions
  #listener: AssociationListener | undefined

  constructor(options: ServerOptions) {
    super()
    this.options = options
    ensureNodeCodecs()
  }

  /** The acceptor policy derived from the options. */
  policy(): AcceptorPolicy {
    const o = this.options
    const h = o.handlers
    const contexts =
      o.contexts ??
      supportedContexts({
        verification: true,
        // A C-GET SCP sends C-STORE sub-operations on the same association: it needs the storage
        // contexts too (as SCU of storage, PS3.4 C.4.3.1, role selection PS3.7 D.3.3.4).
        storage: h.store !== undefined || h.get !== undefined,
        ...(o.storageTransferSyntaxes ? { storageTransferSyntaxes: o.storageTransferSyntaxes } : {}),
        find: h.find !== undefined,
        move: h.move !== undefined,
        get: h.get !== undefined,
        ...(o.nSopClasses ? { extra: o.nSopClasses.map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [...UNCOMPRESSED_TRANSFER_SYNTAXES] })) } : {}),
      })
    return {
      aeTitle: o.aeTitle,
      checkCalledAeTitle: o.checkCalledAeTitle ?? true,
      ...(o.allowedCallingAeTitles ? { allowedCallingAeTitles: o.allowedCallingAeTitles } : {}),
      contexts,
      ...(o.maxPduLength !== undefined ? { maxPduLength: o.maxPduLength } : {}),
      ...(o.asyncOps ? { asyncOps: o.asyncOps } : {}),
      ...(o.userIdentity ? { userIdentity: o.userIdentity } : {}),
      ...(o.accept ? { accept: o.accept } : {}),
    }
  }

  /** Start listening. Port 0 picks a free port; see {@link Server.address}. */
  async listen(port: number, host?: string): Promise<this> {
    this.#listener = await listen(
      {
        port,
        ...(host !== undefined ? { host } : {}),
        ...(this.options.tls ? { tls: this.options.tls } : {}),
        policy: this.policy(),
        ...(this.options.maxAssociations !== undefined ? { maxAssociations: this.options.maxAssociations } : {}),
        ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
        onError: (e) => {
          if (this.listenerCount('error') > 0) this.emit('error', e)
        },
      },
      (assoc) => this.serve(assoc),
    )
    return this
  }

  /** The bound address. */
  address(): { host: string; port: number } {
    if (!this.#listener) throw new StatusError(Status.ProcessingFailure, 'server is not listening')
    return this.#listener.address()
  }

  /** Stop accepting; with `abort`, abort open associations too. */
  async close(options?: { abort?: boolean }): Promise<void> {
    await this.#listener?.close(options)
  }

  /** Serve one established association (also usable with associations from elsewhere, e.g. a memory transport). */
  serve(assoc: Association): void {
    this.emit('association', assoc)
    const running = new Map<number, AbortController>()
    const channel: DimseChannel = new DimseChannel(assoc, {
      onRequest: (r) => void this.#dispatch(channel, r, running),
      onCancel: (id) => running.get(id)?.abort(),
      onUndecodableRequest: (e, contextId) => this.#answerUndecodable(channel, e, contextId),
      ...(this.options.dimseTimeoutMs !== undefined ? { dimseTimeoutMs: this.options.dimseTimeoutMs } : {}),
    })
  }

  /**
   * A request whose command set could not be decoded but whose Command Field and Message ID
   * could: answer 0x0211 Unrecognized Operation (unknown Command Field) or 0x0212 Mistyped
   * Argument (a known request with missing or malformed fields) instead of aborting (general
   * statuses of PS3.7 Annex C.5). Responses, C-CANCEL and requests without a Message ID are not answerable: abort.
   */
  #answerUndecodable(channel: DimseChannel, e: DimseError, contextId: number): boolean {
    const field = e.commandField
    const id = e.messageId
    if (field === undefined || id === undefined || (field & 0x8000) !== 0 || field === CommandField.CCancelRq) return false
    if (!channel.context(contextId) || channel.failed) return false
    const status = isKnownCommandField(field) ? Status.MistypedArgument : Status.UnrecognizedOperation
    const bytes = failureResponseCommand((field | 0x8000) & 0xffff, id, status, errorComment(e))
    channel.association.sendMessage(contextId, bytes).catch(() => undefined)
    this.#log(channel.association, commandFieldName(field), status, Date.now(), e.message)
    if (this.listenerCount('error') > 0) this.emit('error', e)
    return true
  }

  #origin(assoc: Association): RequestOrigin {
    return { callingAeTitle: assoc.callingAeTitle, calledAeTitle: assoc.calledAeTitle, association: assoc }
  }

  #log(assoc: Association, operation: string, status: number, started: number, detail?: string): void {
    if (this.listenerCount('operation') === 0) return
    this.emit('operation', {
      callingAeTitle: assoc.callingAeTitle,
      operation,
      status,
      durationMs: Date.now() - started,
      ...(detail !== undefined ? { detail } : {}),
    })
  }

  async #dispatch(channel: DimseChannel, r: IncomingRequest, running: Map<number, AbortController>): Promise<void> {
    const assoc = channel.association
    const started = Date.now()
    const { command, context } = r
    if (command.commandField === CommandField.CCancelRq) return
    const h = this.options.handlers
    // Settled once the response went out; made only when an N-EVENT-REPORT waits for it (and
    // shared by all that do).
    let hasResponded = false
    let wake: (() => void) | undefined
    let waiting: Promise<void> | undefined
    const responded = (): void => {
      hasResponded = true
      wake?.()
    }
    const afterResponse = (): Promise<void> =>
      hasResponded ? Promise.resolve() : (waiting ??= new Promise<void>((res) => (wake = res)))
    const reply = (rsp: DimseResponse, dataset?: Dataset): Promise<void> =>
      channel.send(context.id, rsp, dataset ? encodeDataset(dataset, context.transferSyntax) : undefined).finally(responded)
    try {
      switch (command.commandField) {
        case CommandField.CEchoRq: {
          const status = h.echo ? await h.echo(this.#origin(assoc)) : Status.Success
          await reply(responseFor(command, status))
          this.#log(assoc, 'C-ECHO', status, started)
          return
        }
        case CommandField.CStoreRq: {
          const result = h.store
            ? await runStoreHandler(h.store, r, { callingAeTitle: assoc.callingAeTitle, calledAeTitle: assoc.calledAeTitle })
            : { status: Status.SopClassNotSupported }
          await reply(responseFor(command, result.status, result.errorComment ? { errorComment: result.errorComment } : {}))
          this.#log(assoc, 'C-STORE', result.status, started, command.affectedSopInstanceUid)
          return
        }
        case CommandField.CFindRq: {
          const ac = new AbortController()
          running.set(command.messageId, ac)
          try {
            const status = await this.#find(channel, r, command, ac.signal)
            this.#log(assoc, 'C-FIND', status, started)
          } finally {
            running.delete(command.messageId)
          }
          return
        }
        case CommandField.CMoveRq:
        case CommandField.CGetRq: {
          const ac = new AbortController()
          running.set(command.messageId, ac)
          try {
            const status = await this.#retrieve(channel, r, command, ac.signal)
            this.#log(assoc, command.commandField === CommandField.CMoveRq ? 'C-MOVE' : 'C-GET', status, started)
          } finally {
            running.delete(command.messageId)
          }
          return
        }
        default: {
          if (!h.nService) {
            // Accepted context, no handler for its SOP class (PS3.7 C.5: 0122 Refused: SOP Class not supported).
            await reply(responseFor(command, Status.SopClassNotSupported))
            this.#log(assoc, commandFieldName(command.commandField), Status.SopClassNotSupported, started)
            return
          }
          const dataset = r.dataset ? decodeDataset(r.dataset, context.transferSyntax).dataset : undefined
          const rq = command as Partial<Record<'affectedSopClassUid' | 'affectedSopInstanceUid' | 'requestedSopClassUid' | 'requestedSopInstanceUid', string>>
          const eventReport = async (ev: EventReport): Promise<OperationResult> => {
            await afterResponse()
            const sopClassUid = ev.sopClassUid ?? rq.affectedSopClassUid ?? rq.requestedSopClassUid
            const sopInstanceUid = ev.sopInstanceUid ?? rq.affectedSopInstanceUid ?? rq.requestedSopInstanceUid
            if (!sopClassUid || !sopInstanceUid) throw new StatusError(Status.MissingAttributeValue, 'N-EVENT-REPORT needs a SOP class and instance')
            return requestOver(
              channel,
              context.id,
              (id) => nEventReportRq({ messageId: id, affectedSopClassUid: sopClassUid, affectedSopInstanceUid: sopInstanceUid, eventTypeId: ev.eventTypeId, hasDataset: ev.dataset !== undefined }),
              ev.dataset,
            )
          }
          const out = await h.nService({ ...this.#origin(assoc), command, dataset, context, eventReport })
          const extra = {
            ...(out.affectedSopInstanceUid !== undefined ? { affectedSopInstanceUid: out.affectedSopInstanceUid } : {}),
            ...(out.errorComment !== undefined ? { errorComment: out.errorComment } : {}),
          }
          await reply({ ...responseFor(command, out.status, extra), hasDataset: out.dataset !== undefined } as DimseResponse, out.dataset)
          this.#log(assoc, commandFieldName(command.commandField), out.status, started)
          return
        }
      }
    } catch (e) {
      if (channel.failed) return
      const status = e instanceof StatusError ? e.status : Status.ProcessingFailure
      try {
        const comment = errorComment(e)
        await reply(responseFor(command as Exclude<DimseRequest, { commandField: 0x0fff }>, status, comment ? { errorComment: comment } : {}))
      } catch {
        // association gone
      }
      if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)))
    } finally {
      responded()
    }
  }

  async #find(channel: DimseChannel, r: IncomingRequest, command: CFindRq, signal: AbortSignal): Promise<number> {
    const ctx = r.context
    const send = (rsp: DimseResponse, ds?: Dataset): Promise<void> =>
      channel.send(ctx.id, rsp, ds ? encodeDataset(ds, ctx.transferSyntax) : undefined)
    const handler = this.options.handlers.find
    const base = { messageIdBeingRespondedTo: command.messageId, affectedSopClassUid: command.affectedSopClassUid }
    if (!handler) {
      await send(cFindRsp({ ...base, status: Status.SopClassNotSupported }))
      return Status.SopClassNotSupported
    }
    const identifier = decodeIdentifier(r.dataset, ctx.transferSyntax)
    const answers = handler({ ...this.#origin(channel.association), command, sopClassUid: command.affectedSopClassUid, identifier, signal })
    for await (const a of answers as AsyncIterable<FindAnswer>) {
      if (signal.aborted) break
      const [ds, status] = a instanceof Dataset ? [a, Status.Pending] : [a.identifier, a.status]
      await send(cFindRsp({ ...base, status, hasDataset: true }), ds)
    }
    const status = signal.aborted ? Status.Cancel : Status.Success
    await send(cFindRsp({ ...base, status }))
    return status
  }

  async #retrieve(channel: DimseChannel, r: IncomingRequest, command: CMoveRq | CGetRq, signal: AbortSignal): Promise<number> {
    const ctx = r.context
    const isMove = command.commandField === CommandField.CMoveRq
    const build = isMove ? cMoveRsp : cGetRsp
    const base = { messageIdBeingRespondedTo: command.messageId, affectedSopClassUid: command.affectedSopClassUid }
    const send = (fields: Record<string, number>, status: number, ds?: Dataset): Promise<void> =>
      channel.send(ctx.id, build({ ...base, ...fields, status, hasDataset: ds !== undefined }), ds ? encodeDataset(ds, ctx.transferSyntax) : undefined)
    const handler = isMove ? this.options.handlers.move : this.options.handlers.get
    if (!handler) {
      await send({}, Status.SopClassNotSupported)
      return Status.SopClassNotSupported
    }
    const destination = isMove ? (command as CMoveRq).moveDestination : undefined
    let peer: PeerAddress | undefined
    if (destination !== undefined) {
      const peers = this.options.peers
      peer = typeof peers === 'function' ? peers(destination) : peers?.[destination]
      if (!peer) {
        await send({}, Status.MoveDestinationUnknown)
        return Status.MoveDestinationUnknown
      }
    }
    const identifier = decodeIdentifier(r.dataset, ctx.transferSyntax)
    const items = await handler({
      ...this.#origin(channel.association),
      command,
      sopClassUid: command.affectedSopClassUid,
      identifier,
      ...(destination !== undefined ? { destination } : {}),
      signal,
    })
    let completed = 0
    let failed = 0
    let warning = 0
    const failedUids: string[] = []
    const counts = () => ({
      numberOfRemainingSuboperations: items.length - completed - failed - warning,
      numberOfCompletedSuboperations: completed,
      numberOfFailedSuboperations: failed,
      numberOfWarningSuboperations: warning,
    })

    // C-MOVE: a sub-association to the destination; C-GET: this association (PS3.4 C.4.2, C.4.3).
    let target: { store: ClientAssociation['store']; release?: () => Promise<void> }
    if (peer && items.length > 0) {
      let sub: ClientAssociation
      try {
        sub = await new Client({ aeTitle: this.options.aeTitle }).associate({
          host: peer.host,
          port: peer.port,
          calledAeTitle: destination!,
          ...(peer.tls ? { tls: peer.tls } : {}),
          presentationContexts: contextsForInstances(items).slice(0, 128),
          // A destination that stops answering fails its sub-operations instead of hanging the C-MOVE.
          ...(this.options.dimseTimeoutMs !== undefined ? { dimseTimeoutMs: this.options.dimseTimeoutMs } : {}),
          ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
        })
      } catch (e) {
        // No sub-operation could be attempted: every one failed (PS3.4 C.4.2.1.5, C.4.2.3.1):
        // A702 with the failed count and every UID in the Failed SOP Instance UID List.
        if (this.listenerCount('error') > 0) this.emit('error', new Error(`cannot associate with ${destination}: ${errorComment(e)}`, { cause: e }))
        const ds = new Dataset()
        ds.set(DataElement.fromValue(0x00080058, 'UI', items.map((i) => i.sopInstanceUid)))
        const failedAll = {
          numberOfRemainingSuboperations: 0,
          numberOfCompletedSuboperations: 0,
          numberOfFailedSuboperations: items.length,
          numberOfWarningSuboperations: 0,
        }
        await channel.send(
          ctx.id,
          build({ ...base, ...failedAll, status: Status.OutOfResourcesUnableToPerformSuboperations, errorComment: errorComment(`cannot associate with ${destination}`), hasDataset: true }),
          encodeDataset(ds, ctx.transferSyntax),
        )
        return Status.OutOfResourcesUnableToPerformSuboperations
      }
      target = { store: sub.store.bind(sub), release: () => sub.release() }
    } else {
      // C-GET: the sub-operations go over the requestor's own association (PS3.4 C.4.3.1)
      target = { store: (input, opts) => storeOver(channel, input, opts) }
    }
    try {
      for (const item of items) {
        if (signal.aborted) break
        let status: number
        try {
          const res = await target.store(
            { file: await item.file() },
            isMove ? { moveOriginator: { aeTitle: channel.association.callingAeTitle, messageId: command.messageId } } : {},
          )
          status = res.status
        } catch (e) {
          if (channel.failed) throw e
          status = Status.ProcessingFailure
          if (this.listenerCount('error') > 0) this.emit('error', new Error(`sub-operation for ${item.sopInstanceUid} failed: ${errorComment(e)}`, { cause: e }))
        }
        const cat = statusCategory(status)
        if (cat === 'Success') completed++
        else if (cat === 'Warning') warning++
        else {
          failed++
          failedUids.push(item.sopInstanceUid)
        }
        if (completed + failed + warning < items.length) await send(counts(), Status.Pending)
      }
    } finally {
      await target.release?.().catch(() => undefined)
    }
    const remainingUids = signal.aborted ? items.slice(completed + failed + warning).map((i) => i.sopInstanceUid) : []
    const finalStatus = signal.aborted
      ? Status.Cancel
      : failed > 0 && completed === 0 && warning === 0
        ? Status.OutOfResourcesUnableToPerformSuboperations
        : failed > 0 || warning > 0
          ? Status.SuboperationsCompleteWithFailures
          : Status.Success
    const all = [...failedUids, ...remainingUids]
    let ds: Dataset | undefined
    if (all.length) {
      // Failed SOP Instance UID List (0008,0058) in the final response identifier (PS3.4 C.4.2.1.5)
      ds = new Dataset()
      ds.set(DataElement.fromValue(0x00080058, 'UI', all))
    }
    const final = counts()
    await send({ ...final, numberOfRemainingSuboperations: signal.aborted ? final.numberOfRemainingSuboperations : 0 }, finalStatus, ds)
    return finalStatus
  }
}


/**
 * The smallest response command set (PS3.7 Annex E, implicit VR little endian): Command Group
 * Length, Command Field, Message ID Being Responded To, Command Data Set Type (no dataset),
 * Status and Error Comment. Built by hand because the Command Field may be one that the message
 * codec does not know (and then has no response shape).
 */
function failureResponseCommand(commandField: number, messageId: number, status: number, comment: string): Uint8Array {
  const raw = new TextEncoder().encode(comment)
  const text = new Uint8Array(raw.length + (raw.length % 2)).fill(0x20) // LO: pad to even with a space
  text.set(raw)
  const size = 12 + 10 + 10 + 10 + 10 + 8 + text.length
  const out = new Uint8Array(size)
  const dv = new DataView(out.buffer)
  let p = 0
  const header = (element: number, length: number): void => {
    dv.setUint16(p, 0x0000, true)
    dv.setUint16(p + 2, element, true)
    dv.setUint32(p + 4, length, true)
    p += 8
  }
  const us = (element: number, v: number): void => {
    header(element, 2)
    dv.setUint16(p, v, true)
    p += 2
  }
  header(0x0000, 4)
  dv.setUint32(p, size - 12, true)
  p += 4
  us(0x0100, commandField)
  us(0x0120, messageId)
  us(0x0800, 0x0101) // no dataset
  us(0x0900, status)
  header(0x0902, text.length)
  out.set(text, p)
  return out
}

/**
 * Decode a C-FIND / C-MOVE / C-GET identifier; one that cannot be decoded is answered A900
 * (Identifier does not match SOP Class, PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.5) rather than 0110.
 */
function decodeIdentifier(bytes: Uint8Array | undefined, transferSyntax: string): Dataset {
  try {
    return decodeDataset(bytes ?? new Uint8Array(0), transferSyntax).dataset
  } catch (e) {
    throw new StatusError(Status.IdentifierDoesNotMatchSopClass, errorComment(e))
  }
}
