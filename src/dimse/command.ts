/**
 * The DIMSE command set (group 0000) and its codec.
 *
 * A command set is always encoded in Implicit VR Little Endian, whatever transfer syntax the
 * presentation context uses (PS3.7 §6.3.1), and holds a small fixed set of elements (PS3.7
 * Annex E, Table E.1-1). This module has its own codec for it instead of the general dataset
 * codec: it is the hot path of every message, and a command set never needs a dictionary.
 *
 * Messages are plain data: a discriminated union on `commandField`, with the fields of PS3.7
 * §9.3 (DIMSE-C) and §10.3 (DIMSE-N) under camel-cased keyword names.
 * @module
 */
import type { Tag } from '../dataset/tag.js'
import { DicomError } from '../errors.js'
import { DimseError } from './errors.js'

/** Command Field (0000,0100) values (PS3.7 Annex E, Table E.1-1 and §9.3, §10.3). */
export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CGetRq: 0x0010,
  CGetRsp: 0x8010,
  CFindRq: 0x0020,
  CFindRsp: 0x8020,
  CMoveRq: 0x0021,
  CMoveRsp: 0x8021,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  NEventReportRq: 0x0100,
  NEventReportRsp: 0x8100,
  NGetRq: 0x0110,
  NGetRsp: 0x8110,
  NSetRq: 0x0120,
  NSetRsp: 0x8120,
  NActionRq: 0x0130,
  NActionRsp: 0x8130,
  NCreateRq: 0x0140,
  NCreateRsp: 0x8140,
  NDeleteRq: 0x0150,
  NDeleteRsp: 0x8150,
  CCancelRq: 0x0fff,
} as const
/** One of the {@link CommandField} values. */
export type CommandField = (typeof CommandField)[keyof typeof CommandField]

const COMMAND_FIELD_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0001, 'C-STORE-RQ'], [0x8001, 'C-STORE-RSP'], [0x0010, 'C-GET-RQ'], [0x8010, 'C-GET-RSP'],
  [0x0020, 'C-FIND-RQ'], [0x8020, 'C-FIND-RSP'], [0x0021, 'C-MOVE-RQ'], [0x8021, 'C-MOVE-RSP'],
  [0x0030, 'C-ECHO-RQ'], [0x8030, 'C-ECHO-RSP'], [0x0100, 'N-EVENT-REPORT-RQ'],
  [0x8100, 'N-EVENT-REPORT-RSP'], [0x0110, 'N-GET-RQ'], [0x8110, 'N-GET-RSP'], [0x0120, 'N-SET-RQ'],
  [0x8120, 'N-SET-RSP'], [0x0130, 'N-ACTION-RQ'], [0x8130, 'N-ACTION-RSP'], [0x0140, 'N-CREATE-RQ'],
  [0x8140, 'N-CREATE-RSP'], [0x0150, 'N-DELETE-RQ'], [0x8150, 'N-DELETE-RSP'], [0x0fff, 'C-CANCEL-RQ'],
])

/** The standard's name of a command field, e.g. `C-STORE-RQ`; `0x1234` style for unknown values. */
export function commandFieldName(field: number): string {
  return COMMAND_FIELD_NAMES.get(field) ?? `0x${field.toString(16).padStart(4, '0')}`
}

/** True for the response command fields (bit 15 set, PS3.7 Annex E). */
export function isResponse(field: number): boolean {
  return (field & 0x8000) !== 0
}

/** Priority (0000,0700) values (PS3.7 Annex E, Table E.1-1). */
export const Priority = { Medium: 0x0000, High: 0x0001, Low: 0x0002 } as const
/** One of the {@link Priority} values. */
export type Priority = (typeof Priority)[keyof typeof Priority]

/**
 * Command Data Set Type (0000,0800) (PS3.7 Annex E): 0x0101 means no dataset follows; any other
 * value means one does. dimse writes 0x0001 for "present", as DCMTK does.
 */
export const CommandDataSetType = { Present: 0x0001, Null: 0x0101 } as const

/** The command group elements (PS3.7 Annex E, Table E.1-1), as numeric tags. */
export const CommandTag = {
  CommandGroupLength: 0x00000000,
  AffectedSopClassUid: 0x00000002,
  RequestedSopClassUid: 0x00000003,
  CommandField: 0x00000100,
  MessageId: 0x00000110,
  MessageIdBeingRespondedTo: 0x00000120,
  MoveDestination: 0x00000600,
  Priority: 0x00000700,
  CommandDataSetType: 0x00000800,
  Status: 0x00000900,
  OffendingElement: 0x00000901,
  ErrorComment: 0x00000902,
  ErrorId: 0x00000903,
  AffectedSopInstanceUid: 0x00001000,
  RequestedSopInstanceUid: 0x00001001,
  EventTypeId: 0x00001002,
  AttributeIdentifierList: 0x00001005,
  ActionTypeId: 0x00001008,
  NumberOfRemainingSuboperations: 0x00001020,
  NumberOfCompletedSuboperations: 0x00001021,
  NumberOfFailedSuboperations: 0x00001022,
  NumberOfWarningSuboperations: 0x00001023,
  MoveOriginatorApplicationEntityTitle: 0x00001030,
  MoveOriginatorMessageId: 0x00001031,
} as const

// ---------------------------------------------------------------------------------------------
// Message types
// ---------------------------------------------------------------------------------------------

interface MessageBase {
  /** Command Data Set Type (0000,0800) is not 0x0101: a dataset follows the command. */
  hasDataset: boolean
}

interface RequestBase extends MessageBase {
  /** Message ID (0000,0110), 0..65535. */
  messageId: number
}

/**
 * Fields every response may carry: the mandatory ones, and the status detail fields that
 * PS3.7 Annex C allows with some statuses.
 */
interface ResponseBase extends MessageBase {
  /** Message ID Being Responded To (0000,0120). */
  messageIdBeingRespondedTo: number
  /** Status (0000,0900); see `status.ts`. */
  status: number
  affectedSopClassUid?: string
  affectedSopInstanceUid?: string
  /** Offending Element (0000,0901) (PS3.7 C.4). */
  offendingElement?: Tag[]
  /** Error Comment (0000,0902), at most 64 characters of the default repertoire. */
  errorComment?: string
  /** Error ID (0000,0903). */
  errorId?: number
  /** Attribute Identifier List (0000,1005) (PS3.7 C.4.2, C.5.3 ...). */
  attributeIdentifierList?: Tag[]
}

/** C-STORE-RQ (PS3.7 §9.3.1.1, Table 9.3-1). */
export interface CStoreRq extends RequestBase {
  commandField: typeof CommandField.CStoreRq
  affectedSopClassUid: string
  affectedSopInstanceUid: string
  priority: number
  /** Present when the store is a C-MOVE sub-operation. */
  moveOriginatorApplicationEntityTitle?: string
  moveOriginatorMessageId?: number
}
/** C-STORE-RSP (PS3.7 §9.3.1.2, Table 9.3-2). */
export interface CStoreRsp extends ResponseBase {
  commandField: typeof CommandField.CStoreRsp
}
/** C-FIND-RQ (PS3.7 §9.3.2.1, Table 9.3-3). The identifier is the dataset. */
export interface CFindRq extends RequestBase {
  commandField: typeof CommandField.CFindRq
  affectedSopClassUid: string
  priority: number
}
/** C-FIND-RSP (PS3.7 §9.3.2.2, Table 9.3-4). */
export interface CFindRsp extends ResponseBase {
  commandField: typeof CommandField.CFindRsp
}
/** Sub-operation counters of C-GET-RSP and C-MOVE-RSP (PS3.7 §9.3.3.2, §9.3.4.2). */
interface SuboperationCounts {
  numberOfRemainingSuboperations?: number
  numberOfCompletedSuboperations?: number
  numberOfFailedSuboperations?: number
  numberOfWarningSuboperations?: number
}
/** C-GET-RQ (PS3.7 §9.3.3.1, Table 9.3-5). */
export interface CGetRq extends RequestBase {
  commandField: typeof CommandField.CGetRq
  affectedSopClassUid: string
  priority: number
}
/** C-GET-RSP (PS3.7 §9.3.3.2, Table 9.3-6). */
export interface CGetRsp extends ResponseBase, SuboperationCounts {
  commandField: typeof CommandField.CGetRsp
}
/** C-MOVE-RQ (PS3.7 §9.3.4.1, Table 9.3-7). */
export interface CMoveRq extends RequestBase {
  commandField: typeof CommandField.CMoveRq
  affectedSopClassUid: string
  priority: number
  /** Move Destination (0000,0600): the AE title to store to. */
  moveDestination: string
}
/** C-MOVE-RSP (PS3.7 §9.3.4.2, Table 9.3-8). */
export interface CMoveRsp extends ResponseBase, SuboperationCounts {
  commandField: typeof CommandField.CMoveRsp
}
/** C-ECHO-RQ (PS3.7 §9.3.5.1, Table 9.3-12). */
export interface CEchoRq extends RequestBase {
  commandField: typeof CommandField.CEchoRq
  affectedSopClassUid: string
}
/** C-ECHO-RSP (PS3.7 §9.3.5.2, Table 9.3-13). */
export interface CEchoRsp extends ResponseBase {
  commandField: typeof CommandField.CEchoRsp
}
/** C-CANCEL-RQ (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3). It has no Message ID of its own. */
export interface CCancelRq extends MessageBase {
  commandField: typeof CommandField.CCancelRq
  messageIdBeingRespondedTo: number
}
/** N-EVENT-REPORT-RQ (PS3.7 §10.3.1.1, Table 10.3-1). */
export interface NEventReportRq extends RequestBase {
  commandField: typeof CommandField.NEventReportRq
  affectedSopClassUid: string
  affectedSopInstanceUid: string
  eventTypeId: number
}
/** N-EVENT-REPORT-RSP (PS3.7 §10.3.1.2, Table 10.3-2). */
export interface NEventReportRsp extends ResponseBase {
  commandField: typeof CommandField.NEventReportRsp
  eventTypeId?: number
}
/** N-GET-RQ (PS3.7 §10.3.2.1, Table 10.3-3). */
export interface NGetRq extends RequestBase {
  commandField: typeof CommandField.NGetRq
  requestedSopClassUid: string
  requestedSopInstanceUid: string
  attributeIdentifierList?: Tag[]
}
/** N-GET-RSP (PS3.7 §10.3.2.2, Table 10.3-4). */
export interface NGetRsp extends ResponseBase {
  commandField: typeof CommandField.NGetRsp
}
/** N-SET-RQ (PS3.7 §10.3.3.1, Table 10.3-5). */
export interface NSetRq extends RequestBase {
  commandField: typeof CommandField.NSetRq
  requestedSopClassUid: string
  requestedSopInstanceUid: string
}
/** N-SET-RSP (PS3.7 §10.3.3.2, Table 10.3-6). */
export interface NSetRsp extends ResponseBase {
  commandField: typeof CommandField.NSetRsp
}
/** N-ACTION-RQ (PS3.7 §10.3.4.1, Table 10.3-7). */
export interface NActionRq extends RequestBase {
  commandField: typeof CommandField.NActionRq
  requestedSopClassUid: string
  requestedSopInstanceUid: string
  actionTypeId: number
}
/** N-ACTION-RSP (PS3.7 §10.3.4.2, Table 10.3-8). */
export interface NActionRsp extends ResponseBase {
  commandField: typeof CommandField.NActionRsp
  actionTypeId?: number
}
/** N-CREATE-RQ (PS3.7 §10.3.5.1, Table 10.3-9). */
export interface NCreateRq extends RequestBase {
  commandField: typeof CommandField.NCreateRq
  affectedSopClassUid: string
  /** Absent when the SCP is to assign the instance UID. */
  affectedSopInstanceUid?: string
}
/** N-CREATE-RSP (PS3.7 §10.3.5.2, Table 10.3-10). */
export interface NCreateRsp extends ResponseBase {
  commandField: typeof CommandField.NCreateRsp
}
/** N-DELETE-RQ (PS3.7 §10.3.6.1, Table 10.3-11). */
export interface NDeleteRq extends RequestBase {
  commandField: typeof CommandField.NDeleteRq
  requestedSopClassUid: string
  requestedSopInstanceUid: string
}
/** N-DELETE-RSP (PS3.7 §10.3.6.2, Table 10.3-12). */
export interface NDeleteRsp extends ResponseBase {
  commandField: typeof CommandField.NDeleteRsp
}

/** Every DIMSE request. */
export type DimseRequest =
  | CStoreRq | CFindRq | CGetRq | CMoveRq | CEchoRq | CCancelRq
  | NEventReportRq | NGetRq | NSetRq | NActionRq | NCreateRq | NDeleteRq
/** Every DIMSE response. */
export type DimseResponse =
  | CStoreRsp | CFindRsp | CGetRsp | CMoveRsp | CEchoRsp
  | NEventReportRsp | NGetRsp | NSetRsp | NActionRsp | NCreateRsp | NDeleteRsp
/** A DIMSE message (its command set), discriminated by `commandField`. */
export type DimseMessage = DimseRequest | DimseResponse

/** The message type for one command field value. */
export type DimseMessageOf<F extends CommandField> = Extract<DimseMessage, { commandField: F }>

// ---------------------------------------------------------------------------------------------
// Field table: which elements each message carries (PS3.7 §9.3, §10.3 and Annex C), as data.
// ---------------------------------------------------------------------------------------------

type FieldVr = 'UL' | 'US' | 'UI' | 'AE' | 'AT' | 'LO'

/** Every field key of any message, apart from commandField and hasDataset. */
type FieldKey =
  | 'affectedSopClassUid' | 'requestedSopClassUid' | 'messageId' | 'messageIdBeingRespondedTo'
  | 'moveDestination' | 'priority' | 'status' | 'offendingElement' | 'errorComment' | 'errorId'
  | 'affectedSopInstanceUid' | 'requestedSopInstanceUid' | 'eventTypeId' | 'attributeIdentifierList'
  | 'actionTypeId' | 'numberOfRemainingSuboperations' | 'numberOfCompletedSuboperations'
  | 'numberOfFailedSuboperations' | 'numberOfWarningSuboperations'
  | 'moveOriginatorApplicationEntityTitle' | 'moveOriginatorMessageId'

interface FieldDef {
  key: FieldKey
  tag: number
  vr: FieldVr
}

/** In ascending tag order: the encoder writes them in this order (PS3.5 §7.1). */
const FIELDS: readonly FieldDef[] = [
  { key: 'affectedSopClassUid', tag: CommandTag.AffectedSopClassUid, vr: 'UI' },
  { key: 'requestedSopClassUid', tag: CommandTag.RequestedSopClassUid, vr: 'UI' },
  // (0000,0100) CommandField is written separately
  { key: 'messageId', tag: CommandTag.MessageId, vr: 'US' },
  { key: 'messageIdBeingRespondedTo', tag: CommandTag.MessageIdBeingRespondedTo, vr: 'US' },
  { key: 'moveDestination', tag: CommandTag.MoveDestination, vr: 'AE' },
  { key: 'priority', tag: CommandTag.Priority, vr: 'US' },
  // (0000,0800) CommandDataSetType is written separately
  { key: 'status', tag: CommandTag.Status, vr: 'US' },
  { key: 'offendingElement', tag: CommandTag.OffendingElement, vr: 'AT' },
  { key: 'errorComment', tag: CommandTag.ErrorComment, vr: 'LO' },
  { key: 'errorId', tag: CommandTag.ErrorId, vr: 'US' },
  { key: 'affectedSopInstanceUid', tag: CommandTag.AffectedSopInstanceUid, vr: 'UI' },
  { key: 'requestedSopInstanceUid', tag: CommandTag.RequestedSopInstanceUid, vr: 'UI' },
  { key: 'eventTypeId', tag: CommandTag.EventTypeId, vr: 'US' },
  { key: 'attributeIdentifierList', tag: CommandTag.AttributeIdentifierList, vr: 'AT' },
  { key: 'actionTypeId', tag: CommandTag.ActionTypeId, vr: 'US' },
  { key: 'numberOfRemainingSuboperations', tag: CommandTag.NumberOfRemainingSuboperations, vr: 'US' },
  { key: 'numberOfCompletedSuboperations', tag: CommandTag.NumberOfCompletedSuboperations, vr: 'US' },
  { key: 'numberOfFailedSuboperations', tag: CommandTag.NumberOfFailedSuboperations, vr: 'US' },
  { key: 'numberOfWarningSuboperations', tag: CommandTag.NumberOfWarningSuboperations, vr: 'US' },
  { key: 'moveOriginatorApplicationEntityTitle', tag: CommandTag.MoveOriginatorApplicationEntityTitle, vr: 'AE' },
  { key: 'moveOriginatorMessageId', tag: CommandTag.MoveOriginatorMessageId, vr: 'US' },
]
const FIELD_BY_TAG: ReadonlyMap<number, FieldDef> = new Map(FIELDS.map((f) => [f.tag, f]))

interface MessageShape {
  required: readonly FieldKey[]
  optional: readonly FieldKey[]
}

/** Status detail fields a response may carry (PS3.7 Annex C). */
const RSP_OPTIONAL: readonly FieldKey[] = [
  'affectedSopClassUid', 'affectedSopInstanceUid', 'offendingElement', 'errorComment', 'errorId',
  'attributeIdentifierList',
]
const RSP_REQUIRED: readonly FieldKey[] = ['messageIdBeingRespondedTo', 'status']
const SUBOPS: readonly FieldKey[] = [
  'numberOfRemainingSuboperations', 'numberOfCompletedSuboperations', 'numberOfFailedSuboperations',
  'numberOfWarningSuboperations',
]
const rsp = (...extra: FieldKey[]): MessageShape => ({ required: RSP_REQUIRED, optional: [...RSP_OPTIONAL, ...extra] })

/**
 * Required and optional fields per command field. "Required" means the decoder rejects a command
 * set without it; Priority is required in the type but defaults to MEDIUM when a peer omits it.
 */
const SHAPES: ReadonlyMap<number, MessageShape> = new Map<number, MessageShape>([
  [CommandField.CStoreRq, {
    required: ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'priority'],
    optional: ['moveOriginatorApplicationEntityTitle', 'moveOriginatorMessageId'],
  }],
  [CommandField.CStoreRsp, rsp()],
  [CommandField.CFindRq, { required: ['messageId', 'affectedSopClassUid', 'priority'], optional: [] }],
  [CommandField.CFindRsp, rsp()],
  [CommandField.CGetRq, { required: ['messageId', 'affectedSopClassUid', 'priority'], optional: [] }],
  [CommandField.CGetRsp, rsp(...SUBOPS)],
  [CommandField.CMoveRq, { required: ['messageId', 'affectedSopClassUid', 'priority', 'moveDestination'], optional: [] }],
  [CommandField.CMoveRsp, rsp(...SUBOPS)],
  [CommandField.CEchoRq, { required: ['messageId', 'affectedSopClassUid'], optional: [] }],
  [CommandField.CEchoRsp, rsp()],
  [CommandField.CCancelRq, { required: ['messageIdBeingRespondedTo'], optional: [] }],
  [CommandField.NEventReportRq, { required: ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'eventTypeId'], optional: [] }],
  [CommandField.NEventReportRsp, rsp('eventTypeId')],
  [CommandField.NGetRq, { required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'], optional: ['attributeIdentifierList'] }],
  [CommandField.NGetRsp, rsp()],
  [CommandField.NSetRq, { required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'], optional: [] }],
  [CommandField.NSetRsp, rsp()],
  [CommandField.NActionRq, { required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid', 'actionTypeId'], optional: [] }],
  [CommandField.NActionRsp, rsp('actionTypeId')],
  [CommandField.NCreateRq, { required: ['messageId', 'affectedSopClassUid'], optional: ['affectedSopInstanceUid'] }],
  [CommandField.NCreateRsp, rsp()],
  [CommandField.NDeleteRq, { required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'], optional: [] }],
  [CommandField.NDeleteRsp, rsp()],
])

/** The fields one message type may carry, in ascending tag order, for the encoder. */
interface PlanEntry {
  def: FieldDef
  required: boolean
}
const PLANS: ReadonlyMap<number, readonly PlanEntry[]> = new Map(
  [...SHAPES].map(([field, shape]) => [
    field,
    FIELDS.filter((d) => shape.required.includes(d.key) || shape.optional.includes(d.key)).map((def) => ({ def, required: shape.required.includes(def.key) })),
  ]),
)

/** True when `field` is one of the command fields of PS3.7 Annex E. */
export function isKnownCommandField(field: number): field is CommandField {
  return SHAPES.has(field)
}

// ---------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------

type FieldValue = string | number | Tag[]
type FlatMessage = { commandField: number; hasDataset: boolean } & { [K in FieldKey]?: FieldValue }

const MAX_UI = 64 // PS3.5 Table 6.2-1
const MAX_AE = 16
const MAX_LO = 64

function badArg(message: string): DicomError {
  return new DicomError('ERR_INVALID_ARGUMENT', message)
}

/** Encoded value bytes of one field (strings are written one byte per character). */
function valueLength(def: FieldDef, v: FieldValue): number {
  switch (def.vr) {
    case 'US':
      return 2
    case 'UL':
      return 4
    case 'AT':
      return (v as Tag[]).length * 4
    default: {
      const n = (v as string).length
      return n + (n & 1)
    }
  }
}

/** UI: digits and dots only (PS3.5 §9.1). */
function isUidText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 0x30 || c > 0x39) && c !== 0x2e) return false
  }
  return true
}

/** Default repertoire without controls and backslash (PS3.5 Table 6.2-1 for AE and LO). */
function isDefaultText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x5c) return false
  }
  return true
}

function checkValue(def: FieldDef, v: FieldValue): void {
  switch (def.vr) {
    case 'US':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) throw badArg(`${def.key} must be an integer 0..65535, got ${String(v)}`)
      return
    case 'UL':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw badArg(`${def.key} must be an integer 0..2^32-1`)
      return
    case 'AT':
      if (!Array.isArray(v)) throw badArg(`${def.key} must be an array of tags`)
      for (const t of v) {
        if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) throw badArg(`${def.key} holds an invalid tag ${String(t)}`)
      }
      return
    case 'UI':
      // PS3.5 §9.1: digits and dots, at most 64 characters
      if (typeof v !== 'string' || v.length === 0 || v.length > MAX_UI || !isUidText(v)) throw badArg(`${def.key} is not a valid UID: ${JSON.stringify(v)}`)
      return
    case 'AE':
      // PS3.5 Table 6.2-1: 16 characters of the default repertoire, not all spaces
      if (typeof v !== 'string' || v.length > MAX_AE || !isDefaultText(v) || v.trim() === '') throw badArg(`${def.key} is not a valid AE title: ${JSON.stringify(v)}`)
      return
    case 'LO':
      if (typeof v !== 'string' || v.length > MAX_LO || !isDefaultText(v)) throw badArg(`${def.key} must be at most 64 characters of the default repertoire without backslash`)
      return
  }
}

/**
 * Encode a message's command set: Implicit VR Little Endian, elements in ascending tag order,
 * starting with the Command Group Length (0000,0000) (PS3.7 §6.3.1, §9.3, §10.3). UIDs are
 * padded to even length with NUL, AE titles and LO text with a space (PS3.5 §6.2).
 *
 * Only the fields the message type allows are written; fields the standard requires must be
 * present.
 * @throws DicomError `ERR_INVALID_ARGUMENT` when a value is out of range or a required field is
 * missing.
 * @see PS3.7 §6.3.1, Annex E
 */
export function encodeCommand(msg: DimseMessage): Uint8Array {
  const flat = msg as unknown as FlatMessage
  const plan = PLANS.get(flat.commandField)
  if (plan === undefined) throw badArg(`unknown command field 0x${Number(flat.commandField).toString(16)}`)
  // group length element (12) + command field (10) + data set type (10) + fields
  let size = 12 + 10 + 10
  for (const { def, required } of plan) {
    const v = flat[def.key]
    if (v === undefined) {
      if (required) throw badArg(`${commandFieldName(flat.commandField)} requires ${def.key}`)
      continue
    }
    checkValue(def, v)
    size += 8 + valueLength(def, v)
  }
  const out = new Uint8Array(size)
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let p = 0
  const header = (tag: number, len: number): void => {
    dv.setUint16(p, tag >>> 16, true)
    dv.setUint16(p + 2, tag & 0xffff, true)
    dv.setUint32(p + 4, len, true)
    p += 8
  }
  header(CommandTag.CommandGroupLength, 4)
  dv.setUint32(p, size - 12, true) // PS3.7 Annex E: bytes after the group length element
  p += 4
  // CommandField and CommandDataSetType are not in the plan: each goes in its tag order, just
  // before the first field with a greater tag (or at the end).
  let wroteField = false
  let wroteType = false
  const fixedBefore = (tag: number): void => {
    if (!wroteField && tag > CommandTag.CommandField) {
      header(CommandTag.CommandField, 2)
      dv.setUint16(p, flat.commandField, true)
      p += 2
      wroteField = true
    }
    if (!wroteType && tag > CommandTag.CommandDataSetType) {
      header(CommandTag.CommandDataSetType, 2)
      dv.setUint16(p, flat.hasDataset ? CommandDataSetType.Present : CommandDataSetType.Null, true)
      p += 2
      wroteType = true
    }
  }
  for (const { def } of plan) {
    const v = flat[def.key]
    if (v === undefined) continue
    fixedBefore(def.tag)
    const len = valueLength(def, v)
    header(def.tag, len)
    switch (def.vr) {
      case 'US':
        dv.setUint16(p, v as number, true)
        break
      case 'UL':
        dv.setUint32(p, v as number, true)
        break
      case 'AT': {
        let q = p
        for (const t of v as Tag[]) {
          dv.setUint16(q, t >>> 16, true)
          dv.setUint16(q + 2, t & 0xffff, true)
          q += 4
        }
        break
      }
      default: {
        const str = v as string
        for (let i = 0; i < str.length; i++) out[p + i] = str.charCodeAt(i)
        if (str.length & 1) out[p + str.length] = def.vr === 'UI' ? 0x00 : 0x20
      }
    }
    p += len
  }
  fixedBefore(0xffffffff)
  return out
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------

/**
 * A string value with its insignificant padding removed (PS3.5 Table 6.2-1): UI trailing NUL
 * (a trailing space too, which some peers use), AE leading and trailing spaces, LO trailing
 * spaces (and NULs). Bytes map to code points one to one (Latin-1).
 */
function readString(bytes: Uint8Array, start: number, end: number, vr: FieldVr): string {
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--
  if (vr === 'AE') while (start < end && bytes[start] === 0x20) start++
  let s = ''
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[])
  }
  return s
}

/**
 * Decode a command set (Implicit VR Little Endian group 0000, PS3.7 §6.3.1) into a typed message.
 *
 * Elements must be in group 0000 and in ascending order; retired and unknown group-0000 elements
 * are skipped. The Command Group Length value is not relied on (the PDVs delimit the command
 * set). A missing Priority reads as MEDIUM.
 * @param bytes the complete command set (all command PDV fragments joined)
 * @throws DimseError with the offset of the problem, for any malformed input.
 */
export function decodeCommand(bytes: Uint8Array): DimseMessage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const flat: { [K in FieldKey]?: FieldValue } = {}
  let commandField: number | undefined
  let dataSetType: number | undefined
  let lastTag = -1
  let p = 0
  const n = bytes.length
  while (p < n) {
    if (n - p < 8) throw new DimseError(`truncated element header (${n - p} bytes left)`, p)
    const group = dv.getUint16(p, true)
    const tag = ((group << 16) | dv.getUint16(p + 2, true)) >>> 0
    const len = dv.getUint32(p + 4, true)
    if (group !== 0x0000) throw new DimseError(`element (${hex4(group)},${hex4(tag & 0xffff)}) is not in the command group 0000`, p)
    if (tag <= lastTag) throw new DimseError(`element (0000,${hex4(tag)}) is out of ascending order`, p)
    lastTag = tag
    const vstart = p + 8
    if (len > n - vstart) throw new DimseError(`value length ${len} of (0000,${hex4(tag)}) exceeds the ${n - vstart} bytes left`, p)
    const vend = vstart + len
    if (tag === CommandTag.CommandGroupLength) {
      if (len !== 4) throw new DimseError(`CommandGroupLength has value length ${len}, expected 4`, p)
      // Its value is not checked against the bytes that follow: the PDV framing already delimits
      // the command set, and a peer's miscount is harmless (DCMTK's storescp ignores it too).
    } else if (tag === CommandTag.CommandField || tag === CommandTag.CommandDataSetType) {
      if (len !== 2) throw new DimseError(`(0000,${hex4(tag)}) has value length ${len}, expected 2`, p)
      const v = dv.getUint16(vstart, true)
      if (tag === CommandTag.CommandField) commandField = v
      else dataSetType = v
    } else {
      const def = FIELD_BY_TAG.get(tag)
      if (def !== undefined) {
        const v = readField(bytes, dv, def, p, vstart, len)
        // an empty string value is treated as absent (a command set has no use for empty UIDs)
        if (v !== '') flat[def.key] = v
      }
      // else: retired or unknown command element (PS3.7 Annex E.2): skipped
    }
    p = vend
  }
  const known = { commandField, messageId: flat.messageId as number | undefined }
  if (commandField === undefined) throw new DimseError('command set has no CommandField (0000,0100)', -1, known)
  const shape = SHAPES.get(commandField)
  if (shape === undefined) throw new DimseError(`unknown command field 0x${hex4(commandField)}`, -1, known)
  if (dataSetType === undefined) throw new DimseError(`${commandFieldName(commandField)} has no CommandDataSetType (0000,0800)`, -1, known)
  const msg: FlatMessage = { commandField, hasDataset: dataSetType !== CommandDataSetType.Null }
  for (const k of shape.required) {
    let v = flat[k]
    if (v === undefined) {
      if (k !== 'priority') throw new DimseError(`${commandFieldName(commandField)} lacks required field ${k}`, -1, known)
      v = Priority.Medium
    }
    msg[k] = v
  }
  for (const k of shape.optional) {
    const v = flat[k]
    if (v !== undefined) msg[k] = v
  }
  return msg as unknown as DimseMessage
}

function readField(bytes: Uint8Array, dv: DataView, def: FieldDef, at: number, start: number, len: number): FieldValue {
  switch (def.vr) {
    case 'US':
      if (len !== 2) throw new DimseError(`${def.key} (US) has value length ${len}, expected 2`, at)
      return dv.getUint16(start, true)
    case 'UL':
      if (len !== 4) throw new DimseError(`${def.key} (UL) has value length ${len}, expected 4`, at)
      return dv.getUint32(start, true)
    case 'AT': {
      if (len % 4 !== 0) throw new DimseError(`${def.key} (AT) has value length ${len}, not a multiple of 4`, at)
      const tags: Tag[] = []
      for (let q = start; q < start + len; q += 4) tags.push(((dv.getUint16(q, true) << 16) | dv.getUint16(q + 2, true)) >>> 0)
      return tags
    }
    default: {
      // UIDs and AE titles name things, so an overlong one is an error; an overlong Error Comment
      // (LO, 64 characters) is only text, and is accepted rather than failing the association.
      if (def.vr !== 'LO') {
        const max = def.vr === 'AE' ? MAX_AE : MAX_UI
        if (len > max + 1) throw new DimseError(`${def.key} (${def.vr}) value of ${len} bytes exceeds ${max}`, at)
      }
      return readString(bytes, start, start + len, def.vr)
    }
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0')
}
