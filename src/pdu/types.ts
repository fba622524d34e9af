/**
 * The Upper Layer PDUs and items of PS3.8 §9.3, as a discriminated union on `type`.
 * These are plain data: `encodePdu` and `decodePdu` turn them into bytes and back.
 * @module
 */

/** PDU types (PS3.8 §9.3.1). */
export const PduType = {
  /** A-ASSOCIATE-RQ (§9.3.2) */
  AssociateRq: 0x01,
  /** A-ASSOCIATE-AC (§9.3.3) */
  AssociateAc: 0x02,
  /** A-ASSOCIATE-RJ (§9.3.4) */
  AssociateRj: 0x03,
  /** P-DATA-TF (§9.3.5) */
  PDataTf: 0x04,
  /** A-RELEASE-RQ (§9.3.6) */
  ReleaseRq: 0x05,
  /** A-RELEASE-RP (§9.3.7) */
  ReleaseRp: 0x06,
  /** A-ABORT (§9.3.8) */
  Abort: 0x07,
} as const
export type PduType = (typeof PduType)[keyof typeof PduType]

/** Variable item types (PS3.8 §9.3.2, §9.3.3 and Annex D). */
export const ItemType = {
  /** Application Context item (§9.3.2.1) */
  ApplicationContext: 0x10,
  /** Presentation Context item of an RQ (§9.3.2.2) */
  PresentationContextRq: 0x20,
  /** Presentation Context item of an AC (§9.3.3.2) */
  PresentationContextAc: 0x21,
  /** Abstract Syntax sub-item (§9.3.2.2.1) */
  AbstractSyntax: 0x30,
  /** Transfer Syntax sub-item (§9.3.2.2.2) */
  TransferSyntax: 0x40,
  /** User Information item (§9.3.2.3) */
  UserInformation: 0x50,
  /** Maximum Length sub-item (PS3.8 D.1) */
  MaximumLength: 0x51,
  /** Implementation Class UID sub-item (PS3.7 D.3.3.2) */
  ImplementationClassUid: 0x52,
  /** Asynchronous Operations Window sub-item (PS3.7 D.3.3.3) */
  AsynchronousOperationsWindow: 0x53,
  /** SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4) */
  ScpScuRoleSelection: 0x54,
  /** Implementation Version Name sub-item (PS3.7 D.3.3.2) */
  ImplementationVersionName: 0x55,
  /** SOP Class Extended Negotiation sub-item (PS3.7 D.3.3.5) */
  SopClassExtendedNegotiation: 0x56,
  /** SOP Class Common Extended Negotiation sub-item (PS3.7 D.3.3.6) */
  SopClassCommonExtendedNegotiation: 0x57,
  /** User Identity sub-item of an RQ (PS3.7 D.3.3.7.1) */
  UserIdentityRq: 0x58,
  /** User Identity sub-item of an AC (PS3.7 D.3.3.7.2) */
  UserIdentityAc: 0x59,
} as const
export type ItemType = (typeof ItemType)[keyof typeof ItemType]

/** The DICOM Application Context Name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1'

/** Presentation context result/reason in an A-ASSOCIATE-AC (PS3.8 Table 9-18). */
export const PresentationContextResult = {
  /** accepted */
  Acceptance: 0,
  /** user rejection */
  UserRejection: 1,
  /** no reason (provider rejection) */
  NoReason: 2,
  /** abstract syntax not supported (provider rejection) */
  AbstractSyntaxNotSupported: 3,
  /** transfer syntaxes not supported (provider rejection) */
  TransferSyntaxesNotSupported: 4,
} as const
export type PresentationContextResult = (typeof PresentationContextResult)[keyof typeof PresentationContextResult]

/** A-ASSOCIATE-RJ result (PS3.8 Table 9-21). */
export const RejectResult = {
  /** rejected-permanent */
  RejectedPermanent: 1,
  /** rejected-transient */
  RejectedTransient: 2,
} as const
/** A-ASSOCIATE-RJ source (PS3.8 Table 9-21). */
export const RejectSource = {
  /** DICOM UL service-user */
  ServiceUser: 1,
  /** DICOM UL service-provider (ACSE related function) */
  ServiceProviderAcse: 2,
  /** DICOM UL service-provider (presentation related function) */
  ServiceProviderPresentation: 3,
} as const
/** A-ASSOCIATE-RJ reason/diag, per source (PS3.8 Table 9-21). */
export const RejectReason = {
  // source 1: service user
  /** source 1 or 2: no reason given */
  NoReasonGiven: 1,
  /** source 1: application context name not supported */
  ApplicationContextNameNotSupported: 2,
  /** source 1: calling AE title not recognized */
  CallingAeTitleNotRecognized: 3,
  /** source 1: called AE title not recognized */
  CalledAeTitleNotRecognized: 7,
  // source 2: service provider (ACSE) — 1 no reason given, 2 protocol version not supported
  /** source 2: protocol version not supported */
  ProtocolVersionNotSupported: 2,
  // source 3: service provider (presentation)
  /** source 3: temporary congestion */
  TemporaryCongestion: 1,
  /** source 3: local limit exceeded */
  LocalLimitExceeded: 2,
} as const

/** A-ABORT source (PS3.8 Table 9-26). */
export const AbortSource = {
  /** DICOM UL service-user (initiated abort) */
  ServiceUser: 0,
  /** reserved */
  Reserved: 1,
  /** DICOM UL service-provider (initiated abort) */
  ServiceProvider: 2,
} as const

/** Presentation context proposed in an A-ASSOCIATE-RQ (item 0x20). */
export interface PresentationContextRq {
  /** Odd integer 1..255. */
  id: number
  /** Abstract syntax name: the SOP class UID (or meta SOP class) proposed. */
  abstractSyntax: string
  /** Proposed transfer syntax UIDs, in order of preference (at least one). */
  transferSyntaxes: string[]
}

/** Presentation context answered in an A-ASSOCIATE-AC (item 0x21). */
export interface PresentationContextAc {
  /** ID of the proposed context this answers. */
  id: number
  /** Acceptance or the reason for rejection. */
  result: PresentationContextResult
  /** The accepted transfer syntax; present (and meaningful) only when result is Acceptance. */
  transferSyntax?: string
}

/** SCP/SCU Role Selection sub-item (0x54, PS3.7 D.3.3.4). */
export interface RoleSelection {
  /** SOP class the roles apply to. */
  sopClassUid: string
  /** Requestor: proposes to be SCU; acceptor: accepts that it is. */
  scuRole: boolean
  /** Requestor: proposes to be SCP; acceptor: accepts that it is. */
  scpRole: boolean
}

/** SOP Class Extended Negotiation sub-item (0x56, PS3.7 D.3.3.5). */
export interface ExtendedNegotiation {
  /** SOP class the information applies to. */
  sopClassUid: string
  /** Service-class-application-information, as defined by the service class. */
  info: Uint8Array
}

/** SOP Class Common Extended Negotiation sub-item (0x57, PS3.7 D.3.3.6). */
export interface CommonExtendedNegotiation {
  /** SOP class being described. */
  sopClassUid: string
  /** Service class the SOP class belongs to. */
  serviceClassUid: string
  /** Related general SOP classes (may be empty). */
  relatedGeneralSopClassUids: string[]
}

/** User Identity types (PS3.7 D.3.3.7, Table D.3-14). */
export const UserIdentityType = {
  /** username (primary field) */
  Username: 1,
  /** username (primary) and passcode (secondary) */
  UsernameAndPasscode: 2,
  /** Kerberos service ticket */
  Kerberos: 3,
  /** SAML assertion */
  Saml: 4,
  /** JSON Web Token */
  Jwt: 5,
} as const
export type UserIdentityType = (typeof UserIdentityType)[keyof typeof UserIdentityType]

/** User Identity negotiation sub-item in the RQ (0x58). */
export interface UserIdentityRq {
  /** User identity type (Table D.3-14). A decoded value outside 1..5 is passed through as is. */
  type: UserIdentityType
  /** Whether the requestor asks for a User Identity sub-item in the AC. */
  positiveResponseRequested: boolean
  /** Username, Kerberos ticket, SAML assertion or JWT, depending on `type`. */
  primaryField: Uint8Array
  /** Only for type 2 (passcode); empty otherwise. */
  secondaryField: Uint8Array
}

/** User Identity negotiation sub-item in the AC (0x59). */
export interface UserIdentityAc {
  /** Kerberos server ticket, SAML response or JWT; empty for the username types. */
  serverResponse: Uint8Array
}

/** An unknown user information sub-item, kept so that it can be reported (and re-encoded). */
export interface UnknownItem {
  /** Item type byte. */
  itemType: number
  /** Item content after its 4-byte header (a view into the received PDU). */
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
  /**
   * P-DATA-TF only, set by the framer when the body straddled received chunks: the PDV items,
   * already checked and decoded, whose data are views into those chunks. A PDV whose data
   * straddled chunks appears as several consecutive `Pdv`s with the same context and command
   * bit, only the last carrying the PDV's `isLast`. When present, `body` is only a lazily built
   * copy (made on first access) and {@link bodyLength} gives its length without building it.
   */
  readonly pdvs?: Pdv[]
  /** Length of `body`; set together with {@link pdvs}. */
  readonly bodyLength?: number
}
