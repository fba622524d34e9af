/**
 * Pure negotiation rules: PS3.8 §9.3.2-9.3.4 (context IDs, RJ result/source/reason, Table 9-21),
 * PS3.7 D.3.3.3 (asynchronous operations window), D.3.3.4 (SCP/SCU role selection),
 * D.3.3.7 (user identity). Expected values are written from those sections.
 */
import { describe, expect, test } from 'vitest'
import {
  buildAssociateRq,
  chooseTransferSyntax,
  interpretAssociateAc,
  negotiateAsAcceptor,
  type AcceptorPolicy,
} from '../../../src/association/negotiation.js'
import { PduType, type AssociateAcPdu, type AssociateRqPdu } from '../../../src/pdu/types.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../../src/version.js'

const A = '1.2.840.10008.1.1'
const B = '1.2.840.10008.5.1.4.1.1.2'
const IVR = '1.2.840.10008.1.2'
const EVR = '1.2.840.10008.1.2.1'
const DEF = '1.2.840.10008.1.2.1.99'

function rq(over: Partial<AssociateRqPdu> = {}, ui: Partial<AssociateRqPdu['userInformation']> = {}): AssociateRqPdu {
  return {
    type: PduType.AssociateRq,
    protocolVersion: 1,
    calledAeTitle: 'SCP',
    callingAeTitle: 'SCU',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: A, transferSyntaxes: [EVR, IVR] }],
    ...over,
    userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3', ...ui },
  }
}
const policy: AcceptorPolicy = { aeTitle: 'SCP', contexts: [{ abstractSyntax: A, transferSyntaxes: [IVR, EVR] }, { abstractSyntax: B, transferSyntaxes: [EVR], scpRole: true }] }

describe('buildAssociateRq', () => {
  test('odd context IDs in order, our implementation identity, role items once per SOP class', () => {
    const pdu = buildAssociateRq({
      callingAeTitle: 'ME',
      calledAeTitle: 'YOU',
      presentationContexts: [
        { abstractSyntax: A, transferSyntaxes: [IVR] },
        { abstractSyntax: B, transferSyntaxes: [EVR], scuRole: false, scpRole: true },
        { abstractSyntax: B, transferSyntaxes: [IVR], scuRole: false, scpRole: true },
      ],
      maxPduLength: 0,
    })
    expect(pdu.presentationContexts.map((c) => c.id)).toEqual([1, 3, 5])
    expect(pdu.userInformation).toMatchObject({
      maxPduLength: 0,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      roleSelections: [{ sopClassUid: B, scuRole: false, scpRole: true }],
    })
    expect(pdu.protocolVersion).toBe(1)
    expect(pdu.applicationContext).toBe('1.2.840.10008.3.1.1.1')
  })
  test('limits: 128 contexts at most (IDs 1..255), bad AE titles, conflicting roles', () => {
    const ctx = { abstractSyntax: A, transferSyntaxes: [IVR] }
    expect(buildAssociateRq({ callingAeTitle: 'A', calledAeTitle: 'B', presentationContexts: Array(128).fill(ctx) }).presentationContexts.at(-1)!.id).toBe(255)
    expect(() => buildAssociateRq({ callingAeTitle: 'A', calledAeTitle: 'B', presentationContexts: Array(129).fill(ctx) })).toThrow(/128/)
    expect(() => buildAssociateRq({ callingAeTitle: 'THIS-IS-SEVENTEEN', calledAeTitle: 'B', presentationContexts: [ctx] })).toThrow(/calling AE/)
    expect(() => buildAssociateRq({ callingAeTitle: 'A', calledAeTitle: '  ', presentationContexts: [ctx] })).toThrow(/called AE/)
    expect(() =>
      buildAssociateRq({
        callingAeTitle: 'A',
        calledAeTitle: 'B',
        presentationContexts: [
          { ...ctx, scuRole: true, scpRole: false },
          { ...ctx, scuRole: true, scpRole: true },
        ],
      }),
    ).toThrow(/conflicting/)
  })
})

describe('chooseTransferSyntax', () => {
  const pc = { id: 1, abstractSyntax: A, transferSyntaxes: [EVR, IVR] }
  test('acceptor preference (default) vs requestor preference', () => {
    expect(chooseTransferSyntax(pc, { abstractSyntax: A, transferSyntaxes: [IVR, EVR] })).toEqual({ result: 0, transferSyntax: IVR })
    expect(chooseTransferSyntax(pc, { abstractSyntax: A, transferSyntaxes: [IVR, EVR] }, 'requestor')).toEqual({ result: 0, transferSyntax: EVR })
  })
  test('abstract syntax not supported (3), transfer syntaxes not supported (4)', () => {
    expect(chooseTransferSyntax(pc, undefined).result).toBe(3)
    expect(chooseTransferSyntax(pc, { abstractSyntax: A, transferSyntaxes: [DEF] }).result).toBe(4)
  })
})

describe('negotiateAsAcceptor: A-ASSOCIATE-RJ per PS3.8 Table 9-21', () => {
  test.each([
    ['protocol version bit 0 clear → source 2 (ACSE), reason 2', rq({ protocolVersion: 2 }), policy, [1, 2, 2]],
    ['unknown application context → source 1, reason 2', rq({ applicationContext: '1.2.3' }), policy, [1, 1, 2]],
    ['calling AE not in allow-list → source 1, reason 3', rq(), { ...policy, allowedCallingAeTitles: ['X'] }, [1, 1, 3]],
    ['called AE mismatch → source 1, reason 7', rq({ calledAeTitle: 'OTHER' }), policy, [1, 1, 7]],
  ] as const)('%s', async (_n, pdu, pol, [result, source, reason]) => {
    const d = await negotiateAsAcceptor(pdu, pol)
    expect(d.kind).toBe('reject')
    if (d.kind === 'reject') expect(d.rj).toEqual({ type: PduType.AssociateRj, result, source, reason })
  })
  test('called AE check can be switched off; AE titles compare without padding', async () => {
    expect((await negotiateAsAcceptor(rq({ calledAeTitle: 'OTHER' }), { ...policy, checkCalledAeTitle: false })).kind).toBe('accept')
    expect((await negotiateAsAcceptor(rq({ calledAeTitle: 'SCP   ' }), policy)).kind).toBe('accept')
  })
  test('user identity: refused → RJ (1,1,1); accepted → server response only if requested', async () => {
    const id = { type: 2 as const, positiveResponseRequested: true, primaryField: new Uint8Array([0x61]), secondaryField: new Uint8Array([0x62]) }
    const refuse = await negotiateAsAcceptor(rq({}, { userIdentityRq: id }), { ...policy, userIdentity: () => ({ accept: false }) })
    expect(refuse.kind === 'reject' && [refuse.rj.result, refuse.rj.source, refuse.rj.reason]).toEqual([1, 1, 1])
    const ok = await negotiateAsAcceptor(rq({}, { userIdentityRq: id }), { ...policy, userIdentity: async () => ({ accept: true, serverResponse: new Uint8Array([7]) }) })
    expect(ok.kind === 'accept' && ok.ac.userInformation.userIdentityAc).toEqual({ serverResponse: new Uint8Array([7]) })
    const silent = await negotiateAsAcceptor(rq({}, { userIdentityRq: { ...id, positiveResponseRequested: false } }), {
      ...policy,
      userIdentity: () => ({ accept: true, serverResponse: new Uint8Array([7]) }),
    })
    expect(silent.kind === 'accept' && silent.ac.userInformation.userIdentityAc).toBeUndefined()
  })
})

describe('negotiateAsAcceptor: A-ASSOCIATE-AC', () => {
  test('per-context results, our identity, our max length, AE titles echoed', async () => {
    const d = await negotiateAsAcceptor(
      rq({
        presentationContexts: [
          { id: 1, abstractSyntax: A, transferSyntaxes: [EVR, IVR] },
          { id: 3, abstractSyntax: '9.9', transferSyntaxes: [IVR] },
          { id: 5, abstractSyntax: B, transferSyntaxes: [IVR] },
        ],
      }),
      { ...policy, maxPduLength: 32768 },
    )
    if (d.kind !== 'accept') throw new Error('expected accept')
    expect(d.ac.presentationContexts.map((c) => [c.id, c.result])).toEqual([
      [1, 0],
      [3, 3],
      [5, 4],
    ])
    expect(d.ac.presentationContexts[0]!.transferSyntax).toBe(IVR)
    expect(d.ac.userInformation).toMatchObject({ maxPduLength: 32768, implementationClassUid: IMPLEMENTATION_CLASS_UID, implementationVersionName: IMPLEMENTATION_VERSION_NAME })
    expect([d.ac.calledAeTitle, d.ac.callingAeTitle]).toEqual(['SCP', 'SCU'])
    expect(d.peerMaxPduLength).toBe(16384)
  })

  test('role selection (PS3.7 D.3.3.4): granted only if proposed and allowed; answered per SOP class', async () => {
    const pcs = [{ id: 1, abstractSyntax: B, transferSyntaxes: [EVR] }, { id: 3, abstractSyntax: A, transferSyntaxes: [IVR] }]
    const d = await negotiateAsAcceptor(
      rq({ presentationContexts: pcs }, { roleSelections: [{ sopClassUid: B, scuRole: true, scpRole: true }, { sopClassUid: A, scuRole: true, scpRole: true }] }),
      policy,
    )
    if (d.kind !== 'accept') throw new Error('expected accept')
    expect(d.ac.userInformation.roleSelections).toEqual([
      { sopClassUid: B, scuRole: true, scpRole: true },
      { sopClassUid: A, scuRole: true, scpRole: false },
    ])
    expect(d.acceptedContexts.map((c) => [c.abstractSyntax, c.scuRole, c.scpRole])).toEqual([
      [B, true, true],
      [A, true, false],
    ])
    // SCP role only asked but not allowed → neither role → the context is refused (user rejection)
    const none = await negotiateAsAcceptor(rq({ presentationContexts: [pcs[1]!] }, { roleSelections: [{ sopClassUid: A, scuRole: false, scpRole: true }] }), policy)
    expect(none.kind === 'accept' && none.ac.presentationContexts[0]!.result).toBe(1)
  })

  test('async operations window (PS3.7 D.3.3.3): answered only when proposed, minimum of both, 0 = unlimited', async () => {
    const pol = { ...policy, asyncOps: { maxOperationsInvoked: 4, maxOperationsPerformed: 0 } }
    const d = await negotiateAsAcceptor(rq({}, { asyncOps: { maxOperationsInvoked: 0, maxOperationsPerformed: 8 } }), pol)
    expect(d.kind === 'accept' && d.ac.userInformation.asyncOps).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 8 })
    const none = await negotiateAsAcceptor(rq(), pol)
    expect(none.kind === 'accept' && none.ac.userInformation.asyncOps).toBeUndefined()
    expect(none.kind === 'accept' && none.asyncOps).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 })
  })

  test('extended negotiation hook answers only for accepted SOP classes', async () => {
    const ext = [{ sopClassUid: A, info: new Uint8Array([1]) }, { sopClassUid: '9.9', info: new Uint8Array([1]) }]
    const d = await negotiateAsAcceptor(rq({}, { extendedNegotiations: ext }), { ...policy, extendedNegotiation: (items) => items })
    expect(d.kind === 'accept' && d.ac.userInformation.extendedNegotiations).toEqual([ext[0]])
  })
})

describe('interpretAssociateAc (requestor side)', () => {
  const sent = buildAssociateRq({
    callingAeTitle: 'ME',
    calledAeTitle: 'YOU',
    presentationContexts: [
      { abstractSyntax: A, transferSyntaxes: [IVR] },
      { abstractSyntax: B, transferSyntaxes: [EVR], scuRole: true, scpRole: true },
      { abstractSyntax: B, transferSyntaxes: [IVR] },
    ],
  })
  const ac = (pcs: AssociateAcPdu['presentationContexts'], ui: AssociateAcPdu['userInformation'] = {}): AssociateAcPdu => ({
    type: PduType.AssociateAc,
    protocolVersion: 1,
    calledAeTitle: 'YOU',
    callingAeTitle: 'ME',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: pcs,
    userInformation: ui,
  })
  test('roles: no answer item → default roles (SCU only); answered item → AND of both', () => {
    const withAnswer = interpretAssociateAc(sent, ac([{ id: 3, result: 0, transferSyntax: EVR }], { roleSelections: [{ sopClassUid: B, scuRole: false, scpRole: true }] }))
    expect(withAnswer.acceptedContexts[0]).toMatchObject({ scuRole: false, scpRole: true })
    const noAnswer = interpretAssociateAc(sent, ac([{ id: 3, result: 0, transferSyntax: EVR }]))
    expect(noAnswer.acceptedContexts[0]).toMatchObject({ scuRole: true, scpRole: false })
  })
  test('a transfer syntax we did not propose, or a missing answer, counts as not accepted', () => {
    const n = interpretAssociateAc(sent, ac([{ id: 1, result: 0, transferSyntax: EVR }, { id: 3, result: 4 }], { maxPduLength: 4096 }))
    expect(n.acceptedContexts).toEqual([])
    expect(n.rejectedContexts.map((c) => [c.id, c.result])).toEqual([
      [1, 2],
      [3, 4],
      [5, 2],
    ])
    expect(n.peerMaxPduLength).toBe(4096)
    expect(n.asyncOps).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 })
  })
})
