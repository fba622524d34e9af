import { describe, expect, it } from 'vitest'
import { AbortReason, decodePdu, PduError, PduType, RELEASE_RQ, type Pdu } from '../../../src/pdu/index.js'
import { APP_CTX, MAX_LEN, assocFixed, frame, item, lp, pcAc, pcRq, pdu, pdv, text, u16, u32, zeros } from './builder.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'

function expectPduError(bytes: Uint8Array, reason: AbortReason, itemType?: number): PduError {
  let err: unknown
  try {
    decodePdu(frame(bytes))
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(PduError)
  const pe = err as PduError
  expect(pe.code).toBe('ERR_PDU')
  expect(pe.abortReason).toBe(reason)
  expect(pe.pduType).toBe(bytes[0])
  if (itemType !== undefined) expect(pe.itemType).toBe(itemType)
  return pe
}

function rq(...items: number[][]): Uint8Array {
  return pdu(0x01, assocFixed('B', 'A'), ...items)
}

function decoded(b: Uint8Array): Pdu {
  return decodePdu(frame(b))
}

describe('decodePdu: A-ASSOCIATE-RQ', () => {
  it('decodes a minimal RQ and trims AE title padding (PS3.8 Table 9-11)', () => {
    const b = pdu(0x01, u16(1), [0, 0], text('  STORE SCP     '), text('ME\0\0            ').slice(0, 16), zeros(32), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, MAX_LEN(0)))
    const p = decoded(b)
    expect(p).toMatchObject({ type: PduType.AssociateRq, protocolVersion: 1, calledAeTitle: 'STORE SCP', callingAeTitle: 'ME' })
    if (p.type !== PduType.AssociateRq) throw new Error()
    expect(p.presentationContexts).toEqual([{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }])
    expect(p.userInformation).toEqual({ maxPduLength: 0 })
  })

  it('skips unrecognized items in the variable field and in a presentation context (PS3.8 §9.3.1)', () => {
    const p = decoded(rq(APP_CTX, item(0x33, [1, 2, 3]), item(0x20, [3, 0, 0, 0], item(0x30, text(VERIFICATION)), item(0x3f, []), item(0x40, text(IMPLICIT))), item(0x50, [])))
    expect(p.type === PduType.AssociateRq && p.presentationContexts).toEqual([{ id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }])
  })

  it('keeps unknown user information sub-items', () => {
    const p = decoded(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, MAX_LEN(16384), item(0x60, [9, 8]))))
    if (p.type !== PduType.AssociateRq) throw new Error()
    expect(p.userInformation.maxPduLength).toBe(16384)
    expect(p.userInformation.unknownItems?.map((u) => [u.itemType, Array.from(u.data)])).toEqual([[0x60, [9, 8]]])
  })

  it('strips trailing NUL padding from UIDs', () => {
    const p = decoded(rq(item(0x10, text('1.2.840.10008.3.1.1.1\0')), pcRq(1, `${VERIFICATION}\0`, `${IMPLICIT}\0`), item(0x50, [])))
    expect(p.type === PduType.AssociateRq && [p.applicationContext, p.presentationContexts[0]]).toEqual([
      '1.2.840.10008.3.1.1.1',
      { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
    ])
  })

  it('returns the protocol version as is (an acceptor answers A-ASSOCIATE-RJ, not an abort)', () => {
    const b = pdu(0x01, assocFixed('B', 'A', 2), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, []))
    expect(decoded(b)).toMatchObject({ protocolVersion: 2 })
  })

  it('tolerates a missing User Information item as empty', () => {
    expect(decoded(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT)))).toMatchObject({ userInformation: {} })
  })

  it('decodes role selection, async ops, extended negotiation, user identity', () => {
    const ui = item(
      0x50,
      MAX_LEN(1000),
      item(0x52, text('1.2.3')),
      item(0x53, u16(5), u16(0)),
      item(0x54, lp(text('1.2.840.10008.5.1.4.1.1.2')), [0, 1]),
      item(0x55, text('V1')),
      item(0x56, lp(text('1.2.4')), [1, 0, 1]),
      item(0x57, lp(text('1.2.5')), lp(text('1.2.6')), lp([...lp(text('1.2.7')), ...lp(text('1.2.8'))])),
      item(0x58, [1, 0], lp(text('bob')), lp([])),
    )
    const p = decoded(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), ui))
    if (p.type !== PduType.AssociateRq) throw new Error()
    const u = p.userInformation
    expect(u.maxPduLength).toBe(1000)
    expect(u.implementationClassUid).toBe('1.2.3')
    expect(u.implementationVersionName).toBe('V1')
    expect(u.asyncOps).toEqual({ maxOperationsInvoked: 5, maxOperationsPerformed: 0 })
    expect(u.roleSelections).toEqual([{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }])
    expect(u.extendedNegotiations?.map((e) => [e.sopClassUid, Array.from(e.info)])).toEqual([['1.2.4', [1, 0, 1]]])
    expect(u.commonExtendedNegotiations).toEqual([{ sopClassUid: '1.2.5', serviceClassUid: '1.2.6', relatedGeneralSopClassUids: ['1.2.7', '1.2.8'] }])
    expect(u.userIdentityRq?.type).toBe(1)
    expect(u.userIdentityRq?.positiveResponseRequested).toBe(false)
    expect(new TextDecoder().decode(u.userIdentityRq?.primaryField)).toBe('bob')
    expect(u.userIdentityRq?.secondaryField.length).toBe(0)
  })

  it('refuses a missing application context (reason 6)', () => {
    expectPduError(rq(pcRq(1, VERIFICATION, IMPLICIT), item(0x50, [])), AbortReason.InvalidPduParameterValue, 0x10)
  })
  it('refuses two application context items (reason 5)', () => {
    expectPduError(rq(APP_CTX, APP_CTX, pcRq(1, VERIFICATION, IMPLICIT)), AbortReason.UnexpectedPduParameter, 0x10)
  })
  it('refuses an RQ without presentation context (reason 6)', () => {
    expectPduError(rq(APP_CTX, item(0x50, [])), AbortReason.InvalidPduParameterValue, 0x20)
  })
  it('refuses an AC presentation context item inside an RQ (reason 5)', () => {
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), pcAc(1, 0, IMPLICIT)), AbortReason.UnexpectedPduParameter, 0x21)
  })
  it('refuses even and duplicate presentation context IDs (reason 6)', () => {
    expectPduError(rq(APP_CTX, pcRq(2, VERIFICATION, IMPLICIT)), AbortReason.InvalidPduParameterValue, 0x20)
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), pcRq(1, VERIFICATION, IMPLICIT)), AbortReason.InvalidPduParameterValue, 0x20)
  })
  it('refuses a presentation context without abstract or transfer syntax (reason 6)', () => {
    expectPduError(rq(APP_CTX, item(0x20, [1, 0, 0, 0], item(0x40, text(IMPLICIT)))), AbortReason.InvalidPduParameterValue, 0x20)
    expectPduError(rq(APP_CTX, item(0x20, [1, 0, 0, 0], item(0x30, text(VERIFICATION)))), AbortReason.InvalidPduParameterValue, 0x20)
  })
  it('refuses blank called or calling AE titles in an RQ (PS3.8 Table 9-11, reason 6)', () => {
    expectPduError(pdu(0x01, assocFixed('', 'A'), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT)), AbortReason.InvalidPduParameterValue)
    const e = expectPduError(pdu(0x01, assocFixed('B', ''), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT)), AbortReason.InvalidPduParameterValue)
    expect(e.offset).toBe(26)
  })
  it('refuses a body shorter than the 68-byte fixed part (reason 6)', () => {
    expectPduError(pdu(0x01, assocFixed('B', 'A').slice(0, 60)), AbortReason.InvalidPduParameterValue)
  })
  it('reports an item length overrunning the PDU with its offset (reason 6)', () => {
    const b = rq(APP_CTX, [0x20, 0, ...u16(200), 1, 0, 0, 0])
    const e = expectPduError(b, AbortReason.InvalidPduParameterValue, 0x20)
    expect(e.offset).toBe(6 + 68 + APP_CTX.length)
  })
  it('refuses malformed user information sub-items', () => {
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, item(0x51, u16(5)))), AbortReason.InvalidPduParameterValue, 0x51)
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, MAX_LEN(1), MAX_LEN(2))), AbortReason.UnexpectedPduParameter, 0x51)
    // role selection whose UID length runs past the item
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, item(0x54, u16(50), text('1.2'), [0, 1]))), AbortReason.InvalidPduParameterValue, 0x54)
    expectPduError(rq(APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, []), item(0x50, [])), AbortReason.UnexpectedPduParameter, 0x50)
  })
})

describe('decodePdu: A-ASSOCIATE-AC', () => {
  const ac = (...items: number[][]) => pdu(0x02, assocFixed('', ''), APP_CTX, ...items)
  it('does not test AE titles and drops the insignificant transfer syntax of a rejected context', () => {
    const p = decoded(ac(pcAc(1, 0, IMPLICIT), pcAc(3, 3, ''), item(0x50, MAX_LEN(0))))
    expect(p).toMatchObject({ calledAeTitle: '', callingAeTitle: '' })
    expect(p.type === PduType.AssociateAc && p.presentationContexts).toEqual([
      { id: 1, result: 0, transferSyntax: IMPLICIT },
      { id: 3, result: 3 },
    ])
  })
  it('refuses an accepted context without transfer syntax, and undefined results (reason 6)', () => {
    expectPduError(ac(item(0x21, [1, 0, 0, 0])), AbortReason.InvalidPduParameterValue, 0x21)
    expectPduError(ac(pcAc(1, 5, IMPLICIT)), AbortReason.InvalidPduParameterValue, 0x21)
  })
})

describe('decodePdu: other PDUs', () => {
  it('decodes RJ, release and abort', () => {
    expect(decoded(pdu(0x03, [0, 1, 2, 3]))).toEqual({ type: PduType.AssociateRj, result: 1, source: 2, reason: 3 })
    expect(decoded(pdu(0x05, zeros(4)))).toBe(RELEASE_RQ)
    expect(decoded(pdu(0x06, [9, 9, 9, 9]))).toEqual({ type: PduType.ReleaseRp }) // reserved: not tested
    expect(decoded(pdu(0x07, [0, 0, 2, 6]))).toEqual({ type: PduType.Abort, source: 2, reason: 6 })
  })
  it('refuses fixed-size PDUs of the wrong length (reason 6)', () => {
    expectPduError(pdu(0x03, [0, 1, 2]), AbortReason.InvalidPduParameterValue)
    expectPduError(pdu(0x07, zeros(5)), AbortReason.InvalidPduParameterValue)
  })
  it('refuses unknown PDU types (reason 1)', () => {
    expectPduError(pdu(0x08, zeros(4)), AbortReason.UnrecognizedPdu)
    expectPduError(pdu(0x00, []), AbortReason.UnrecognizedPdu)
  })
  it('decodes P-DATA-TF PDVs as views and ignores message control bits 2-7', () => {
    const b = pdu(0x04, pdv(1, 0x03, [1, 2, 3]), pdv(3, 0xfc, []), pdv(5, 0x02, [7]))
    const f = frame(b)
    const p = decodePdu(f)
    if (p.type !== PduType.PDataTf) throw new Error()
    expect(p.pdvs.map((x) => [x.contextId, x.isCommand, x.isLast, Array.from(x.data)])).toEqual([
      [1, true, true, [1, 2, 3]],
      [3, false, false, []],
      [5, false, true, [7]],
    ])
    expect(p.pdvs[0]!.data.buffer).toBe(b.buffer)
  })
  it('refuses empty P-DATA-TF and bad PDV lengths (reason 6)', () => {
    expectPduError(pdu(0x04, []), AbortReason.InvalidPduParameterValue)
    expectPduError(pdu(0x04, [...u32(1), 1]), AbortReason.InvalidPduParameterValue)
    const e = expectPduError(pdu(0x04, pdv(1, 3, [1]), [...u32(10), 1, 3, 0]), AbortReason.InvalidPduParameterValue)
    expect(e.offset).toBe(6 + 7)
    expectPduError(pdu(0x04, [0, 0, 0]), AbortReason.InvalidPduParameterValue)
  })
})
