/**
 * The Part 10 header alone — preamble, `DICM` and File Meta Information — for writing a file
 * whose dataset arrives as a byte stream (a C-STORE SCP writing straight to disk).
 * @see PS3.10 §7.1
 * @module
 */
import { DataElement, Dataset } from './element.js'
import { FILE_HEADER_LENGTH, metaEncoder, writeFileHeader } from './part10.js'
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
  const enc = metaEncoder()
  const len = enc.measure(meta)
  const out = new Uint8Array(FILE_HEADER_LENGTH + len)
  writeFileHeader(out, meta, enc, len)
  return out
}
