/**
 * Transports beneath the Upper Layer: the interface, Node sockets (TCP/TLS) and an in-memory pair.
 * @module transport
 */
export * from './transport.js'
export * from './memory.js'
export * from './node-socket.js'
