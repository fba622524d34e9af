// fast-check arbitraries for every PDU and item of PS3.8 §9.3 (and the user information
// sub-items of PS3.7 Annex D.3.3). Generated values are valid for encodePdu and survive a
// decode(encode(x)) round trip unchanged (e.g. no blank AE titles, no empty optional arrays).
import fc from 'fast-check'
import {
  PduType,
  type AbortPdu,
  type AssociateAcPdu,
  type AssociateRjPdu,
  type AssociateRqPdu,
  type CommonExtendedNegotiation,
  type ExtendedNegotiation,
  type PDataTfPdu,
  type Pdu,
  type Pdv,
  type PresentationContextAc,
  type PresentationContextRq,
  type PresentationContextResult,
  type ReleaseRpPdu,
  type ReleaseRqPdu,
  type RoleSelection,
  type UserIdentityAc,
  type UserIdentityRq,
  type UserIdentityType,
  type UserInformation,
} from '../../src/pdu/index.js'

const AE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== '\\')

/** AE title: 1..16 printable ASCII characters without backslash and without leading/trailing spaces. */
export const aeTitleArb = fc
  .string({ unit: fc.constantFrom(...AE_CHARS), minLength: 1, maxLength: 16 })
  .filter((s) => s.trim() === s && s.length > 0)

/** A syntactically valid UID (PS3.5 §9.1), at most 64 characters. */
export const uidArb = fc
  .array(fc.oneof(fc.constantFrom(0, 1, 2, 840, 10008), fc.nat({ max: 999_999_999 })), { minLength: 2, maxLength: 10 })
  .map((parts) => parts.join('.'))
  .filter((s) => s.length <= 64)

/** Short printable ASCII text (e.g. implementation version name). */
export const shortTextArb = fc.string({ unit: fc.constantFrom(...AE_CHARS), minLength: 1, maxLength: 16 })

const bytesArb = (max = 64) => fc.uint8Array({ maxLength: max })

export const presentationContextRqArb = (id: number): fc.Arbitrary<PresentationContextRq> =>
  fc.record({ id: fc.constant(id), abstractSyntax: uidArb, transferSyntaxes: fc.array(uidArb, { minLength: 1, maxLength: 4 }) })

/** Presentation contexts with unique odd IDs (PS3.8 §9.3.2.2). */
export const presentationContextsRqArb: fc.Arbitrary<PresentationContextRq[]> = fc
  .uniqueArray(fc.nat({ max: 127 }), { minLength: 1, maxLength: 6 })
  .chain((ns) => fc.tuple(...ns.map((n) => presentationContextRqArb(2 * n + 1))))

export const presentationContextAcArb: fc.Arbitrary<PresentationContextAc> = fc
  .record({ id: fc.nat({ max: 255 }), result: fc.constantFrom<PresentationContextResult>(0, 1, 2, 3, 4), ts: uidArb, withTs: fc.boolean() })
  .map(({ id, result, ts, withTs }) => (result === 0 || withTs ? { id, result, transferSyntax: ts } : { id, result }))

export const roleSelectionArb: fc.Arbitrary<RoleSelection> = fc.record({ sopClassUid: uidArb, scuRole: fc.boolean(), scpRole: fc.boolean() })
export const extendedNegotiationArb: fc.Arbitrary<ExtendedNegotiation> = fc.record({ sopClassUid: uidArb, info: bytesArb(16) })
export const commonExtendedNegotiationArb: fc.Arbitrary<CommonExtendedNegotiation> = fc.record({
  sopClassUid: uidArb,
  serviceClassUid: uidArb,
  relatedGeneralSopClassUids: fc.array(uidArb, { maxLength: 3 }),
})
export const userIdentityRqArb: fc.Arbitrary<UserIdentityRq> = fc.record({
  type: fc.constantFrom<UserIdentityType>(1, 2, 3, 4, 5),
  positiveResponseRequested: fc.boolean(),
  primaryField: bytesArb(),
  secondaryField: bytesArb(),
})
export const userIdentityAcArb: fc.Arbitrary<UserIdentityAc> = fc.record({ serverResponse: bytesArb() })

/** Unknown user information sub-items: any item type the decoder does not interpret. */
export const unknownItemArb = fc.record({
  itemType: fc.nat({ max: 255 }).filter((t) => t < 0x51 || t > 0x59),
  data: bytesArb(16),
})

export const userInformationArb: fc.Arbitrary<UserInformation> = fc.record(
  {
    maxPduLength: fc.oneof(fc.constant(0), fc.constant(16384), fc.nat({ max: 0xffffffff })),
    implementationClassUid: uidArb,
    implementationVersionName: shortTextArb,
    asyncOps: fc.record({ maxOperationsInvoked: fc.nat({ max: 0xffff }), maxOperationsPerformed: fc.nat({ max: 0xffff }) }),
    roleSelections: fc.array(roleSelectionArb, { minLength: 1, maxLength: 3 }),
    extendedNegotiations: fc.array(extendedNegotiationArb, { minLength: 1, maxLength: 2 }),
    commonExtendedNegotiations: fc.array(commonExtendedNegotiationArb, { minLength: 1, maxLength: 2 }),
    userIdentityRq: userIdentityRqArb,
    userIdentityAc: userIdentityAcArb,
    unknownItems: fc.array(unknownItemArb, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
)

export const associateRqArb: fc.Arbitrary<AssociateRqPdu> = fc.record({
  type: fc.constant(PduType.AssociateRq),
  protocolVersion: fc.oneof(fc.constant(1), fc.nat({ max: 0xffff })),
  calledAeTitle: aeTitleArb,
  callingAeTitle: aeTitleArb,
  applicationContext: fc.oneof(fc.constant('1.2.840.10008.3.1.1.1'), uidArb),
  presentationContexts: presentationContextsRqArb,
  userInformation: userInformationArb,
})

export const associateAcArb: fc.Arbitrary<AssociateAcPdu> = fc.record({
  type: fc.constant(PduType.AssociateAc),
  protocolVersion: fc.oneof(fc.constant(1), fc.nat({ max: 0xffff })),
  calledAeTitle: aeTitleArb,
  callingAeTitle: aeTitleArb,
  applicationContext: fc.oneof(fc.constant('1.2.840.10008.3.1.1.1'), uidArb),
  presentationContexts: fc.array(presentationContextAcArb, { maxLength: 6 }),
  userInformation: userInformationArb,
})

const byte = fc.nat({ max: 255 })
export const associateRjArb: fc.Arbitrary<AssociateRjPdu> = fc.record({ type: fc.constant(PduType.AssociateRj), result: byte, source: byte, reason: byte })
export const abortArb: fc.Arbitrary<AbortPdu> = fc.record({ type: fc.constant(PduType.Abort), source: byte, reason: byte })
export const releaseRqArb: fc.Arbitrary<ReleaseRqPdu> = fc.constant({ type: PduType.ReleaseRq })
export const releaseRpArb: fc.Arbitrary<ReleaseRpPdu> = fc.constant({ type: PduType.ReleaseRp })

export const pdvArb: fc.Arbitrary<Pdv> = fc.record({ contextId: byte, isCommand: fc.boolean(), isLast: fc.boolean(), data: bytesArb(200) })
export const pDataTfArb: fc.Arbitrary<PDataTfPdu> = fc.record({ type: fc.constant(PduType.PDataTf), pdvs: fc.array(pdvArb, { minLength: 1, maxLength: 5 }) })

/** Any PDU. */
export const pduArb: fc.Arbitrary<Pdu> = fc.oneof(associateRqArb, associateAcArb, associateRjArb, pDataTfArb, releaseRqArb, releaseRpArb, abortArb)

/** Deep structure of a PDU with byte arrays as plain number arrays, for equality checks. */
export function plainPdu(p: Pdu): unknown {
  return JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: Array.from(v) } : v)))
}
