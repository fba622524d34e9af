/**
 * The dataset layer: tags, VRs, dictionary, elements and datasets, codecs for every transfer
 * syntax, Part 10 files, character sets and the DICOM JSON model. No Node imports: runs in
 * browsers too.
 * @module dataset
 */
export * from './tag.js'
export * from './vr.js'
export * from './dictionary.js'
export * from './element.js'
export * from './transfer-syntax.js'
export { decodeText, encodeText, parseSpecificCharacterSet, charsetOfTerm } from './charset.js'
export type { CharsetInfo, CharsetKind, CharsetWarningHandler } from './charset.js'
export { formatDS } from './values.js'
export { DicomParseError, DatasetEncodeError } from '../errors.js'
export { generateUid } from './uid.js'
export { decodeDataset } from './decode.js'
export type { DecodeOptions, DecodeResult } from './decode.js'
export { encodeDataset } from './encode.js'
export type { EncodeOptions } from './encode.js'
export { decodeFile, decodeFileAsync, encodeFile, detectTransferSyntax } from './part10.js'
export type { DecodedFile, EncodeFileOptions } from './part10.js'
export { setDeflateCodec, getDeflateCodec, inflateRawAsync } from './deflate.js'
export type { DeflateCodec } from './deflate.js'
export * from './uids.js'
export { DatasetStreamDecoder } from './stream.js'
export type { StreamDecoderOptions } from './stream.js'
export { datasetToJson, datasetFromJson, stringifyDicomJson, base64Encode, base64Decode } from './json.js'
export type {
  DicomJsonModel,
  DicomJsonAttribute,
  DicomJsonValue,
  DicomJsonPersonName,
  DicomJsonPath,
  DatasetToJsonOptions,
  DatasetFromJsonOptions,
} from './json.js'
export { encodeFileMetaHeader } from './file-meta.js'
export type { FileMetaInfo } from './file-meta.js'
export { parseDA, formatDA, parseTM, formatTM, parseDT, formatDT } from './datetime.js'
export type { DicomTime, DicomDateTime } from './datetime.js'
