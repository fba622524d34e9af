/**
 * The Upper Layer PDUs and items of PS3.8 §9.3, as a discriminated union on `type`.
 * These are plain data: `encodePdu` and `decodePdu` turn them into bytes and back.
 * @module
 */

/** PDU types (PS3.8 §9.3.1). */
export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PDataTf: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const
export type PduType = (typeof PduType)[keyof typeof PduType]

/** Variable item types (PS3.8 §9.3.2, §9.3.3 and Annex D). */
export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaximumLength: 0x51,
  ImplementationClassUid: 0x52,
  AsynchronousOperationsWindow: 0x53,
  ScpScuRoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  SopClassExtendedNegotiation: 0x56,
  SopClassCommonExtendedNegotiation: 0x57,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const
export type ItemType = (typeof ItemType)[keyof typeof ItemType]

/** The DICOM Application Context Name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1'

/** Presentation context result/reason in an A-ASSOCIATE-AC (PS3.8 Table 9-18). */
export const PresentationContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const
export type PresentationContextResult = (typeof PresentationContextResult)[keyof typeof PresentationContextResult]

/** A-ASSOCIATE-RJ result (PS3.8 Table 9-21). */
export const RejectResult = { RejectedPermanent: 1, RejectedTransient: 2 } as const
/** A-ASSOCIATE-RJ source (PS3.8 Table 9-21). */
export const RejectSource = {
  ServiceUser: 1,
  ServiceProviderAcse: 2,
  ServiceProviderPresentation: 3,
} as const
/** A-ASSOCIATE-RJ reason/diag, per source (PS3.8 Table 9-21). */
export const RejectReason = {
  // source 1: service user
  NoReasonGiven: 1,
  ApplicationContextNameNotSupported: 2,
  CallingAeTitleNotRecognized: 3,
  CalledAeTitleNotRecognized: 7,
  // source 2: service provider (ACSE) — 1 no reason given, 2 protocol version not supported
  ProtocolVersionNotSupported: 2,
  // source 3: service provider (presentation)
  TemporaryCongestion: 1,
  LocalLimitExceeded: 2,
} as const

/** A-ABORT source (PS3.8 Table 9-26). */
export const AbortSource = { ServiceUser: 0, Reserved: 1, ServiceProvider: 2 } as const

/** Presentation context proposed in an A-ASSOCIATE-RQ (item 0x20). */
export interface PresentationContextRq {
  /** Odd integer 1..255. */
  id: number
  abstractSyntax: string
  transferSyntaxes: string[]
}

/** Presentation context answered in an A-ASSOCIATE-AC (item 0x21). */
export interface PresentationContextAc {
  id: number
  result: PresentationContextResult
  /** The accepted transfer syntax; present (and meaningful) only when result is Acceptance. */
  transferSyntax?: string
}

/** SCP/SCU Role Selection sub-item (0x54, PS3.7 D.3.3.4). */
export interface RoleSelection {
  sopClassUid: string
  scuRole: boolean
  scpRole: boolean
}

/** SOP Class Extended Negotiation sub-item (0x56, PS3.7 D.3.3.5). */
export interface ExtendedNegotiation {
  sopClassUid: string
  info: Uint8Array
}

/** SOP Class Common Extended Negotiation sub-item (0x57, PS3.7 D.3.3.6). */
export interface CommonExtendedNegotiation {
  sopClassUid: string
  serviceClassUid: string
  relatedGeneralSopClassUids: string[]
}

/** User Identity types (PS3.7 D.3.3.7, Table D.3-14). */
export const UserIdentityType = {
  Username: 1,
  UsernameAndPasscode: 2,
  Kerberos: 3,
  Saml: 4,
  Jwt: 5,
} as const
export type UserIdentityType = (typeof UserIdentityType)[keyof typeof UserIdentityType]

/** User Identity negotiation sub-item in the RQ (0x58). */
export interface UserIdentityRq {
  type: UserIdentityType
  positiveResponseRequested: boolean
  primaryField: Uint8Array
  /** Only for type 2 (passcode); empty otherwise. */
  secondaryField: Uint8Array
}

/** User Identity negotiation sub-item in the AC (0x59). */
export interface UserIdentityAc {
  serverResponse: Uint8Array
}

/** An unknown user information sub-item, kept so that it can be reported (and re-encoded). */
export interface UnknownItem {
  itemType: number
  data: Uint8Array
}

/** User Information item (0x50) and its sub-items. */
export interface UserInformation {
  /** Maximum Length Received (0x51); 0 means no limit. */
  maxPduLength?: number
  implementationClassUid?: string
  implementationVersionName?: string
  /** Asynchronous Operations Window (0x53). */
  asyncOps?: { maxOperationsInvoked: number; maxOperationsPerformed: number }
  roleSelections?: RoleSelection[]
  extendedNegotiations?: ExtendedNegotiation[]
  commonExtendedNegotiations?: CommonExtendedNegotiation[]
  /** Only in an A-ASSOCIATE-RQ. */
  userIdentityRq?: UserIdentityRq
  /** Only in an A-ASSOCIATE-AC. */
  userIdentityAc?: UserIdentityAc
  unknownItems?: UnknownItem[]
}

/** A-ASSOCIATE-RQ (PS3.8 §9.3.2). AE titles are given without their space padding. */
export interface AssociateRqPdu {
  type: typeof PduType.AssociateRq
  protocolVersion: number
  calledAeTitle: string
  callingAeTitle: string
  applicationContext: string
  presentationContexts: PresentationContextRq[]
  userInformation: UserInformation
}

/** A-ASSOCIATE-AC (PS3.8 §9.3.3). AE title fields are echoed back from the RQ (not tested on receipt). */
export interface AssociateAcPdu {
  type: typeof PduType.AssociateAc
  protocolVersion: number
  calledAeTitle: string
  callingAeTitle: string
  applicationContext: string
  presentationContexts: PresentationContextAc[]
  userInformation: UserInformation
}

/** A-ASSOCIATE-RJ (PS3.8 §9.3.4). */
export interface AssociateRjPdu {
  type: typeof PduType.AssociateRj
  result: number
  source: number
  reason: number
}

/** One Presentation Data Value item inside a P-DATA-TF (PS3.8 §9.3.5.1, Annex E.2). */
export interface Pdv {
  contextId: number
  /** Message control header bit 0: command (true) or dataset (false) fragment. */
  isCommand: boolean
  /** Message control header bit 1: last fragment of the command or dataset. */
  isLast: boolean
  data: Uint8Array
}

/** P-DATA-TF (PS3.8 §9.3.5). */
export interface PDataTfPdu {
  type: typeof PduType.PDataTf
  pdvs: Pdv[]
}

/** A-RELEASE-RQ (PS3.8 §9.3.6). */
export interface ReleaseRqPdu {
  type: typeof PduType.ReleaseRq
}

/** A-RELEASE-RP (PS3.8 §9.3.7). */
export interface ReleaseRpPdu {
  type: typeof PduType.ReleaseRp
}

/** A-ABORT (PS3.8 §9.3.8). */
export interface AbortPdu {
  type: typeof PduType.Abort
  source: number
  reason: number
}

export type Pdu = AssociateRqPdu | AssociateAcPdu | AssociateRjPdu | PDataTfPdu | ReleaseRqPdu | ReleaseRpPdu | AbortPdu

/** Body-less PDUs are shared constants. */
export const RELEASE_RQ: ReleaseRqPdu = Object.freeze({ type: PduType.ReleaseRq })
export const RELEASE_RP: ReleaseRpPdu = Object.freeze({ type: PduType.ReleaseRp })

/** A complete PDU as cut from the byte stream by the framer: a view, not a copy. */
export interface PduFrame {
  type: number
  /** The PDU body (after the 6-byte header). */
  body: Uint8Array
}
