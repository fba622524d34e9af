/**
 * Transfer syntaxes: what a codec needs to know about each (PS3.5 §10, Annex A).
 * @module
 */

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  EncapsulatedUncompressedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.98',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JPEGBaseline8Bit: '1.2.840.10008.1.2.4.50',
  JPEGExtended12Bit: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  MPEG2MPML: '1.2.840.10008.1.2.4.100',
  MPEG4HP41: '1.2.840.10008.1.2.4.102',
  HEVCMP51: '1.2.840.10008.1.2.4.107',
  HTJ2KLossless: '1.2.840.10008.1.2.4.201',
  HTJ2KLosslessRPCL: '1.2.840.10008.1.2.4.202',
  HTJ2K: '1.2.840.10008.1.2.4.203',
  RLELossless: '1.2.840.10008.1.2.5',
  DeflatedImageFrameCompression: '1.2.840.10008.1.2.8.1',
} as const

export interface TransferSyntaxInfo {
  uid: string
  explicitVR: boolean
  littleEndian: boolean
  /** The whole dataset after the file meta is deflated (PS3.5 §A.5). */
  deflated: boolean
  /** Pixel Data is encapsulated (PS3.5 §A.4). */
  encapsulated: boolean
}

const NATIVE = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
])

/**
 * Facts about a transfer syntax UID. Any UID that is not one of the four native syntaxes is
 * taken as explicit VR little endian with encapsulated pixel data, as PS3.5 §A.4 requires of
 * every compressed syntax.
 */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo {
  return {
    uid,
    explicitVR: uid !== TransferSyntax.ImplicitVRLittleEndian,
    littleEndian: uid !== TransferSyntax.ExplicitVRBigEndian,
    deflated: uid === TransferSyntax.DeflatedExplicitVRLittleEndian,
    encapsulated: !NATIVE.has(uid),
  }
}

/** True for the uncompressed syntaxes between which a dataset can be converted losslessly. */
export function isUncompressed(uid: string): boolean {
  return NATIVE.has(uid)
}
