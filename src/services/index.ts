/**
 * Service classes (PS3.4): Verification, Storage, Query/Retrieve, N-services; SCU and SCP.
 * @module services
 */
export * from './client.js'
export * from './server.js'
export * from './contexts.js'
export * from './channel.js'
export * from './store-request.js'
export { AsyncQueue } from './queue.js'
export * from './query/index.js'
