/**
 * The PS3.8 association: state machine, negotiation, transport.
 * @module association
 */
export * from './fsm.js'
export * from './negotiation.js'
export * from './association.js'
export * from './listener.js'
export * from '../transport/index.js'
