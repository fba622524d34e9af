/**
 * PDU decoder (PS3.8 §9.3). Pure and total: every malformed input ends in a {@link PduError}
 * carrying the A-P-ABORT reason (PS3.8 Table 9-26) the association should send.
 *
 * Leniency follows the standard: reserved fields are not tested (PS3.8 §9.3.1), unrecognized
 * item types in variable fields are skipped (§9.3.1), unknown user information sub-items are kept
 * in `unknownItems`, and the AE titles of an A-ASSOCIATE-AC are not tested (Table 9-17).
 * Offsets in errors are relative to the first byte of the PDU (its 6-byte header included).
 * @module
 */
import { AbortReason, PduError } from '../errors.js'
import { ByteRangeError, ByteReader, bytesToAscii } from '../internal/bytes.js'
import { trimAeTitle } from './ae-title.js'
import {
  ItemType,
  PduType,
  PresentationContextResult,
  RELEASE_RP,
  RELEASE_RQ,
  type AssociateAcPdu,
  type AssociateRqPdu,
  type PDataTfPdu,
  type Pdu,
  type PduFrame,
  type PresentationContextAc,
  type PresentationContextRq,
  type Pdv,
  type UserIdentityType,
  type UserInformation,
} from './types.js'

/** PDU header size: type, reserved, 4-byte length (PS3.8 §9.3.1). */
export const PDU_HEADER_LENGTH = 6

const KNOWN_PDU_TYPES: ReadonlySet<number> = new Set(Object.values(PduType))

/** True for the PDU types defined by PS3.8 §9.3 (0x01..0x07). */
export function isKnownPduType(type: number): boolean {
  return KNOWN_PDU_TYPES.has(type)
}

class Ctx {
  constructor(readonly pduType: number) {}
  fail(reason: AbortReason, message: string, offset: number, itemType?: number): PduError {
    return new PduError(message, {
      pduType: this.pduType,
      offset,
      abortReason: reason,
      ...(itemType !== undefined ? { itemType } : {}),
    })
  }
}

/** Strip the trailing NUL/space padding some implementations add to UIDs (PS3.8 Annex F). */
function uidText(b: Uint8Array): string {
  let end = b.length
  while (end > 0 && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--
  return bytesToAscii(b.subarray(0, end))
}

/**
 * Iterate over items with a 1-byte type, 1 reserved byte and a 2-byte length within `r` (whose
 * bytes start at PDU offset `base`). Length overruns become PduError reason 6; a ByteRangeError
 * thrown while `visit` reads an item's content becomes PduError reason 6 naming that item.
 */
function forEachItem(
  ctx: Ctx,
  r: ByteReader,
  base: number,
  parentItem: number | undefined,
  visit: (type: number, content: ByteReader, contentBase: number) => void,
): void {
  while (r.remaining > 0) {
    const at = r.pos
    if (r.remaining < 4) {
      throw ctx.fail(AbortReason.InvalidPduParameterValue, 'truncated item header', base + at, parentItem)
    }
    const type = r.u8()
    r.skip(1)
    const len = r.u16()
    if (len > r.remaining) {
      throw ctx.fail(AbortReason.InvalidPduParameterValue, `item length ${len} exceeds the ${r.remaining} bytes left`, base + at, type)
    }
    const content = new ByteReader(r.take(len))
    const contentBase = base + at + 4
    try {
      visit(type, content, contentBase)
    } catch (e) {
      if (e instanceof ByteRangeError) {
        throw ctx.fail(AbortReason.InvalidPduParameterValue, 'item content is truncated', contentBase + e.offset, type)
      }
      throw e
    }
  }
}

/** A 2-byte-length-prefixed field inside an item. */
function prefixed(r: ByteReader): Uint8Array {
  return r.take(r.u16())
}

function decodeUserInformation(ctx: Ctx, r: ByteReader, base: number): UserInformation {
  const ui: UserInformation = {}
  const once = (present: boolean, type: number, at: number): void => {
    if (present) throw ctx.fail(AbortReason.UnexpectedPduParameter, 'duplicate user information sub-item', at, type)
  }
  forEachItem(ctx, r, base, ItemType.UserInformation, (type, c, cb) => {
    const at = cb - 4
    switch (type) {
      case ItemType.MaximumLength: // PS3.8 D.1.1, Table D.1-1
        once(ui.maxPduLength !== undefined, type, at)
        if (c.remaining !== 4) throw ctx.fail(AbortReason.InvalidPduParameterValue, 'maximum length sub-item must be 4 bytes', at, type)
        ui.maxPduLength = c.u32()
        break
      case ItemType.ImplementationClassUid: // PS3.7 D.3.3.2
        once(ui.implementationClassUid !== undefined, type, at)
        ui.implementationClassUid = uidText(c.take(c.remaining))
        break
      case ItemType.AsynchronousOperationsWindow: // PS3.7 D.3.3.3
        once(ui.asyncOps !== undefined, type, at)
        if (c.remaining !== 4) throw ctx.fail(AbortReason.InvalidPduParameterValue, 'asynchronous operations window sub-item must be 4 bytes', at, type)
        ui.asyncOps = { maxOperationsInvoked: c.u16(), maxOperationsPerformed: c.u16() }
        break
      case ItemType.ScpScuRoleSelection: {
        // PS3.7 D.3.3.4, Table D.3-9
        const sopClassUid = uidText(prefixed(c))
        const scu = c.u8()
        const scp = c.u8()
        ;(ui.roleSelections ??= []).push({ sopClassUid, scuRole: scu !== 0, scpRole: scp !== 0 })
        break
      }
      case ItemType.ImplementationVersionName: // PS3.7 D.3.3.2
        once(ui.implementationVersionName !== undefined, type, at)
        ui.implementationVersionName = bytesToAscii(c.take(c.remaining))
        break
      case ItemType.SopClassExtendedNegotiation: {
        // PS3.7 D.3.3.5, Table D.3-11
        const sopClassUid = uidText(prefixed(c))
        ;(ui.extendedNegotiations ??= []).push({ sopClassUid, info: c.take(c.remaining) })
        break
      }
      case ItemType.SopClassCommonExtendedNegotiation: {
        // PS3.7 D.3.3.6, Table D.3-12
        const sopClassUid = uidText(prefixed(c))
        const serviceClassUid = uidText(prefixed(c))
        const related = new ByteReader(prefixed(c))
        const relatedGeneralSopClassUids: string[] = []
        while (related.remaining > 0) relatedGeneralSopClassUids.push(uidText(prefixed(related)))
        ;(ui.commonExtendedNegotiations ??= []).push({ sopClassUid, serviceClassUid, relatedGeneralSopClassUids })
        break
      }
      case ItemType.UserIdentityRq: {
        // PS3.7 D.3.3.7.1, Table D.3-14
        once(ui.userIdentityRq !== undefined, type, at)
        const idType = c.u8()
        const positive = c.u8()
        const primaryField = prefixed(c)
        const secondaryField = prefixed(c)
        ui.userIdentityRq = {
          // Values other than 1..5 (Table D.3-14) are passed through for the acceptor to refuse.
          type: idType as UserIdentityType,
          positiveResponseRequested: positive === 1,
          primaryField,
          secondaryField,
        }
        break
      }
      case ItemType.UserIdentityAc: // PS3.7 D.3.3.7.2, Table D.3-15
        once(ui.userIdentityAc !== undefined, type, at)
        ui.userIdentityAc = { serverResponse: prefixed(c) }
        break
      default:
        // PS3.7 D.3.3: unknown sub-items are kept for reporting (and re-encoding).
        ;(ui.unknownItems ??= []).push({ itemType: type, data: c.take(c.remaining) })
    }
  })
  return ui
}

function decodePresentationContextRq(ctx: Ctx, c: ByteReader, cb: number): PresentationContextRq {
  // PS3.8 §9.3.2.2, Table 9-13
  const id = c.u8()
  c.skip(3)
  if (id % 2 === 0) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `presentation context ID ${id} is not odd`, cb, ItemType.PresentationContextRq)
  }
  let abstractSyntax: string | undefined
  const transferSyntaxes: string[] = []
  forEachItem(ctx, c, cb + 4, ItemType.PresentationContextRq, (type, s, sb) => {
    if (type === ItemType.AbstractSyntax) {
      if (abstractSyntax !== undefined) throw ctx.fail(AbortReason.UnexpectedPduParameter, 'more than one abstract syntax', sb - 4, type)
      abstractSyntax = uidText(s.take(s.remaining))
    } else if (type === ItemType.TransferSyntax) {
      transferSyntaxes.push(uidText(s.take(s.remaining)))
    } else if (isKnownItemType(type)) {
      throw ctx.fail(AbortReason.UnexpectedPduParameter, 'unexpected sub-item in presentation context', sb - 4, type)
    } // unrecognized item types are skipped (PS3.8 §9.3.1)
  })
  if (abstractSyntax === undefined) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `presentation context ${id} has no abstract syntax`, cb - 4, ItemType.PresentationContextRq)
  }
  if (transferSyntaxes.length === 0) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `presentation context ${id} has no transfer syntax`, cb - 4, ItemType.PresentationContextRq)
  }
  return { id, abstractSyntax, transferSyntaxes }
}

function decodePresentationContextAc(ctx: Ctx, c: ByteReader, cb: number): PresentationContextAc {
  // PS3.8 §9.3.3.2, Table 9-18
  const id = c.u8()
  c.skip(1)
  const result = c.u8()
  c.skip(1)
  if (result > PresentationContextResult.TransferSyntaxesNotSupported) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `presentation context result ${result} is not defined`, cb + 2, ItemType.PresentationContextAc)
  }
  let transferSyntax: string | undefined
  let seen = false
  forEachItem(ctx, c, cb + 4, ItemType.PresentationContextAc, (type, s, sb) => {
    if (type === ItemType.TransferSyntax) {
      if (seen) throw ctx.fail(AbortReason.UnexpectedPduParameter, 'more than one transfer syntax', sb - 4, type)
      seen = true
      const ts = uidText(s.take(s.remaining))
      if (ts !== '') transferSyntax = ts
    } else if (isKnownItemType(type)) {
      throw ctx.fail(AbortReason.UnexpectedPduParameter, 'unexpected sub-item in presentation context', sb - 4, type)
    }
  })
  const accepted = result === PresentationContextResult.Acceptance
  if (accepted && transferSyntax === undefined) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `accepted presentation context ${id} has no transfer syntax`, cb - 4, ItemType.PresentationContextAc)
  }
  // When the result is not acceptance the transfer syntax "shall not be tested" (Table 9-18).
  const pc: PresentationContextAc = { id, result: result as PresentationContextResult }
  if (transferSyntax !== undefined) pc.transferSyntax = transferSyntax
  return pc
}

const KNOWN_ITEM_TYPES: ReadonlySet<number> = new Set(Object.values(ItemType))
function isKnownItemType(t: number): boolean {
  return KNOWN_ITEM_TYPES.has(t)
}

function decodeAssociate(ctx: Ctx, body: Uint8Array, rq: boolean): AssociateRqPdu | AssociateAcPdu {
  const r = new ByteReader(body)
  if (body.length < 68) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `A-ASSOCIATE body of ${body.length} bytes is shorter than its 68-byte fixed part`, PDU_HEADER_LENGTH + body.length)
  }
  // PS3.8 Table 9-11 / 9-17
  const protocolVersion = r.u16()
  r.skip(2)
  const calledRaw = r.ascii(16)
  const callingRaw = r.ascii(16)
  r.skip(32)
  const calledAeTitle = trimAeTitle(calledRaw)
  const callingAeTitle = trimAeTitle(callingRaw)
  if (rq) {
    // PS3.8 Table 9-11: a title of 16 spaces ("no Application Name") shall not be used.
    if (calledAeTitle === '') throw ctx.fail(AbortReason.InvalidPduParameterValue, 'called AE title is blank', 10)
    if (callingAeTitle === '') throw ctx.fail(AbortReason.InvalidPduParameterValue, 'calling AE title is blank', 26)
  }
  let applicationContext: string | undefined
  let userInformation: UserInformation | undefined
  const rqContexts: PresentationContextRq[] = []
  const acContexts: PresentationContextAc[] = []
  const ids = new Set<number>()
  const pcType = rq ? ItemType.PresentationContextRq : ItemType.PresentationContextAc
  forEachItem(ctx, r, PDU_HEADER_LENGTH, undefined, (type, c, cb) => {
    const at = cb - 4
    if (type === ItemType.ApplicationContext) {
      // PS3.8 §9.3.2.1: exactly one application context item
      if (applicationContext !== undefined) throw ctx.fail(AbortReason.UnexpectedPduParameter, 'more than one application context item', at, type)
      applicationContext = uidText(c.take(c.remaining))
    } else if (type === pcType) {
      if (rq) {
        const pc = decodePresentationContextRq(ctx, c, cb)
        if (ids.has(pc.id)) throw ctx.fail(AbortReason.InvalidPduParameterValue, `duplicate presentation context ID ${pc.id}`, at, type)
        ids.add(pc.id)
        rqContexts.push(pc)
      } else {
        acContexts.push(decodePresentationContextAc(ctx, c, cb))
      }
    } else if (type === ItemType.UserInformation) {
      if (userInformation !== undefined) throw ctx.fail(AbortReason.UnexpectedPduParameter, 'more than one user information item', at, type)
      userInformation = decodeUserInformation(ctx, c, cb)
    } else if (isKnownItemType(type)) {
      throw ctx.fail(AbortReason.UnexpectedPduParameter, `item 0x${type.toString(16)} is not allowed here`, at, type)
    } // unrecognized item types are ignored (PS3.8 §9.3.1)
  })
  if (applicationContext === undefined) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, 'no application context item', PDU_HEADER_LENGTH + 68, ItemType.ApplicationContext)
  }
  if (rq && rqContexts.length === 0) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, 'no presentation context item', PDU_HEADER_LENGTH + 68, ItemType.PresentationContextRq)
  }
  // The User Information item is required by PS3.8 §9.3.2 (it carries the mandatory Maximum
  // Length sub-item), but a missing one is tolerated and decoded as empty: the association
  // layer then applies "no limit" semantics.
  const base = { protocolVersion, calledAeTitle, callingAeTitle, applicationContext, userInformation: userInformation ?? {} }
  return rq
    ? { type: PduType.AssociateRq, ...base, presentationContexts: rqContexts }
    : { type: PduType.AssociateAc, ...base, presentationContexts: acContexts }
}

function decodePData(ctx: Ctx, body: Uint8Array): PDataTfPdu {
  // PS3.8 §9.3.5, Tables 9-22 / 9-23: one or more PDV items with 4-byte lengths.
  const pdvs: Pdv[] = []
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength)
  let pos = 0
  while (pos < body.length) {
    const at = PDU_HEADER_LENGTH + pos
    if (body.length - pos < 6) throw ctx.fail(AbortReason.InvalidPduParameterValue, 'truncated PDV item header', at)
    const len = dv.getUint32(pos)
    if (len < 2) throw ctx.fail(AbortReason.InvalidPduParameterValue, `PDV item length ${len} is below 2`, at)
    if (len > body.length - pos - 4) {
      throw ctx.fail(AbortReason.InvalidPduParameterValue, `PDV item length ${len} exceeds the ${body.length - pos - 4} bytes left`, at)
    }
    const mch = body[pos + 5]!
    pdvs.push({
      contextId: body[pos + 4]!,
      isCommand: (mch & 0x01) !== 0, // Annex E.2: bits 2-7 are not tested
      isLast: (mch & 0x02) !== 0,
      data: body.subarray(pos + 6, pos + 4 + len),
    })
    pos += 4 + len
  }
  if (pdvs.length === 0) throw ctx.fail(AbortReason.InvalidPduParameterValue, 'P-DATA-TF without PDV items', PDU_HEADER_LENGTH)
  return { type: PduType.PDataTf, pdvs }
}

function fixedFour(ctx: Ctx, body: Uint8Array, what: string): void {
  if (body.length !== 4) {
    throw ctx.fail(AbortReason.InvalidPduParameterValue, `${what} body must be 4 bytes, got ${body.length}`, 2)
  }
}

/**
 * Decode a framed PDU (as produced by {@link PduFramer}). P-DATA-TF PDV data are views into
 * `frame.body`, not copies; a frame carrying already decoded `pdvs` (a P-DATA-TF the framer
 * split across chunks) returns those without touching `frame.body`.
 *
 * Protocol version is returned as is: per PS3.8 Table 9-11 an acceptor only tests bit 0 and, if
 * it is clear, answers A-ASSOCIATE-RJ (source 2, reason 2) rather than aborting.
 *
 * @throws PduError with the A-P-ABORT reason: 1 unrecognized PDU type, 4 unrecognized parameter,
 *   5 unexpected parameter (an item where it does not belong, duplicates), 6 invalid parameter
 *   value (bad lengths, missing mandatory items, blank AE titles in a RQ, even context IDs).
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part08.html#sect_9.3
 */
export function decodePdu(frame: PduFrame): Pdu {
  const ctx = new Ctx(frame.type)
  try {
    if (frame.type === PduType.PDataTf && frame.pdvs !== undefined) return { type: PduType.PDataTf, pdvs: frame.pdvs }
    const body = frame.body
    switch (frame.type) {
      case PduType.AssociateRq:
        return decodeAssociate(ctx, body, true)
      case PduType.AssociateAc:
        return decodeAssociate(ctx, body, false)
      case PduType.AssociateRj:
        fixedFour(ctx, body, 'A-ASSOCIATE-RJ')
        // PS3.8 Table 9-21
        return { type: PduType.AssociateRj, result: body[1]!, source: body[2]!, reason: body[3]! }
      case PduType.PDataTf:
        return decodePData(ctx, body)
      case PduType.ReleaseRq:
        fixedFour(ctx, body, 'A-RELEASE-RQ')
        return RELEASE_RQ
      case PduType.ReleaseRp:
        fixedFour(ctx, body, 'A-RELEASE-RP')
        return RELEASE_RP
      case PduType.Abort:
        fixedFour(ctx, body, 'A-ABORT')
        // PS3.8 Table 9-26
        return { type: PduType.Abort, source: body[2]!, reason: body[3]! }
      default:
        throw ctx.fail(AbortReason.UnrecognizedPdu, `unrecognized PDU type 0x${frame.type.toString(16)}`, 0)
    }
  } catch (e) {
    if (e instanceof ByteRangeError) {
      throw ctx.fail(AbortReason.InvalidPduParameterValue, 'PDU is truncated', PDU_HEADER_LENGTH + e.offset)
    }
    throw e
  }
}
