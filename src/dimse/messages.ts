/**
 * Builders for DIMSE request and response messages, and the Message ID allocator.
 *
 * Each builder fills in the command field, the Command Data Set Type the standard prescribes for
 * that message (PS3.7 §9.3, §10.3) and sensible defaults (MEDIUM priority, Success status);
 * every other field comes from the caller. The result is a plain {@link DimseMessage} for
 * `encodeCommand`.
 * @module
 */
import { DicomError } from '../errors.js'
import type {
  CCancelRq, CEchoRq, CEchoRsp, CFindRq, CFindRsp, CGetRq, CGetRsp, CMoveRq, CMoveRsp, CStoreRq,
  CStoreRsp, DimseRequest, DimseResponse, NActionRq, NActionRsp, NCreateRq, NCreateRsp, NDeleteRq,
  NDeleteRsp, NEventReportRq, NEventReportRsp, NGetRq, NGetRsp, NSetRq, NSetRsp,
} from './command.js'
import { CommandField, Priority } from './command.js'
import { isPending, Status } from './status.js'

/** Verification SOP Class UID (PS3.4 Annex A). */
export const VERIFICATION_SOP_CLASS_UID = '1.2.840.10008.1.1'

/** The caller's part of a message: everything but the command field; some fields defaulted. */
export type MessageInit<M, Defaulted extends keyof M = never> =
  Omit<M, 'commandField' | 'hasDataset' | Defaulted> & Partial<Pick<M, Defaulted>>

/** C-ECHO-RQ; the SOP class defaults to Verification. No dataset. */
export function cEchoRq(init: MessageInit<CEchoRq, 'affectedSopClassUid'>): CEchoRq {
  return { commandField: CommandField.CEchoRq, hasDataset: false, affectedSopClassUid: VERIFICATION_SOP_CLASS_UID, ...init }
}
/** C-ECHO-RSP; status defaults to Success. No dataset. */
export function cEchoRsp(init: MessageInit<CEchoRsp, 'status'>): CEchoRsp {
  return { commandField: CommandField.CEchoRsp, hasDataset: false, status: Status.Success, ...init }
}
/** C-STORE-RQ; priority defaults to MEDIUM. The dataset (the instance) follows. */
export function cStoreRq(init: MessageInit<CStoreRq, 'priority'>): CStoreRq {
  return { commandField: CommandField.CStoreRq, hasDataset: true, priority: Priority.Medium, ...init }
}
/** C-STORE-RSP; status defaults to Success. No dataset. */
export function cStoreRsp(init: MessageInit<CStoreRsp, 'status'>): CStoreRsp {
  return { commandField: CommandField.CStoreRsp, hasDataset: false, status: Status.Success, ...init }
}
/** C-FIND-RQ; priority defaults to MEDIUM. The identifier follows as the dataset. */
export function cFindRq(init: MessageInit<CFindRq, 'priority'>): CFindRq {
  return { commandField: CommandField.CFindRq, hasDataset: true, priority: Priority.Medium, ...init }
}
/**
 * C-FIND-RSP. A Pending response carries an identifier, a final one does not (PS3.4 C.4.1.3.2);
 * `hasDataset` defaults accordingly.
 */
export function cFindRsp(init: MessageInit<CFindRsp, 'status'> & { hasDataset?: boolean }): CFindRsp {
  const status = init.status ?? Status.Success
  return { commandField: CommandField.CFindRsp, ...init, status, hasDataset: init.hasDataset ?? isPending(status) }
}
/** C-GET-RQ; priority defaults to MEDIUM. The identifier follows as the dataset. */
export function cGetRq(init: MessageInit<CGetRq, 'priority'>): CGetRq {
  return { commandField: CommandField.CGetRq, hasDataset: true, priority: Priority.Medium, ...init }
}
/**
 * C-GET-RSP. A final response with failed sub-operations may carry a Failed SOP Instance UID
 * List dataset (PS3.4 C.4.3.1.3.1): set `hasDataset` then.
 */
export function cGetRsp(init: MessageInit<CGetRsp, 'status'> & { hasDataset?: boolean }): CGetRsp {
  return { commandField: CommandField.CGetRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** C-MOVE-RQ; priority defaults to MEDIUM. The identifier follows as the dataset. */
export function cMoveRq(init: MessageInit<CMoveRq, 'priority'>): CMoveRq {
  return { commandField: CommandField.CMoveRq, hasDataset: true, priority: Priority.Medium, ...init }
}
/** C-MOVE-RSP; see {@link cGetRsp} for `hasDataset`. */
export function cMoveRsp(init: MessageInit<CMoveRsp, 'status'> & { hasDataset?: boolean }): CMoveRsp {
  return { commandField: CommandField.CMoveRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** C-CANCEL-RQ for the C-FIND, C-GET or C-MOVE with the given Message ID. No dataset. */
export function cCancelRq(init: MessageInit<CCancelRq>): CCancelRq {
  return { commandField: CommandField.CCancelRq, hasDataset: false, ...init }
}
/** N-EVENT-REPORT-RQ; the Event Information dataset is optional (`hasDataset`, default true). */
export function nEventReportRq(init: MessageInit<NEventReportRq> & { hasDataset?: boolean }): NEventReportRq {
  return { commandField: CommandField.NEventReportRq, ...init, hasDataset: init.hasDataset ?? true }
}
/** N-EVENT-REPORT-RSP; the Event Reply dataset is optional (`hasDataset`, default false). */
export function nEventReportRsp(init: MessageInit<NEventReportRsp, 'status'> & { hasDataset?: boolean }): NEventReportRsp {
  return { commandField: CommandField.NEventReportRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** N-GET-RQ. No dataset. */
export function nGetRq(init: MessageInit<NGetRq>): NGetRq {
  return { commandField: CommandField.NGetRq, hasDataset: false, ...init }
}
/** N-GET-RSP; the Attribute List dataset follows on success (`hasDataset` defaults to true for Success). */
export function nGetRsp(init: MessageInit<NGetRsp, 'status'> & { hasDataset?: boolean }): NGetRsp {
  const status = init.status ?? Status.Success
  return { commandField: CommandField.NGetRsp, ...init, status, hasDataset: init.hasDataset ?? status === Status.Success }
}
/** N-SET-RQ. The Modification List dataset follows. */
export function nSetRq(init: MessageInit<NSetRq>): NSetRq {
  return { commandField: CommandField.NSetRq, hasDataset: true, ...init }
}
/** N-SET-RSP; an Attribute List dataset is optional (`hasDataset`, default false). */
export function nSetRsp(init: MessageInit<NSetRsp, 'status'> & { hasDataset?: boolean }): NSetRsp {
  return { commandField: CommandField.NSetRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** N-ACTION-RQ; the Action Information dataset is optional (`hasDataset`, default true). */
export function nActionRq(init: MessageInit<NActionRq> & { hasDataset?: boolean }): NActionRq {
  return { commandField: CommandField.NActionRq, ...init, hasDataset: init.hasDataset ?? true }
}
/** N-ACTION-RSP; the Action Reply dataset is optional (`hasDataset`, default false). */
export function nActionRsp(init: MessageInit<NActionRsp, 'status'> & { hasDataset?: boolean }): NActionRsp {
  return { commandField: CommandField.NActionRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** N-CREATE-RQ; the Attribute List dataset is optional (`hasDataset`, default true). */
export function nCreateRq(init: MessageInit<NCreateRq> & { hasDataset?: boolean }): NCreateRq {
  return { commandField: CommandField.NCreateRq, ...init, hasDataset: init.hasDataset ?? true }
}
/** N-CREATE-RSP; the Attribute List dataset is optional (`hasDataset`, default false). */
export function nCreateRsp(init: MessageInit<NCreateRsp, 'status'> & { hasDataset?: boolean }): NCreateRsp {
  return { commandField: CommandField.NCreateRsp, ...init, status: init.status ?? Status.Success, hasDataset: init.hasDataset ?? false }
}
/** N-DELETE-RQ. No dataset. */
export function nDeleteRq(init: MessageInit<NDeleteRq>): NDeleteRq {
  return { commandField: CommandField.NDeleteRq, hasDataset: false, ...init }
}
/** N-DELETE-RSP. No dataset. */
export function nDeleteRsp(init: MessageInit<NDeleteRsp, 'status'>): NDeleteRsp {
  return { commandField: CommandField.NDeleteRsp, hasDataset: false, status: Status.Success, ...init }
}

/** The response command field for a request command field (PS3.7 Annex E: bit 15 set). */
export function responseCommandField(requestField: number): DimseResponse['commandField'] | undefined {
  if (requestField === CommandField.CCancelRq || (requestField & 0x8000) !== 0) return undefined
  return (requestField | 0x8000) as DimseResponse['commandField']
}

/**
 * The skeleton of the response to a request: its command field, Message ID Being Responded To,
 * and the affected SOP class/instance the standard echoes back (for N-GET/N-SET/N-ACTION/N-DELETE
 * the requested ones become the affected ones, PS3.7 §10.3). Add or override fields with `extra`.
 * Throws for C-CANCEL-RQ, which has no response.
 */
export function responseFor(request: DimseRequest, status: number, extra: Partial<DimseResponse> = {}): DimseResponse {
  const field = responseCommandField(request.commandField)
  if (field === undefined || request.commandField === CommandField.CCancelRq) {
    throw new DicomError('ERR_INVALID_ARGUMENT', 'C-CANCEL-RQ has no response')
  }
  const rq = request as Partial<Record<'affectedSopClassUid' | 'affectedSopInstanceUid' | 'requestedSopClassUid' | 'requestedSopInstanceUid', string>> & { messageId: number }
  const base: Record<string, unknown> = {
    commandField: field,
    messageIdBeingRespondedTo: rq.messageId,
    status,
    hasDataset: false,
  }
  const sopClass = rq.affectedSopClassUid ?? rq.requestedSopClassUid
  const sopInstance = rq.affectedSopInstanceUid ?? rq.requestedSopInstanceUid
  if (sopClass !== undefined) base.affectedSopClassUid = sopClass
  if (sopInstance !== undefined) base.affectedSopInstanceUid = sopInstance
  if (request.commandField === CommandField.NEventReportRq) base.eventTypeId = request.eventTypeId
  if (request.commandField === CommandField.NActionRq) base.actionTypeId = request.actionTypeId
  return { ...base, ...extra } as unknown as DimseResponse
}

/**
 * Hands out Message IDs (0000,0110) for one association: 1, 2, … 65535, then 1 again (PS3.7
 * §9.3.1.1: unique among the outstanding messages of the association). IDs still in use, as told
 * by the optional predicate, are skipped.
 */
export class MessageIdAllocator {
  #next: number

  /** @param first the first ID handed out (1..65535, default 1) */
  constructor(first = 1) {
    if (!Number.isInteger(first) || first < 1 || first > 0xffff) throw new DicomError('ERR_INVALID_ARGUMENT', `invalid first message ID ${first}`)
    this.#next = first
  }

  /**
   * The next free ID.
   * @param inUse tells which IDs are still outstanding; they are skipped
   * @throws DicomError `ERR_INVALID_ARGUMENT` when all 65535 IDs are in use
   */
  next(inUse?: (id: number) => boolean): number {
    for (let tries = 0; tries < 0xffff; tries++) {
      const id = this.#next
      this.#next = id === 0xffff ? 1 : id + 1
      if (inUse === undefined || !inUse(id)) return id
    }
    throw new DicomError('ERR_INVALID_ARGUMENT', 'all 65535 message IDs are in use')
  }
}
