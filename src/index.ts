/**
 * dimse: DICOM networking and datasets for Node.js.
 * @module
 */
export * from './errors.js'
export * from './version.js'
export * from './dataset/index.js'
export * from './pdu/index.js'
export * from './association/index.js'
export * from './dimse/index.js'
export * from './services/index.js'
