// Wireshark's DICOM dissector as an independent reader of our encoder: PDUs of every type are
// written into a pcap (format written here: global header + records with fake Ethernet/IPv4/TCP
// headers, server port 11112) and tshark must recognise each PDU without malformed/error marks.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodePdu, encodePdu, PduType, RELEASE_RP, RELEASE_RQ, type Pdu } from '../../src/pdu/index.js'
import { loadHex } from '../fixtures/pdu/load.js'
import { peersAvailable } from '../helpers/process.js'

const haveTshark = peersAvailable('pdu-tshark', [['tshark', '-v']])

const SERVER_PORT = 11112

/** Minimal pcap writer (libpcap format, LINKTYPE_ETHERNET) with one TCP stream per conversation. */
class PcapWriter {
  private readonly records: Buffer[] = []
  private t = 1_700_000_000

  private packet(src: [number, number], dst: [number, number], seq: number, ack: number, flags: number, payload: Uint8Array): void {
    const tcp = Buffer.alloc(20)
    tcp.writeUInt16BE(src[1], 0)
    tcp.writeUInt16BE(dst[1], 2)
    tcp.writeUInt32BE(seq >>> 0, 4)
    tcp.writeUInt32BE(ack >>> 0, 8)
    tcp[12] = 5 << 4 // data offset: 5 words
    tcp[13] = flags
    tcp.writeUInt16BE(65535, 14) // window
    const ip = Buffer.alloc(20)
    ip[0] = 0x45
    ip.writeUInt16BE(20 + 20 + payload.length, 2)
    ip[8] = 64 // TTL
    ip[9] = 6 // TCP
    ip.writeUInt32BE(src[0], 12)
    ip.writeUInt32BE(dst[0], 16)
    let sum = 0
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i)
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
    ip.writeUInt16BE(~sum & 0xffff, 10)
    // TCP checksum over the pseudo header
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 6]), Buffer.from([(20 + payload.length) >> 8, (20 + payload.length) & 0xff]), tcp, Buffer.from(payload), Buffer.alloc(payload.length % 2)])
    let ts = 0
    for (let i = 0; i < pseudo.length; i += 2) ts += pseudo.readUInt16BE(i)
    while (ts > 0xffff) ts = (ts & 0xffff) + (ts >>> 16)
    tcp.writeUInt16BE(~ts & 0xffff, 16)
    const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00])
    const frame = Buffer.concat([eth, ip, tcp, Buffer.from(payload)])
    const rec = Buffer.alloc(16)
    this.t += 1
    rec.writeUInt32LE(this.t, 0)
    rec.writeUInt32LE(0, 4)
    rec.writeUInt32LE(frame.length, 8)
    rec.writeUInt32LE(frame.length, 12)
    this.records.push(rec, frame)
  }

  /** A TCP conversation: handshake, then each [fromClient, bytes] as one segment. */
  conversation(clientPort: number, segments: Array<[boolean, Uint8Array]>): void {
    const c: [number, number] = [0x7f000001, clientPort]
    const s: [number, number] = [0x7f000001, SERVER_PORT]
    let cseq = 1000
    let sseq = 5000
    this.packet(c, s, cseq, 0, 0x02, new Uint8Array(0)) // SYN
    this.packet(s, c, sseq, cseq + 1, 0x12, new Uint8Array(0)) // SYN-ACK
    cseq++
    sseq++
    this.packet(c, s, cseq, sseq, 0x10, new Uint8Array(0)) // ACK
    for (const [fromClient, bytes] of segments) {
      if (fromClient) {
        this.packet(c, s, cseq, sseq, 0x18, bytes)
        cseq += bytes.length
      } else {
        this.packet(s, c, sseq, cseq, 0x18, bytes)
        sseq += bytes.length
      }
    }
  }

  bytes(): Buffer {
    const g = Buffer.alloc(24)
    g.writeUInt32LE(0xa1b2c3d4, 0)
    g.writeUInt16LE(2, 4)
    g.writeUInt16LE(4, 6)
    g.writeUInt32LE(65535, 16)
    g.writeUInt32LE(1, 20) // LINKTYPE_ETHERNET
    return Buffer.concat([g, ...this.records])
  }
}

const enc = (p: Pdu): Uint8Array => Buffer.concat(encodePdu(p))

/** Command sets captured from DCMTK (C-ECHO-RQ / C-ECHO-RSP), used as PDV payloads. */
function commandOf(file: string): Uint8Array {
  const b = loadHex(file)
  const p = decodePdu({ type: b[0]!, body: b.subarray(6) })
  if (p.type !== PduType.PDataTf) throw new Error(`${file} is not a P-DATA-TF`)
  return p.pdvs[0]!.data
}

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'
const EXPLICIT = '1.2.840.10008.1.2.1'
const CT = '1.2.840.10008.5.1.4.1.1.2'

describe.skipIf(!haveTshark)('tshark DICOM dissector reads our PDUs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-pcap-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('recognises every PDU type and reports nothing malformed', () => {
    const rq: Pdu = {
      type: PduType.AssociateRq,
      protocolVersion: 1,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'DIMSE',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
        { id: 3, abstractSyntax: CT, transferSyntaxes: [EXPLICIT, IMPLICIT] },
      ],
      userInformation: {
        maxPduLength: 16384,
        implementationClassUid: '2.25.161459474513838384069455315389063427457',
        implementationVersionName: 'DIMSE_0.1.0',
        asyncOps: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
        roleSelections: [{ sopClassUid: CT, scuRole: true, scpRole: true }],
        extendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', info: Uint8Array.of(1, 1, 0, 1) }],
        userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: new TextEncoder().encode('alice'), secondaryField: new TextEncoder().encode('secret') },
      },
    }
    const ac: Pdu = {
      type: PduType.AssociateAc,
      protocolVersion: 1,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'DIMSE',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: IMPLICIT },
        { id: 3, result: 0, transferSyntax: EXPLICIT },
      ],
      userInformation: {
        maxPduLength: 32768,
        implementationClassUid: '2.25.161459474513838384069455315389063427457',
        implementationVersionName: 'DIMSE_0.1.0',
        roleSelections: [{ sopClassUid: CT, scuRole: true, scpRole: false }],
        userIdentityAc: { serverResponse: new Uint8Array(0) },
      },
    }
    const echoRq = commandOf('echoscu-pdata-echo-rq.hex')
    const echoRsp = commandOf('storescp-pdata-echo-rsp.hex')
    const pcap = new PcapWriter()
    pcap.conversation(40001, [
      [true, enc(rq)],
      [false, enc(ac)],
      [true, enc({ type: PduType.PDataTf, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: echoRq }] })],
      // the response command split in two fragments across two PDVs of one P-DATA-TF
      [
        false,
        enc({
          type: PduType.PDataTf,
          pdvs: [
            { contextId: 1, isCommand: true, isLast: false, data: echoRsp.subarray(0, 30) },
            { contextId: 1, isCommand: true, isLast: true, data: echoRsp.subarray(30) },
          ],
        }),
      ],
      [true, enc(RELEASE_RQ)],
      [false, enc(RELEASE_RP)],
    ])
    pcap.conversation(40002, [
      [true, enc(rq)],
      [false, enc({ type: PduType.AssociateRj, result: 1, source: 1, reason: 7 })],
    ])
    pcap.conversation(40003, [
      [true, enc(rq)],
      [false, enc({ ...ac, presentationContexts: [{ id: 1, result: 0, transferSyntax: IMPLICIT }, { id: 3, result: 4 }] } as Pdu)],
      [true, enc({ type: PduType.Abort, source: 0, reason: 0 })],
    ])
    const file = join(dir, 'pdus.pcap')
    writeFileSync(file, pcap.bytes())

    const base = ['-r', file, '-d', `tcp.port==${SERVER_PORT},dicom`]
    const problems = execFileSync('tshark', [...base, '-Y', '_ws.malformed || _ws.expert.severity >= error'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(problems.trim()).toBe('')

    const types = execFileSync('tshark', [...base, '-Y', 'dicom', '-T', 'fields', '-e', 'dicom.pdu.type'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .map((l) => parseInt(l.trim(), 16))
    expect(types).toEqual([1, 2, 4, 4, 5, 6, 1, 3, 1, 2, 7])

    const fields = execFileSync(
      'tshark',
      [...base, '-Y', 'dicom.pdu.type == 1', '-T', 'fields', '-E', 'occurrence=f', '-e', 'dicom.assoc.ae.called', '-e', 'dicom.assoc.ae.calling', '-e', 'dicom.max_pdu_len', '-e', 'dicom.userinfo.rolesel.sopclassuid', '-e', 'dicom.userinfo.user_identify.primary_field'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    )
      .trim()
      .split('\n')[0]!
      .split('\t')
      .map((s) => s.trim())
    // tshark prints known UIDs with their name, e.g. 'CT Image Storage (1.2.840.10008.5.1.4.1.1.2)'
    expect(fields).toEqual(['STORESCP', 'DIMSE', '16384', `CT Image Storage (${CT})`, 'alice'])
  })

  it('negative control: the same filter does flag a corrupted PDU', () => {
    const rq = loadHex('echoscu-associate-rq.hex')
    const bad = Uint8Array.from(rq)
    // presentation context item (at 6 + 68 + 4 + 21) claims 0xFFFF bytes
    const pcAt = 6 + 68 + 4 + 21
    expect(bad[pcAt]).toBe(0x20)
    bad[pcAt + 2] = 0xff
    bad[pcAt + 3] = 0xff
    const pcap = new PcapWriter()
    pcap.conversation(40010, [[true, bad]])
    const file = join(dir, 'bad.pcap')
    writeFileSync(file, pcap.bytes())
    const problems = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${SERVER_PORT},dicom`, '-Y', '_ws.malformed || _ws.expert.severity >= error'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    expect(problems.trim()).not.toBe('')
  })
})
