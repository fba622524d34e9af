/**
 * The error model of dimse: one base class with a stable machine-readable `code`, and one
 * subclass per failure family that carries the protocol's own reason. Every code is described
 * in `docs/errors.md`.
 *
 * This module has no Node imports: the dataset layer uses it in browsers too.
 * @module
 */

/** Stable error codes. Each has a paragraph in docs/errors.md. */
export type DicomErrorCode =
  // dataset layer
  | 'ERR_DATASET_PARSE'
  | 'ERR_DATASET_ENCODE'
  | 'ERR_DATASET_VALUE'
  | 'ERR_CHARSET'
  // upper layer
  | 'ERR_PDU'
  | 'ERR_PDU_TOO_LONG'
  | 'ERR_FSM_UNEXPECTED'
  | 'ERR_ASSOC_REJECTED'
  | 'ERR_ASSOC_ABORTED'
  | 'ERR_ASSOC_CLOSED'
  | 'ERR_NEGOTIATION'
  | 'ERR_TIMEOUT'
  | 'ERR_TRANSPORT'
  // DIMSE / services
  | 'ERR_DIMSE'
  | 'ERR_STATUS'
  | 'ERR_INVALID_ARGUMENT'

/** Base class of every error dimse throws or rejects with. */
export class DicomError extends Error {
  readonly code: DicomErrorCode
  constructor(code: DicomErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * A dataset could not be decoded. `offset` is the byte offset in the input where the problem
 * was found, `tagPath` the path of tags from the top-level dataset to the element being read,
 * e.g. `(0040,A730)[2].(0040,A043)`.
 */
export class DicomParseError extends DicomError {
  readonly offset: number
  readonly tagPath: string
  readonly reason: string
  constructor(reason: string, offset: number, tagPath = '', options?: { cause?: unknown }) {
    super('ERR_DATASET_PARSE', `${reason} at offset ${offset}${tagPath ? ` in ${tagPath}` : ''}`, options)
    this.offset = offset
    this.tagPath = tagPath
    this.reason = reason
  }
}

/** A dataset or value could not be encoded (value too long for its VR, wrong type, ...). */
export class DatasetEncodeError extends DicomError {
  readonly tagPath: string
  constructor(message: string, tagPath = '', options?: { cause?: unknown }) {
    super('ERR_DATASET_ENCODE', tagPath ? `${message} in ${tagPath}` : message, options)
    this.tagPath = tagPath
  }
}

/**
 * A-ABORT / A-P-ABORT reasons (PS3.8 §9.3.8, Table 9-26): the reason an association is aborted
 * when a PDU is malformed or unexpected.
 */
export const AbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason]

/** A PDU or item could not be decoded (or is longer than the limit). */
export class PduError extends DicomError {
  /** PDU type byte (0x01..0x07) or, for an item, the item type. */
  readonly pduType: number
  readonly itemType: number | undefined
  readonly offset: number
  /** The A-P-ABORT reason this maps to (PS3.8 Table 9-26). */
  readonly abortReason: AbortReason
  constructor(
    message: string,
    init: { pduType: number; itemType?: number; offset: number; abortReason: AbortReason; code?: 'ERR_PDU' | 'ERR_PDU_TOO_LONG' },
  ) {
    const where = `PDU type 0x${hex2(init.pduType)}${init.itemType !== undefined ? `, item 0x${hex2(init.itemType)}` : ''}, offset ${init.offset}`
    super(init.code ?? 'ERR_PDU', `${message} (${where})`)
    this.pduType = init.pduType
    this.itemType = init.itemType
    this.offset = init.offset
    this.abortReason = init.abortReason
  }
}

/** The peer answered A-ASSOCIATE-RJ (PS3.8 §9.3.4, Table 9-21). */
export class AssociationRejectedError extends DicomError {
  readonly result: number
  readonly source: number
  readonly reason: number
  constructor(result: number, source: number, reason: number, description?: string) {
    super('ERR_ASSOC_REJECTED', `association rejected: ${description ?? `result ${result}, source ${source}, reason ${reason}`}`)
    this.result = result
    this.source = source
    this.reason = reason
  }
}

/** The association was aborted, by the peer (A-ABORT) or by the provider (A-P-ABORT). */
export class AssociationAbortedError extends DicomError {
  /** 0 = service user, 2 = service provider (PS3.8 Table 9-26). */
  readonly source: number
  readonly reason: number
  constructor(source: number, reason: number, message?: string, options?: { cause?: unknown }) {
    super('ERR_ASSOC_ABORTED', message ?? `association aborted (source ${source}, reason ${reason})`, options)
    this.source = source
    this.reason = reason
  }
}

/** A timer ran out. */
export class TimeoutError extends DicomError {
  readonly timer: 'connect' | 'acse' | 'dimse' | 'artim' | 'idle'
  constructor(timer: TimeoutError['timer'], ms: number) {
    super('ERR_TIMEOUT', `${timer} timeout after ${ms} ms`)
    this.timer = timer
  }
}

/** No accepted presentation context fits a request; raised before anything is sent. */
export class NegotiationError extends DicomError {
  constructor(message: string) {
    super('ERR_NEGOTIATION', message)
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0')
}

/**
 * A DIMSE status as an error. Thrown by the opt-in `assertSuccess` helper, and thrown by SCP
 * handlers to answer a request with a specific failure status (e.g. 0xA900 identifier does not
 * match SOP class, 0xA801 move destination unknown).
 */
export class StatusError extends DicomError {
  readonly status: number
  readonly errorComment: string | undefined
  constructor(status: number, errorComment?: string) {
    super('ERR_STATUS', `DIMSE status 0x${status.toString(16).toUpperCase().padStart(4, '0')}${errorComment ? `: ${errorComment}` : ''}`)
    this.status = status
    this.errorComment = errorComment
  }
}
