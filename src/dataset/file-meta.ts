/**
 * The Part 10 header alone — preamble, `DICM` and File Meta Information — for writing a file
 * whose dataset arrives as a byte stream (a C-STORE SCP writing straight to disk).
 * @see PS3.10 §7.1
 * @module
 */
import { DataElement, Dataset } from './element.js'
import { encodeDataset } from './encode.js'
import { TransferSyntax } from './transfer-syntax.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../version.js'

/** What the File Meta Information of one instance says. */
export interface FileMetaInfo {
  sopClassUid: string
  sopInstanceUid: string
  /** The transfer syntax of the dataset that follows the header. */
  transferSyntaxUid: string
  /** Source Application Entity Title (0002,0016), e.g. the calling AE of a C-STORE. */
  sourceAeTitle?: string
}

/**
 * Encode preamble + `DICM` + the File Meta Information group (always Explicit VR Little Endian,
 * with (0002,0000) computed). Append the dataset bytes, encoded in `transferSyntaxUid`, to get
 * a complete file.
 */
export function encodeFileMetaHeader(info: FileMetaInfo): Uint8Array {
  const meta = new Dataset()
  meta.set(DataElement.fromValue(0x00020001, 'OB', new Uint8Array([0, 1])))
  meta.set(DataElement.fromValue(0x00020002, 'UI', [info.sopClassUid]))
  meta.set(DataElement.fromValue(0x00020003, 'UI', [info.sopInstanceUid]))
  meta.set(DataElement.fromValue(0x00020010, 'UI', [info.transferSyntaxUid]))
  meta.set(DataElement.fromValue(0x00020012, 'UI', [IMPLEMENTATION_CLASS_UID]))
  meta.set(DataElement.fromValue(0x00020013, 'SH', [IMPLEMENTATION_VERSION_NAME]))
  if (info.sourceAeTitle) meta.set(DataElement.fromValue(0x00020016, 'AE', [info.sourceAeTitle]))
  const body = encodeDataset(meta, TransferSyntax.ExplicitVRLittleEndian)
  const out = new Uint8Array(128 + 4 + 12 + body.length)
  out.set([0x44, 0x49, 0x43, 0x4d], 128) // DICM
  const dv = new DataView(out.buffer)
  // (0002,0000) UL File Meta Information Group Length: the bytes after this element (PS3.10 §7.1)
  dv.setUint16(132, 0x0002, true)
  dv.setUint16(134, 0x0000, true)
  out[136] = 0x55
  out[137] = 0x4c
  dv.setUint16(138, 4, true)
  dv.setUint32(140, body.length, true)
  out.set(body, 144)
  return out
}
