/**
 * PDU encoder (PS3.8 §9.3). Big-endian throughout; reserved fields are written as zero.
 * P-DATA-TF payloads are not copied: {@link encodePdu} returns the caller's own PDV data views
 * between small header buffers, to be written in one corked batch.
 * @module
 */
import { DicomError } from '../errors.js'
import { ByteWriter, concatBytes } from '../internal/bytes.js'
import { AE_TITLE_LENGTH, validateAeTitle } from './ae-title.js'
import {
  ItemType,
  PduType,
  PresentationContextResult,
  type AssociateAcPdu,
  type AssociateRqPdu,
  type PDataTfPdu,
  type Pdu,
  type UserInformation,
} from './types.js'

function invalid(message: string): DicomError {
  return new DicomError('ERR_INVALID_ARGUMENT', message)
}

/** Write a string one byte per character, refusing characters that do not fit in a byte. */
function writeText(w: ByteWriter, s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw invalid(`${what} has a character outside ISO 646/Latin-1 at ${i}`)
  }
  w.ascii(s)
}

/** An item with a 1-byte type, 1 reserved byte and a 2-byte length (PS3.8 §9.3.2.x, PS3.7 D.3.3.x). */
function item(w: ByteWriter, type: number, body: () => void, secondByte = 0): void {
  w.u8(type).u8(secondByte)
  const at = w.reserve(2)
  body()
  if (w.length - at - 2 > 0xffff) throw invalid(`item 0x${type.toString(16)} is longer than 65535 bytes`)
  w.backfill(at, 2)
}

/** A field with a 2-byte length prefix. */
function lengthPrefixed(w: ByteWriter, body: () => void, what: string): void {
  const at = w.reserve(2)
  body()
  if (w.length - at - 2 > 0xffff) throw invalid(`${what} is longer than 65535 bytes`)
  w.backfill(at, 2)
}

function u8Field(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw invalid(`${what} must be an integer 0..255, got ${v}`)
  return v
}

function u16Field(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw invalid(`${what} must be an integer 0..65535, got ${v}`)
  return v
}

function aeField(w: ByteWriter, s: string, what: string, strict: boolean): void {
  let value = s
  if (strict) {
    const c = validateAeTitle(s)
    if (!c.ok) throw invalid(`${what}: ${c.reason}`)
    value = c.value
  } else if (value.length > AE_TITLE_LENGTH) {
    throw invalid(`${what} is longer than ${AE_TITLE_LENGTH} characters`)
  }
  // PS3.8 Table 9-11: 16 characters, space padded (leading/trailing spaces not significant).
  writeText(w, value.padEnd(AE_TITLE_LENGTH, ' '), what)
}

function writeUserInformation(w: ByteWriter, ui: UserInformation): void {
  // PS3.8 §9.3.2.3 / PS3.7 Annex D.3.3: sub-items in increasing item-type order.
  item(w, ItemType.UserInformation, () => {
    if (ui.maxPduLength !== undefined) {
      const v = ui.maxPduLength
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalid(`maxPduLength must be a uint32, got ${v}`)
      item(w, ItemType.MaximumLength, () => w.u32(v)) // PS3.8 D.1.1
    }
    if (ui.implementationClassUid !== undefined) {
      const v = ui.implementationClassUid
      item(w, ItemType.ImplementationClassUid, () => writeText(w, v, 'implementationClassUid')) // PS3.7 D.3.3.2
    }
    if (ui.asyncOps !== undefined) {
      const a = ui.asyncOps
      item(w, ItemType.AsynchronousOperationsWindow, () => {
        // PS3.7 D.3.3.3.1
        w.u16(u16Field(a.maxOperationsInvoked, 'maxOperationsInvoked'))
        w.u16(u16Field(a.maxOperationsPerformed, 'maxOperationsPerformed'))
      })
    }
    for (const r of ui.roleSelections ?? []) {
      // PS3.7 D.3.3.4
      item(w, ItemType.ScpScuRoleSelection, () => {
        lengthPrefixed(w, () => writeText(w, r.sopClassUid, 'role selection SOP class UID'), 'role selection SOP class UID')
        w.u8(r.scuRole ? 1 : 0).u8(r.scpRole ? 1 : 0)
      })
    }
    if (ui.implementationVersionName !== undefined) {
      const v = ui.implementationVersionName
      item(w, ItemType.ImplementationVersionName, () => writeText(w, v, 'implementationVersionName')) // PS3.7 D.3.3.2
    }
    for (const e of ui.extendedNegotiations ?? []) {
      // PS3.7 D.3.3.5
      item(w, ItemType.SopClassExtendedNegotiation, () => {
        lengthPrefixed(w, () => writeText(w, e.sopClassUid, 'extended negotiation SOP class UID'), 'SOP class UID')
        w.bytes(e.info)
      })
    }
    for (const c of ui.commonExtendedNegotiations ?? []) {
      // PS3.7 D.3.3.6, Table D.3-12: the second byte is the sub-item version, 0.
      item(w, ItemType.SopClassCommonExtendedNegotiation, () => {
        lengthPrefixed(w, () => writeText(w, c.sopClassUid, 'SOP class UID'), 'SOP class UID')
        lengthPrefixed(w, () => writeText(w, c.serviceClassUid, 'service class UID'), 'service class UID')
        lengthPrefixed(
          w,
          () => {
            for (const uid of c.relatedGeneralSopClassUids) {
              lengthPrefixed(w, () => writeText(w, uid, 'related general SOP class UID'), 'related general SOP class UID')
            }
          },
          'related general SOP class identification',
        )
      })
    }
    if (ui.userIdentityRq !== undefined) {
      const u = ui.userIdentityRq
      // PS3.7 D.3.3.7.1, Table D.3-14
      item(w, ItemType.UserIdentityRq, () => {
        w.u8(u8Field(u.type, 'user identity type')).u8(u.positiveResponseRequested ? 1 : 0)
        lengthPrefixed(w, () => w.bytes(u.primaryField), 'user identity primary field')
        lengthPrefixed(w, () => w.bytes(u.secondaryField), 'user identity secondary field')
      })
    }
    if (ui.userIdentityAc !== undefined) {
      const u = ui.userIdentityAc
      // PS3.7 D.3.3.7.2, Table D.3-15
      item(w, ItemType.UserIdentityAc, () => {
        lengthPrefixed(w, () => w.bytes(u.serverResponse), 'user identity server response')
      })
    }
    for (const u of ui.unknownItems ?? []) {
      item(w, u8Field(u.itemType, 'unknown item type'), () => w.bytes(u.data))
    }
  })
}

function writeAssociate(w: ByteWriter, pdu: AssociateRqPdu | AssociateAcPdu): void {
  // PS3.8 Table 9-11 (RQ) / Table 9-17 (AC): fixed part of 68 bytes.
  w.u16(u16Field(pdu.protocolVersion, 'protocolVersion')).u16(0)
  const rq = pdu.type === PduType.AssociateRq
  // The AC echoes the RQ's titles "not tested" on receipt (PS3.8 Table 9-17): only length is checked.
  aeField(w, pdu.calledAeTitle, 'calledAeTitle', rq)
  aeField(w, pdu.callingAeTitle, 'callingAeTitle', rq)
  w.zeros(32)
  item(w, ItemType.ApplicationContext, () => writeText(w, pdu.applicationContext, 'applicationContext'))
  if (pdu.type === PduType.AssociateRq) {
    if (pdu.presentationContexts.length === 0) throw invalid('A-ASSOCIATE-RQ needs at least one presentation context')
    for (const pc of pdu.presentationContexts) {
      if (!Number.isInteger(pc.id) || pc.id < 1 || pc.id > 255 || pc.id % 2 === 0) {
        throw invalid(`presentation context ID must be an odd integer 1..255, got ${pc.id}`)
      }
      if (pc.transferSyntaxes.length === 0) throw invalid(`presentation context ${pc.id} has no transfer syntax`)
      // PS3.8 §9.3.2.2, Table 9-13
      item(w, ItemType.PresentationContextRq, () => {
        w.u8(pc.id).u8(0).u8(0).u8(0)
        item(w, ItemType.AbstractSyntax, () => writeText(w, pc.abstractSyntax, 'abstract syntax'))
        for (const ts of pc.transferSyntaxes) item(w, ItemType.TransferSyntax, () => writeText(w, ts, 'transfer syntax'))
      })
    }
  } else {
    for (const pc of pdu.presentationContexts) {
      // PS3.8 §9.3.3.2, Table 9-18. A non-accepted context still carries a transfer syntax
      // sub-item, whose value is not significant: it is written empty when none is given.
      item(w, ItemType.PresentationContextAc, () => {
        w.u8(u8Field(pc.id, 'presentation context ID')).u8(0).u8(u8Field(pc.result, 'result')).u8(0)
        if (pc.result === PresentationContextResult.Acceptance && pc.transferSyntax === undefined) {
          throw invalid(`accepted presentation context ${pc.id} needs a transfer syntax`)
        }
        item(w, ItemType.TransferSyntax, () => writeText(w, pc.transferSyntax ?? '', 'transfer syntax'))
      })
    }
  }
  writeUserInformation(w, pdu.userInformation)
}

function pdataHeaderSize(pdu: PDataTfPdu): number {
  let len = 0
  for (const p of pdu.pdvs) len += 6 + p.data.length
  return len
}

function encodePData(pdu: PDataTfPdu): Uint8Array[] {
  if (pdu.pdvs.length === 0) throw invalid('P-DATA-TF needs at least one PDV')
  const bodyLength = pdataHeaderSize(pdu)
  if (bodyLength > 0xffffffff) throw invalid('P-DATA-TF longer than 2^32-1 bytes')
  const out: Uint8Array[] = []
  // One small buffer per PDV header; the PDU header shares the first one (PS3.8 §9.3.5, Table 9-22).
  let hdr = new Uint8Array(12)
  let dv = new DataView(hdr.buffer)
  hdr[0] = PduType.PDataTf
  dv.setUint32(2, bodyLength)
  let at = 6
  for (const p of pdu.pdvs) {
    if (at === 0) {
      hdr = new Uint8Array(6)
      dv = new DataView(hdr.buffer)
    }
    // PS3.8 §9.3.5.1, Table 9-23: item length covers context ID + message control header + data.
    dv.setUint32(at, 2 + p.data.length)
    hdr[at + 4] = u8Field(p.contextId, 'PDV presentation context ID')
    // PS3.8 Annex E.2: bit 0 = command, bit 1 = last fragment; other bits zero.
    hdr[at + 5] = (p.isCommand ? 1 : 0) | (p.isLast ? 2 : 0)
    out.push(hdr)
    if (p.data.length > 0) out.push(p.data)
    at = 0
  }
  return out
}

/**
 * Encode a PDU. For P-DATA-TF the result is the PDU header plus each PDV header as small buffers,
 * interleaved with each PDV's `data` (the caller's own views, not copied); for every other PDU it
 * is a single buffer. Write all parts in order (e.g. under `cork()`).
 *
 * @throws DicomError `ERR_INVALID_ARGUMENT` when a field does not fit its encoding (AE title longer
 *   than 16 characters, even presentation context ID, item longer than 65535 bytes, ...).
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part08.html#sect_9.3
 */
export function encodePdu(pdu: Pdu): Uint8Array[] {
  if (pdu.type === PduType.PDataTf) return encodePData(pdu)
  const w = new ByteWriter(pdu.type === PduType.AssociateRq || pdu.type === PduType.AssociateAc ? 512 : 16)
  w.u8(pdu.type).u8(0)
  const at = w.reserve(4)
  switch (pdu.type) {
    case PduType.AssociateRq:
    case PduType.AssociateAc:
      writeAssociate(w, pdu)
      break
    case PduType.AssociateRj:
      // PS3.8 Table 9-21
      w.u8(0).u8(u8Field(pdu.result, 'result')).u8(u8Field(pdu.source, 'source')).u8(u8Field(pdu.reason, 'reason'))
      break
    case PduType.ReleaseRq:
    case PduType.ReleaseRp:
      // PS3.8 Tables 9-24 / 9-25: 4 reserved bytes
      w.zeros(4)
      break
    case PduType.Abort:
      // PS3.8 Table 9-26
      w.u8(0).u8(0).u8(u8Field(pdu.source, 'source')).u8(u8Field(pdu.reason, 'reason'))
      break
    default: {
      const never: never = pdu
      throw invalid(`unknown PDU type ${(never as { type: number }).type}`)
    }
  }
  w.backfill(at, 4)
  return [w.finish()]
}

/** Encode a PDU into one contiguous buffer (copies P-DATA-TF payloads; for tests and small PDUs). */
export function encodePduToBytes(pdu: Pdu): Uint8Array {
  return concatBytes(encodePdu(pdu))
}

/** Total encoded length of a PDU in bytes, header included. */
export function encodedPduLength(pdu: Pdu): number {
  if (pdu.type === PduType.PDataTf) return 6 + pdataHeaderSize(pdu)
  return encodePdu(pdu)[0]!.length
}
