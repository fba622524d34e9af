/**
 * The SCU side: open an association and run DIMSE operations on it — C-ECHO, C-STORE, C-FIND,
 * C-MOVE, C-GET and the N-services. Unary operations return promises; operations with pending
 * responses return async iterables (`break` sends C-CANCEL).
 * @module
 */
import { Association, type AssociationRequestOptions } from '../association/association.js'
import type { AcceptedContext, ProposedContext } from '../association/negotiation.js'
import { Dataset } from '../dataset/element.js'
import { decodeDataset } from '../dataset/decode.js'
import { encodeDataset } from '../dataset/encode.js'
import { decodeFile } from '../dataset/part10.js'
import { isUncompressed } from '../dataset/transfer-syntax.js'
import { SopClass } from '../dataset/uids.js'
import { CommandField } from '../dimse/command.js'
import type { CGetRsp, CMoveRsp, DimseRequest, DimseResponse, NEventReportRq } from '../dimse/command.js'
import { cEchoRq, cFindRq, cGetRq, cMoveRq, cStoreRq, nActionRq, nCreateRq, nDeleteRq, nGetRq, nSetRq, responseFor } from '../dimse/messages.js'
import { isPending, Status } from '../dimse/status.js'
import { DicomError, NegotiationError } from '../errors.js'
import { DimseChannel, type DimseChannelOptions, type IncomingRequest, type ResponseMessage } from './channel.js'
import { sopClassOf, type QueryModel } from './contexts.js'
import { runStoreHandler, type StoreHandler } from './store-request.js'
import { ensureNodeCodecs } from './node-codecs.js'

/** The outcome of a unary operation: the final response's status and its detail fields. */
export interface OperationResult {
  status: number
  errorComment?: string
  /** The full response command set. */
  response: DimseResponse
  /** The response dataset, for N-GET / N-ACTION / N-CREATE etc. */
  dataset?: Dataset
}

/** Options of {@link Client.associate}. */
export interface AssociateOptions extends Omit<AssociationRequestOptions, 'callingAeTitle' | 'calledAeTitle'> {
  /** Default: the client's AE title. */
  callingAeTitle?: string
  /** Default 'ANY-SCP'. */
  calledAeTitle?: string
  /** Reject a request when no (next) response arrives within this many ms. Default 0 (none). */
  dimseTimeoutMs?: number
  /** Handles C-STORE sub-operations of C-GET (and any C-STORE the peer sends us). */
  onStore?: StoreHandler
  /** Handles N-EVENT-REPORT requests from the peer. */
  onEventReport?: (request: NEventReportRq, dataset: Dataset | undefined) => number | Promise<number>
}

/** Options of a {@link ClientAssociation} besides the association itself. */
export type ClientAssociationOptions = Pick<AssociateOptions, 'dimseTimeoutMs' | 'onStore' | 'onEventReport'>

/** A DICOM client: holds defaults (our AE title) and opens associations. */
export class Client {
  readonly aeTitle: string
  constructor(options: { aeTitle?: string } = {}) {
    this.aeTitle = options.aeTitle ?? 'DIMSE'
    ensureNodeCodecs()
  }

  /** Open an association with the given presentation contexts. */
  async associate(options: AssociateOptions): Promise<ClientAssociation> {
    const assoc = await Association.request({
      ...options,
      callingAeTitle: options.callingAeTitle ?? this.aeTitle,
      calledAeTitle: options.calledAeTitle ?? 'ANY-SCP',
    })
    return new ClientAssociation(assoc, options)
  }
}

/** What to store: a decoded dataset, a Part 10 file's bytes, or a raw dataset stream. */
export type StoreInput =
  | { dataset: Dataset; transferSyntaxUid?: string }
  | { file: Uint8Array }
  | { sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string; body: Uint8Array | AsyncIterable<Uint8Array> }

/** Options of a C-STORE. */
export interface StoreOptions {
  priority?: number
  /** For C-STORE sub-operations of a C-MOVE (PS3.7 §9.3.1.1). */
  moveOriginator?: { aeTitle: string; messageId: number }
}

/** One match of a C-FIND. */
export interface FindMatch {
  identifier: Dataset
  /** FF00 or FF01 (optional keys not supported). */
  status: number
}

/** Progress of a C-MOVE or C-GET, from each response. */
export interface RetrieveProgress {
  status: number
  remaining?: number
  completed?: number
  failed?: number
  warning?: number
  /** Final response only: Failed SOP Instance UID List (0008,0058) when given. */
  failedSopInstanceUids?: string[]
  errorComment?: string
}

/** An async iterable of pending results whose final outcome is `result`. */
export interface PendingOperation<T, R> extends AsyncIterable<T> {
  /** Resolves with the final response once the operation ends (rejects if it fails). */
  readonly result: Promise<R>
}

/** Options of the DIMSE-N operations. */
export interface NOptions {
  /** The presentation context's abstract syntax when it is not the SOP class itself (e.g. a Meta SOP Class). */
  abstractSyntax?: string
}

/** Options of C-FIND / C-MOVE / C-GET. */
export interface QueryOptions {
  priority?: number
  /** Aborting sends C-CANCEL-RQ; iteration ends when the SCP answers it. */
  signal?: AbortSignal
}

/** An established association in the SCU role. */
export class ClientAssociation {
  readonly association: Association
  readonly channel: DimseChannel
  #onStore: StoreHandler | undefined
  readonly #options: ClientAssociationOptions

  constructor(association: Association, options: ClientAssociationOptions = {}) {
    this.association = association
    this.#options = options
    this.#onStore = options.onStore
    const channelOptions: DimseChannelOptions = { onRequest: (r) => void this.#onRequest(r) }
    if (options.dimseTimeoutMs !== undefined) channelOptions.dimseTimeoutMs = options.dimseTimeoutMs
    this.channel = new DimseChannel(association, channelOptions)
  }

  /** Contexts the peer accepted. */
  get acceptedContexts(): Association['acceptedContexts'] {
    return this.association.acceptedContexts
  }

  /** C-ECHO (PS3.7 §9.1.5). */
  async echo(): Promise<OperationResult> {
    const ctx = this.channel.contextFor(SopClass.Verification)
    return unaryRequest(this.channel, ctx.id, cEchoRq({ messageId: this.channel.nextMessageId() }))
  }

  /**
   * C-STORE one instance (PS3.7 §9.1.1). The presentation context is chosen for the instance's
   * SOP class: one with the instance's own transfer syntax if accepted; otherwise, for
   * uncompressed data, one with another uncompressed syntax (the dataset is converted);
   * otherwise a NegotiationError.
   */
  async store(input: StoreInput, options: StoreOptions = {}): Promise<OperationResult> {
    return storeOver(this.channel, input, options)
  }

  /**
   * C-FIND (PS3.7 §9.1.2): iterate over the matches. `model` is a short name or a SOP class
   * UID. Breaking out of the loop or aborting `signal` sends C-CANCEL-RQ.
   */
  find(model: QueryModel | string, query: Dataset, options: QueryOptions = {}): PendingOperation<FindMatch, OperationResult> {
    const sop = sopClassOf(model, 'find')
    return this.#pendingOp(sop, query, options, (id) => cFindRq({ messageId: id, affectedSopClassUid: sop, ...prio(options) }), (r, ts) => ({
      identifier: r.dataset ? decodeDataset(r.dataset, ts).dataset : new Dataset(),
      status: r.command.status,
    }))
  }

  /**
   * C-MOVE (PS3.7 §9.1.4): ask the SCP to store the matching instances to `destination`.
   * Iterates over progress (pending responses); `result` has the final counts.
   */
  move(model: QueryModel | string, query: Dataset, options: QueryOptions & { destination: string }): PendingOperation<RetrieveProgress, RetrieveProgress & OperationResult> {
    const sop = sopClassOf(model, 'move')
    return this.#retrieveOp(sop, query, options, (id) => cMoveRq({ messageId: id, affectedSopClassUid: sop, moveDestination: options.destination, ...prio(options) }))
  }

  /**
   * C-GET (PS3.7 §9.1.3): the SCP sends the matching instances on this association as C-STORE
   * sub-operations, handled by `onStore` (given here or to `associate`). Propose the storage
   * SOP classes with `scpRole: true` (role selection, PS3.7 D.3.3.4).
   */
  get(model: QueryModel | string, query: Dataset, options: QueryOptions & { onStore?: StoreHandler } = {}): PendingOperation<RetrieveProgress, RetrieveProgress & OperationResult> {
    const sop = sopClassOf(model, 'get')
    const previous = this.#onStore
    if (options.onStore) this.#onStore = options.onStore
    const op = this.#retrieveOp(sop, query, options, (id) => cGetRq({ messageId: id, affectedSopClassUid: sop, ...prio(options) }))
    op.result.finally(() => (this.#onStore = previous)).catch(() => undefined)
    return op
  }

  #retrieveOp(
    sop: string,
    query: Dataset,
    options: QueryOptions,
    build: (id: number) => DimseRequest & { messageId: number },
  ): PendingOperation<RetrieveProgress, RetrieveProgress & OperationResult> {
    const op = this.#pendingOp(sop, query, options, build, (r) => progressOf(r.command))
    const result = op.result.then((res) => ({ ...res, ...progressOf(res.response), ...failedList(res.dataset) }))
    result.catch(() => undefined)
    return { [Symbol.asyncIterator]: () => op[Symbol.asyncIterator](), result }
  }

  /**
   * The common shape of C-FIND/C-MOVE/C-GET: send the request with the identifier, yield each
   * pending response, resolve `result` with the final one; on early exit or abort, C-CANCEL.
   */
  #pendingOp<T>(
    sop: string,
    query: Dataset,
    options: QueryOptions,
    build: (id: number) => DimseRequest & { messageId: number },
    map: (r: ResponseMessage, ts: string) => T,
  ): PendingOperation<T, OperationResult> {
    let resolveResult!: (r: OperationResult) => void
    let rejectResult!: (e: Error) => void
    const result = new Promise<OperationResult>((res, rej) => {
      resolveResult = res
      rejectResult = rej
    })
    result.catch(() => undefined)
    let started = false
    const start = (): AsyncIterator<T> => {
      if (started) throw new DicomError('ERR_INVALID_ARGUMENT', 'a DIMSE operation can be iterated only once')
      started = true
      const ctx = this.channel.contextFor(sop)
      const id = this.channel.nextMessageId()
      const responses = this.channel.request(ctx.id, build(id), encodeDataset(query, ctx.transferSyntax))
      const it = responses[Symbol.asyncIterator]()
      let finished = false
      let cancelled = false
      const cancel = (): void => {
        if (cancelled || finished) return
        cancelled = true
        this.channel.cancel(ctx.id, id).catch(() => undefined)
      }
      const onAbort = (): void => cancel()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      if (options.signal?.aborted) cancel()
      const finish = (r: ResponseMessage): void => {
        finished = true
        options.signal?.removeEventListener('abort', onAbort)
        resolveResult(toResult(r, ctx.transferSyntax))
      }
      const fail = (e: unknown): never => {
        finished = true
        options.signal?.removeEventListener('abort', onAbort)
        const err = e instanceof Error ? e : new Error(String(e))
        rejectResult(err)
        throw err
      }
      return {
        next: async (): Promise<IteratorResult<T>> => {
          if (finished) return { value: undefined, done: true }
          let n: IteratorResult<ResponseMessage>
          try {
            n = await it.next()
          } catch (e) {
            return fail(e)
          }
          if (n.done) return fail(new DicomError('ERR_DIMSE', 'operation ended without a final response'))
          if (isPending(n.value.command.status)) return { value: map(n.value, ctx.transferSyntax), done: false }
          finish(n.value)
          return { value: undefined, done: true }
        },
        return: async (): Promise<IteratorResult<T>> => {
          // Early exit: cancel and drain to the final response so the association stays usable.
          if (!finished) {
            cancel()
            try {
              for (;;) {
                const n = await it.next()
                if (n.done) break
                if (!isPending(n.value.command.status)) {
                  finish(n.value)
                  break
                }
              }
            } catch (e) {
              fail(e)
            }
          }
          return { value: undefined, done: true }
        },
      }
    }
    return { [Symbol.asyncIterator]: start, result }
  }

  /**
   * A generic DIMSE-N (or any) request on the context of `abstractSyntax`: the escape hatch for
   * N-GET, N-SET, N-ACTION, N-CREATE, N-DELETE, N-EVENT-REPORT.
   */
  async request(abstractSyntax: string, build: (messageId: number) => DimseRequest & { messageId: number }, dataset?: Dataset): Promise<OperationResult> {
    return requestOver(this.channel, this.channel.contextFor(abstractSyntax).id, build, dataset)
  }

  /** N-GET (PS3.7 §10.1.2): the attributes of a managed SOP instance (all of them without `attributes`). */
  nGet(sopClassUid: string, sopInstanceUid: string, options: NOptions & { attributes?: readonly number[] } = {}): Promise<OperationResult> {
    return this.request(options.abstractSyntax ?? sopClassUid, (id) =>
      nGetRq({ messageId: id, requestedSopClassUid: sopClassUid, requestedSopInstanceUid: sopInstanceUid, ...(options.attributes ? { attributeIdentifierList: [...options.attributes] } : {}) }),
    )
  }

  /** N-SET (PS3.7 §10.1.3): modify attributes of a managed SOP instance. */
  nSet(sopClassUid: string, sopInstanceUid: string, modifications: Dataset, options: NOptions = {}): Promise<OperationResult> {
    return this.request(options.abstractSyntax ?? sopClassUid, (id) => nSetRq({ messageId: id, requestedSopClassUid: sopClassUid, requestedSopInstanceUid: sopInstanceUid }), modifications)
  }

  /** N-ACTION (PS3.7 §10.1.4), e.g. a Storage Commitment request (action type 1, PS3.4 J.3.2). */
  nAction(sopClassUid: string, sopInstanceUid: string, actionTypeId: number, information?: Dataset, options: NOptions = {}): Promise<OperationResult> {
    return this.request(
      options.abstractSyntax ?? sopClassUid,
      (id) => nActionRq({ messageId: id, requestedSopClassUid: sopClassUid, requestedSopInstanceUid: sopInstanceUid, actionTypeId, hasDataset: information !== undefined }),
      information,
    )
  }

  /** N-CREATE (PS3.7 §10.1.5); without `sopInstanceUid` the SCP assigns it (see the response's Affected SOP Instance UID). */
  nCreate(sopClassUid: string, attributes?: Dataset, options: NOptions & { sopInstanceUid?: string } = {}): Promise<OperationResult> {
    return this.request(
      options.abstractSyntax ?? sopClassUid,
      (id) => nCreateRq({ messageId: id, affectedSopClassUid: sopClassUid, ...(options.sopInstanceUid ? { affectedSopInstanceUid: options.sopInstanceUid } : {}), hasDataset: attributes !== undefined }),
      attributes,
    )
  }

  /** N-DELETE (PS3.7 §10.1.6). */
  nDelete(sopClassUid: string, sopInstanceUid: string, options: NOptions = {}): Promise<OperationResult> {
    return this.request(options.abstractSyntax ?? sopClassUid, (id) => nDeleteRq({ messageId: id, requestedSopClassUid: sopClassUid, requestedSopInstanceUid: sopInstanceUid }))
  }

  async #onRequest(r: IncomingRequest): Promise<void> {
    const { command, context } = r
    try {
      if (command.commandField === CommandField.CStoreRq) {
        const status = this.#onStore
          ? await runStoreHandler(this.#onStore, r, { callingAeTitle: this.association.calledAeTitle, calledAeTitle: this.association.callingAeTitle })
          : { status: Status.SopClassNotSupported }
        await this.channel.send(context.id, responseFor(command, status.status, status.errorComment ? { errorComment: status.errorComment } : {}))
        return
      }
      if (command.commandField === CommandField.NEventReportRq && this.#options.onEventReport) {
        const ds = r.dataset ? decodeDataset(r.dataset, context.transferSyntax).dataset : undefined
        const status = await this.#options.onEventReport(command, ds)
        await this.channel.send(context.id, responseFor(command, status))
        return
      }
      await this.channel.send(context.id, responseFor(command as Exclude<DimseRequest, { commandField: 0x0fff }>, 0x0211)) // unrecognized operation
    } catch {
      // the association failed meanwhile; pending operations report it
    }
  }

  /** Release the association (A-RELEASE). */
  release(): Promise<void> {
    return this.association.release()
  }

  /** Abort the association (A-ABORT). */
  abort(): void {
    this.association.abort()
  }
}

/**
 * C-STORE one instance over a channel (used by {@link ClientAssociation.store} and by the C-GET
 * SCP, which stores over the requestor's association). The presentation context is chosen for
 * the instance's SOP class: one with the instance's own transfer syntax if accepted; otherwise,
 * for uncompressed data, one with another uncompressed syntax (the dataset is converted);
 * otherwise a NegotiationError.
 */
export async function storeOver(channel: DimseChannel, input: StoreInput, options: StoreOptions = {}): Promise<OperationResult> {
  const { sopClassUid, sopInstanceUid, contextId, body } = prepareStore(channel.association.acceptedContexts, input)
  const rq = cStoreRq({
    messageId: channel.nextMessageId(),
    affectedSopClassUid: sopClassUid,
    affectedSopInstanceUid: sopInstanceUid,
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.moveOriginator
      ? { moveOriginatorApplicationEntityTitle: options.moveOriginator.aeTitle, moveOriginatorMessageId: options.moveOriginator.messageId }
      : {}),
  })
  return unaryRequest(channel, contextId, rq, body)
}

function prepareStore(
  contexts: readonly AcceptedContext[],
  input: StoreInput,
): { sopClassUid: string; sopInstanceUid: string; contextId: number; body: Uint8Array | AsyncIterable<Uint8Array> } {
  if ('body' in input) {
    const ctx = storeContext(contexts, input.sopClassUid, input.transferSyntaxUid)
    if (ctx.transferSyntax !== input.transferSyntaxUid)
      throw new NegotiationError(`${input.sopInstanceUid}: transfer syntax ${input.transferSyntaxUid} not accepted for ${input.sopClassUid}; a stream cannot be converted`)
    return { sopClassUid: input.sopClassUid, sopInstanceUid: input.sopInstanceUid, contextId: ctx.id, body: input.body }
  }
  if ('file' in input) {
    // Only the identity is needed here: decode up to SOP Instance UID (0008,0018), the dataset
    // fallback for a meta group without it. Decoding up to Pixel Data took ~4x longer per file
    // (corpus files, 9-19 vs 40-71 us), on every file a C-GET / C-MOVE SCP sends.
    const f = decodeFile(input.file, { stopBeforeTag: 0x00080019 })
    const sopClassUid = f.meta.string(0x00020002) ?? f.dataset.string(0x00080016)
    const sopInstanceUid = f.meta.string(0x00020003) ?? f.dataset.string(0x00080018)
    if (!sopClassUid || !sopInstanceUid) throw new DicomError('ERR_INVALID_ARGUMENT', 'file has no SOP Class UID / SOP Instance UID')
    const ctx = storeContext(contexts, sopClassUid, f.transferSyntaxUid)
    if (ctx.transferSyntax === f.transferSyntaxUid) {
      return { sopClassUid, sopInstanceUid, contextId: ctx.id, body: input.file.subarray(f.datasetOffset) }
    }
    const full = decodeFile(input.file)
    return { sopClassUid, sopInstanceUid, contextId: ctx.id, body: encodeDataset(full.dataset, ctx.transferSyntax) }
  }
  const ds = input.dataset
  const sopClassUid = ds.string(0x00080016)
  const sopInstanceUid = ds.string(0x00080018)
  if (!sopClassUid || !sopInstanceUid) throw new DicomError('ERR_INVALID_ARGUMENT', 'dataset has no SOP Class UID (0008,0016) / SOP Instance UID (0008,0018)')
  const ctx = storeContext(contexts, sopClassUid, input.transferSyntaxUid)
  return { sopClassUid, sopInstanceUid, contextId: ctx.id, body: encodeDataset(ds, ctx.transferSyntax) }
}

/** Pick a context for a SOP class: same syntax first, else any uncompressed one if the data is uncompressed. */
function storeContext(contexts: readonly AcceptedContext[], sopClassUid: string, transferSyntaxUid: string | undefined): AcceptedContext {
  const candidates = contexts.filter((c) => c.abstractSyntax === sopClassUid)
  if (candidates.length === 0) throw new NegotiationError(`SOP class ${sopClassUid} was not accepted`)
  if (transferSyntaxUid === undefined) return candidates.find((c) => isUncompressed(c.transferSyntax)) ?? candidates[0]!
  const same = candidates.find((c) => c.transferSyntax === transferSyntaxUid)
  if (same) return same
  if (isUncompressed(transferSyntaxUid)) {
    const other = candidates.find((c) => isUncompressed(c.transferSyntax))
    if (other) return other
  }
  throw new NegotiationError(
    `transfer syntax ${transferSyntaxUid} of ${sopClassUid} not accepted (accepted: ${candidates.map((c) => c.transferSyntax).join(', ')})`,
  )
}

/**
 * Send a request built for a fresh Message ID on a context of a channel, with an optional
 * dataset encoded in the context's transfer syntax, and wait for the final response (used by
 * {@link ClientAssociation.request} and by the SCP for N-EVENT-REPORT on its association).
 */
export async function requestOver(
  channel: DimseChannel,
  contextId: number,
  build: (messageId: number) => DimseRequest & { messageId: number },
  dataset?: Dataset,
): Promise<OperationResult> {
  const ctx = channel.context(contextId)
  if (!ctx) throw new NegotiationError(`no accepted presentation context ${contextId}`)
  const rq = build(channel.nextMessageId())
  return unaryRequest(channel, ctx.id, rq, dataset ? encodeDataset(dataset, ctx.transferSyntax) : undefined)
}

/** Send a request and wait for its final response. */
async function unaryRequest(channel: DimseChannel, contextId: number, rq: DimseRequest & { messageId: number }, dataset?: Uint8Array | AsyncIterable<Uint8Array>): Promise<OperationResult> {
  let last: ResponseMessage | undefined
  for await (const r of channel.request(contextId, rq, dataset)) last = r
  if (!last) throw new DicomError('ERR_DIMSE', 'no response')
  return toResult(last, channel.context(contextId)?.transferSyntax ?? '')
}

function prio(o: QueryOptions): { priority?: number } {
  return o.priority !== undefined ? { priority: o.priority } : {}
}

function toResult(r: ResponseMessage, ts: string): OperationResult {
  const out: OperationResult = { status: r.command.status, response: r.command }
  if (r.command.errorComment !== undefined) out.errorComment = r.command.errorComment
  if (r.dataset && r.dataset.length > 0 && ts) out.dataset = decodeDataset(r.dataset, ts).dataset
  return out
}

function progressOf(command: DimseResponse): RetrieveProgress {
  const c = command as CMoveRsp | CGetRsp
  const p: RetrieveProgress = { status: c.status }
  if (c.numberOfRemainingSuboperations !== undefined) p.remaining = c.numberOfRemainingSuboperations
  if (c.numberOfCompletedSuboperations !== undefined) p.completed = c.numberOfCompletedSuboperations
  if (c.numberOfFailedSuboperations !== undefined) p.failed = c.numberOfFailedSuboperations
  if (c.numberOfWarningSuboperations !== undefined) p.warning = c.numberOfWarningSuboperations
  if (c.errorComment !== undefined) p.errorComment = c.errorComment
  return p
}

/** Failed SOP Instance UID List (0008,0058) of a final C-MOVE/C-GET response identifier. */
function failedList(ds: Dataset | undefined): { failedSopInstanceUids?: string[] } {
  const list = ds?.strings(0x00080058)
  return list && list.length ? { failedSopInstanceUids: list } : {}
}

export type { ProposedContext }
