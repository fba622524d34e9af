/**
 * Dataset decoder for every transfer syntax: implicit and explicit VR, little and big endian,
 * deflated explicit VR little endian, sequences and items of defined and undefined length nested
 * to any depth, and encapsulated pixel data (PS3.5 §7, §A.4).
 *
 * The decoder only walks element headers and keeps views of the value bytes: values are decoded
 * lazily by {@link DataElement}. Nothing is allocated from a length read in the input before that
 * length is checked against the bytes actually present.
 * @module
 */
import { DataElement, Dataset } from './element.js'
import type { EncapsulatedPixelData, ValueContext } from './element.js'
import { ItemDelimitationTag, ItemTag, SequenceDelimitationTag, UNDEFINED_LENGTH, formatTag } from './tag.js'
import type { Tag } from './tag.js'
import { VRS, VR_BY_LETTERS, VR_INFO, letterIndex, vrFromCode } from './vr.js'
import type { VR } from './vr.js'
import { lookupPrivate, lookupTag } from './dictionary.js'
import type { DictionaryEntry } from './dictionary.js'
import { transferSyntaxInfo } from './transfer-syntax.js'
import { inflateWith } from './deflate.js'
import { decodeAscii, trimmedAscii } from './values.js'
import { DicomParseError } from '../errors.js'

/** Options of {@link decodeDataset} and {@link decodeFile}. */
export interface DecodeOptions {
  /**
   * Recover from common encoding errors (default true, as DCMTK does): odd lengths, explicit VR
   * elements in implicit data and vice versa, unknown VRs, missing trailing delimiters, values
   * cut short by the end of the data. Each recovery is reported in `warnings`. When false, each
   * of these throws {@link DicomParseError}.
   */
  lenient?: boolean
  /**
   * Stop before the first top-level element whose tag is greater than or equal to this one
   * (e.g. `0x7fe00010` to read everything but Pixel Data).
   */
  stopBeforeTag?: Tag
  /** Largest defined value length accepted, in bytes (default: no limit beyond the input size). */
  maxElementLength?: number
  /** Inflate function for the Deflated transfer syntax; defaults to the registered codec. */
  inflate?: (bytes: Uint8Array) => Uint8Array
  /**
   * Largest inflated size accepted for the Deflated transfer syntax (a guard against deflate
   * bombs; default: no limit). Passed to the registered codec.
   */
  maxInflatedLength?: number
}

/** Result of {@link decodeDataset}. */
export interface DecodeResult {
  dataset: Dataset
  /** Recoverable problems met while decoding (lenient mode). */
  warnings: string[]
}

const PIXEL_DATA = 0x7fe00010
/** Deepest sequence nesting accepted (a guard against stack exhaustion on hostile input). */
const MAX_DEPTH = 200
const SPECIFIC_CHARACTER_SET = 0x00080005
const PIXEL_REPRESENTATION = 0x00280103

/**
 * Decode a dataset encoded in the transfer syntax `transferSyntaxUid` (PS3.5 §7, §10). A
 * Deflated Explicit VR Little Endian dataset is inflated first (PS3.5 §A.5).
 * @throws DicomParseError on malformed data (in lenient mode only when it cannot recover).
 */
export function decodeDataset(bytes: Uint8Array, transferSyntaxUid: string, options: DecodeOptions = {}): DecodeResult {
  const ts = transferSyntaxInfo(transferSyntaxUid)
  let data = bytes
  if (ts.deflated) data = inflateWith(bytes, options.inflate, options.maxInflatedLength)
  const p = new DatasetParser(data, ts.explicitVR, ts.littleEndian, options)
  const ctx: ValueContext = { littleEndian: ts.littleEndian, charset: [] }
  const dataset = new Dataset(ctx)
  p.detectEncoding(0)
  p.readDataset(dataset, 0, data.length, ctx, false, options.stopBeforeTag, -1)
  return { dataset, warnings: p.warnings }
}

/** Whether the VR at each {@link VR_BY_LETTERS} slot has a 32-bit length: flat, for speed. */
const LONG_BY_LETTERS = new Uint8Array(677)
for (const vr of VRS) LONG_BY_LETTERS[letterIndex(vr.charCodeAt(0), vr.charCodeAt(1))] = VR_INFO[vr].longLength ? 1 : 0

/** Implicit VR of public tags with a single dictionary VR, by a hash of the tag (1,024 slots). */
const IMPLICIT_TAGS = new Int32Array(1024).fill(-1) // (FFFF,FFFF) is no element
const IMPLICIT_VRS: VR[] = new Array<VR>(1024).fill('UN')
function remember(slot: number, tag: Tag, vr: VR): void {
  IMPLICIT_TAGS[slot] = tag | 0
  IMPLICIT_VRS[slot] = vr
}

/** Thrown in partial mode when the data received so far ends inside an element. @internal */
export const NEED_MORE: unique symbol = Symbol('need more data')

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a
}

/**
 * The parser proper. Exported for the Part 10 reader and the stream decoder; not part of the
 * public API.
 * @internal
 */
export class DatasetParser {
  readonly b: Uint8Array
  readonly dv: DataView
  /** `b.buffer` and `b.byteOffset`: views are built directly (faster than `subarray`). */
  private readonly buf: ArrayBufferLike
  private readonly base: number
  explicit: boolean
  le: boolean
  readonly lenient: boolean
  readonly maxLen: number
  readonly warnings: string[] = []
  /** Stream decoder mode: data ending early throws {@link NEED_MORE}. */
  partial = false
  /** Tag path for error messages: tags and item indexes, alternating. */
  private readonly path: number[] = []

  constructor(bytes: Uint8Array, explicit: boolean, littleEndian: boolean, options: DecodeOptions = {}) {
    // A plain Uint8Array view: subarrays of a Node Buffer would be Buffers, slower to create.
    this.b = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.buf = this.b.buffer
    this.base = this.b.byteOffset
    this.explicit = explicit
    this.le = littleEndian
    this.lenient = options.lenient ?? true
    this.maxLen = options.maxElementLength ?? Number.MAX_SAFE_INTEGER
  }

  /** Build the tag path for an error message, e.g. `(0040,A730)[2].(0040,A043)`. */
  tagPath(last?: Tag): string {
    let s = ''
    for (let i = 0; i < this.path.length; i += 2) {
      s += `${i ? '.' : ''}${formatTag(this.path[i]!)}[${this.path[i + 1]}]`
    }
    if (last !== undefined) s += `${s ? '.' : ''}${formatTag(last)}`
    return s
  }

  fail(reason: string, offset: number, tag?: Tag): never {
    throw new DicomParseError(reason, offset, this.tagPath(tag))
  }

  /** Report a recoverable problem: a warning in lenient mode, an error otherwise. */
  warn(reason: string, offset: number, tag?: Tag): void {
    if (!this.lenient) this.fail(reason, offset, tag)
    const where = this.tagPath(tag)
    this.warnings.push(`${reason} at offset ${offset}${where ? ` in ${where}` : ''}`)
  }

  /**
   * Check whether the first element at `pos` is encoded as the transfer syntax says (explicit vs
   * implicit VR), as DCMTK does, and switch (with a warning) when it is clearly not.
   */
  detectEncoding(pos: number, dataLength = this.b.length): void {
    if (!this.lenient || this.b.length - pos < 8 || !this.le) return
    const c0 = this.b[pos + 4]!
    const c1 = this.b[pos + 5]!
    // Two upper-case letters: a VR, perhaps one unknown to us (read as UN per element).
    const looksExplicit = vrFromCode((c0 << 8) | c1) !== undefined || (this.explicit && isUpper(c0) && isUpper(c1))
    if (this.explicit && !looksExplicit) {
      this.explicit = false
      this.warn('dataset is implicit VR although the transfer syntax is explicit VR', pos)
    } else if (!this.explicit && looksExplicit) {
      // Implicit data whose length bytes happen to spell a VR is possible (a length of at
      // least 0x4141): believe explicit VR only when the VR matches the dictionary or the
      // implicit reading of the length runs past the end of the data.
      const len = this.dv.getUint32(pos + 4, true)
      const tag = ((this.dv.getUint16(pos, true) << 16) | this.dv.getUint16(pos + 2, true)) >>> 0
      const dictVr = lookupTag(tag)?.vr
      const v = vrFromCode((c0 << 8) | c1)!
      if ((dictVr !== undefined && dictVr.includes(v)) || len > dataLength - pos - 8 || (tag & 0xffff) === 0) {
        this.explicit = true
        this.warn('dataset is explicit VR although the transfer syntax is implicit VR', pos)
      }
    }
  }

  /** The dictionary says SQ (public tags; private ones too when `ds` holds their creator). */
  isSequenceTag(tag: Tag, ds?: Dataset): boolean {
    const e = tag >>> 16 & 1 ? (ds === undefined ? undefined : this.privateEntry(tag, ds)) : lookupTag(tag)
    return e !== undefined && e.vr.length === 1 && e.vr[0] === 'SQ'
  }

  /** Private dictionary entry of a private element, found through its creator (PS3.5 §7.8.1). */
  privateEntry(tag: Tag, ds: Dataset): DictionaryEntry | undefined {
    const elem = tag & 0xffff
    if (elem < 0x1000) return undefined
    const creator = ds.rawOf(((tag & 0xffff0000) | (elem >>> 8)) >>> 0)
    if (creator === undefined) return undefined
    return lookupPrivate(trimmedAscii(creator), tag)
  }

  /** The VR of an element in implicit VR data (PS3.5 §7.1.3): the dictionary's, resolved. */
  implicitVR(tag: Tag, ds: Dataset): VR {
    const elem = tag & 0xffff
    if (elem === 0) return 'UL' // group length (PS3.5 §7.2)
    if (tag === PIXEL_DATA) return 'OW' // PS3.5 §A.1 c: OW in implicit VR
    let e: DictionaryEntry | undefined
    let slot = -1
    if (tag >>> 16 & 1) {
      if (elem >= 0x10 && elem <= 0xff) return 'LO' // private creator (PS3.5 §7.8.1)
      e = this.privateEntry(tag, ds)
    } else {
      // Public tags whose VR depends on the tag alone are remembered (direct-mapped cache).
      slot = Math.imul(tag, 0x9e3779b1) >>> 22
      if (IMPLICIT_TAGS[slot] === (tag | 0)) return IMPLICIT_VRS[slot]!
      e = lookupTag(tag)
    }
    if (e === undefined || e.vr.length === 0) {
      if (slot >= 0) remember(slot, tag, 'UN')
      return 'UN'
    }
    const vrs = e.vr
    if (vrs.length === 1) {
      if (slot >= 0) remember(slot, tag, vrs[0]!)
      return vrs[0]!
    }
    if (vrs.includes('US') && vrs.includes('SS')) {
      const pr = ds.rawOf(PIXEL_REPRESENTATION)
      const signed = pr !== undefined && pr.length >= 2 && (this.le ? pr[0]! : pr[1]!) === 1
      return signed ? 'SS' : 'US'
    }
    if (vrs.includes('OB') && vrs.includes('OW')) {
      // Overlay Data is OW in implicit VR (PS3.5 §8.1.2); Waveform Data and its padding and
      // channel values follow Waveform Bits Allocated (5400,1004): OB when 8, else OW (§8.3).
      if ((tag & 0xff00ffff) === 0x60003000) return 'OW'
      if (tag >>> 16 === 0x5400) {
        const wba = ds.rawOf(0x54001004)
        return wba !== undefined && wba.length >= 2 && (this.le ? wba[0]! : wba[1]!) === 8 ? 'OB' : 'OW'
      }
    }
    return vrs[0]!
  }

  /**
   * Read elements into `ds` from `start` until `end`, or (when `inItem`) an Item Delimitation
   * Item, or a top-level tag ≥ `stopBefore`, or (when `onlyGroup` ≥ 0) the first element of
   * another group. Returns the offset after the last byte read.
   */
  readDataset(ds: Dataset, start: number, end: number, ctx: ValueContext, inItem: boolean, stopBefore: number | undefined, onlyGroup: number): number {
    const p = this.readElements(ds, start, end, ctx, inItem, stopBefore, onlyGroup)
    ds.compact()
    return p
  }

  /** {@link readDataset} without the final {@link Dataset.compact}. */
  private readElements(ds: Dataset, start: number, end: number, ctx: ValueContext, inItem: boolean, stopBefore: number | undefined, onlyGroup: number): number {
    const b = this.b
    const dv = this.dv
    let p = start
    while (p < end) {
      if (end - p < 8) {
        if (onlyGroup >= 0) return p
        this.short(end)
        this.warn(`${end - p} trailing bytes, too short for an element header`, p)
        return end
      }
      const le = this.le
      const group = dv.getUint16(p, le)
      const tag = ((group << 16) | dv.getUint16(p + 2, le)) >>> 0
      if (onlyGroup >= 0 && group !== onlyGroup) return p
      if (group === 0xfffe) {
        if (tag === ItemDelimitationTag) {
          if (inItem) return p + 8
          this.warn('unexpected Item Delimitation Item', p, tag)
          p += 8
          continue
        }
        if (tag === SequenceDelimitationTag) {
          if (inItem) {
            // The item lacks its delimiter: let the sequence reader consume this one.
            this.warn('missing Item Delimitation Item', p, tag)
            return p
          }
          if (this.path.length === 0 && p + 8 >= end) {
            this.warn('stray Sequence Delimitation Item at the end of the data', p, tag)
            return end
          }
          this.warn('unexpected Sequence Delimitation Item', p, tag)
          p += 8
          continue
        }
        this.fail(`unexpected ${tag === ItemTag ? 'Item' : 'delimiter'} tag where a data element was expected`, p, tag)
      }
      if (stopBefore !== undefined && tag >= stopBefore) return p
      p = this.readElement(ds, tag, p, end, ctx)
      if (tag === SPECIFIC_CHARACTER_SET) {
        const raw = ds.rawOf(tag)
        const charset = raw === undefined ? [] : splitCharset(raw)
        if (ds.context === ctx && this.path.length === 0) ctx.charset = charset
        else {
          // An item with its own Specific Character Set (PS3.5 §6.1.2.5.3... PS3.3 C.12.1.1.2):
          // the rest of the item, and its nested items, use it.
          ctx = { littleEndian: ctx.littleEndian, charset }
          ds.context = ctx
        }
      }
    }
    if (inItem) {
      this.short(end)
      this.warn('missing Item Delimitation Item at the end of the data', p)
    }
    return p
  }

  /** VR of the last header read by {@link readHeader}. */
  hVr: VR = 'UN'
  /** Value length of the last header read (0xFFFFFFFF = undefined). */
  hLen = 0
  /** Whether the last header was explicit VR. */
  hExplicit = true

  /**
   * Read the header of the element at `p` (tag already read) into `hVr`, `hLen` and
   * `hExplicit`; returns the offset of the value.
   */
  readHeader(ds: Dataset, tag: Tag, p: number, end: number): number {
    const b = this.b
    const dv = this.dv
    const le = this.le
    if (this.explicit) {
      const c0 = b[p + 4]!
      const c1 = b[p + 5]!
      const idx = letterIndex(c0, c1)
      const v = VR_BY_LETTERS[idx]
      this.hExplicit = true
      if (v !== undefined) {
        this.hVr = v
        // PS3.5 §7.1.2: these VRs have 2 reserved bytes and a 32-bit length.
        if (LONG_BY_LETTERS[idx] === 1) {
          if (end - p < 12) this.truncated(end, 'truncated element header', p, tag)
          this.hLen = dv.getUint32(p + 8, le)
          return p + 12
        }
        this.hLen = dv.getUint16(p + 6, le)
        return p + 8
      }
      if (isUpper(c0) && isUpper(c1)) {
        // Unknown VR: read as UN with the 32-bit length layout of UN (PS3.5 §6.2).
        if (end - p < 12) this.truncated(end, 'truncated element header', p, tag)
        this.warn(`unknown VR "${String.fromCharCode(c0, c1)}" read as UN`, p, tag)
        this.hVr = 'UN'
        this.hLen = dv.getUint32(p + 8, le)
        return p + 12
      }
      // Lenient: an implicit VR element in explicit data (DCMTK detects this per element).
      if (!this.lenient) this.fail(`invalid VR bytes 0x${hex2(c0)}${hex2(c1)}`, p, tag)
      this.warn('implicit VR element in explicit VR data', p, tag)
    }
    this.hExplicit = false
    this.hVr = this.implicitVR(tag, ds)
    this.hLen = dv.getUint32(p + 4, le)
    return p + 8
  }

  /**
   * Data ends before `what`: in partial mode (stream decoder) ask for more data when the end is
   * the end of the bytes received so far; otherwise an error.
   */
  truncated(end: number, reason: string, offset: number, tag?: Tag): never {
    if (this.partial && end >= this.b.length) throw NEED_MORE
    this.fail(reason, offset, tag)
  }

  /** In partial mode, running out of data means "wait for more" rather than an error. */
  short(end: number): void {
    if (this.partial && end >= this.b.length) throw NEED_MORE
  }

  /** Read one element whose header starts at `p` (tag already read); returns the next offset. */
  readElement(ds: Dataset, tag: Tag, p: number, end: number, ctx: ValueContext): number {
    const b = this.b
    const start = p
    p = this.readHeader(ds, tag, p, end)
    const vr = this.hVr
    let len = this.hLen
    const explicitHere = this.hExplicit

    if (len === UNDEFINED_LENGTH) {
      if (vr === 'SQ' || (vr === 'UN' && tag !== PIXEL_DATA) || (!explicitHere && tag !== PIXEL_DATA && vr !== 'OB' && vr !== 'OW')) {
        // UN of undefined length is a sequence in implicit VR little endian (PS3.5 §6.2.2 Note).
        const asImplicit = vr === 'UN' || vr !== 'SQ'
        const saved = this.explicit
        const savedLe = this.le
        if (asImplicit) {
          this.explicit = false
          this.le = true
        }
        this.path.push(tag, 0)
        const items: Dataset[] = []
        try {
          p = this.readSequence(items, p, end, true, ctx)
        } finally {
          this.path.length -= 2
          this.explicit = saved
          this.le = savedLe
        }
        ds.appendSequence(tag, exact(items), true, ctx)
        return p
      }
      if (vr === 'OB' || vr === 'OW' || tag === PIXEL_DATA) {
        const value: EncapsulatedPixelData = { offsetTable: new Uint8Array(0), fragments: [] }
        // Encapsulated pixel data is OB whatever the header says (PS3.5 §A.4), as DCMTK reads it;
        // an explicit header that said otherwise is reported (such a file cannot re-encode
        // byte for byte).
        if (explicitHere && vr !== 'OB') this.warn(`encapsulated pixel data with VR ${vr} read as OB`, start, tag)
        p = this.readFragments(value, p, end, tag)
        ds.appendEncapsulated(tag, value, ctx)
        return p
      }
      this.fail(`undefined length is not allowed for VR ${vr}`, start, tag)
    }

    if (len > this.maxLen) this.fail(`value length ${len} exceeds the limit of ${this.maxLen}`, start, tag)
    if (len > end - p) {
      this.short(end)
      this.warn(`value length ${len} goes past the end of the data (${end - p} bytes left)`, start, tag)
      len = end - p
    }
    if (len & 1) this.warn(`odd value length ${len}`, start, tag)
    if (vr === 'SQ') {
      const items: Dataset[] = []
      this.path.push(tag, 0)
      this.readSequence(items, p, p + len, false, ctx)
      this.path.length -= 2
      ds.appendSequence(tag, exact(items), false, ctx)
    } else if (vr === 'UN' && explicitHere && len >= 8 && this.isSequenceTag(tag)) {
      // A sequence sent as UN: its value is implicit VR little endian (PS3.5 §6.2.2), read it
      // as the sequence the dictionary says it is (as DCMTK and pydicom do).
      this.warn('sequence encoded as UN read as SQ (implicit VR little endian)', start, tag)
      const items: Dataset[] = []
      const saved = this.explicit
      const savedLe = this.le
      this.explicit = false
      this.le = true
      this.path.push(tag, 0)
      try {
        this.readSequence(items, p, p + len, false, ctx)
      } finally {
        this.path.length -= 2
        this.explicit = saved
        this.le = savedLe
      }
      ds.appendSequence(tag, exact(items), false, ctx)
    } else {
      ds.appendRaw(tag, vr, this.b, p, len, ctx)
    }
    return p + len
  }

  /**
   * Read the items of a sequence (PS3.5 §7.5) from `p`: up to `end` for a defined length, or
   * through the Sequence Delimitation Item.
   */
  readSequence(items: Dataset[], p: number, end: number, undefinedLength: boolean, ctx: ValueContext): number {
    const dv = this.dv
    if (this.path.length > 2 * MAX_DEPTH) this.fail(`sequences nested deeper than ${MAX_DEPTH} levels`, p)
    for (;;) {
      if (p >= end) {
        if (undefinedLength) this.short(end)
        if (undefinedLength) this.warn('missing Sequence Delimitation Item at the end of the data', p)
        return p
      }
      if (end - p < 8) {
        this.short(end)
        this.warn('truncated item header', p)
        return end
      }
      const le = this.le
      const itag = ((dv.getUint16(p, le) << 16) | dv.getUint16(p + 2, le)) >>> 0
      const ilen = dv.getUint32(p + 4, le)
      if (itag === SequenceDelimitationTag) {
        if (!undefinedLength) this.warn('Sequence Delimitation Item in a sequence of defined length', p)
        return p + 8
      }
      if (itag !== ItemTag) {
        if (itag === ItemDelimitationTag) {
          this.warn('unexpected Item Delimitation Item in a sequence', p)
          p += 8
          continue
        }
        this.fail(`expected an Item tag, found ${formatTag(itag)}`, p)
      }
      p += 8
      this.path[this.path.length - 1] = items.length
      const item = new Dataset(ctx)
      items.push(item)
      if (ilen === UNDEFINED_LENGTH) {
        item.undefinedLength = true
        p = this.readDataset(item, p, end, ctx, true, undefined, -1)
      } else {
        let iend = p + ilen
        if (ilen > end - p) {
          this.short(end)
          this.warn(`item length ${ilen} goes past the end of its sequence`, p - 8)
          iend = end
        }
        this.readDataset(item, p, iend, ctx, false, undefined, -1)
        p = iend
      }
    }
  }

  /** Read encapsulated pixel data items (PS3.5 §A.4): Basic Offset Table, then fragments. */
  readFragments(value: EncapsulatedPixelData, p: number, end: number, tag: Tag): number {
    const dv = this.dv
    let first = true
    for (;;) {
      if (end - p < 8) {
        this.short(end)
        this.warn('missing Sequence Delimitation Item after encapsulated pixel data', p, tag)
        return end
      }
      const le = this.le
      const itag = ((dv.getUint16(p, le) << 16) | dv.getUint16(p + 2, le)) >>> 0
      let ilen = dv.getUint32(p + 4, le)
      if (itag === SequenceDelimitationTag) return p + 8
      if (itag !== ItemTag) this.fail(`expected an Item tag in encapsulated pixel data, found ${formatTag(itag)}`, p, tag)
      if (ilen === UNDEFINED_LENGTH) this.fail('fragment of undefined length', p, tag)
      if (ilen > this.maxLen) this.fail(`fragment length ${ilen} exceeds the limit of ${this.maxLen}`, p, tag)
      p += 8
      if (ilen > end - p) {
        this.short(end)
        this.warn(`fragment length ${ilen} goes past the end of the data`, p - 8, tag)
        ilen = end - p
      }
      const frag = this.b.subarray(p, p + ilen)
      if (first) value.offsetTable = frag
      else value.fragments.push(frag)
      first = false
      p += ilen
    }
  }
}

/**
 * The same list without spare capacity: arrays grown by `push` keep room for at least 16
 * entries, which a sequence of one or two items does not need (less to copy for the garbage
 * collector, which dominates the decoding of large trees).
 */
function exact<T>(a: T[]): T[] {
  return a.length === 0 ? a : a.slice()
}

/**
 * Split a Specific Character Set value into its defined terms (keeping an empty first one).
 * @internal
 */
export function splitCharset(raw: Uint8Array): string[] {
  const s = decodeAscii(raw)
  if (s.trim() === '') return []
  return s.split('\\').map((x) => x.trim())
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0')
}
