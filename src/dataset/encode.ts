/**
 * Dataset encoder for every transfer syntax (PS3.5 §7, §A.4, §A.5). Two passes: the first
 * computes every value's bytes and every sequence and item length, the second writes everything
 * into one preallocated buffer. Elements still holding their raw bytes in the target encoding
 * are written from those bytes without decoding.
 * @module
 */
import type { DataElement, Dataset, EncapsulatedPixelData, ValueContext } from './element.js'
import { ItemDelimitationTag, ItemTag, SequenceDelimitationTag, UNDEFINED_LENGTH, formatTag } from './tag.js'
import { VR_INFO, vrCode } from './vr.js'
import { transferSyntaxInfo } from './transfer-syntax.js'
import { deflateWith } from './deflate.js'
import { decodeAscii } from './values.js'
import { DatasetEncodeError } from '../errors.js'

/** Options of {@link encodeDataset}. */
export interface EncodeOptions {
  /**
   * Length form of sequences and items (PS3.5 §7.5): `defined` (the default) writes explicit
   * lengths; `undefined` writes 0xFFFFFFFF and delimitation items; `preserve` keeps the form
   * each sequence and item was read with (`undefinedLength`), defined for those built in memory.
   */
  sequenceLength?: 'defined' | 'undefined' | 'preserve'
  /**
   * Group length elements (gggg,0000): `omit` (the default) drops them, `keep` writes them as
   * they are, `compute` writes a correct one for every group of the top-level dataset
   * (PS3.5 §7.2).
   */
  groupLength?: 'omit' | 'keep' | 'compute'
  /** Deflate function for the Deflated transfer syntax; defaults to the registered codec. */
  deflate?: (bytes: Uint8Array) => Uint8Array
}

const SPECIFIC_CHARACTER_SET = 0x00080005
const EMPTY = new Uint8Array(0)
const EMPTY_VIEW = new DataView(EMPTY.buffer)

interface Plan {
  /** Value bytes of non-sequence elements, in write order. */
  vals: Uint8Array[]
  /** Lengths of sequences, items and computed groups, in write order. */
  lens: number[]
}

/**
 * Encode a dataset in the transfer syntax `transferSyntaxUid` (PS3.5 §7, §10). For the
 * Deflated transfer syntax the result is deflated (PS3.5 §A.5).
 * @throws DatasetEncodeError when a value cannot be represented (e.g. longer than 65534 bytes
 * in a VR with a 16-bit length field in explicit VR).
 */
export function encodeDataset(dataset: Dataset, transferSyntaxUid: string, options: EncodeOptions = {}): Uint8Array {
  const ts = transferSyntaxInfo(transferSyntaxUid)
  const enc = new Encoder(ts.explicitVR, ts.littleEndian, options)
  const out = enc.encode(dataset)
  return ts.deflated ? deflateWith(out, options.deflate) : out
}

/** @internal Two-pass encoder; also used by the Part 10 writer. */
export class Encoder {
  private readonly explicit: boolean
  private readonly le: boolean
  private readonly undefLen: boolean
  private readonly preserve: boolean
  private readonly groups: 'omit' | 'keep' | 'compute'
  private plan: Plan = { vals: [], lens: [] }
  private vi = 0
  private li = 0
  private buf: Uint8Array = EMPTY
  private dv: DataView = EMPTY_VIEW
  private pos = 0
  /** Length found by the last {@link Encoder.measure}, -1 when none is pending. */
  private measured = -1

  constructor(explicit: boolean, littleEndian: boolean, options: EncodeOptions = {}) {
    this.explicit = explicit
    this.le = littleEndian
    this.undefLen = options.sequenceLength === 'undefined'
    this.preserve = options.sequenceLength === 'preserve'
    this.groups = options.groupLength ?? 'omit'
  }

  /** Encode `ds` into a new buffer of exactly its encoded length. */
  encode(ds: Dataset): Uint8Array {
    const total = this.measure(ds)
    const out = new Uint8Array(total)
    this.writeInto(ds, out, 0)
    return out
  }

  /**
   * First pass: compute every value's bytes and every length, and return the encoded length of
   * `ds`. Must be followed by {@link Encoder.writeInto} with the same dataset, unchanged.
   */
  measure(ds: Dataset): number {
    this.plan = { vals: [], lens: [] }
    this.measured = this.measureDataset(ds, this.topContext(ds), true)
    return this.measured
  }

  /**
   * Second pass: write `ds`, as measured by {@link Encoder.measure}, into `out` at `offset`
   * (so that a caller can put a header before it in the same buffer). Every byte of the range
   * is written; the rest of `out` is left untouched.
   * @returns the offset just past the dataset.
   * @throws DatasetEncodeError when `out` has no room for the measured length.
   */
  writeInto(ds: Dataset, out: Uint8Array, offset: number): number {
    const total = this.measured
    if (total < 0) throw new DatasetEncodeError('internal error: writeInto called before measure')
    if (offset < 0 || out.length - offset < total) {
      throw new DatasetEncodeError(`internal error: ${total} bytes do not fit at offset ${offset} of ${out.length}`)
    }
    this.buf = out
    this.dv = new DataView(out.buffer, out.byteOffset, out.byteLength)
    this.pos = offset
    this.vi = 0
    this.li = 0
    this.writeDataset(ds, this.topContext(ds), true)
    this.measured = -1
    const end = this.pos
    this.buf = EMPTY
    this.dv = EMPTY_VIEW
    this.plan = { vals: [], lens: [] }
    if (end - offset !== total) throw new DatasetEncodeError(`internal error: wrote ${end - offset} of ${total} bytes`)
    return end
  }

  /**
   * Without its own (0008,0005), a dataset's text is in the character set of its context
   * (e.g. an item encoded on its own keeps the one inherited from its parent).
   */
  private topContext(ds: Dataset): ValueContext {
    return { littleEndian: this.le, charset: ds.context.charset }
  }

  /** The target context of a dataset: byte order, and the character set in force in it. */
  private contextOf(ds: Dataset, parent: ValueContext): ValueContext {
    const cs = ds.get(SPECIFIC_CHARACTER_SET)
    if (cs === undefined) return parent
    const charset = charsetOf(cs)
    return { littleEndian: this.le, charset }
  }

  /** Whether a sequence or item is written with undefined length. */
  private undef(readUndefined: boolean): boolean {
    return this.preserve ? readUndefined : this.undefLen
  }

  /** Group length elements are dropped unless kept as they are (recomputed ones are added). */
  private skip(el: DataElement): boolean {
    return (el.tag & 0xffff) === 0 && this.groups !== 'keep'
  }

  private measureDataset(ds: Dataset, parent: ValueContext, top: boolean): number {
    const ctx = this.contextOf(ds, parent)
    let total = 0
    let group = -1
    let groupLenIndex = -1
    let groupStart = 0
    const compute = top && this.groups === 'compute'
    for (const el of ds.elements()) {
      if (this.skip(el)) continue
      if (compute) {
        const g = el.tag >>> 16
        if (g !== group) {
          if (groupLenIndex >= 0) this.plan.lens[groupLenIndex] = total - groupStart
          group = g
          groupLenIndex = this.plan.lens.length
          this.plan.lens.push(0)
          total += 12
          groupStart = total
        }
      }
      total += this.measureElement(el, ctx)
    }
    if (groupLenIndex >= 0) this.plan.lens[groupLenIndex] = total - groupStart
    return total
  }

  private measureElement(el: DataElement, ctx: ValueContext): number {
    const vr = el.vr
    const hdr = this.explicit ? (VR_INFO[vr].longLength ? 12 : 8) : 8
    if (vr === 'SQ') {
      const items = el.value as Dataset[]
      const idx = this.plan.lens.length
      this.plan.lens.push(0)
      let len = 0
      for (const item of items) {
        const iidx = this.plan.lens.length
        this.plan.lens.push(0)
        const ilen = this.measureDataset(item, ctx, false)
        this.plan.lens[iidx] = ilen
        len += 8 + ilen + (this.undef(item.undefinedLength) ? 8 : 0)
      }
      if (this.undef(el.undefinedLength)) len += 8
      this.plan.lens[idx] = len
      return 12 - (this.explicit ? 0 : 4) + len
    }
    if (el.raw === undefined) {
      const v = el.value
      if (isEncapsulated(v)) {
        let len = 8 + even(v.offsetTable.length) + 8
        for (const f of v.fragments) len += 8 + even(f.length)
        return 12 - (this.explicit ? 0 : 4) + len
      }
    }
    const bytes = el.bytes(ctx)
    this.plan.vals.push(bytes)
    const len = even(bytes.length)
    if (this.explicit && !VR_INFO[vr].longLength && len > 0xffff) {
      throw new DatasetEncodeError(`value of ${len} bytes is too long for VR ${vr} in explicit VR`, formatTag(el.tag))
    }
    if (len > 0xfffffffe) throw new DatasetEncodeError(`value of ${len} bytes is too long`, formatTag(el.tag))
    return hdr + len
  }

  private u16(v: number): void {
    this.dv.setUint16(this.pos, v, this.le)
    this.pos += 2
  }

  private u32(v: number): void {
    this.dv.setUint32(this.pos, v, this.le)
    this.pos += 4
  }

  private tag(t: number): void {
    this.u16(t >>> 16)
    this.u16(t & 0xffff)
  }

  /** Element header with a 32-bit length (explicit: VR + 2 reserved bytes; implicit: none). */
  private longHeader(t: number, vr: DataElement['vr'], len: number): void {
    this.tag(t)
    if (this.explicit) {
      const c = vrCode(vr)
      this.buf[this.pos] = c >>> 8
      this.buf[this.pos + 1] = c & 0xff
      this.buf[this.pos + 2] = 0
      this.buf[this.pos + 3] = 0
      this.pos += 4
    }
    this.u32(len)
  }

  private writeDataset(ds: Dataset, parent: ValueContext, top: boolean): void {
    const ctx = this.contextOf(ds, parent)
    const compute = top && this.groups === 'compute'
    let group = -1
    for (const el of ds.elements()) {
      if (this.skip(el)) continue
      if (compute) {
        const g = el.tag >>> 16
        if (g !== group) {
          group = g
          // (gggg,0000) UL, PS3.5 §7.2
          const len = this.plan.lens[this.li++]!
          if (this.explicit) {
            this.tag((g << 16) >>> 0)
            this.buf[this.pos] = 0x55 // 'U'
            this.buf[this.pos + 1] = 0x4c // 'L'
            this.pos += 2
            this.u16(4)
          } else {
            this.tag((g << 16) >>> 0)
            this.u32(4)
          }
          this.u32(len)
        }
      }
      this.writeElement(el, ctx)
    }
  }

  private writeElement(el: DataElement, ctx: ValueContext): void {
    const vr = el.vr
    if (vr === 'SQ') {
      const items = el.value as Dataset[]
      const len = this.plan.lens[this.li++]!
      const seqUndef = this.undef(el.undefinedLength)
      this.longHeader(el.tag, 'SQ', seqUndef ? UNDEFINED_LENGTH : len)
      for (const item of items) {
        const ilen = this.plan.lens[this.li++]!
        const itemUndef = this.undef(item.undefinedLength)
        this.tag(ItemTag)
        this.u32(itemUndef ? UNDEFINED_LENGTH : ilen)
        this.writeDataset(item, ctx, false)
        if (itemUndef) {
          this.tag(ItemDelimitationTag)
          this.u32(0)
        }
      }
      if (seqUndef) {
        this.tag(SequenceDelimitationTag)
        this.u32(0)
      }
      return
    }
    if (el.raw === undefined) {
      const v = el.value
      if (isEncapsulated(v)) {
        // PS3.5 §A.4: undefined length, Basic Offset Table item, fragment items, delimiter.
        this.longHeader(el.tag, vr, UNDEFINED_LENGTH)
        this.item(v.offsetTable)
        for (const f of v.fragments) this.item(f)
        this.tag(SequenceDelimitationTag)
        this.u32(0)
        return
      }
    }
    const bytes = this.plan.vals[this.vi++]!
    const len = even(bytes.length)
    if (!this.explicit || VR_INFO[vr].longLength) this.longHeader(el.tag, vr, len)
    else {
      this.tag(el.tag)
      const c = vrCode(vr)
      this.buf[this.pos] = c >>> 8
      this.buf[this.pos + 1] = c & 0xff
      this.pos += 2
      this.u16(len)
    }
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
    if (len !== bytes.length) this.buf[this.pos++] = VR_INFO[vr].padding
  }

  private item(bytes: Uint8Array): void {
    this.tag(ItemTag)
    this.u32(even(bytes.length))
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
    if (bytes.length & 1) this.buf[this.pos++] = 0
  }
}

function even(n: number): number {
  return n + (n & 1)
}

/** True for an {@link EncapsulatedPixelData} value. */
export function isEncapsulated(v: unknown): v is EncapsulatedPixelData {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Array.isArray(v) && 'fragments' in v
}

/** The defined terms of a Specific Character Set element, as the decoder reads them. */
export function charsetOf(el: DataElement): string[] {
  const raw = el.raw
  if (raw !== undefined && el.isLazy) {
    const s = decodeAscii(raw)
    if (s.trim() === '') return []
    return s.split('\\').map((x) => x.trim())
  }
  const v = el.strings
  if (v.every((x) => x.trim() === '')) return []
  return v.map((x) => x.trim())
}
