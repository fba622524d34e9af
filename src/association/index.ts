/**
 * The PS3.8 association: state machine, negotiation, transport.
 * @module association
 */
export {}
