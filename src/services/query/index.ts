/**
 * Query/Retrieve and Modality Worklist helpers for SCPs and SCUs: information models as data,
 * C-FIND attribute matching, identifier validation and response building. Pure functions over
 * `Dataset`; no I/O.
 * @module services/query
 */
export * from './models.js'
export * from './matching.js'
export * from './hierarchy.js'
export * from './identifier.js'
