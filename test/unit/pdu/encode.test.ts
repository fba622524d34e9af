import { describe, expect, it } from 'vitest'
import { DicomError } from '../../../src/errors.js'
import { encodePdu, encodePduToBytes, encodedPduLength, PduType, RELEASE_RP, type AssociateRqPdu, type Pdu } from '../../../src/pdu/index.js'
import { APP_CTX, MAX_LEN, assocFixed, item, lp, pcAc, pcRq, pdu, pdv, text, u16 } from './builder.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'

const baseRq: AssociateRqPdu = {
  type: PduType.AssociateRq,
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'ECHOSCU',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
  userInformation: { maxPduLength: 16384 },
}

function invalidArg(pdu: Pdu): void {
  let err: unknown
  try {
    encodePdu(pdu)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(DicomError)
  expect((err as DicomError).code).toBe('ERR_INVALID_ARGUMENT')
}

describe('encodePdu', () => {
  it('encodes an A-ASSOCIATE-RQ as the builder lays it out (PS3.8 Table 9-11)', () => {
    const expected = pdu(0x01, assocFixed('ANY-SCP', 'ECHOSCU'), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), item(0x50, MAX_LEN(16384)))
    expect(hex(encodePduToBytes(baseRq))).toBe(hex(expected))
    expect(encodedPduLength(baseRq)).toBe(expected.length)
  })

  it('writes user information sub-items in increasing type order', () => {
    const p: AssociateRqPdu = {
      ...baseRq,
      userInformation: {
        implementationVersionName: 'V',
        roleSelections: [{ sopClassUid: '1.2', scuRole: true, scpRole: false }],
        maxPduLength: 0,
        unknownItems: [{ itemType: 0x70, data: Uint8Array.of(1) }],
        asyncOps: { maxOperationsInvoked: 1, maxOperationsPerformed: 2 },
        implementationClassUid: '1.3',
        userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: Uint8Array.of(0x61), secondaryField: Uint8Array.of(0x62) },
      },
    }
    const ui = item(
      0x50,
      MAX_LEN(0),
      item(0x52, text('1.3')),
      item(0x53, u16(1), u16(2)),
      item(0x54, lp(text('1.2')), [1, 0]),
      item(0x55, text('V')),
      item(0x58, [2, 1], lp([0x61]), lp([0x62])),
      item(0x70, [1]),
    )
    expect(hex(encodePduToBytes(p))).toBe(hex(pdu(0x01, assocFixed('ANY-SCP', 'ECHOSCU'), APP_CTX, pcRq(1, VERIFICATION, IMPLICIT), ui)))
  })

  it('writes an empty transfer syntax sub-item for a context rejected without one (Table 9-18)', () => {
    const bytes = encodePduToBytes({
      type: PduType.AssociateAc,
      protocolVersion: 1,
      calledAeTitle: 'ANY-SCP',
      callingAeTitle: 'ECHOSCU',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: IMPLICIT },
        { id: 3, result: 3 },
      ],
      userInformation: {},
    })
    expect(hex(bytes)).toBe(hex(pdu(0x02, assocFixed('ANY-SCP', 'ECHOSCU'), APP_CTX, pcAc(1, 0, IMPLICIT), pcAc(3, 3, ''), item(0x50, []))))
  })

  it('encodes RJ, release and abort (Tables 9-21, 9-24..9-26)', () => {
    expect(hex(encodePduToBytes({ type: PduType.AssociateRj, result: 1, source: 3, reason: 2 }))).toBe('03000000000400010302')
    expect(hex(encodePduToBytes({ type: PduType.ReleaseRq }))).toBe('05000000000400000000')
    expect(hex(encodePduToBytes(RELEASE_RP))).toBe('06000000000400000000')
    expect(hex(encodePduToBytes({ type: PduType.Abort, source: 2, reason: 6 }))).toBe('07000000000400000206')
  })

  it('returns P-DATA-TF as small headers plus the caller data views, uncopied', () => {
    const d0 = Uint8Array.of(1, 2, 3)
    const d1 = new Uint8Array(1000).subarray(10, 20)
    const parts = encodePdu({
      type: PduType.PDataTf,
      pdvs: [
        { contextId: 1, isCommand: true, isLast: true, data: d0 },
        { contextId: 3, isCommand: false, isLast: false, data: new Uint8Array(0) },
        { contextId: 3, isCommand: false, isLast: true, data: d1 },
      ],
    })
    expect(parts.map((p) => p.length)).toEqual([12, 3, 6, 6, 10])
    expect(parts[1]).toBe(d0)
    expect(parts[4]).toBe(d1)
    const all = Buffer.concat(parts)
    expect(all.toString('hex')).toBe(hex(pdu(0x04, pdv(1, 3, [1, 2, 3]), pdv(3, 0, []), pdv(3, 2, new Array(10).fill(0)))))
  })

  it('refuses values that do not fit their encoding', () => {
    invalidArg({ ...baseRq, calledAeTitle: 'A'.repeat(17) })
    invalidArg({ ...baseRq, callingAeTitle: '   ' })
    invalidArg({ ...baseRq, callingAeTitle: 'A\\B' })
    invalidArg({ ...baseRq, presentationContexts: [] })
    invalidArg({ ...baseRq, presentationContexts: [{ id: 2, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] })
    invalidArg({ ...baseRq, presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [] }] })
    invalidArg({ ...baseRq, presentationContexts: [{ id: 1, abstractSyntax: '1.2\u0100', transferSyntaxes: [IMPLICIT] }] })
    invalidArg({ ...baseRq, userInformation: { implementationClassUid: '1'.repeat(70000) } })
    invalidArg({ ...baseRq, userInformation: { maxPduLength: -1 } })
    invalidArg({ type: PduType.PDataTf, pdvs: [] })
    invalidArg({ type: PduType.Abort, source: 256, reason: 0 })
  })
})
