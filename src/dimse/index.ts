/**
 * DIMSE messages (PS3.7): command sets, statuses, fragment assembly.
 * @module dimse
 */
export {}
