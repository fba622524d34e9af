/**
 * Names and one-line summaries of PDUs for logs and diagnostics.
 * @module
 */
import { encodedPduLength } from './encode.js'
import { PduType, type Pdu, type UserInformation } from './types.js'

const NAMES: Record<number, string> = {
  [PduType.AssociateRq]: 'A-ASSOCIATE-RQ',
  [PduType.AssociateAc]: 'A-ASSOCIATE-AC',
  [PduType.AssociateRj]: 'A-ASSOCIATE-RJ',
  [PduType.PDataTf]: 'P-DATA-TF',
  [PduType.ReleaseRq]: 'A-RELEASE-RQ',
  [PduType.ReleaseRp]: 'A-RELEASE-RP',
  [PduType.Abort]: 'A-ABORT',
}

/** The standard's name of a PDU type (PS3.8 §9.3), e.g. `'P-DATA-TF'`; `'UNKNOWN(0x0A)'` otherwise. */
export function pduTypeName(type: number): string {
  return NAMES[type] ?? `UNKNOWN(0x${type.toString(16).toUpperCase().padStart(2, '0')})`
}

function userInfoSummary(ui: UserInformation): string {
  const parts: string[] = []
  if (ui.maxPduLength !== undefined) parts.push(`maxPdu=${ui.maxPduLength}`)
  if (ui.implementationClassUid !== undefined) parts.push(`impl=${ui.implementationClassUid}`)
  if (ui.implementationVersionName !== undefined) parts.push(`version=${JSON.stringify(ui.implementationVersionName)}`)
  if (ui.asyncOps) parts.push(`async=${ui.asyncOps.maxOperationsInvoked}/${ui.asyncOps.maxOperationsPerformed}`)
  if (ui.roleSelections?.length) parts.push(`roles=${ui.roleSelections.length}`)
  if (ui.extendedNegotiations?.length) parts.push(`extNeg=${ui.extendedNegotiations.length}`)
  if (ui.commonExtendedNegotiations?.length) parts.push(`commonExtNeg=${ui.commonExtendedNegotiations.length}`)
  if (ui.userIdentityRq) parts.push(`userIdentity=type${ui.userIdentityRq.type}`)
  if (ui.userIdentityAc) parts.push('userIdentityAc')
  if (ui.unknownItems?.length) parts.push(`unknownItems=${ui.unknownItems.length}`)
  return parts.join(' ')
}

/**
 * One line describing a PDU for logs: name, encoded length, and the essentials (AE titles and
 * presentation contexts for A-ASSOCIATE, PDVs for P-DATA-TF, result/source/reason otherwise).
 * Never includes payload bytes or user identity secrets.
 */
export function summarizePdu(pdu: Pdu): string {
  let length: string
  try {
    length = String(encodedPduLength(pdu))
  } catch {
    length = '?'
  }
  const head = `${pduTypeName(pdu.type)} len=${length}`
  switch (pdu.type) {
    case PduType.AssociateRq:
      return `${head} called=${JSON.stringify(pdu.calledAeTitle)} calling=${JSON.stringify(pdu.callingAeTitle)} contexts=[${pdu.presentationContexts
        .map((c) => `${c.id}:${c.abstractSyntax}(${c.transferSyntaxes.length} ts)`)
        .join(', ')}] ${userInfoSummary(pdu.userInformation)}`.trimEnd()
    case PduType.AssociateAc:
      return `${head} called=${JSON.stringify(pdu.calledAeTitle)} calling=${JSON.stringify(pdu.callingAeTitle)} contexts=[${pdu.presentationContexts
        .map((c) => `${c.id}:${c.result === 0 ? `accepted ${c.transferSyntax ?? ''}` : `result ${c.result}`}`)
        .join(', ')}] ${userInfoSummary(pdu.userInformation)}`.trimEnd()
    case PduType.AssociateRj:
      return `${head} result=${pdu.result} source=${pdu.source} reason=${pdu.reason}`
    case PduType.PDataTf:
      return `${head} pdvs=[${pdu.pdvs
        .map((p) => `ctx ${p.contextId} ${p.isCommand ? 'cmd' : 'data'}${p.isLast ? ' last' : ''} ${p.data.length}B`)
        .join(', ')}]`
    case PduType.Abort:
      return `${head} source=${pdu.source} reason=${pdu.reason}`
    default:
      return head
  }
}
