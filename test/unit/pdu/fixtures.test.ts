// Decoding and encoding against PDUs captured from DCMTK 3.6.7 (see test/fixtures/pdu/*.hex and
// capture.mjs there). The expected objects are written by hand from the tools' arguments and the
// PS3.8 §9.3 layouts, not produced by our decoder.
import { describe, expect, test } from 'vitest'
import { decodePdu, encodePduToBytes, PduType, type Pdu } from '../../../src/pdu/index.js'
import { loadHex, toHex } from '../../fixtures/pdu/load.js'

const ascii = (s: string) => new TextEncoder().encode(s)
const DCMTK_IMPL = {
  maxPduLength: 16384,
  implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
  implementationVersionName: 'OFFIS_DCMTK_367',
}

function frameOf(bytes: Uint8Array) {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2)
  expect(len).toBe(bytes.length - 6)
  return { type: bytes[0]!, body: bytes.subarray(6) }
}

/** Normalizes Uint8Array to plain arrays so deep equality compares contents. */
function plain(p: Pdu): unknown {
  return JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: Array.from(v) } : v)))
}


/**
 * DCMTK writes 0xFF in the third reserved byte of every presentation context item of an
 * A-ASSOCIATE-RQ (PS3.8 Table 9-13: reserved, "shall be sent with a value 00H but not tested");
 * we write 0x00. This returns a copy with that byte set to 0 (checking it was 0xFF), so the rest
 * of the encoding can be compared byte for byte.
 */
function normalizeDcmtkReserved(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes)
  if (out[0] !== PduType.AssociateRq) return out
  let i = 74
  while (i < out.length) {
    const len = (out[i + 2]! << 8) | out[i + 3]!
    if (out[i] === 0x20) {
      expect(out[i + 6]).toBe(0xff)
      out[i + 6] = 0
    }
    i += 4 + len
  }
  return out
}

const cases: Array<{ file: string; expected: Pdu }> = [
  {
    file: 'echoscu-associate-rq.hex',
    expected: {
      type: PduType.AssociateRq,
      protocolVersion: 1,
      calledAeTitle: 'B',
      callingAeTitle: 'A',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      userInformation: DCMTK_IMPL,
    },
  },
  {
    file: 'storescp-associate-ac.hex',
    expected: {
      type: PduType.AssociateAc,
      protocolVersion: 1,
      calledAeTitle: 'B',
      callingAeTitle: 'A',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
      userInformation: DCMTK_IMPL,
    },
  },
  {
    file: 'storescu-associate-rq-user-identity.hex',
    expected: {
      type: PduType.AssociateRq,
      protocolVersion: 1,
      calledAeTitle: 'B',
      callingAeTitle: 'A',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        // Basic Text SR (the file's SOP class), its own explicit LE, then the fallback BE + implicit
        { id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.1.88.11', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
        { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.88.11', transferSyntaxes: ['1.2.840.10008.1.2.2', '1.2.840.10008.1.2'] },
      ],
      userInformation: {
        ...DCMTK_IMPL,
        userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: ascii('alice'), secondaryField: ascii('secret') },
      },
    },
  },
  {
    // DCMTK fills the (not significant) transfer syntax of a rejected context with implicit LE;
    // we keep whatever is there.
    file: 'storescp-associate-ac-rejected-context.hex',
    expected: {
      type: PduType.AssociateAc,
      protocolVersion: 1,
      calledAeTitle: 'B',
      callingAeTitle: 'A',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: 1, result: 3, transferSyntax: '1.2.840.10008.1.2' }],
      userInformation: DCMTK_IMPL,
    },
  },
  { file: 'storescp-associate-rj.hex', expected: { type: PduType.AssociateRj, result: 1, source: 1, reason: 1 } },
  { file: 'echoscu-release-rq.hex', expected: { type: PduType.ReleaseRq } },
  { file: 'storescp-release-rp.hex', expected: { type: PduType.ReleaseRp } },
  { file: 'echoscu-abort.hex', expected: { type: PduType.Abort, source: 0, reason: 0 } },
]

describe('DCMTK captures', () => {
  for (const { file, expected } of cases) {
    test(`${file}: decode deep-equals the expected PDU, encode reproduces the bytes`, () => {
      const bytes = loadHex(file)
      expect(plain(decodePdu(frameOf(bytes)))).toEqual(plain(expected))
      expect(toHex(encodePduToBytes(expected))).toBe(toHex(normalizeDcmtkReserved(bytes)))
    })
  }

  test('echoscu C-ECHO-RQ P-DATA-TF: one command PDV on context 1, data is a view', () => {
    const bytes = loadHex('echoscu-pdata-echo-rq.hex')
    const frame = frameOf(bytes)
    const pdu = decodePdu(frame)
    expect(pdu.type).toBe(PduType.PDataTf)
    if (pdu.type !== PduType.PDataTf) return
    expect(pdu.pdvs).toHaveLength(1)
    const pdv = pdu.pdvs[0]!
    expect({ contextId: pdv.contextId, isCommand: pdv.isCommand, isLast: pdv.isLast, length: pdv.data.length }).toEqual({
      contextId: 1,
      isCommand: true,
      isLast: true,
      length: 68,
    })
    // Command group length (0000,0000) UL = 56, implicit VR LE (PS3.7 §6.3.1)
    expect(toHex(pdv.data.subarray(0, 12))).toBe('000000000400000038000000')
    expect(pdv.data.buffer).toBe(frame.body.buffer)
    expect(pdv.data.byteOffset).toBe(frame.body.byteOffset + 6)
    expect(toHex(encodePduToBytes(pdu))).toBe(toHex(bytes))
  })

  test('storescp C-ECHO-RSP P-DATA-TF round-trips byte for byte', () => {
    const bytes = loadHex('storescp-pdata-echo-rsp.hex')
    const pdu = decodePdu(frameOf(bytes))
    expect(pdu.type === PduType.PDataTf && pdu.pdvs.map((p) => [p.contextId, p.isCommand, p.isLast, p.data.length])).toEqual([[1, true, true, 78]])
    expect(toHex(encodePduToBytes(pdu))).toBe(toHex(bytes))
  })

  test('getscu A-ASSOCIATE-RQ: many contexts with SCP role selection', () => {
    const bytes = loadHex('getscu-associate-rq-roles.hex')
    const pdu = decodePdu(frameOf(bytes))
    if (pdu.type !== PduType.AssociateRq) throw new Error('not an RQ')
    expect(pdu.presentationContexts[0]).toEqual({
      id: 1,
      abstractSyntax: '1.2.840.10008.5.1.4.1.2.2.3', // Study Root Q/R GET
      transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2'],
    })
    expect(pdu.presentationContexts.length).toBeGreaterThan(100)
    const roles = pdu.userInformation.roleSelections ?? []
    expect(roles.length).toBe(pdu.presentationContexts.length - 1)
    expect(roles.every((r) => r.scuRole === false && r.scpRole === true)).toBe(true)
    // Identical to DCMTK's bytes (apart from the reserved byte), including the user information
    // sub-item order 51, 52, 54..., 55.
    expect(toHex(encodePduToBytes(pdu))).toBe(toHex(normalizeDcmtkReserved(bytes)))
  })
})
