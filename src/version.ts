/**
 * Identity of this implementation, announced in A-ASSOCIATE (PS3.7 D.3.3.2, D.3.3.3) and in the
 * File Meta Information (PS3.10 §7.1).
 * @module
 */

/** Implementation Class UID, under the UUID-derived root 2.25 (PS3.5 §B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.161459474513838384069455315389063427457'
/** Implementation Version Name: at most 16 characters of the default repertoire. */
export const IMPLEMENTATION_VERSION_NAME = 'DIMSE_0.1.0'
