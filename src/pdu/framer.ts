/**
 * Cuts a TCP byte stream into PDU frames (PS3.8 §9.3.1: 1-byte type, 1 reserved byte, 4-byte
 * big-endian length of the rest). The 6-byte header is checked the moment it is complete, so an
 * unknown type or an oversized length is refused before any of the body is buffered.
 * @module
 */
import { AbortReason, DicomError, PduError } from '../errors.js'
import { ChunkQueue } from '../internal/chunk-queue.js'
import { concatBytes } from '../internal/bytes.js'
import { PDU_HEADER_LENGTH, isKnownPduType } from './decode.js'
import { PduType, type PduFrame, type Pdv } from './types.js'

/** Default cap on the length of PDUs other than P-DATA-TF (A-ASSOCIATE-RQ/AC in practice): 1 MiB. */
export const DEFAULT_MAX_CONTROL_PDU_LENGTH = 1024 * 1024

/** Options of {@link PduFramer}. */
export interface PduFramerOptions {
  /**
   * Largest acceptable P-DATA-TF PDU length field (the bytes after the 6-byte header): our own
   * announced Maximum Length Received (PS3.8 Annex D.1). 0 means unlimited.
   */
  maxPduLength: number
  /**
   * Largest acceptable length field of every other PDU (A-ASSOCIATE-RQ/AC/RJ, release, abort).
   * These carry no bulk data, so a fixed sane cap guards an SCP before the association exists.
   * Default {@link DEFAULT_MAX_CONTROL_PDU_LENGTH} (1 MiB); 0 means unlimited.
   */
  maxControlPduLength?: number
}

function checkLimit(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new DicomError('ERR_INVALID_ARGUMENT', `${what} must be an integer 0..2^32-1 (0 = unlimited), got ${v}`)
  }
  return v
}

/**
 * Turns a byte stream into {@link PduFrame}s. Accepts arbitrary chunking (partial headers, many
 * PDUs per chunk). A frame's body is a view into the pushed chunk when the PDU lies within one
 * chunk. A well-formed P-DATA-TF straddling chunks is not copied: its frame carries the decoded
 * PDVs (`pdvs`) as views into the chunks, and its `body` is only built on access. Any other PDU
 * straddling chunks (or a malformed P-DATA-TF, left for {@link decodePdu} to report) is one copy
 * of exactly that PDU body.
 *
 * After it throws, the framer stays failed: every later `push` throws the same error.
 *
 * @example
 * ```ts
 * const framer = new PduFramer({ maxPduLength: 16384 })
 * socket.on('data', (chunk) => { for (const f of framer.push(chunk)) handle(decodePdu(f)) })
 * ```
 */
export class PduFramer {
  private readonly queue = new ChunkQueue()
  private readonly maxData: number
  private readonly maxControl: number
  /** Header of the PDU whose body is awaited, if any. */
  private pending: { type: number; length: number } | undefined
  private failed: PduError | undefined

  /**
   * Create a framer with the given length limits.
   * @throws DicomError `ERR_INVALID_ARGUMENT` when a limit is not an integer in 0..2^32-1.
   */
  constructor(opts: PduFramerOptions) {
    this.maxData = checkLimit(opts.maxPduLength, 'maxPduLength')
    this.maxControl = checkLimit(opts.maxControlPduLength ?? DEFAULT_MAX_CONTROL_PDU_LENGTH, 'maxControlPduLength')
  }

  /** Bytes received but not yet returned in a frame (including a parsed but unconsumed header's body). */
  get bufferedBytes(): number {
    return this.queue.length
  }

  /**
   * Append a chunk and return every PDU completed by it, in order.
   * @throws PduError reason 1 (unrecognized PDU) for an unknown PDU type; `ERR_PDU_TOO_LONG`
   *   reason 6 when the length field exceeds the configured limit; reason 6 when a fixed-size
   *   PDU (A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT) does not announce 4 bytes.
   */
  push(chunk: Uint8Array): PduFrame[] {
    if (this.failed) throw this.failed
    const out: PduFrame[] = []
    try {
      if (this.pending === undefined && this.queue.length === 0) {
        // Nothing buffered (the usual case: a socket read holds whole PDUs): cut the frames
        // straight out of the chunk, and buffer only an incomplete tail.
        const rest = this.framesOf(chunk, out)
        if (rest === chunk.length) return out
        chunk = chunk.subarray(rest)
      }
      this.queue.push(chunk)
      for (;;) {
        if (this.pending === undefined) {
          if (this.queue.length < PDU_HEADER_LENGTH) break
          const type = this.queue.byteAt(0)
          const length = this.queue.u32At(2)
          this.check(type, length)
          this.queue.consume(PDU_HEADER_LENGTH)
          this.pending = { type, length }
        }
        const { type, length } = this.pending
        if (this.queue.length < length) break
        this.pending = undefined
        if (type === PduType.PDataTf && !this.queue.firstHolds(length)) {
          // Zero-copy path: a P-DATA-TF body need not be contiguous, only its PDV data.
          const parts = this.queue.consumeViews(length)
          const pdvs = splitPdvs(parts)
          out.push(pdvs !== undefined ? new SplitPDataFrame(parts, length, pdvs) : { type, body: concatBytes(parts, length) })
        } else {
          out.push({ type, body: this.queue.consume(length) })
        }
      }
    } catch (e) {
      if (e instanceof PduError) this.failed = e
      throw e
    }
    return out
  }

  /**
   * Append to `out` the frames of the PDUs that lie whole in `chunk`, from its start; return
   * the offset of the first byte not consumed (a partial PDU, left for the queue). Headers are
   * checked as soon as they are complete, as in the general path (whose catch in {@link push}
   * keeps the framer failed after a bad header).
   */
  private framesOf(chunk: Uint8Array, out: PduFrame[]): number {
    let pos = 0
    const n = chunk.length
    while (n - pos >= PDU_HEADER_LENGTH) {
      const type = chunk[pos]!
      // PS3.8 §9.3.1: PDU length, 4 bytes big endian, after the type and a reserved byte.
      const length = ((chunk[pos + 2]! << 24) | (chunk[pos + 3]! << 16) | (chunk[pos + 4]! << 8) | chunk[pos + 5]!) >>> 0
      this.check(type, length)
      if (n - pos - PDU_HEADER_LENGTH < length) break
      out.push({ type, body: chunk.subarray(pos + PDU_HEADER_LENGTH, pos + PDU_HEADER_LENGTH + length) })
      pos += PDU_HEADER_LENGTH + length
    }
    return pos
  }

  private check(type: number, length: number): void {
    if (!isKnownPduType(type)) {
      // PS3.8 §9.3.1 / Table 9-26: unrecognized PDU → A-P-ABORT reason 1
      throw new PduError(`unrecognized PDU type 0x${type.toString(16)}`, { pduType: type, offset: 0, abortReason: AbortReason.UnrecognizedPdu })
    }
    const limit = type === PduType.PDataTf ? this.maxData : this.maxControl
    if (limit > 0 && length > limit) {
      throw new PduError(`PDU length ${length} exceeds the limit of ${limit}`, {
        pduType: type,
        offset: 2,
        abortReason: AbortReason.InvalidPduParameterValue,
        code: 'ERR_PDU_TOO_LONG',
      })
    }
    if ((type === PduType.AssociateRj || type === PduType.ReleaseRq || type === PduType.ReleaseRp || type === PduType.Abort) && length !== 4) {
      // PS3.8 Tables 9-21, 9-24, 9-25, 9-26: these PDUs have a length of 4
      throw new PduError(`PDU length ${length} should be 4`, { pduType: type, offset: 2, abortReason: AbortReason.InvalidPduParameterValue })
    }
  }
}

/** A P-DATA-TF frame whose PDVs were decoded across chunks; `body` is joined only on demand. */
class SplitPDataFrame implements PduFrame {
  readonly type = PduType.PDataTf
  #parts: Uint8Array[] | undefined
  #body: Uint8Array | undefined
  constructor(
    parts: Uint8Array[],
    readonly bodyLength: number,
    readonly pdvs: Pdv[],
  ) {
    this.#parts = parts
  }
  get body(): Uint8Array {
    if (this.#body === undefined) {
      this.#body = concatBytes(this.#parts!, this.bodyLength)
      this.#parts = undefined
    }
    return this.#body
  }
}

/**
 * Decode the PDV items of a P-DATA-TF body given as consecutive pieces, without copying data.
 * Applies the same checks as `decodePdu` (PS3.8 §9.3.5, Tables 9-22/9-23: each item has a 6-byte
 * header, a length ≥ 2 that fits the bytes left, at least one item) and returns undefined when
 * one fails, so the caller hands the joined body to `decodePdu` to report the exact error.
 */
function splitPdvs(parts: Uint8Array[]): Pdv[] | undefined {
  let total = 0
  for (const p of parts) total += p.length
  let pi = 0
  let off = 0
  const byte = (): number => {
    while (off >= parts[pi]!.length) {
      pi++
      off = 0
    }
    return parts[pi]![off++]!
  }
  const pdvs: Pdv[] = []
  let remaining = total
  while (remaining > 0) {
    if (remaining < 6) return undefined
    const len = ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0
    if (len < 2 || len > remaining - 4) return undefined
    const contextId = byte()
    const mch = byte()
    const isCommand = (mch & 0x01) !== 0 // Annex E.2: bits 2-7 are not tested
    const isLast = (mch & 0x02) !== 0
    remaining -= 4 + len
    let n = len - 2
    if (n === 0) {
      pdvs.push({ contextId, isCommand, isLast, data: new Uint8Array(0) })
      continue
    }
    while (n > 0) {
      while (off >= parts[pi]!.length) {
        pi++
        off = 0
      }
      const p = parts[pi]!
      const k = Math.min(n, p.length - off)
      n -= k
      // A PDV split over chunks becomes several PDVs; only the last piece keeps `isLast`.
      pdvs.push({ contextId, isCommand, isLast: n === 0 ? isLast : false, data: p.subarray(off, off + k) })
      off += k
    }
  }
  return pdvs.length > 0 ? pdvs : undefined
}
