/**
 * The Upper Layer protocol data units of PS3.8 §9.3: types, codecs and the byte-stream framer.
 * @module pdu
 */
export * from './types.js'
export { PduError, AbortReason } from '../errors.js'
