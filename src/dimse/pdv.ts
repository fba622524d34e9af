/**
 * Messages ↔ Presentation Data Values.
 *
 * A DIMSE message is sent as a command set followed, when Command Data Set Type says so, by a
 * dataset; each is cut into PDV fragments whose message control header says whether it belongs
 * to the command or the dataset and whether it is the last one (PS3.8 Annex E.2). All fragments
 * of one message travel on one presentation context, command first, and messages are not
 * interleaved (PS3.7 §6.3.1, PS3.8 §9.3.5.1).
 *
 * A P-DATA-TF PDU must not exceed the peer's Maximum Length Received, which counts the PDU's
 * variable field, i.e. everything after the 6-byte PDU header (PS3.8 Annex D.1). With one PDV per
 * PDU, each PDV item costs 6 bytes inside that field (4-byte item length, presentation context
 * ID, message control header; PS3.8 §9.3.5.1), so a fragment holds at most `maxPduLength - 6`
 * bytes. (DCMTK 3.6.7 itself sends somewhat smaller PDUs, but accepts PDUs cut at
 * the exact maximum: see test/unit/dimse/dcmtk-peer.test.ts.)
 *
 * Every fragment has an even number of bytes. DCMTK 3.6.7 refuses odd fragments (a dataset
 * fragment of 333 bytes: "DIMSE: Odd Fragment Length"; a command set cut at an odd offset:
 * "DIMSE_parseCmdObject: Missing CommandField") and fo-dicom reads PS3.8 Annex E as requiring
 * even fragments; encoded command sets and datasets have even lengths, so cutting at even
 * offsets is enough. The assembler still accepts odd fragments from peers.
 * @module
 */
import { concatBytes } from '../internal/bytes.js'
import type { PDataTfPdu, Pdv } from '../pdu/types.js'
import { PduType } from '../pdu/types.js'
import { DicomError } from '../errors.js'
import type { DimseMessage } from './command.js'
import { decodeCommand } from './command.js'
import { DimseProtocolError } from './errors.js'

/** Bytes a PDV item adds inside a P-DATA-TF's variable field: item length (4), context ID, control header. */
export const PDV_ITEM_OVERHEAD = 6

/** The smallest peer Maximum Length Received dimse can send to: one PDV header plus two data bytes. */
export const MIN_MAX_PDU_LENGTH = PDV_ITEM_OVERHEAD + 2

/** Upper bound of a PDV's data when the peer announces 0 (no limit): the item length is 32 bits. */
const UNLIMITED_FRAGMENT = 0xfffffff8 // 0xffffffff - 6, made even

/**
 * The message control header byte of a PDV (PS3.8 Annex E.2): bit 0 set for a command fragment,
 * clear for a dataset fragment; bit 1 set for the last fragment; other bits zero.
 */
export function messageControlHeader(isCommand: boolean, isLast: boolean): number {
  return (isCommand ? 0x01 : 0x00) | (isLast ? 0x02 : 0x00)
}

/**
 * The fragment length used for a peer's Maximum Length Received: the largest even number of
 * bytes that fits one PDV in one P-DATA-TF.
 */
export function maxFragmentLength(maxPduLength: number): number {
  if (!Number.isInteger(maxPduLength) || maxPduLength < 0 || maxPduLength > 0xffffffff) {
    throw new DicomError('ERR_INVALID_ARGUMENT', `invalid maximum PDU length ${maxPduLength}`)
  }
  if (maxPduLength === 0) return UNLIMITED_FRAGMENT // PS3.8 D.1: 0 = no maximum
  if (maxPduLength < MIN_MAX_PDU_LENGTH) {
    throw new DicomError('ERR_INVALID_ARGUMENT', `maximum PDU length ${maxPduLength} leaves no room for PDV data (minimum ${MIN_MAX_PDU_LENGTH})`)
  }
  const n = maxPduLength - PDV_ITEM_OVERHEAD
  return n - (n % 2)
}

/**
 * Cut one command set or dataset into PDVs of {@link maxFragmentLength} bytes (the last may be
 * shorter). The data
 * of each PDV is a `subarray` view of `bytes`: nothing is copied. Empty input gives one empty
 * last fragment.
 */
export function* fragmentBytes(contextId: number, bytes: Uint8Array, isCommand: boolean, maxPduLength: number): Generator<Pdv> {
  const max = maxFragmentLength(maxPduLength)
  if (bytes.length === 0) {
    yield { contextId, isCommand, isLast: true, data: bytes }
    return
  }
  for (let off = 0; off < bytes.length; off += max) {
    const end = Math.min(off + max, bytes.length)
    yield { contextId, isCommand, isLast: end === bytes.length, data: bytes.subarray(off, end) }
  }
}

/**
 * Cut a whole message into P-DATA-TF PDUs that fit the peer's Maximum Length Received, one PDV
 * per PDU: the command fragments first, then the dataset fragments (when `dataset` is given).
 * PDV data are views of `command` and `dataset`.
 * @param maxPduLength the peer's Maximum Length Received (0 = unlimited)
 * @see PS3.8 §9.3.5, Annex D.1, Annex E.2
 */
export function* fragmentMessage(
  contextId: number,
  command: Uint8Array,
  dataset: Uint8Array | undefined,
  maxPduLength: number,
): Generator<PDataTfPdu> {
  checkContextId(contextId)
  for (const pdv of fragmentBytes(contextId, command, true, maxPduLength)) yield { type: PduType.PDataTf, pdvs: [pdv] }
  if (dataset !== undefined) {
    for (const pdv of fragmentBytes(contextId, dataset, false, maxPduLength)) yield { type: PduType.PDataTf, pdvs: [pdv] }
  }
}

/**
 * Cut a dataset that arrives as a stream of chunks (e.g. a file being read) into P-DATA-TF PDUs,
 * without holding it whole. Fragments are views of the chunks, of at most
 * {@link maxFragmentLength} bytes and of even length whatever the chunk sizes: where a chunk
 * ends on an odd byte, that byte and the start of the next chunk are copied into one fragment
 * (at most one fragment's worth of copying per odd chunk boundary). One fragment is held back so
 * that the last one can carry the "last" bit. An empty stream gives one empty last fragment.
 * Send the command PDUs (from {@link fragmentMessage} with no dataset) before these.
 */
export async function* fragmentDatasetStream(
  contextId: number,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxPduLength: number,
): AsyncGenerator<PDataTfPdu> {
  checkContextId(contextId)
  const max = maxFragmentLength(maxPduLength)
  let held: Uint8Array | undefined
  const pdu = (data: Uint8Array, isLast: boolean): PDataTfPdu => ({ type: PduType.PDataTf, pdvs: [{ contextId, isCommand: false, isLast, data }] })
  for await (const piece of evenPieces(source, max)) {
    if (held !== undefined) yield pdu(held, false)
    held = piece
  }
  yield pdu(held ?? new Uint8Array(0), true)
}

/** Re-cut a stream of chunks into even-length pieces of at most `max` (even) bytes. */
async function* evenPieces(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let carry = -1 // a byte left over from an odd-ended chunk
  for await (const chunk of source) {
    if (chunk.length === 0) continue
    let off = 0
    if (carry >= 0) {
      // carry + an odd number of bytes from this chunk: an even piece of at most max bytes
      let take = Math.min(chunk.length, max - 1)
      if (take % 2 === 0) take--
      const piece = new Uint8Array(1 + take)
      piece[0] = carry
      piece.set(chunk.subarray(0, take), 1)
      yield piece
      off = take
      carry = -1
    }
    for (;;) {
      const left = chunk.length - off
      if (left < 2) break
      const n = Math.min(max, left - (left % 2))
      yield chunk.subarray(off, off + n)
      off += n
    }
    if (off < chunk.length) carry = chunk[off]!
  }
  // an odd total length (not a valid encoding) ends with one odd byte
  if (carry >= 0) yield Uint8Array.of(carry)
}

function checkContextId(contextId: number): void {
  // PS3.8 §9.3.2.2: presentation context IDs are odd integers 1..255
  if (!Number.isInteger(contextId) || contextId < 1 || contextId > 255 || (contextId & 1) === 0) {
    throw new DicomError('ERR_INVALID_ARGUMENT', `invalid presentation context ID ${contextId}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------

/** A complete message, as put together by {@link PdvAssembler}. */
export interface AssembledMessage {
  contextId: number
  command: DimseMessage
  /** The raw command set (a view when it came in one fragment). */
  commandBytes: Uint8Array
  /** The dataset, when the command says one follows and it was not streamed. */
  dataset?: Uint8Array
}

/** Receives the dataset fragments of one streamed message, in order. */
export interface DatasetSink {
  /** Called for each dataset fragment; `chunk` is a view of the PDU bytes, valid as long as they are. */
  onDatasetChunk(chunk: Uint8Array, isLast: boolean): void
}

/** Options of {@link PdvAssembler}. */
export interface PdvAssemblerOptions {
  /** Called with each complete message whose dataset was not streamed (or that has none). */
  onMessage: (message: AssembledMessage) => void
  /**
   * Called when a command that announces a dataset is complete. Return a sink to receive the
   * dataset fragment by fragment (e.g. for C-STORE, so a big instance is never held whole), or
   * undefined to have the dataset collected and delivered through `onMessage`.
   */
  streamDataset?: (command: DimseMessage, contextId: number, commandBytes: Uint8Array) => DatasetSink | undefined
  /**
   * Tells whether a presentation context ID was accepted on this association; a message on any
   * other context is a protocol violation (PS3.8 §9.3.5.1: the ID must be one of the accepted
   * presentation contexts). Unchecked when not given.
   */
  isAcceptedContext?: (contextId: number) => boolean
  /** Largest command set accepted, in bytes (default 1 MiB). */
  maxCommandLength?: number
  /** Largest collected (not streamed) dataset accepted, in bytes (default 256 MiB). */
  maxDatasetLength?: number
}

type AssemblerState =
  | { kind: 'idle' }
  | { kind: 'command'; contextId: number; parts: Uint8Array[]; length: number }
  | { kind: 'dataset'; contextId: number; command: DimseMessage; commandBytes: Uint8Array; parts: Uint8Array[]; length: number }
  | { kind: 'stream'; contextId: number; sink: DatasetSink }

const IDLE: AssemblerState = Object.freeze({ kind: 'idle' })

/**
 * Puts PDVs back together into messages, for one association, and checks the order rules of
 * PS3.7 §6.3.1 and PS3.8 Annex E: a message starts with command fragments; all fragments of a
 * message use the same presentation context; no dataset fragment comes before the last command
 * fragment; no fragment of another message comes before the current one is complete. A violation
 * throws {@link DimseProtocolError} (the association answers it with an A-ABORT); a command set
 * that cannot be decoded throws `DimseError` from `decodeCommand`.
 *
 * Feed it PDVs in arrival order with {@link PdvAssembler.push}.
 */
export class PdvAssembler {
  #state: AssemblerState = IDLE
  readonly #onMessage: PdvAssemblerOptions['onMessage']
  readonly #streamDataset: PdvAssemblerOptions['streamDataset']
  readonly #isAccepted: PdvAssemblerOptions['isAcceptedContext']
  readonly #maxCommand: number
  readonly #maxDataset: number

  constructor(options: PdvAssemblerOptions) {
    this.#onMessage = options.onMessage
    this.#streamDataset = options.streamDataset
    this.#isAccepted = options.isAcceptedContext
    this.#maxCommand = options.maxCommandLength ?? 1 << 20
    this.#maxDataset = options.maxDatasetLength ?? 256 * 1024 * 1024
  }

  /** True between the first fragment of a message and its last one. */
  get inProgress(): boolean {
    return this.#state.kind !== 'idle'
  }

  /** Forget any partial message (after an abort). */
  reset(): void {
    this.#state = IDLE
  }

  /** Feed every PDV of a P-DATA-TF, in order. */
  pushPdu(pdu: PDataTfPdu): void {
    for (const pdv of pdu.pdvs) this.push(pdv)
  }

  /** Feed one PDV. */
  push(pdv: Pdv): void {
    const s = this.#state
    switch (s.kind) {
      case 'idle': {
        if (!pdv.isCommand) throw new DimseProtocolError('dataset fragment received without a preceding command', pdv.contextId)
        if (this.#isAccepted !== undefined && !this.#isAccepted(pdv.contextId)) throw new DimseProtocolError('message on a presentation context that was not accepted', pdv.contextId)
        this.#state = { kind: 'command', contextId: pdv.contextId, parts: [], length: 0 }
        this.#command(pdv)
        return
      }
      case 'command':
        if (pdv.contextId !== s.contextId) throw new DimseProtocolError(`command fragment on another presentation context than the message's (${s.contextId})`, pdv.contextId)
        if (!pdv.isCommand) throw new DimseProtocolError('dataset fragment received before the last command fragment', pdv.contextId)
        this.#command(pdv)
        return
      case 'dataset':
      case 'stream':
        if (pdv.contextId !== s.contextId) throw new DimseProtocolError(`fragment on another presentation context than the message's (${s.contextId}) before its dataset ended`, pdv.contextId)
        if (pdv.isCommand) throw new DimseProtocolError('command fragment received before the dataset of the previous message ended', pdv.contextId)
        if (s.kind === 'stream') {
          if (pdv.isLast) this.#state = IDLE
          s.sink.onDatasetChunk(pdv.data, pdv.isLast)
          return
        }
        if (pdv.data.length > this.#maxDataset - s.length) throw new DimseProtocolError(`dataset exceeds the limit of ${this.#maxDataset} bytes`, pdv.contextId)
        s.parts.push(pdv.data)
        s.length += pdv.data.length
        if (pdv.isLast) {
          this.#state = IDLE
          this.#onMessage({ contextId: s.contextId, command: s.command, commandBytes: s.commandBytes, dataset: join(s.parts, s.length) })
        }
        return
    }
  }

  #command(pdv: Pdv): void {
    const s = this.#state as Extract<AssemblerState, { kind: 'command' }>
    if (pdv.data.length > this.#maxCommand - s.length) throw new DimseProtocolError(`command set exceeds the limit of ${this.#maxCommand} bytes`, pdv.contextId)
    s.parts.push(pdv.data)
    s.length += pdv.data.length
    if (!pdv.isLast) return
    const commandBytes = join(s.parts, s.length)
    const contextId = s.contextId
    this.#state = IDLE
    const command = decodeCommand(commandBytes)
    if (!command.hasDataset) {
      this.#onMessage({ contextId, command, commandBytes })
      return
    }
    const sink = this.#streamDataset?.(command, contextId, commandBytes)
    this.#state = sink !== undefined
      ? { kind: 'stream', contextId, sink }
      : { kind: 'dataset', contextId, command, commandBytes, parts: [], length: 0 }
  }
}

/** One part: the view itself; several: one copy. */
const join = concatBytes
