/**
 * The C-STORE request as a handler sees it (SCP side, and the SCU side of C-GET): the
 * instance's identity, its dataset as a byte stream (never held whole unless the handler asks),
 * and the status the handler answers with.
 * @module
 */
import { concatBytes } from '../internal/bytes.js'
import type { AcceptedContext } from '../association/negotiation.js'
import type { Dataset } from '../dataset/element.js'
import { decodeDataset } from '../dataset/decode.js'
import type { CStoreRq } from '../dimse/command.js'
import { Status } from '../dimse/status.js'
import { StatusError } from '../errors.js'
import type { IncomingRequest } from './channel.js'

/** A C-STORE request handed to a {@link StoreHandler}. */
export interface StoreRequest {
  command: CStoreRq
  sopClassUid: string
  sopInstanceUid: string
  /** The transfer syntax of the data (the presentation context's). */
  transferSyntaxUid: string
  context: AcceptedContext
  /** The peer's AE title. */
  callingAeTitle: string
  /** Our AE title as the peer called it. */
  calledAeTitle: string
  /** Set when this store is a sub-operation of a C-MOVE (PS3.7 §9.3.1.1). */
  moveOriginator?: { aeTitle: string; messageId: number }
  /**
   * The dataset bytes as they arrive, in `transferSyntaxUid`. Read it at most once; whatever is
   * left unread when the handler returns is drained.
   */
  data: AsyncIterable<Uint8Array>
  /** Collect the whole dataset into memory. */
  bytes(): Promise<Uint8Array>
  /** Collect and decode the dataset. */
  dataset(): Promise<Dataset>
}

/** A status code, or a status with an Error Comment (0000,0902). */
export type StoreResult = number | { status: number; errorComment?: string }

/**
 * Answers a C-STORE request. Throwing answers 0110 (processing failure) with the message as
 * Error Comment, or the status of a thrown {@link StatusError}.
 */
export type StoreHandler = (request: StoreRequest) => StoreResult | Promise<StoreResult>

/** Collect an async byte stream into one buffer. */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let n = 0
  for await (const c of stream) {
    // Stream chunks may be views of transport buffers: keep them as they are, copy once below.
    parts.push(c)
    n += c.length
  }
  return concatBytes(parts, n)
}

/** Error Comment is LO-like: at most 64 characters (PS3.7 C.4). */
export function errorComment(e: unknown): string {
  const m = e instanceof StatusError ? (e.errorComment ?? '') : e instanceof Error ? e.message : String(e)
  return m.replace(/[\\\r\n]/g, ' ').slice(0, 64)
}

/** Build the request, run the handler, drain what it left unread, and normalise its answer. */
export async function runStoreHandler(
  handler: StoreHandler,
  r: IncomingRequest,
  aes: { callingAeTitle: string; calledAeTitle: string },
): Promise<{ status: number; errorComment?: string }> {
  const command = r.command as CStoreRq
  const source: AsyncIterable<Uint8Array> =
    r.stream ?? (async function* () {
      if (r.dataset) yield r.dataset
    })()
  let consumed = false
  const data: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      consumed = true
      return source[Symbol.asyncIterator]()
    },
  }
  const bytes = (): Promise<Uint8Array> => collect(data)
  const request: StoreRequest = {
    command,
    sopClassUid: command.affectedSopClassUid,
    sopInstanceUid: command.affectedSopInstanceUid,
    transferSyntaxUid: r.context.transferSyntax,
    context: r.context,
    callingAeTitle: aes.callingAeTitle,
    calledAeTitle: aes.calledAeTitle,
    ...(command.moveOriginatorApplicationEntityTitle !== undefined
      ? { moveOriginator: { aeTitle: command.moveOriginatorApplicationEntityTitle, messageId: command.moveOriginatorMessageId ?? 0 } }
      : {}),
    data,
    bytes,
    dataset: async () => decodeDataset(await bytes(), r.context.transferSyntax).dataset,
  }
  let result: { status: number; errorComment?: string }
  try {
    const answer = await handler(request)
    result = typeof answer === 'number' ? { status: answer } : answer
  } catch (e) {
    // A StatusError chooses the status (e.g. A700 out of resources); anything else is 0110.
    const status = e instanceof StatusError ? e.status : Status.ProcessingFailure
    const comment = errorComment(e)
    result = { status, ...(comment ? { errorComment: comment } : {}) }
  }
  // Whatever the handler did not read must still be taken off the association.
  if (!consumed) for await (const _ of source) void _
  else if (r.stream) for await (const _ of r.stream) void _
  return result
}
