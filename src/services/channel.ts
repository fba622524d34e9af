/**
 * A DIMSE channel: the message layer over one established association, for both roles.
 * It assembles incoming PDVs into messages, routes responses to the request that is waiting for
 * them (by Message ID Being Responded To) and incoming requests to a handler, and sends
 * messages. Services (client.ts, server.ts) are built on it.
 * @module
 */
import type { Association } from '../association/association.js'
import type { AcceptedContext } from '../association/negotiation.js'
import { AssociationAbortedError, DicomError, NegotiationError } from '../errors.js'
import { CommandField, encodeCommand, isResponse } from '../dimse/command.js'
import type { DimseMessage, DimseRequest, DimseResponse } from '../dimse/command.js'
import { PdvAssembler } from '../dimse/pdv.js'
import { DimseError } from '../dimse/errors.js'
import type { DatasetSink } from '../dimse/pdv.js'
import { MessageIdAllocator } from '../dimse/messages.js'
import { isPending } from '../dimse/status.js'
import { AsyncQueue } from './queue.js'

/** A response as it arrives: the command and its dataset bytes (if any), undecoded. */
export interface ResponseMessage {
  command: DimseResponse
  contextId: number
  dataset?: Uint8Array
}

/** An incoming request: its command, context, and its dataset either as bytes or as a stream. */
export interface IncomingRequest {
  command: DimseRequest
  context: AcceptedContext
  /** The dataset bytes, when the request has one and it was not streamed. */
  dataset?: Uint8Array
  /** The dataset as a byte stream, when the request is a streamed C-STORE. */
  stream?: AsyncIterable<Uint8Array>
}

/** Options of {@link DimseChannel}. */
export interface DimseChannelOptions {
  /** Handles incoming requests (not C-CANCEL, which is routed to `onCancel`). */
  onRequest?: (request: IncomingRequest) => void
  /** A C-CANCEL-RQ arrived for the request with this Message ID. */
  onCancel?: (messageIdBeingRespondedTo: number) => void
  /** Stream C-STORE datasets instead of collecting them (default true). */
  streamStores?: boolean
  /** Pause reading the association when this many stream chunks wait for their consumer. Default 64. */
  highWaterMark?: number
  /**
   * Pause reading the association when this many bytes of stream chunks wait for their consumer.
   * Default 1 MiB: with large PDUs a chunk count alone let a slow consumer (a disk) hold tens of
   * MiB, which showed as peak RSS growing with the instance size.
   */
  highWaterBytes?: number
  /** DIMSE timeout: reject a request whose (next) response does not arrive within this. 0 = none. */
  dimseTimeoutMs?: number
  /**
   * A command set could not be decoded but its Command Field and Message ID could: return true
   * after answering it (e.g. with 0x0211 / 0x0212), and the association goes on (its dataset
   * fragments, if any, are skipped); otherwise the association is aborted.
   */
  onUndecodableRequest?: (error: DimseError, contextId: number) => boolean
}

interface Pending {
  queue: AsyncQueue<ResponseMessage>
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * The message layer of one association. Requests we send get their responses through the async
 * iterable returned by {@link DimseChannel.request}; requests the peer sends go to `onRequest`.
 */
export class DimseChannel {
  readonly association: Association
  readonly #ids = new MessageIdAllocator()
  readonly #pending = new Map<number, Pending>()
  readonly #assembler: PdvAssembler
  readonly #options: DimseChannelOptions
  #failure: Error | undefined
  /** Closed with nothing outstanding; the failure error is made when first needed. */
  #closedQuietly = false
  #skipDataOf: number | undefined

  constructor(association: Association, options: DimseChannelOptions = {}) {
    this.association = association
    this.#options = options
    this.#assembler = new PdvAssembler({
      onMessage: (m) => this.#onMessage(m.command, m.contextId, m.dataset),
      streamDataset: (command, contextId) => this.#streamFor(command, contextId),
    })
    association.on('pdata', (pdu) => {
      for (const pdv of pdu.pdvs) {
        if (this.#skipDataOf !== undefined) {
          // The dataset fragments of a request whose command set was answered as undecodable.
          if (!pdv.isCommand && pdv.contextId === this.#skipDataOf) {
            if (pdv.isLast) this.#skipDataOf = undefined
            continue
          }
          this.#skipDataOf = undefined
        }
        try {
          this.#assembler.push(pdv)
        } catch (e) {
          if (e instanceof DimseError && pdv.isCommand && options.onUndecodableRequest?.(e, pdv.contextId) === true) {
            this.#skipDataOf = pdv.contextId
            continue
          }
          // A PDV sequence that breaks PS3.7 §6.3.1 / PS3.8 Annex E: abort (A-P-ABORT).
          association.abort(e instanceof Error ? e : undefined)
          return
        }
      }
    })
    const fail = (e: Error): void => this.#failAll(e)
    association.on('aborted', fail)
    association.on('closed', () => {
      // Build the error only when someone will see it: capturing a stack on every clean close
      // costs a measurable share of a short association (echo).
      if (this.#pending.size > 0 || this.#streams.size > 0) this.#failAll(new DicomError('ERR_ASSOC_CLOSED', 'association closed'))
      else this.#closedQuietly = true
    })
  }

  /** The accepted context with this ID. */
  context(id: number): AcceptedContext | undefined {
    return this.association.acceptedContexts.find((c) => c.id === id)
  }

  /**
   * The accepted context for an abstract syntax, preferring one of `transferSyntaxes` in order
   * when given.
   * @throws NegotiationError when there is none
   */
  contextFor(abstractSyntax: string, transferSyntaxes?: readonly string[]): AcceptedContext {
    const candidates = this.association.acceptedContexts.filter((c) => c.abstractSyntax === abstractSyntax)
    if (transferSyntaxes) {
      for (const ts of transferSyntaxes) {
        const c = candidates.find((x) => x.transferSyntax === ts)
        if (c) return c
      }
    }
    const c = transferSyntaxes ? undefined : candidates[0]
    if (!c)
      throw new NegotiationError(
        `no accepted presentation context for ${abstractSyntax}${transferSyntaxes ? ` with ${transferSyntaxes.join(', ')}` : ''}`,
      )
    return c
  }

  /** A fresh Message ID not used by an outstanding request. */
  nextMessageId(): number {
    return this.#ids.next((id) => this.#pending.has(id))
  }

  /** Send a message (request or response) with an optional dataset. */
  send(contextId: number, message: DimseMessage, dataset?: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    if (!this.#failure && this.#closedQuietly) this.#failure = new DicomError('ERR_ASSOC_CLOSED', 'association closed')
    if (this.#failure) return Promise.reject(this.#failure)
    const hasDataset = dataset !== undefined
    const command = encodeCommand({ ...message, hasDataset } as DimseMessage)
    return this.association.sendMessage(contextId, command, dataset)
  }

  /**
   * Send a request and iterate over its responses: every Pending one, then the final one (after
   * which the iteration ends).
   */
  request(contextId: number, message: DimseRequest & { messageId: number }, dataset?: Uint8Array | AsyncIterable<Uint8Array>): AsyncIterable<ResponseMessage> {
    const id = message.messageId
    if (this.#pending.has(id)) throw new DicomError('ERR_INVALID_ARGUMENT', `message ID ${id} is already outstanding`)
    const queue = new AsyncQueue<ResponseMessage>()
    const p: Pending = { queue, timer: undefined }
    this.#pending.set(id, p)
    const start = (): void => {
      if (!this.#pending.has(id)) return // failed while it waited
      this.#inFlight.add(id)
      this.#arm(id, p)
      this.send(contextId, message, dataset).catch((e: unknown) => this.#finish(id, e instanceof Error ? e : new Error(String(e))))
    }
    const limit = this.#invokeLimit()
    if (limit > 0 && this.#inFlight.size >= limit) this.#waiting.push(start)
    else start()
    return queue
  }

  /** Requests sent and not yet finished. */
  readonly #inFlight = new Set<number>()
  /** Requests held back by the asynchronous operations window, in order. */
  #waiting: (() => void)[] = []

  /**
   * How many requests we may have outstanding: as requestor, the negotiated Maximum Number of
   * Operations Invoked (PS3.7 D.3.3.3; 1 when not negotiated, 0 = unlimited). Requests beyond it
   * wait, in order, until an earlier one has its final response.
   */
  #invokeLimit(): number {
    return this.association.role === 'requestor' ? this.association.asyncOps.maxOperationsInvoked : 0
  }

  /** Send C-CANCEL-RQ for an outstanding request (PS3.7 §9.3.2.3). */
  cancel(contextId: number, messageId: number): Promise<void> {
    return this.send(contextId, { commandField: CommandField.CCancelRq, messageIdBeingRespondedTo: messageId, hasDataset: false })
  }

  #arm(id: number, p: Pending): void {
    const ms = this.#options.dimseTimeoutMs ?? 0
    if (p.timer) clearTimeout(p.timer)
    if (ms > 0) {
      p.timer = setTimeout(() => {
        const e = new DicomError('ERR_TIMEOUT', `no DIMSE response to message ${id} within ${ms} ms`)
        this.#finish(id, e)
        this.association.abort(e)
      }, ms)
      p.timer.unref?.()
    }
  }

  #finish(id: number, error?: Error): void {
    const p = this.#pending.get(id)
    if (!p) return
    if (p.timer) clearTimeout(p.timer)
    this.#pending.delete(id)
    if (error) p.queue.fail(error)
    else p.queue.end()
    if (!this.#inFlight.delete(id)) return
    const limit = this.#invokeLimit()
    // start() does nothing for a request that failed while it waited: keep going then
    while (this.#waiting.length > 0 && (limit === 0 || this.#inFlight.size < limit)) this.#waiting.shift()!()
  }

  #failAll(e: Error): void {
    if (!this.#failure) this.#failure = e
    for (const id of [...this.#pending.keys()]) this.#finish(id, this.#failure)
    for (const s of this.#streams) s.fail(this.#failure)
    this.#streams.clear()
  }

  #onMessage(command: DimseMessage, contextId: number, dataset: Uint8Array | undefined): void {
    if (isResponse(command.commandField)) {
      const rsp = command as DimseResponse
      const p = this.#pending.get(rsp.messageIdBeingRespondedTo)
      if (!p) return // a response to nothing we asked: ignore (PS3.7 leaves this to the implementation)
      p.queue.push({ command: rsp, contextId, ...(dataset ? { dataset } : {}) })
      if (isPending(rsp.status)) this.#arm(rsp.messageIdBeingRespondedTo, p)
      else this.#finish(rsp.messageIdBeingRespondedTo)
      return
    }
    if (command.commandField === CommandField.CCancelRq) {
      this.#options.onCancel?.(command.messageIdBeingRespondedTo)
      return
    }
    const context = this.context(contextId)
    if (!context) {
      this.association.abort(new DicomError('ERR_DIMSE', `request on unknown presentation context ${contextId}`))
      return
    }
    this.#options.onRequest?.({ command: command as DimseRequest, context, ...(dataset ? { dataset } : {}) })
  }

  readonly #streams = new Set<AsyncQueue<Uint8Array>>()

  /** C-STORE datasets stream through a bounded queue that pauses the association when full. */
  #streamFor(command: DimseMessage, contextId: number): DatasetSink | undefined {
    if (command.commandField !== CommandField.CStoreRq || this.#options.streamStores === false) return undefined
    const context = this.context(contextId)
    if (!context) return undefined
    const high = this.#options.highWaterMark ?? 64
    const highBytes = this.#options.highWaterBytes ?? 1024 * 1024
    const assoc = this.association
    let paused = false
    // Bytes of the chunks waiting for the consumer.
    let bytes = 0
    const queue = new AsyncQueue<Uint8Array>((taken) => {
      bytes -= taken.length
      if (paused && queue.size < high / 2 && bytes < highBytes / 2) {
        paused = false
        assoc.resume()
      }
    })
    this.#streams.add(queue)
    this.#options.onRequest?.({ command: command as DimseRequest, context, stream: queue })
    return {
      onDatasetChunk: (chunk, isLast) => {
        if (chunk.length > 0) {
          bytes += chunk.length
          queue.push(chunk)
        }
        if (isLast) {
          queue.end()
          this.#streams.delete(queue)
        } else if (!paused && (queue.size >= high || bytes >= highBytes)) {
          paused = true
          assoc.pause()
        }
      },
    }
  }

  /** True once the association is gone. */
  get failed(): Error | undefined {
    if (!this.#failure && this.#closedQuietly) this.#failure = new DicomError('ERR_ASSOC_CLOSED', 'association closed')
    return this.#failure
  }
}

/** Turn any abort-ish failure into the error pending operations should see. */
export function asAbortError(e: unknown): Error {
  if (e instanceof AssociationAbortedError || e instanceof DicomError) return e
  return e instanceof Error ? e : new Error(String(e))
}
