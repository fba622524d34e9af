/**
 * The Upper Layer protocol data units of PS3.8 §9.3: types, codecs and the byte-stream framer.
 * @module pdu
 */
export * from './types.js'
export { PduError, AbortReason, DicomError, type DicomErrorCode } from '../errors.js'
export { encodePdu, encodePduToBytes, encodedPduLength } from './encode.js'
export { decodePdu, isKnownPduType, PDU_HEADER_LENGTH } from './decode.js'
export { PduFramer, DEFAULT_MAX_CONTROL_PDU_LENGTH, type PduFramerOptions } from './framer.js'
export { pduTypeName, summarizePdu } from './describe.js'
export { validateAeTitle, trimAeTitle, AE_TITLE_LENGTH, type AeTitleCheck } from './ae-title.js'
