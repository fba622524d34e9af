/**
 * Pure association negotiation (PS3.8 §7.1, §9.3.2-9.3.4; PS3.7 Annex D.3.3): building the
 * A-ASSOCIATE-RQ as requestor, deciding A-ASSOCIATE-AC / -RJ as acceptor, and interpreting the
 * A-ASSOCIATE-AC as requestor. No I/O here.
 * @module
 */
import { DicomError, NegotiationError } from '../errors.js'
import {
  DICOM_APPLICATION_CONTEXT,
  PduType,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
  type AssociateAcPdu,
  type AssociateRjPdu,
  type AssociateRqPdu,
  type CommonExtendedNegotiation,
  type ExtendedNegotiation,
  type PresentationContextAc,
  type PresentationContextRq,
  type RoleSelection,
  type UserIdentityRq,
  type UserInformation,
} from '../pdu/types.js'
import { validateAeTitle } from '../pdu/ae-title.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../version.js'

/**
 * Our default Maximum Length Received: 256 KiB (262144). Large enough that the 6+6 bytes of
 * P-DATA-TF/PDV header are negligible and a C-STORE of a typical CT slice (~0.5 MiB) takes two
 * PDUs; small enough that an SCP serving many associations bounds the memory of one PDU.
 * For comparison, DCMTK announces 16 KiB by default (its tools allow 4 KiB-128 KiB). Every
 * conformant peer fragments to whatever we announce (PS3.8 Annex D.1), so the value only trades
 * per-PDU overhead against the memory one PDU may take; 0 (unlimited) removes that bound.
 */
export const DEFAULT_MAX_PDU_LENGTH = 262144

/** Maximum number of presentation contexts in one A-ASSOCIATE-RQ: odd IDs 1..255 (PS3.8 §9.3.2.2). */
export const MAX_PRESENTATION_CONTEXTS = 128

/** A presentation context to propose, as the requestor sees it. */
export interface ProposedContext {
  abstractSyntax: string
  /** Transfer syntaxes to offer, most preferred first (at least one). */
  transferSyntaxes: string[]
  /** Propose SCP/SCU role selection (PS3.7 D.3.3.4): may we act as SCU for this SOP class? */
  scuRole?: boolean
  /** Propose SCP/SCU role selection: may we act as SCP for this SOP class (e.g. C-GET storage)? */
  scpRole?: boolean
}

/**
 * A presentation context accepted by both sides. `scuRole`/`scpRole` are the roles of the
 * *association-requestor* as negotiated (PS3.7 D.3.3.4); the acceptor has the opposite roles.
 */
export interface AcceptedContext {
  id: number
  abstractSyntax: string
  transferSyntax: string
  /** The requestor may act as SCU (send requests) on this context. */
  scuRole: boolean
  /** The requestor may act as SCP (receive requests) on this context. */
  scpRole: boolean
}

/** A proposed context the acceptor did not accept. */
export interface RejectedContext {
  id: number
  abstractSyntax: string
  result: PresentationContextResult
}

/** Asynchronous Operations Window (PS3.7 D.3.3.3); 0 means unlimited. */
export interface AsyncOpsWindow {
  maxOperationsInvoked: number
  maxOperationsPerformed: number
}

/** User identity to send in the A-ASSOCIATE-RQ (PS3.7 D.3.3.7). */
export interface UserIdentityOption {
  type: UserIdentityRq['type']
  /** Username, Kerberos ticket, SAML assertion or JWT (strings are UTF-8 encoded). */
  primaryField: string | Uint8Array
  /** Passcode, only for type 2. */
  secondaryField?: string | Uint8Array
  positiveResponseRequested?: boolean
}

/** Everything needed to build an A-ASSOCIATE-RQ. */
export interface AssociateRqOptions {
  callingAeTitle: string
  calledAeTitle: string
  presentationContexts: ProposedContext[]
  /** Our Maximum Length Received; 0 = unlimited. Default {@link DEFAULT_MAX_PDU_LENGTH}. */
  maxPduLength?: number
  userIdentity?: UserIdentityOption
  asyncOps?: AsyncOpsWindow
  extendedNegotiation?: ExtendedNegotiation[]
  commonExtendedNegotiation?: CommonExtendedNegotiation[]
}

const encoder = new TextEncoder()
const toBytes = (v: string | Uint8Array | undefined): Uint8Array =>
  v === undefined ? new Uint8Array(0) : typeof v === 'string' ? encoder.encode(v) : v

/** Throw ERR_INVALID_ARGUMENT unless `title` is a valid AE title (PS3.5 §6.2, via the PDU layer's check). */
function requireAeTitle(title: string, what: string): void {
  const r = validateAeTitle(title)
  if (!r.ok) throw new DicomError('ERR_INVALID_ARGUMENT', `invalid ${what} ${JSON.stringify(title)}: ${r.reason}`)
}

function validateLength(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new DicomError('ERR_INVALID_ARGUMENT', `invalid ${what}: ${n}`)
}

/**
 * Build the A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2): context IDs are assigned 1, 3, 5, ... in order
 * (§9.3.2.2: odd integers 1-255); one SCP/SCU Role Selection item per SOP class that asks for it;
 * our Implementation Class UID and Version Name always.
 */
export function buildAssociateRq(opts: AssociateRqOptions): AssociateRqPdu {
  requireAeTitle(opts.callingAeTitle, 'calling AE title')
  requireAeTitle(opts.calledAeTitle, 'called AE title')
  const maxPdu = opts.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH
  validateLength(maxPdu, 'maxPduLength')
  if (opts.presentationContexts.length === 0) throw new NegotiationError('at least one presentation context must be proposed')
  if (opts.presentationContexts.length > MAX_PRESENTATION_CONTEXTS)
    throw new NegotiationError(`at most ${MAX_PRESENTATION_CONTEXTS} presentation contexts can be proposed (odd IDs 1..255)`)
  const contexts: PresentationContextRq[] = []
  const roles = new Map<string, RoleSelection>()
  opts.presentationContexts.forEach((pc, i) => {
    if (pc.transferSyntaxes.length === 0) throw new NegotiationError(`context for ${pc.abstractSyntax} offers no transfer syntax`)
    contexts.push({ id: 2 * i + 1, abstractSyntax: pc.abstractSyntax, transferSyntaxes: [...pc.transferSyntaxes] })
    if (pc.scuRole !== undefined || pc.scpRole !== undefined) {
      const role: RoleSelection = { sopClassUid: pc.abstractSyntax, scuRole: pc.scuRole ?? true, scpRole: pc.scpRole ?? false }
      const prev = roles.get(pc.abstractSyntax)
      // PS3.7 D.3.3.4: at most one role selection item per SOP class.
      if (prev && (prev.scuRole !== role.scuRole || prev.scpRole !== role.scpRole))
        throw new NegotiationError(`conflicting role selection for ${pc.abstractSyntax}`)
      roles.set(pc.abstractSyntax, role)
    }
  })
  const ui: UserInformation = {
    maxPduLength: maxPdu,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  }
  if (opts.asyncOps) ui.asyncOps = { ...opts.asyncOps }
  if (roles.size > 0) ui.roleSelections = [...roles.values()]
  if (opts.extendedNegotiation?.length) ui.extendedNegotiations = opts.extendedNegotiation
  if (opts.commonExtendedNegotiation?.length) ui.commonExtendedNegotiations = opts.commonExtendedNegotiation
  if (opts.userIdentity) {
    const u = opts.userIdentity
    ui.userIdentityRq = {
      type: u.type,
      positiveResponseRequested: u.positiveResponseRequested ?? false,
      primaryField: toBytes(u.primaryField),
      secondaryField: toBytes(u.secondaryField),
    }
  }
  return {
    type: PduType.AssociateRq,
    protocolVersion: 1,
    calledAeTitle: opts.calledAeTitle,
    callingAeTitle: opts.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: contexts,
    userInformation: ui,
  }
}

/** What the requestor learns from an A-ASSOCIATE-AC. */
export interface NegotiatedAssociation {
  acceptedContexts: AcceptedContext[]
  rejectedContexts: RejectedContext[]
  /** The peer's Maximum Length Received; 0 = unlimited. */
  peerMaxPduLength: number
  /** Negotiated window; `{1,1}` (the default) when not negotiated. */
  asyncOps: AsyncOpsWindow
  peerImplementationClassUid: string | undefined
  peerImplementationVersionName: string | undefined
  /** Server response of a positive user identity answer (PS3.7 D.3.3.7.2), if any. */
  userIdentityServerResponse: Uint8Array | undefined
  /** Extended negotiation answers of the peer. */
  extendedNegotiation: ExtendedNegotiation[]
}

/** Effective roles of one SOP class given what was proposed and answered (PS3.7 D.3.3.4, Table D.3-11). */
function resolveRoles(proposed: RoleSelection | undefined, answered: RoleSelection | undefined): { scuRole: boolean; scpRole: boolean } {
  // Without a proposal, or without an answer, the default roles apply: requestor SCU, acceptor SCP.
  if (!proposed || !answered) return { scuRole: true, scpRole: false }
  return { scuRole: proposed.scuRole && answered.scuRole, scpRole: proposed.scpRole && answered.scpRole }
}

/** Interpret the A-ASSOCIATE-AC against the RQ we sent (requestor side). */
export function interpretAssociateAc(rq: AssociateRqPdu, ac: AssociateAcPdu): NegotiatedAssociation {
  const byId = new Map(rq.presentationContexts.map((pc) => [pc.id, pc]))
  const proposedRoles = new Map((rq.userInformation.roleSelections ?? []).map((r) => [r.sopClassUid, r]))
  const answeredRoles = new Map((ac.userInformation.roleSelections ?? []).map((r) => [r.sopClassUid, r]))
  const acceptedContexts: AcceptedContext[] = []
  const rejectedContexts: RejectedContext[] = []
  const seen = new Set<number>()
  for (const pc of ac.presentationContexts) {
    const mine = byId.get(pc.id)
    if (!mine || seen.has(pc.id)) continue // not one we proposed: ignore it
    seen.add(pc.id)
    if (pc.result === PresentationContextResult.Acceptance) {
      // PS3.8 §9.3.3.2: the transfer syntax must be one of those proposed.
      if (!pc.transferSyntax || !mine.transferSyntaxes.includes(pc.transferSyntax)) {
        rejectedContexts.push({ id: pc.id, abstractSyntax: mine.abstractSyntax, result: PresentationContextResult.NoReason })
        continue
      }
      const roles = resolveRoles(proposedRoles.get(mine.abstractSyntax), answeredRoles.get(mine.abstractSyntax))
      acceptedContexts.push({ id: pc.id, abstractSyntax: mine.abstractSyntax, transferSyntax: pc.transferSyntax, ...roles })
    } else {
      rejectedContexts.push({ id: pc.id, abstractSyntax: mine.abstractSyntax, result: pc.result })
    }
  }
  for (const pc of rq.presentationContexts)
    if (!seen.has(pc.id)) rejectedContexts.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, result: PresentationContextResult.NoReason })
  const ui = ac.userInformation
  return {
    acceptedContexts,
    rejectedContexts,
    peerMaxPduLength: ui.maxPduLength ?? 0,
    asyncOps: ui.asyncOps ? { ...ui.asyncOps } : { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
    peerImplementationClassUid: ui.implementationClassUid,
    peerImplementationVersionName: ui.implementationVersionName,
    userIdentityServerResponse: ui.userIdentityAc?.serverResponse,
    extendedNegotiation: ui.extendedNegotiations ?? [],
  }
}

// ---------------------------------------------------------------------------------------------
// Acceptor side

/** A SOP class the acceptor supports. */
export interface SupportedContext {
  abstractSyntax: string
  /** Transfer syntaxes we accept, in our order of preference. */
  transferSyntaxes: string[]
  /** Whether the requestor may act as SCU for this SOP class (default true). */
  scuRole?: boolean
  /** Whether the requestor may act as SCP for this SOP class when it asks (default false). */
  scpRole?: boolean
}

/** The outcome of a user identity check (PS3.7 D.3.3.7). */
export type UserIdentityDecision =
  | { accept: true; serverResponse?: Uint8Array }
  | { accept: false }

/** A reject decision: PS3.8 Table 9-21 result/source/reason. */
export interface RejectDecision {
  result: number
  source: number
  reason: number
}

/** How an acceptor answers an A-ASSOCIATE-RQ. Every field is optional except `contexts`. */
export interface AcceptorPolicy {
  /** Our AE title. When set, the called AE title must match it (unless `checkCalledAeTitle` is false). */
  aeTitle?: string
  /** Default true when `aeTitle` is set. */
  checkCalledAeTitle?: boolean
  /** If set, only these calling AE titles are accepted (PS3.8 Table 9-21 reason 3 otherwise). */
  allowedCallingAeTitles?: readonly string[]
  /** Supported SOP classes with transfer syntaxes; or a function answering for one abstract syntax. */
  contexts: readonly SupportedContext[] | ((abstractSyntax: string) => SupportedContext | undefined)
  /** Whose preference order picks the transfer syntax: ours (default) or the order the requestor proposed. */
  transferSyntaxPreference?: 'acceptor' | 'requestor'
  /** Our Maximum Length Received; 0 = unlimited. Default {@link DEFAULT_MAX_PDU_LENGTH}. */
  maxPduLength?: number
  /** The largest window we support; the answer is the minimum of both (0 = unlimited). Default: not negotiated (1/1). */
  asyncOps?: AsyncOpsWindow
  /** User identity hook; without it an identity is accepted and not answered. */
  userIdentity?: (identity: UserIdentityRq, rq: AssociateRqPdu) => UserIdentityDecision | Promise<UserIdentityDecision>
  /** SOP Class Extended Negotiation hook: returns the answer items (only for SOP classes it accepts). */
  extendedNegotiation?: (items: ExtendedNegotiation[], rq: AssociateRqPdu) => ExtendedNegotiation[]
  /** Last word: return a reject decision to refuse an otherwise acceptable association. */
  accept?: (rq: AssociateRqPdu) => RejectDecision | undefined | Promise<RejectDecision | undefined>
}

/** What the acceptor decided. */
export type AcceptorDecision =
  | {
      kind: 'accept'
      ac: AssociateAcPdu
      acceptedContexts: AcceptedContext[]
      rejectedContexts: RejectedContext[]
      asyncOps: AsyncOpsWindow
      peerMaxPduLength: number
    }
  | { kind: 'reject'; rj: AssociateRjPdu }

/** Build an A-ASSOCIATE-RJ PDU. */
export function rejectPdu(result: number, source: number, reason: number): AssociateRjPdu {
  return { type: PduType.AssociateRj, result, source, reason }
}

const minWindow = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b))

/** Pick the transfer syntax for one proposed context, or the reason to refuse it. */
export function chooseTransferSyntax(
  proposed: PresentationContextRq,
  supported: SupportedContext | undefined,
  preference: 'acceptor' | 'requestor' = 'acceptor',
): { result: PresentationContextResult; transferSyntax?: string } {
  if (!supported) return { result: PresentationContextResult.AbstractSyntaxNotSupported }
  const ts =
    preference === 'acceptor'
      ? supported.transferSyntaxes.find((t) => proposed.transferSyntaxes.includes(t))
      : proposed.transferSyntaxes.find((t) => supported.transferSyntaxes.includes(t))
  if (ts === undefined) return { result: PresentationContextResult.TransferSyntaxesNotSupported }
  return { result: PresentationContextResult.Acceptance, transferSyntax: ts }
}

/**
 * Decide the answer to an A-ASSOCIATE-RQ (acceptor side). Rejects per PS3.8 Table 9-21:
 * protocol version (source 2, reason 2), application context (source 1, reason 2), calling AE
 * (source 1, reason 3), called AE (source 1, reason 7), user identity refused (source 1, reason 1,
 * PS3.7 D.3.3.7.3). Otherwise answers every proposed context (PS3.8 Table 9-18).
 */
export async function negotiateAsAcceptor(rq: AssociateRqPdu, policy: AcceptorPolicy): Promise<AcceptorDecision> {
  const permanent = RejectResult.RejectedPermanent
  // PS3.8 §9.3.2: bit 0 of the protocol version must be set.
  if ((rq.protocolVersion & 1) === 0)
    return { kind: 'reject', rj: rejectPdu(permanent, RejectSource.ServiceProviderAcse, RejectReason.ProtocolVersionNotSupported) }
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT)
    return { kind: 'reject', rj: rejectPdu(permanent, RejectSource.ServiceUser, RejectReason.ApplicationContextNameNotSupported) }
  if (policy.allowedCallingAeTitles && !policy.allowedCallingAeTitles.some((t) => t.trim() === rq.callingAeTitle.trim()))
    return { kind: 'reject', rj: rejectPdu(permanent, RejectSource.ServiceUser, RejectReason.CallingAeTitleNotRecognized) }
  const checkCalled = policy.checkCalledAeTitle ?? policy.aeTitle !== undefined
  if (checkCalled && policy.aeTitle !== undefined && policy.aeTitle.trim() !== rq.calledAeTitle.trim())
    return { kind: 'reject', rj: rejectPdu(permanent, RejectSource.ServiceUser, RejectReason.CalledAeTitleNotRecognized) }

  const rui = rq.userInformation
  let identityAnswer: Uint8Array | undefined
  if (rui.userIdentityRq && policy.userIdentity) {
    const d = await policy.userIdentity(rui.userIdentityRq, rq)
    if (!d.accept) return { kind: 'reject', rj: rejectPdu(permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven) }
    // PS3.7 D.3.3.7.2: answer only when a positive response was requested.
    if (rui.userIdentityRq.positiveResponseRequested) identityAnswer = d.serverResponse ?? new Uint8Array(0)
  }
  if (policy.accept) {
    const r = await policy.accept(rq)
    if (r) return { kind: 'reject', rj: rejectPdu(r.result, r.source, r.reason) }
  }

  const lookup =
    typeof policy.contexts === 'function'
      ? policy.contexts
      : ((list: readonly SupportedContext[]) => (as: string) => list.find((c) => c.abstractSyntax === as))(policy.contexts)
  const proposedRoles = new Map((rui.roleSelections ?? []).map((r) => [r.sopClassUid, r]))
  const answeredRoles = new Map<string, RoleSelection>()
  const answers: PresentationContextAc[] = []
  const acceptedContexts: AcceptedContext[] = []
  const rejectedContexts: RejectedContext[] = []
  for (const pc of rq.presentationContexts) {
    const supported = lookup(pc.abstractSyntax)
    const choice = chooseTransferSyntax(pc, supported, policy.transferSyntaxPreference)
    let result = choice.result
    let roles = { scuRole: true, scpRole: false }
    if (result === PresentationContextResult.Acceptance && supported) {
      const proposed = proposedRoles.get(pc.abstractSyntax)
      if (proposed) {
        // PS3.7 D.3.3.4: grant each role only if proposed and allowed; answer with an item.
        const answer: RoleSelection = {
          sopClassUid: pc.abstractSyntax,
          scuRole: proposed.scuRole && (supported.scuRole ?? true),
          scpRole: proposed.scpRole && (supported.scpRole ?? false),
        }
        answeredRoles.set(pc.abstractSyntax, answer)
        roles = { scuRole: answer.scuRole, scpRole: answer.scpRole }
        if (!roles.scuRole && !roles.scpRole) result = PresentationContextResult.UserRejection
      } else if (supported.scuRole === false) {
        result = PresentationContextResult.UserRejection
      }
    }
    if (result === PresentationContextResult.Acceptance && choice.transferSyntax) {
      answers.push({ id: pc.id, result, transferSyntax: choice.transferSyntax })
      acceptedContexts.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: choice.transferSyntax, ...roles })
    } else {
      // PS3.8 §9.3.3.2: the transfer syntax sub-item is present but not significant when not accepted.
      answers.push({ id: pc.id, result, transferSyntax: pc.transferSyntaxes[0] ?? '' })
      rejectedContexts.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, result })
    }
  }

  const ourMax = policy.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH
  const ui: UserInformation = {
    maxPduLength: ourMax,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  }
  let asyncOps: AsyncOpsWindow = { maxOperationsInvoked: 1, maxOperationsPerformed: 1 }
  // PS3.7 D.3.3.3: answer only if proposed; the acceptor's values never exceed the proposal.
  if (rui.asyncOps && policy.asyncOps) {
    asyncOps = {
      maxOperationsInvoked: minWindow(rui.asyncOps.maxOperationsInvoked, policy.asyncOps.maxOperationsInvoked),
      maxOperationsPerformed: minWindow(rui.asyncOps.maxOperationsPerformed, policy.asyncOps.maxOperationsPerformed),
    }
    ui.asyncOps = asyncOps
  }
  if (answeredRoles.size > 0) ui.roleSelections = [...answeredRoles.values()]
  if (rui.extendedNegotiations?.length && policy.extendedNegotiation) {
    const acceptedSops = new Set(acceptedContexts.map((c) => c.abstractSyntax))
    const ext = policy.extendedNegotiation(rui.extendedNegotiations, rq).filter((e) => acceptedSops.has(e.sopClassUid))
    if (ext.length) ui.extendedNegotiations = ext
  }
  if (identityAnswer) ui.userIdentityAc = { serverResponse: identityAnswer }
  const ac: AssociateAcPdu = {
    type: PduType.AssociateAc,
    protocolVersion: 1,
    // PS3.8 §9.3.3: echoed from the RQ.
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: answers,
    userInformation: ui,
  }
  return { kind: 'accept', ac, acceptedContexts, rejectedContexts, asyncOps, peerMaxPduLength: rui.maxPduLength ?? 0 }
}
