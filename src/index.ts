/**
 * dimse: DICOM networking and datasets for Node.js.
 * @module
 */
import { nodeDeflateCodec } from './node/deflate.js'
import { setDeflateCodec } from './dataset/deflate.js'
export * from './errors.js'
export * from './version.js'
export * from './dataset/index.js'
export * from './pdu/index.js'
export * from './association/index.js'
export * from './dimse/index.js'
export * from './services/index.js'
export { nodeDeflateCodec }

// Node: the Deflated transfer syntax uses node:zlib (browsers register their own codec).
setDeflateCodec(nodeDeflateCodec)
