// The PDU layer alone (PduFramer + decodePdu + encodePdu over raw sockets, no association code)
// in live conversations with DCMTK: echoscu against a scripted acceptor, and a scripted
// requestor against storescp. Covers features the association tests do not: contexts rejected
// without a transfer syntax value, role selection / async ops / extended negotiation / user
// identity sub-items sent to DCMTK, and DCMTK's Maximum Length answer.
import { spawn, type ChildProcess } from 'node:child_process'
import * as net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { decodePdu, encodePdu, PduFramer, PduType, RELEASE_RP, RELEASE_RQ, type Pdu } from '../../src/pdu/index.js'
import { loadHex } from '../fixtures/pdu/load.js'
import { freePort, peerEnv, peersAvailable, runCommand, waitForPort } from '../helpers/process.js'

const haveDcmtk = peersAvailable('pdu-dcmtk', [['echoscu', '--version']])

const env = peerEnv
const children = new Set<ChildProcess>()
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
})

/** Captured DCMTK command sets (message ID 1): the PDV payloads we send. */
function commandOf(file: string): Uint8Array {
  const b = loadHex(file)
  const p = decodePdu({ type: b[0]!, body: b.subarray(6) })
  if (p.type !== PduType.PDataTf) throw new Error('not P-DATA')
  return p.pdvs[0]!.data
}

/** Reads PDUs from a socket through the framer. */
class PduSocket {
  private readonly queue: Pdu[] = []
  private waiter: ((p: Pdu) => void) | undefined
  private readonly framer = new PduFramer({ maxPduLength: 16384 })
  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk) => {
      for (const f of this.framer.push(chunk)) {
        const p = decodePdu(f)
        if (this.waiter) {
          const w = this.waiter
          this.waiter = undefined
          w(p)
        } else this.queue.push(p)
      }
    })
  }
  next(ms = 10000): Promise<Pdu> {
    const q = this.queue.shift()
    if (q) return Promise.resolve(q)
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('timeout waiting for a PDU')), ms)
      this.waiter = (p) => {
        clearTimeout(t)
        res(p)
      }
    })
  }
  send(p: Pdu): void {
    this.socket.cork()
    for (const part of encodePdu(p)) this.socket.write(part)
    this.socket.uncork()
  }
}

/** A DCMTK tool run to completion (killed in afterAll if the test is cut short). */
const run = (cmd: string, args: string[]) => runCommand(cmd, args, 20000, env, children)

describe.skipIf(!haveDcmtk)('PDU layer against DCMTK', () => {
  it('echoscu completes an echo against a scripted acceptor that rejects extra contexts without a transfer syntax', async () => {
    const server = net.createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as net.AddressInfo).port
    const seen: Pdu[] = []
    server.on('connection', (sock) => {
      const ps = new PduSocket(sock)
      void (async () => {
        const rq = await ps.next()
        seen.push(rq)
        if (rq.type !== PduType.AssociateRq) throw new Error('expected RQ')
        ps.send({
          type: PduType.AssociateAc,
          protocolVersion: 1,
          calledAeTitle: rq.calledAeTitle,
          callingAeTitle: rq.callingAeTitle,
          applicationContext: rq.applicationContext,
          presentationContexts: rq.presentationContexts.map((pc, i) =>
            i === 0 ? { id: pc.id, result: 0 as const, transferSyntax: pc.transferSyntaxes[0]! } : { id: pc.id, result: 4 as const },
          ),
          userInformation: { maxPduLength: 16384, implementationClassUid: '2.25.161459474513838384069455315389063427457', implementationVersionName: 'DIMSE_TEST' },
        })
        const data = await ps.next()
        seen.push(data)
        const ctx = data.type === PduType.PDataTf ? data.pdvs[0]!.contextId : 1
        ps.send({ type: PduType.PDataTf, pdvs: [{ contextId: ctx, isCommand: true, isLast: true, data: commandOf('storescp-pdata-echo-rsp.hex') }] })
        const rel = await ps.next()
        seen.push(rel)
        ps.send(RELEASE_RP)
        sock.end()
      })().catch(() => sock.destroy())
    })
    try {
      const r = await run('echoscu', ['-v', '-ppc', '3', '-aet', 'ECHOSCU', '-aec', 'ANY-SCP', '127.0.0.1', String(port)])
      expect(r.out).toContain('Received Echo Response (Success)')
      expect(r.status).toBe(0)
    } finally {
      server.close()
    }
    expect(seen.map((p) => p.type)).toEqual([PduType.AssociateRq, PduType.PDataTf, PduType.ReleaseRq])
    const rq = seen[0]!
    expect(rq.type === PduType.AssociateRq && [rq.calledAeTitle, rq.callingAeTitle, rq.presentationContexts.map((c) => c.id)]).toEqual(['ANY-SCP', 'ECHOSCU', [1, 3, 5]])
  })

  it('a scripted requestor with every user information sub-item gets an A-ASSOCIATE-AC from storescp and echoes', async () => {
    const port = await freePort()
    const scp = spawn('storescp', ['-aet', 'STORESCP', '--ignore', '-pdu', '8192', String(port)], { env, stdio: 'ignore' })
    children.add(scp)
    await waitForPort(port)
    const sock = net.connect(port, '127.0.0.1')
    await new Promise<void>((r) => sock.once('connect', () => r()))
    const ps = new PduSocket(sock)
    ps.send({
      type: PduType.AssociateRq,
      protocolVersion: 1,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'DIMSE',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
        { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
        { id: 5, abstractSyntax: '1.2.3.4.5.6.7', transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
      userInformation: {
        maxPduLength: 16384,
        implementationClassUid: '2.25.161459474513838384069455315389063427457',
        implementationVersionName: 'DIMSE_TEST',
        asyncOps: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
        roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: true, scpRole: false }],
        extendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', info: Uint8Array.of(1) }],
        commonExtendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: [] }],
        userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: new TextEncoder().encode('alice'), secondaryField: new Uint8Array(0) },
        unknownItems: [{ itemType: 0x7e, data: Uint8Array.of(1, 2) }],
      },
    })
    const ac = await ps.next()
    expect(ac.type).toBe(PduType.AssociateAc)
    if (ac.type !== PduType.AssociateAc) return
    expect(ac.userInformation.maxPduLength).toBe(8192)
    expect(ac.presentationContexts.map((c) => [c.id, c.result])).toEqual([
      [1, 0],
      [3, 0],
      [5, 3], // abstract syntax not supported
    ])
    expect(ac.presentationContexts[0]!.transferSyntax).toBe('1.2.840.10008.1.2')
    ps.send({ type: PduType.PDataTf, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: commandOf('echoscu-pdata-echo-rq.hex') }] })
    const rsp = await ps.next()
    expect(rsp.type).toBe(PduType.PDataTf)
    if (rsp.type === PduType.PDataTf) {
      const d = rsp.pdvs[0]!.data
      // last element of the C-ECHO-RSP: Status (0000,0900) US = 0x0000 (PS3.7 Annex E)
      expect(Buffer.from(d.subarray(d.length - 10)).toString('hex')).toBe('00000009020000000000')
    }
    ps.send(RELEASE_RQ)
    expect(await ps.next()).toEqual({ type: PduType.ReleaseRp })
    sock.destroy()
  })
})
