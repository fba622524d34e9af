/**
 * DICOM files (PS3.10 §7): 128-byte preamble, the `DICM` prefix, the File Meta Information group
 * (always explicit VR little endian, PS3.10 §7.1), then the dataset in the transfer syntax named
 * by (0002,0010). The reader also accepts what is found in the wild, as DCMTK does: no preamble,
 * no group length, no meta at all (the encoding is then detected from the first element).
 * @module
 */
import { DataElement, Dataset } from './element.js'
import type { ValueContext } from './element.js'
import { DatasetParser, type DecodeOptions } from './decode.js'
import { Encoder, type EncodeOptions } from './encode.js'
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js'
import { deflateWith, inflateRawAsync, inflateWith } from './deflate.js'
import { vrFromCode } from './vr.js'
import { trimmedAscii } from './values.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../version.js'

/** Result of {@link decodeFile}. */
export interface DecodedFile {
  /** The File Meta Information group (empty when the file has none). */
  meta: Dataset
  dataset: Dataset
  warnings: string[]
  /** From (0002,0010), or detected from the data when the file has no meta. */
  transferSyntaxUid: string
  /** The file starts with a 128-byte preamble and `DICM`. */
  hasPreamble: boolean
  /** Offset of the dataset in the file (after the meta group). */
  datasetOffset: number
}

/** Options of {@link encodeFile}. */
export interface EncodeFileOptions extends EncodeOptions {
  /** Transfer syntax of the dataset (default: (0002,0010) of `meta`, else Explicit VR Little Endian). */
  transferSyntaxUid?: string
  /**
   * Extra or overriding File Meta Information elements (e.g. Source Application Entity Title).
   * Group length, version and transfer syntax are always computed.
   */
  meta?: Dataset
  /** The 128-byte preamble (default: zeros, PS3.10 §7.1). */
  preamble?: Uint8Array
}

const TRANSFER_SYNTAX_UID = 0x00020010
const PREFIX = [0x44, 0x49, 0x43, 0x4d] // "DICM"

function hasPrefixAt(b: Uint8Array, at: number): boolean {
  return b.length >= at + 4 && b[at] === PREFIX[0] && b[at + 1] === PREFIX[1] && b[at + 2] === PREFIX[2] && b[at + 3] === PREFIX[3]
}

/**
 * Guess the transfer syntax of a dataset without meta from its first element, as DCMTK does:
 * the byte order from the group number, explicit VR when bytes 4-5 are a VR.
 */
export function detectTransferSyntax(b: Uint8Array, pos = 0): string {
  if (b.length - pos < 8) return TransferSyntax.ImplicitVRLittleEndian
  const gle = b[pos]! | (b[pos + 1]! << 8)
  const gbe = (b[pos]! << 8) | b[pos + 1]!
  const le = gle <= gbe
  const explicit = vrFromCode((b[pos + 4]! << 8) | b[pos + 5]!) !== undefined
  if (!explicit) return TransferSyntax.ImplicitVRLittleEndian // implicit VR big endian does not exist
  return le ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ExplicitVRBigEndian
}

interface MetaRead {
  meta: Dataset
  pos: number
  hasPreamble: boolean
  /** The parser's warnings array: the dataset's warnings follow when the parser is reused. */
  warnings: string[]
  ts: string
  detected: boolean
  /** The parser over the whole file, reused for the dataset unless it is deflated. */
  parser: DatasetParser
}

function readMeta(bytes: Uint8Array, options: DecodeOptions): MetaRead {
  let pos = 0
  let hasPreamble = false
  if (hasPrefixAt(bytes, 128)) {
    pos = 132
    hasPreamble = true
  } else if (hasPrefixAt(bytes, 0)) pos = 4
  const metaCtx: ValueContext = { littleEndian: true, charset: [] }
  const meta = new Dataset(metaCtx)
  // One parser for the meta group and (unless deflated) the dataset: one DataView per file.
  const p = new DatasetParser(bytes, true, true, options)
  const warnings = p.warnings
  if (bytes.length - pos >= 8 && bytes[pos] === 0x02 && bytes[pos + 1] === 0x00) {
    // PS3.10 §7.1: the meta group is explicit VR little endian. Its group length is not
    // trusted; the group ends where the group number changes (as DCMTK reads it).
    pos = p.readDataset(meta, pos, bytes.length, metaCtx, false, undefined, 0x0002)
  } else if (pos > 0) {
    warnings.push('file has the DICM prefix but no File Meta Information')
  }
  let ts = ''
  const tsRaw = meta.rawOf(TRANSFER_SYNTAX_UID)
  if (tsRaw !== undefined) ts = trimmedAscii(tsRaw)
  let detected = false
  if (ts === '') {
    ts = detectTransferSyntax(bytes, pos)
    detected = true
    if (meta.size > 0) warnings.push(`File Meta Information has no Transfer Syntax UID; detected ${ts}`)
  }
  return { meta, pos, hasPreamble, warnings, ts, detected, parser: p }
}

/**
 * Decode a DICOM file (PS3.10 §7). Also accepts files without preamble, meta without group
 * length, and bare datasets without meta (the encoding is then detected).
 * @throws DicomParseError on malformed data that lenient mode cannot recover from.
 */
export function decodeFile(bytes: Uint8Array, options: DecodeOptions = {}): DecodedFile {
  const m = readMeta(bytes, options)
  return decodeRest(bytes, m, options)
}

function decodeRest(bytes: Uint8Array, m: MetaRead, options: DecodeOptions): DecodedFile {
  const info = transferSyntaxInfo(m.ts)
  let data = bytes
  let start = m.pos
  if (info.deflated) {
    data = inflateWith(bytes.subarray(m.pos), options.inflate, options.maxInflatedLength)
    start = 0
  }
  const ctx: ValueContext = { littleEndian: info.littleEndian, charset: [] }
  const dataset = new Dataset(ctx)
  let p: DatasetParser
  if (data === bytes) {
    p = m.parser
    p.explicit = info.explicitVR
    p.le = info.littleEndian
  } else p = new DatasetParser(data, info.explicitVR, info.littleEndian, options)
  p.detectEncoding(start)
  if (p.le !== ctx.littleEndian) ctx.littleEndian = p.le
  p.readDataset(dataset, start, data.length, ctx, false, options.stopBeforeTag, -1)
  return {
    meta: m.meta,
    dataset,
    warnings: p === m.parser ? p.warnings : [...m.warnings, ...p.warnings],
    transferSyntaxUid: m.ts,
    hasPreamble: m.hasPreamble,
    datasetOffset: m.pos,
  }
}

/**
 * Like {@link decodeFile}, but inflates the Deflated transfer syntax with the web platform's
 * `DecompressionStream('deflate-raw')` when no synchronous codec is registered or given, so
 * that browsers need no deflate library.
 */
export async function decodeFileAsync(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedFile> {
  const m = readMeta(bytes, options)
  if (transferSyntaxInfo(m.ts).deflated && options.inflate === undefined) {
    const inflated = await inflateRawAsync(bytes.subarray(m.pos))
    return decodeRest(bytes, m, { ...options, inflate: () => inflated })
  }
  return decodeRest(bytes, m, options)
}

/**
 * Encode a DICOM file (PS3.10 §7.1): preamble, `DICM`, the File Meta Information with its group
 * length computed, version 00 01, Media Storage SOP Class/Instance UID taken from
 * (0008,0016)/(0008,0018), the transfer syntax, and this implementation's class UID and version
 * name; then the dataset (group 0002 elements in it are not written again).
 */
export function encodeFile(dataset: Dataset, options: EncodeFileOptions = {}): Uint8Array {
  const userMeta = options.meta
  const ts = options.transferSyntaxUid ?? userMeta?.string(TRANSFER_SYNTAX_UID) ?? TransferSyntax.ExplicitVRLittleEndian
  const metaCtx: ValueContext = { littleEndian: true, charset: [] }
  const meta = new Dataset(metaCtx)
  meta.set(DataElement.fromValue(0x00020001, 'OB', new Uint8Array([0, 1]), metaCtx))
  const sopClass = dataset.string(0x00080016)
  const sopInstance = dataset.string(0x00080018)
  if (sopClass !== undefined) meta.set(DataElement.fromValue(0x00020002, 'UI', [sopClass], metaCtx))
  if (sopInstance !== undefined) meta.set(DataElement.fromValue(0x00020003, 'UI', [sopInstance], metaCtx))
  meta.set(DataElement.fromValue(0x00020012, 'UI', [IMPLEMENTATION_CLASS_UID], metaCtx))
  meta.set(DataElement.fromValue(0x00020013, 'SH', [IMPLEMENTATION_VERSION_NAME], metaCtx))
  if (userMeta !== undefined) {
    for (const el of userMeta) if (el.tag >>> 16 === 2 && (el.tag & 0xffff) !== 0) meta.set(el)
  }
  meta.set(DataElement.fromValue(0x00020001, 'OB', new Uint8Array([0, 1]), metaCtx))
  meta.set(DataElement.fromValue(TRANSFER_SYNTAX_UID, 'UI', [ts], metaCtx))
  const metaEnc = metaEncoder()
  const metaLen = metaEnc.measure(meta)

  let body = dataset
  if (dataset.elements().some((el) => el.tag >>> 16 === 2)) {
    body = new Dataset(dataset.context)
    for (const el of dataset) if (el.tag >>> 16 !== 2) body.set(el)
  }
  const info = transferSyntaxInfo(ts)
  const dataEnc = new Encoder(info.explicitVR, info.littleEndian, options)
  const headerLen = FILE_HEADER_LENGTH + metaLen
  let out: Uint8Array
  if (info.deflated) {
    // PS3.5 §A.5: the deflated stream is a new buffer anyway; copy it after the header.
    const data = deflateWith(dataEnc.encode(body), options.deflate)
    out = new Uint8Array(headerLen + data.length)
    out.set(data, headerLen)
  } else {
    // Measure first, then write header and dataset into one buffer (no second copy).
    out = new Uint8Array(headerLen + dataEnc.measure(body))
    dataEnc.writeInto(body, out, headerLen)
  }
  if (options.preamble !== undefined) out.set(options.preamble.subarray(0, 128))
  writeFileHeader(out, meta, metaEnc, metaLen)
  return out
}

/**
 * Bytes before the File Meta Information elements other than (0002,0000): preamble, `DICM` and
 * the (0002,0000) element itself.
 * @internal
 */
export const FILE_HEADER_LENGTH = 128 + 4 + 12

/**
 * An encoder for the File Meta Information group (explicit VR little endian, PS3.10 §7.1)
 * without (0002,0000), which {@link writeFileHeader} writes.
 * @internal
 */
export function metaEncoder(): Encoder {
  return new Encoder(true, true, { groupLength: 'omit' })
}

/**
 * Write `DICM` at 128, (0002,0000) and the meta group `meta` (`metaLen` bytes, as measured by
 * `enc`, a {@link metaEncoder}) into `out`, which has at least {@link FILE_HEADER_LENGTH} +
 * `metaLen` bytes; the preamble (bytes 0-127) is left as it is.
 * @internal
 */
export function writeFileHeader(out: Uint8Array, meta: Dataset, enc: Encoder, metaLen: number): void {
  out.set(PREFIX, 128)
  // (0002,0000) UL, the length of the rest of the group (PS3.10 §7.1)
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength)
  dv.setUint16(132, 0x0002, true)
  dv.setUint16(134, 0x0000, true)
  out[136] = 0x55 // U
  out[137] = 0x4c // L
  dv.setUint16(138, 4, true)
  dv.setUint32(140, metaLen, true)
  enc.writeInto(meta, out, FILE_HEADER_LENGTH)
}

