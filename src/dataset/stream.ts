/**
 * Incremental decoding of a dataset that arrives in chunks (a C-STORE data stream, a file read
 * piece by piece). Top-level elements are emitted as soon as they are complete; large values
 * (and encapsulated pixel data) are passed to a sink piece by piece as views of the incoming
 * chunks, so memory does not grow with the size of those values.
 * @module
 */
import { Dataset } from './element.js'
import type { DataElement, ValueContext } from './element.js'
import { DatasetParser, NEED_MORE, splitCharset, type DecodeOptions } from './decode.js'
import { ItemDelimitationTag, ItemTag, SequenceDelimitationTag, UNDEFINED_LENGTH, formatTag } from './tag.js'
import type { Tag } from './tag.js'
import type { VR } from './vr.js'
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js'
import { detectTransferSyntax } from './part10.js'
import { trimmedAscii } from './values.js'
import { DicomError, DicomParseError } from '../errors.js'

/** Options of {@link DatasetStreamDecoder}. */
export interface StreamDecoderOptions extends Omit<DecodeOptions, 'inflate' | 'maxInflatedLength'> {
  /**
   * Transfer syntax of the data (the Deflated transfer syntax is not supported here). Not needed
   * with `file`, where the File Meta Information says it.
   */
  transferSyntaxUid?: string
  /**
   * The data is a Part 10 file (PS3.10 §7): preamble and `DICM` if present, then the File Meta
   * Information (kept in {@link DatasetStreamDecoder.meta}), whose Transfer Syntax UID (or, when
   * absent, the first element) sets the encoding of the dataset.
   */
  file?: boolean
  /**
   * Values of defined length of at least this many bytes, and encapsulated pixel data, go to
   * `onValueChunk` instead of being kept, when `onValueChunk` is given. Default 64 KiB.
   */
  valueThreshold?: number
  /** Keep the decoded top-level elements in {@link DatasetStreamDecoder.dataset} (default true). */
  keepElements?: boolean
  /** Called for each complete top-level element (not for values sent to the sink). */
  onElement?: (element: DataElement) => void
  /**
   * Called when a value sent to the sink starts: `length` is the value length, or 0xFFFFFFFF
   * for encapsulated pixel data.
   */
  onValueStart?: (tag: Tag, vr: VR, length: number) => void
  /**
   * Receives a large value piece by piece: views of the incoming chunks, valid as long as the
   * caller keeps those chunks, with the bytes as they are in the data (in the byte order of the
   * transfer syntax, padding included). For encapsulated pixel data (undefined length) the pieces are
   * the raw value: item headers, fragments and the final Sequence Delimitation Item (PS3.5 §A.4).
   */
  onValueChunk?: (tag: Tag, vr: VR, chunk: Uint8Array, isLast: boolean) => void
}

const EMPTY = new Uint8Array(0)

/** A list of chunks with views when contiguous and one copy when straddling (ws-style). */
class ChunkQueue {
  private chunks: Uint8Array[] = []
  private head = 0
  length = 0

  push(c: Uint8Array): void {
    if (c.length === 0) return
    this.chunks.push(c)
    this.length += c.length
  }

  /** `n` contiguous bytes from the front, without consuming them. */
  peek(n: number): Uint8Array {
    const first = this.chunks[this.head]!
    if (first.length >= n) return first.subarray(0, n)
    const out = new Uint8Array(n)
    let o = 0
    for (let i = this.head; o < n; i++) {
      const c = this.chunks[i]!
      const k = Math.min(c.length, n - o)
      out.set(c.subarray(0, k), o)
      o += k
    }
    // Replace the chunks copied in full by the copy, so the next peek is a view.
    this.compact(out, n)
    return out
  }

  private compact(out: Uint8Array, n: number): void {
    let taken = 0
    let i = this.head
    while (i < this.chunks.length && taken + this.chunks[i]!.length <= n) taken += this.chunks[i++]!.length
    const rest = i < this.chunks.length ? this.chunks[i]!.subarray(n - taken) : undefined
    const next = [out]
    if (rest !== undefined && rest.length > 0) next.push(rest)
    for (let j = i + 1; j < this.chunks.length; j++) next.push(this.chunks[j]!)
    this.chunks = next
    this.head = 0
  }

  /** The unread bytes of the first chunk (a view; empty when nothing is queued). */
  front(): Uint8Array {
    return this.chunks[this.head] ?? EMPTY
  }

  /** Drop `n` bytes from the front. */
  skip(n: number): void {
    this.length -= n
    while (n > 0) {
      const c = this.chunks[this.head]!
      if (c.length <= n) {
        n -= c.length
        this.head++
      } else {
        this.chunks[this.head] = c.subarray(n)
        n = 0
      }
    }
    if (this.head > 64 || this.head === this.chunks.length) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }

  /** Take up to `n` bytes from the front as a view of one chunk. */
  take(n: number): Uint8Array {
    const c = this.chunks[this.head]!
    const k = Math.min(n, c.length)
    const v = c.subarray(0, k)
    this.skip(k)
    return v
  }
}

const enum State {
  Meta,
  Header,
  Value,
  Fragments,
  FragmentValue,
  Stopped,
  Done,
}

/**
 * Decode a dataset fed chunk by chunk. Feed with {@link push}, finish with {@link end}. Elements
 * decode exactly as {@link decodeDataset} would decode the concatenated bytes.
 *
 * ```ts
 * const dec = new DatasetStreamDecoder({ transferSyntaxUid, onValueChunk: (tag, vr, c, last) => file.write(c) })
 * for await (const chunk of body) if (!dec.push(chunk)) break
 * const { dataset, warnings } = dec.end()
 * ```
 */
export class DatasetStreamDecoder {
  /** Top-level elements decoded so far (unless `keepElements` is false). */
  readonly dataset: Dataset
  /** Recoverable problems met so far. */
  readonly warnings: string[] = []
  private readonly q = new ChunkQueue()
  private readonly opts: StreamDecoderOptions
  private readonly ctx: ValueContext
  private explicit: boolean
  private le: boolean
  /** File Meta Information read with `file` (empty otherwise). */
  readonly meta: Dataset = new Dataset({ littleEndian: true, charset: [] })
  private tsUid: string
  private preambleChecked = false
  private readonly threshold: number
  private state = State.Header
  private first = true
  /** Stream offset of the front of the queue, for error messages. */
  private offset = 0
  private remaining = 0
  private vTag = 0
  private vVr: VR = 'OB'
  /** Buffered bytes needed before the next parse attempt of an undefined-length element. */
  private nextAttempt = 0

  constructor(options: StreamDecoderOptions) {
    if (options.transferSyntaxUid === undefined && !options.file) throw new DicomError('ERR_INVALID_ARGUMENT', 'transferSyntaxUid is required unless file is true')
    this.tsUid = options.transferSyntaxUid ?? ''
    const ts = transferSyntaxInfo(this.tsUid || TransferSyntax.ExplicitVRLittleEndian)
    if (ts.deflated) throw deflatedError()
    if (options.file) this.state = State.Meta
    this.opts = options
    this.explicit = ts.explicitVR
    this.le = ts.littleEndian
    this.ctx = { littleEndian: ts.littleEndian, charset: [] }
    this.dataset = new Dataset(this.ctx)
    this.threshold = options.onValueChunk === undefined ? Infinity : Math.max(1, options.valueThreshold ?? 65536)
  }

  /** The transfer syntax of the dataset (known after the meta group with `file`). */
  get transferSyntaxUid(): string {
    return this.tsUid
  }

  /**
   * Bytes of the stream consumed so far; once {@link stopped}, the offset of the element at
   * `stopBeforeTag` (so the bytes before it are the dataset decoded). With `file`, counted from
   * the start of the file.
   */
  get position(): number {
    return this.offset
  }

  /** The decoder reached `stopBeforeTag`: further data is ignored. */
  get stopped(): boolean {
    return this.state === State.Stopped
  }

  /**
   * Feed the next chunk (not copied; values may be views of it). Returns false once
   * `stopBeforeTag` is reached and no more data is needed.
   * @throws DicomParseError on malformed data that lenient mode cannot recover from.
   */
  push(chunk: Uint8Array): boolean {
    if (this.state === State.Stopped) return false
    if (this.state === State.Done) throw new DicomError('ERR_INVALID_ARGUMENT', 'push() after end()')
    this.q.push(chunk)
    this.run(false)
    return !this.stopped
  }

  /**
   * Signal the end of the data and return the result.
   * @throws DicomParseError when the data ends inside an element (strict mode), or when it is
   * malformed beyond what lenient mode recovers from.
   */
  end(): { dataset: Dataset; warnings: string[] } {
    if (this.state !== State.Stopped && this.state !== State.Done) {
      this.run(true)
      const lenient = this.opts.lenient ?? true
      const fail = (reason: string) => {
        if (!lenient) throw new DicomParseError(reason, this.offset, formatTag(this.vTag))
        this.warnings.push(`${reason} at offset ${this.offset}`)
      }
      const st = this.state as State
      if (st === State.Value || st === State.FragmentValue || st === State.Fragments) {
        fail(`data ends inside the value of ${formatTag(this.vTag)}`)
        this.opts.onValueChunk?.(this.vTag, this.vVr, new Uint8Array(0), true)
      } else if (this.q.length > 0) {
        fail(`${this.q.length} trailing bytes, too short for an element header`)
      }
      this.state = State.Done
    }
    return { dataset: this.dataset, warnings: this.warnings }
  }

  private parser(bytes: Uint8Array, partial: boolean): DatasetParser {
    const p = new DatasetParser(bytes, this.explicit, this.le, this.opts)
    p.partial = partial
    return p
  }

  private run(final: boolean): void {
    for (;;) {
      switch (this.state) {
        case State.Meta:
          if (!this.metaStep(final)) return
          break
        case State.Header:
          if (this.headerRun()) break
          if (!this.header(final)) return
          break
        case State.Value: {
          if (this.q.length === 0) return
          const c = this.q.take(this.remaining)
          this.remaining -= c.length
          this.offset += c.length
          this.opts.onValueChunk!(this.vTag, this.vVr, c, this.remaining === 0)
          if (this.remaining === 0) this.state = State.Header
          break
        }
        case State.Fragments: {
          if (this.q.length < 8) return
          const h = this.q.peek(8)
          const itag = tagAt(h, 0, this.le)
          const ilen = u32(h, 4, this.le)
          // `h` stays valid after skip(): it is a view of a chunk or a fresh copy
          const copy = h
          this.q.skip(8)
          this.offset += 8
          if (itag === SequenceDelimitationTag) {
            this.opts.onValueChunk!(this.vTag, this.vVr, copy, true)
            this.state = State.Header
            break
          }
          if (itag !== ItemTag || ilen === UNDEFINED_LENGTH) {
            throw new DicomParseError(`expected a fragment Item, found ${formatTag(itag)}`, this.offset - 8, formatTag(this.vTag))
          }
          this.opts.onValueChunk!(this.vTag, this.vVr, copy, false)
          this.remaining = ilen
          this.state = ilen > 0 ? State.FragmentValue : State.Fragments
          break
        }
        case State.FragmentValue: {
          if (this.q.length === 0) return
          const c = this.q.take(this.remaining)
          this.remaining -= c.length
          this.offset += c.length
          this.opts.onValueChunk!(this.vTag, this.vVr, c, false)
          if (this.remaining === 0) this.state = State.Fragments
          break
        }
        default:
          return
      }
    }
  }

  /** Preamble and File Meta Information (PS3.10 §7.1); false when more data is needed. */
  private metaStep(final: boolean): boolean {
    const q = this.q
    if (!this.preambleChecked) {
      if (q.length < 132 && !final) return false
      if (q.length === 0) return false
      const h = q.peek(Math.min(132, q.length))
      const dicm = (at: number) => h.length >= at + 4 && h[at] === 0x44 && h[at + 1] === 0x49 && h[at + 2] === 0x43 && h[at + 3] === 0x4d
      const skip = dicm(128) ? 132 : dicm(0) ? 4 : 0
      q.skip(skip)
      this.offset += skip
      this.preambleChecked = true
      return true
    }
    if (q.length < 8) {
      if (!final) return false
      return this.metaDone(new Uint8Array(0))
    }
    const h = q.peek(Math.min(12, q.length))
    if (h[0] !== 0x02 || h[1] !== 0x00) return this.metaDone(h)
    const tag = tagAt(h, 0, true)
    // The meta group is explicit VR little endian (PS3.10 §7.1)
    const hp = new DatasetParser(h, true, true, this.opts)
    hp.partial = !final
    const valueAt = this.headerEnd(hp, this.meta, tag, h.length)
    if (valueAt === undefined) return false
    const max = this.opts.maxElementLength ?? Number.MAX_SAFE_INTEGER
    if (hp.hLen === UNDEFINED_LENGTH || hp.hLen > max) throw new DicomParseError(`bad meta element length ${hp.hLen}`, this.offset, formatTag(tag))
    const need = valueAt + hp.hLen
    if (q.length < need && !final) return false
    const bytes = q.peek(Math.min(need, q.length))
    const p = new DatasetParser(bytes, true, true, this.opts)
    const end = p.readElement(this.meta, tag, 0, bytes.length, this.meta.context)
    this.commitWarnings(p)
    q.skip(end)
    this.offset += end
    return true
  }

  /** The meta group ended: take the transfer syntax from it, or detect it from `first`. */
  private metaDone(first: Uint8Array): boolean {
    const tsRaw = this.meta.rawOf(0x00020010)
    let uid = tsRaw !== undefined ? trimmedAscii(tsRaw) : ''
    if (uid === '') {
      if (first.length < 8 && this.q.length > 0) return false
      uid = detectTransferSyntax(first)
      if (this.meta.size > 0) this.warnings.push(`File Meta Information has no Transfer Syntax UID; detected ${uid}`)
    }
    const ts = transferSyntaxInfo(uid)
    if (ts.deflated) throw deflatedError()
    this.tsUid = uid
    this.explicit = ts.explicitVR
    this.le = ts.littleEndian
    this.ctx.littleEndian = ts.littleEndian
    this.state = State.Header
    return true
  }

  /**
   * Fast path of {@link header}: decode the complete elements at the start of the first queued
   * chunk with one parser (a dataset header usually arrives inside one network read), instead of
   * a parser and a peek per element. Stops at the first element it cannot take whole from that
   * chunk, at a delimiter, at `stopBeforeTag`, and before any element that decodes with a warning
   * (which {@link header} then decodes again, so that warnings read exactly as there). Only
   * without a value sink, and not while {@link header} waits for an incomplete element. The
   * elements of one run share one source view, so the dataset keeps them as records (decoded on
   * access). Returns whether it consumed anything.
   */
  private headerRun(): boolean {
    if (this.nextAttempt !== 0 || this.opts.onValueChunk !== undefined) return false
    const front = this.q.front()
    if (front.length < 8) return false
    const le = this.le
    const stop = this.opts.stopBeforeTag
    if (this.first) {
      // As header() does: check the first element against the transfer syntax. A delimiter or
      // the stop tag first, or a mismatch (a warning), is left to header().
      const tag0 = tagAt(front, 0, le)
      if (tag0 >>> 16 === 0xfffe || (stop !== undefined && tag0 >= stop)) return false
      if (!this.firstElement(front, false)) return false
    }
    const p = new DatasetParser(front, this.explicit, le, this.opts)
    p.partial = true
    let pos = 0
    while (front.length - pos >= 8) {
      const tag = tagAt(front, pos, le)
      if (tag >>> 16 === 0xfffe) break
      if (stop !== undefined && tag >= stop) {
        this.state = State.Stopped
        break
      }
      let end: number
      try {
        end = p.readElement(this.dataset, tag, pos, front.length, this.ctx)
      } catch (e) {
        if (e === NEED_MORE) break
        throw this.atStreamOffset(e)
      }
      if (p.warnings.length > 0) {
        this.dataset.delete(tag)
        break
      }
      pos = end
      this.elementDone(tag)
    }
    if (pos === 0) return this.state === State.Stopped
    this.q.skip(pos)
    this.offset += pos
    return true
  }

  /**
   * As decodeDataset does, check the first element (at the start of `h`) against the transfer
   * syntax, the length of the data not known yet; this sets the encoding of what follows. A
   * mismatch is a warning: committed when `warnings` allows, else nothing is done and false
   * returned (the fast path leaves that element to {@link header}).
   */
  private firstElement(h: Uint8Array, warnings: boolean): boolean {
    const dp = this.parser(h, false)
    dp.detectEncoding(0, Infinity)
    if (dp.warnings.length > 0 && !warnings) return false
    this.explicit = dp.explicit
    this.commitWarnings(dp)
    this.first = false
    return true
  }

  /** Handle the element at the front of the queue; false when more data is needed. */
  private header(final: boolean): boolean {
    const q = this.q
    if (q.length < 8) return false
    const h = q.peek(Math.min(12, q.length))
    const le = this.le
    const tag = tagAt(h, 0, le)
    if (tag >>> 16 === 0xfffe) {
      if (tag === ItemDelimitationTag || tag === SequenceDelimitationTag) {
        const reason = `unexpected ${tag === ItemDelimitationTag ? 'Item' : 'Sequence'} Delimitation Item`
        if (!(this.opts.lenient ?? true)) throw new DicomParseError(reason, this.offset, formatTag(tag))
        this.warnings.push(`${reason} at offset ${this.offset} in ${formatTag(tag)}`)
        q.skip(8)
        this.offset += 8
        return true
      }
      throw new DicomParseError('unexpected Item tag where a data element was expected', this.offset, formatTag(tag))
    }
    if (this.opts.stopBeforeTag !== undefined && tag >= this.opts.stopBeforeTag) {
      this.state = State.Stopped
      return false
    }
    if (this.first) this.firstElement(h, true)
    const hp = this.parser(h, !final)
    const valueAt = this.headerEnd(hp, this.dataset, tag, h.length)
    if (valueAt === undefined) return false
    const vr = hp.hVr
    const len = hp.hLen
    const streamable = this.opts.onValueChunk !== undefined
    if (streamable && len !== UNDEFINED_LENGTH && len >= this.threshold && vr !== 'SQ' && !(vr === 'UN' && hp.isSequenceTag(tag))) {
      this.commitWarnings(hp)
      q.skip(valueAt)
      this.offset += valueAt
      this.vTag = tag
      this.vVr = vr
      this.remaining = len
      if (len & 1) this.warn(`odd value length ${len}`, tag)
      this.opts.onValueStart?.(tag, vr, len)
      this.state = State.Value
      return true
    }
    if (streamable && len === UNDEFINED_LENGTH && (vr === 'OB' || vr === 'OW' || (tag === 0x7fe00010 && vr !== 'SQ'))) {
      if (hp.hExplicit || tag === 0x7fe00010) {
        this.commitWarnings(hp)
        // Encapsulated pixel data is OB whatever the header says (PS3.5 §A.4), as in decodeDataset.
        if (hp.hExplicit && vr !== 'OB') this.warn(`encapsulated pixel data with VR ${vr} read as OB`, tag)
        q.skip(valueAt)
        this.offset += valueAt
        this.vTag = tag
        this.vVr = 'OB'
        this.opts.onValueStart?.(tag, this.vVr, len)
        this.state = State.Fragments
        return true
      }
    }
    // Buffer the whole element, then decode it with the ordinary parser.
    let need: number
    if (len !== UNDEFINED_LENGTH) {
      const max = this.opts.maxElementLength ?? Number.MAX_SAFE_INTEGER
      if (len > max) throw new DicomParseError(`value length ${len} exceeds the limit of ${max}`, this.offset, formatTag(tag))
      need = valueAt + len
      if (q.length < need && !final) return false
      need = Math.min(need, q.length)
    } else {
      if (q.length < this.nextAttempt && !final) return false
      need = q.length
    }
    const bytes = q.peek(need)
    const p = this.parser(bytes, !final)
    p.explicit = this.explicit
    let endAt: number
    try {
      endAt = p.readElement(this.dataset, tag, 0, bytes.length, this.ctx)
    } catch (e) {
      if (e === NEED_MORE) {
        this.nextAttempt = Math.max(need * 2, need + 4096)
        return false
      }
      throw this.atStreamOffset(e)
    }
    this.nextAttempt = 0
    this.commitWarnings(p)
    q.skip(endAt)
    this.offset += endAt
    this.elementDone(tag)
    return true
  }

  /**
   * After a top-level element was decoded into the dataset: Specific Character Set applies to the
   * text that follows (PS3.5 §6.1.2.3), then `onElement` and `keepElements`. The element object
   * is made only when the caller asks for it (the dataset keeps records otherwise).
   */
  private elementDone(tag: Tag): void {
    if (tag === 0x00080005) {
      const raw = this.dataset.rawOf(tag)
      if (raw !== undefined) this.ctx.charset = splitCharset(raw)
    }
    if (this.opts.onElement === undefined && this.opts.keepElements !== false) return
    const el = this.dataset.get(tag)!
    if (this.opts.keepElements === false) this.dataset.delete(tag)
    this.opts.onElement?.(el)
  }

  /**
   * The offset of the value after the element header at 0 (of `end` bytes) read by `hp`, or
   * undefined when the header is not complete yet.
   */
  private headerEnd(hp: DatasetParser, ds: Dataset, tag: Tag, end: number): number | undefined {
    try {
      return hp.readHeader(ds, tag, 0, end)
    } catch (e) {
      if (e === NEED_MORE) return undefined
      throw this.atStreamOffset(e)
    }
  }

  /** A parse error of one element, with its offset made relative to the whole stream. */
  private atStreamOffset(e: unknown): unknown {
    if (e instanceof DicomParseError) return new DicomParseError(e.reason, e.offset + this.offset, e.tagPath, { cause: e })
    return e
  }

  private commitWarnings(p: DatasetParser): void {
    for (const w of p.warnings) this.warnings.push(this.offset ? `${w} (element at stream offset ${this.offset})` : w)
  }

  private warn(reason: string, tag: Tag): void {
    if (!(this.opts.lenient ?? true)) throw new DicomParseError(reason, this.offset, formatTag(tag))
    this.warnings.push(`${reason} at offset ${this.offset} in ${formatTag(tag)}`)
  }
}

function deflatedError(): DicomError {
  return new DicomError('ERR_INVALID_ARGUMENT', 'the stream decoder does not inflate the Deflated transfer syntax; use decodeDataset or decodeFile')
}

/** The tag whose group and element numbers start at `o`. */
function tagAt(b: Uint8Array, o: number, le: boolean): Tag {
  return ((u16(b, o, le) << 16) | u16(b, o + 2, le)) >>> 0
}

function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!
}

function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
}
