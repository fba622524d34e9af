/**
 * DIMSE status codes (0000,0900): categories and meanings, as tables.
 *
 * The general codes come from PS3.7 Annex C; the service-specific ones from PS3.4 (C-STORE
 * Table B.2-1, C-FIND Table C.4-1, C-MOVE Table C.4-2, C-GET Table C.4-3, Verification A.4).
 * A status is data, not an exception: these helpers classify it.
 * @module
 */

/** The five status categories of PS3.7 Annex C. */
export type StatusCategory = 'Success' | 'Pending' | 'Cancel' | 'Warning' | 'Failure'

/** The DIMSE services, as named in PS3.7. */
export type DimseService =
  | 'C-STORE' | 'C-FIND' | 'C-GET' | 'C-MOVE' | 'C-ECHO'
  | 'N-EVENT-REPORT' | 'N-GET' | 'N-SET' | 'N-ACTION' | 'N-CREATE' | 'N-DELETE'

/** Status codes by name (PS3.7 Annex C and PS3.4 service tables). */
export const Status = {
  Success: 0x0000,
  // Pending (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.5)
  Pending: 0xff00,
  PendingOptionalKeysNotSupported: 0xff01,
  // Cancel (PS3.7 C.3)
  Cancel: 0xfe00,
  // Warning
  RequestedOptionalAttributesNotSupported: 0x0001, // PS3.7 C.4.1
  AttributeListError: 0x0107, // PS3.7 C.4.2
  AttributeValueOutOfRange: 0x0116, // PS3.7 C.4.3
  CoercionOfDataElements: 0xb000, // PS3.4 B.2.3 (C-STORE)
  SuboperationsCompleteWithFailures: 0xb000, // PS3.4 C.4.2.1.5 / C.4.3.1.5 (C-MOVE, C-GET)
  ElementsDiscarded: 0xb006, // PS3.4 B.2.3
  DataSetDoesNotMatchSopClassWarning: 0xb007, // PS3.4 B.2.3
  // Failure (PS3.7 C.5)
  NoSuchAttribute: 0x0105,
  InvalidAttributeValue: 0x0106,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  NoSuchEventType: 0x0113,
  NoSuchArgument: 0x0114,
  InvalidArgumentValue: 0x0115,
  InvalidObjectInstance: 0x0117,
  NoSuchSopClass: 0x0118,
  ClassInstanceConflict: 0x0119,
  MissingAttribute: 0x0120,
  MissingAttributeValue: 0x0121,
  SopClassNotSupported: 0x0122,
  NoSuchAction: 0x0123,
  NotAuthorized: 0x0124,
  DuplicateInvocation: 0x0210,
  UnrecognizedOperation: 0x0211,
  MistypedArgument: 0x0212,
  ResourceLimitation: 0x0213,
  // Failure, service-specific (PS3.4)
  OutOfResources: 0xa700,
  OutOfResourcesUnableToCalculateNumberOfMatches: 0xa701,
  OutOfResourcesUnableToPerformSuboperations: 0xa702,
  MoveDestinationUnknown: 0xa801,
  IdentifierDoesNotMatchSopClass: 0xa900,
  UnableToProcess: 0xc000,
} as const

/**
 * The category of a status code (PS3.7 Annex C): Success 0000; Pending FF00, FF01; Cancel FE00;
 * Warning 0001, 0107, 0116, Bxxx; everything else Failure (Axxx, Cxxx, 01xx, 02xx, and codes this
 * table does not know: an unrecognised status is not a success).
 */
export function statusCategory(code: number): StatusCategory {
  if (code === 0x0000) return 'Success'
  if (code === 0xff00 || code === 0xff01) return 'Pending'
  if (code === 0xfe00) return 'Cancel'
  if (code === 0x0001 || code === 0x0107 || code === 0x0116 || (code & 0xf000) === 0xb000) return 'Warning'
  return 'Failure'
}

/** True for Success (0x0000). */
export function isSuccess(code: number): boolean {
  return code === 0x0000
}

/** True for Pending (0xFF00, 0xFF01): more responses follow. */
export function isPending(code: number): boolean {
  return code === 0xff00 || code === 0xff01
}

/** True for Warning statuses (the operation was performed, with reservations). */
export function isWarning(code: number): boolean {
  return statusCategory(code) === 'Warning'
}

/** True for Failure statuses. */
export function isFailure(code: number): boolean {
  return statusCategory(code) === 'Failure'
}

/** General meanings (PS3.7 Annex C). */
const GENERAL: ReadonlyMap<number, string> = new Map([
  [0x0000, 'Success'],
  [0xfe00, 'Cancel'],
  [0xff00, 'Pending'],
  [0xff01, 'Pending: optional keys not supported'],
  [0x0001, 'Requested optional attributes are not supported'],
  [0x0107, 'Attribute list error'],
  [0x0116, 'Attribute value out of range'],
  [0x0105, 'No such attribute'],
  [0x0106, 'Invalid attribute value'],
  [0x0110, 'Processing failure'],
  [0x0111, 'Duplicate SOP Instance'],
  [0x0112, 'No such SOP Instance'],
  [0x0113, 'No such event type'],
  [0x0114, 'No such argument'],
  [0x0115, 'Invalid argument value'],
  [0x0117, 'Invalid object instance'],
  [0x0118, 'No such SOP Class'],
  [0x0119, 'Class-instance conflict'],
  [0x0120, 'Missing attribute'],
  [0x0121, 'Missing attribute value'],
  [0x0122, 'SOP Class not supported'],
  [0x0123, 'No such action'],
  [0x0124, 'Refused: not authorized'],
  [0x0210, 'Duplicate invocation'],
  [0x0211, 'Unrecognized operation'],
  [0x0212, 'Mistyped argument'],
  [0x0213, 'Resource limitation'],
  [0xa700, 'Refused: out of resources'],
  [0xa900, 'Data set does not match SOP Class'],
  [0xb000, 'Warning'],
  [0xc000, 'Cannot understand'],
])

/** Service-specific meanings (PS3.4), checked before the general table. */
const BY_SERVICE: Partial<Record<DimseService, ReadonlyMap<number, string>>> = {
  'C-STORE': new Map([
    [0xb000, 'Coercion of data elements'],
    [0xb006, 'Elements discarded'],
    [0xb007, 'Data set does not match SOP Class'],
  ]),
  'C-FIND': new Map([
    [0xa700, 'Refused: out of resources'],
    [0xa900, 'Identifier does not match SOP Class'],
    [0xff00, 'Pending: matches are continuing'],
    [0xff01, 'Pending: matches are continuing, optional keys not supported'],
    [0xfe00, 'Matching terminated due to cancel'],
  ]),
  'C-MOVE': new Map([
    [0xa701, 'Refused: out of resources, unable to calculate number of matches'],
    [0xa702, 'Refused: out of resources, unable to perform sub-operations'],
    [0xa801, 'Refused: move destination unknown'],
    [0xa900, 'Identifier does not match SOP Class'],
    [0xb000, 'Sub-operations complete, one or more failures or warnings'],
    [0xfe00, 'Sub-operations terminated due to cancel'],
    [0xff00, 'Pending: sub-operations are continuing'],
  ]),
  'C-GET': new Map([
    [0xa701, 'Refused: out of resources, unable to calculate number of matches'],
    [0xa702, 'Refused: out of resources, unable to perform sub-operations'],
    [0xa900, 'Identifier does not match SOP Class'],
    [0xb000, 'Sub-operations complete, one or more failures or warnings'],
    [0xfe00, 'Sub-operations terminated due to cancel'],
    [0xff00, 'Pending: sub-operations are continuing'],
  ]),
}

/**
 * A human-readable meaning of a status code, optionally for one service (the same code can mean
 * different things: B000 is "coercion of data elements" for C-STORE and "sub-operations complete
 * with failures" for C-MOVE). Codes in a range (A7xx, A9xx, Cxxx) that have no exact entry get
 * the range's meaning; anything else gets its category and hex value.
 * @see PS3.7 Annex C, PS3.4 B.2.3, C.4.1.1.4, C.4.2.1.5, C.4.3.1.5
 */
export function statusDescription(code: number, service?: DimseService): string {
  const specific = service !== undefined ? BY_SERVICE[service]?.get(code) : undefined
  if (specific !== undefined) return specific
  const general = GENERAL.get(code)
  if (general !== undefined) return general
  const hi = code & 0xff00
  if (hi === 0xa700) return 'Refused: out of resources'
  if (hi === 0xa900) return service === 'C-STORE' ? 'Error: data set does not match SOP Class' : 'Identifier does not match SOP Class'
  if ((code & 0xf000) === 0xc000) return service === 'C-STORE' ? 'Error: cannot understand' : 'Unable to process'
  return `${statusCategory(code)} 0x${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/** The service a command field belongs to (for {@link statusDescription}). */
export function serviceOfCommandField(commandField: number): DimseService | undefined {
  switch (commandField & 0x7fff) {
    case 0x0001: return 'C-STORE'
    case 0x0010: return 'C-GET'
    case 0x0020: return 'C-FIND'
    case 0x0021: return 'C-MOVE'
    case 0x0030: return 'C-ECHO'
    case 0x0100: return 'N-EVENT-REPORT'
    case 0x0110: return 'N-GET'
    case 0x0120: return 'N-SET'
    case 0x0130: return 'N-ACTION'
    case 0x0140: return 'N-CREATE'
    case 0x0150: return 'N-DELETE'
    default: return undefined
  }
}
