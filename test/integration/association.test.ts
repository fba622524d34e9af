/**
 * Association end to end: requestor ↔ acceptor over the in-memory pair, loopback TCP and mutual
 * TLS; negotiation outcomes, rejections, aborts, release collision, fragmentation, timers, and
 * malformed input from a raw socket (answers checked by reading the A-ABORT bytes by hand,
 * PS3.8 Table 9-26: type 07, reserved, length 4, reserved, reserved, source, reason).
 */
import { readFileSync, rmSync } from 'node:fs'
import * as net from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import {
  Association,
  createMemoryTransportPair,
  listen,
  type AcceptorPolicy,
  type AssociationListener,
  type AssociationRequestOptions,
} from '../../src/association/index.js'
import type { Pdv } from '../../src/pdu/types.js'
import { AssociationAbortedError, AssociationRejectedError, DicomError, TimeoutError } from '../../src/errors.js'
import { encodePduToBytes } from '../../src/pdu/encode.js'
import { PduType, type AssociateRqPdu } from '../../src/pdu/types.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../src/version.js'
import { freePort, peersAvailable } from '../helpers/process.js'
import { makePki } from '../helpers/pki.js'

const VERIFICATION = '1.2.840.10008.1.1'
const CT = '1.2.840.10008.5.1.4.1.1.2'
const IMPLICIT = '1.2.840.10008.1.2'
const EXPLICIT = '1.2.840.10008.1.2.1'
const BIG = '1.2.840.10008.1.2.2'

const listeners: AssociationListener[] = []
const tmpDirs: string[] = []
afterAll(async () => {
  for (const l of listeners) await l.close({ abort: true })
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true })
})

const basePolicy: AcceptorPolicy = {
  aeTitle: 'SCP',
  contexts: [
    { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
    { abstractSyntax: CT, transferSyntaxes: [EXPLICIT, IMPLICIT], scpRole: true },
  ],
}
const baseRq = (over: Partial<AssociationRequestOptions> = {}): AssociationRequestOptions => ({
  callingAeTitle: 'SCU',
  calledAeTitle: 'SCP',
  presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
  timeouts: { acseMs: 3000 },
  ...over,
})

async function memoryPair(policy: AcceptorPolicy, rq: Partial<AssociationRequestOptions> = {}): Promise<[Association, Association]> {
  const [a, b] = createMemoryTransportPair()
  const acc = Association.accept(b, policy, { timeouts: { acseMs: 3000 } })
  acc.catch(() => undefined)
  const req = await Association.request(baseRq({ transport: a, ...rq }))
  return [req, await acc]
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const closed = (a: Association): Promise<void> => new Promise((r) => (a.state === 'Sta1' ? r() : a.once('closed', () => r())))

/** Collect a whole message (command bytes, dataset bytes) from 'pdata' PDVs, checking flags. */
function collectMessage(a: Association): Promise<{ command: Uint8Array; dataset: Uint8Array; pdvs: Pdv[] }> {
  return new Promise((resolve) => {
    const pdvs: Pdv[] = []
    a.on('pdata', (pdu) => {
      for (const p of pdu.pdvs) {
        pdvs.push({ ...p, data: new Uint8Array(p.data) })
        if (!p.isCommand && p.isLast) {
          const join = (xs: Pdv[]): Uint8Array => {
            const out = new Uint8Array(xs.reduce((n, x) => n + x.data.length, 0))
            let o = 0
            for (const x of xs) {
              out.set(x.data, o)
              o += x.data.length
            }
            return out
          }
          resolve({ command: join(pdvs.filter((x) => x.isCommand)), dataset: join(pdvs.filter((x) => !x.isCommand)), pdvs })
        }
      }
    })
  })
}

/** A-ASSOCIATE-RQ (Verification, implicit VR LE) from 'RAW' to 'SCP', for the raw-socket peers. */
const rqBytes = (): Uint8Array => {
  const rq: AssociateRqPdu = {
    type: PduType.AssociateRq,
    protocolVersion: 1,
    calledAeTitle: 'SCP',
    callingAeTitle: 'RAW',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
    userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3.4' },
  }
  return encodePduToBytes(rq)
}

describe('over the in-memory pair', () => {
  test('negotiation: transfer syntax by acceptor preference, rejected contexts, roles, identity', async () => {
    const [req, scp] = await memoryPair(
      {
        ...basePolicy,
        asyncOps: { maxOperationsInvoked: 5, maxOperationsPerformed: 0 },
        userIdentity: (id) => (new TextDecoder().decode(id.primaryField) === 'alice' ? { accept: true, serverResponse: new Uint8Array([1, 2]) } : { accept: false }),
      },
      {
        presentationContexts: [
          { abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT, IMPLICIT] },
          { abstractSyntax: CT, transferSyntaxes: [BIG, IMPLICIT, EXPLICIT], scuRole: true, scpRole: true },
          { abstractSyntax: '1.2.3.4', transferSyntaxes: [IMPLICIT] },
          { abstractSyntax: CT, transferSyntaxes: [BIG], scuRole: true, scpRole: true },
        ],
        asyncOps: { maxOperationsInvoked: 0, maxOperationsPerformed: 3 },
        userIdentity: { type: 1, primaryField: 'alice', positiveResponseRequested: true },
      },
    )
    expect(req.acceptedContexts).toEqual([
      { id: 1, abstractSyntax: VERIFICATION, transferSyntax: IMPLICIT, scuRole: true, scpRole: false },
      { id: 3, abstractSyntax: CT, transferSyntax: EXPLICIT, scuRole: true, scpRole: true },
    ])
    expect(req.rejectedContexts).toEqual([
      { id: 5, abstractSyntax: '1.2.3.4', result: 3 },
      { id: 7, abstractSyntax: CT, result: 4 },
    ])
    expect(scp.acceptedContexts).toEqual(req.acceptedContexts)
    expect(req.asyncOps).toEqual({ maxOperationsInvoked: 5, maxOperationsPerformed: 3 })
    expect(req.userIdentityServerResponse).toEqual(new Uint8Array([1, 2]))
    expect(new TextDecoder().decode(scp.userIdentity!.primaryField)).toBe('alice')
    expect(req.peerImplementationClassUid).toBe(IMPLEMENTATION_CLASS_UID)
    expect(scp.peerImplementationVersionName).toBe(IMPLEMENTATION_VERSION_NAME)
    expect(req.peerMaxPduLength).toBe(262144)
    expect(scp.callingAeTitle).toBe('SCU')
    await req.release()
    await closed(scp)
  })

  test.each([
    ['called AE not recognized', { calledAeTitle: 'OTHER' }, {}, [1, 1, 7]],
    ['calling AE not recognized', {}, { allowedCallingAeTitles: ['GOOD'] }, [1, 1, 3]],
    ['user identity refused', { userIdentity: { type: 2 as const, primaryField: 'bob', secondaryField: 'x' } }, { userIdentity: () => ({ accept: false as const }) }, [1, 1, 1]],
    ['policy hook rejects', {}, { accept: () => ({ result: 2, source: 3, reason: 1 }) }, [2, 3, 1]],
  ])('rejection: %s', async (_name, rqOver, policyOver, [result, source, reason]) => {
    const [a, b] = createMemoryTransportPair()
    const acc = Association.accept(b, { ...basePolicy, ...policyOver })
    acc.catch(() => undefined)
    const req = Association.request(baseRq({ transport: a, ...rqOver }))
    await expect(req).rejects.toBeInstanceOf(AssociationRejectedError)
    await expect(req).rejects.toMatchObject({ result, source, reason })
    await expect(acc).rejects.toMatchObject({ result, source, reason })
  })

  test('no accepted context → NegotiationError, association aborted', async () => {
    const [a, b] = createMemoryTransportPair()
    const acc = Association.accept(b, basePolicy)
    acc.catch(() => undefined)
    await expect(Association.request(baseRq({ transport: a, presentationContexts: [{ abstractSyntax: '1.2.3', transferSyntaxes: [IMPLICIT] }] }))).rejects.toMatchObject({
      code: 'ERR_NEGOTIATION',
    })
  })

  test('abort by the requestor reaches the acceptor as A-ABORT (service user)', async () => {
    const [req, scp] = await memoryPair(basePolicy)
    const got = new Promise<AssociationAbortedError>((r) => scp.once('aborted', r))
    req.abort()
    const err = await got
    expect(err).toBeInstanceOf(AssociationAbortedError)
    expect(err.source).toBe(0)
    await Promise.all([closed(req), closed(scp)])
    await expect(req.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array(2) }])).rejects.toBeDefined()
  })

  test('release collision: both sides release at once, both resolve, both end Idle', async () => {
    const [req, scp] = await memoryPair(basePolicy)
    const reqStates: string[] = []
    const scpStates: string[] = []
    req.on('transition', (t) => reqStates.push(t.to))
    scp.on('transition', (t) => scpStates.push(t.to))
    await Promise.all([req.release(), scp.release()])
    await Promise.all([closed(req), closed(scp)])
    expect(reqStates).toEqual(['Sta7', 'Sta9', 'Sta11', 'Sta1'])
    expect(scpStates).toEqual(['Sta7', 'Sta10', 'Sta12', 'Sta13', 'Sta1'])
  })

  test('sendMessage fragments to the peer maximum, command before dataset, last bits right', async () => {
    const [req, scp] = await memoryPair({ ...basePolicy, maxPduLength: 4096 })
    expect(req.peerMaxPduLength).toBe(4096)
    const command = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff)
    const dataset = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff)
    const sizes: number[] = []
    req.on('pdu', (e) => {
      if (e.direction === 'sent' && e.pdu.type === PduType.PDataTf) sizes.push(e.length)
    })
    const got = collectMessage(scp)
    await req.sendMessage(1, command, dataset)
    const m = await got
    expect(m.command).toEqual(command)
    expect(m.dataset).toEqual(dataset)
    // 4096 - 6 = 4090 data bytes per PDV; PDU on the wire = 6 + 4096 at most.
    expect(m.pdvs.map((p) => [p.isCommand, p.isLast, p.data.length])).toEqual([
      [true, false, 4090],
      [true, true, 910],
      [false, false, 4090],
      [false, false, 4090],
      [false, true, 1820],
    ])
    expect(Math.max(...sizes)).toBe(4102)
    await req.release()
  })

  test('streamed dataset (odd chunk sizes) arrives intact with one last fragment', async () => {
    const [req, scp] = await memoryPair({ ...basePolicy, maxPduLength: 4096 })
    const total = 4090 * 3 // exact multiple: the last bit must still be set on a data PDV
    const data = Uint8Array.from({ length: total }, (_, i) => (i * 13) & 0xff)
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let o = 0; o < total; o += 1777) yield data.subarray(o, Math.min(total, o + 1777))
    }
    const got = collectMessage(scp)
    await req.sendMessage(1, new Uint8Array([1, 2, 3, 4]), chunks())
    const m = await got
    expect(m.dataset).toEqual(data)
    expect(m.pdvs.filter((p) => !p.isCommand).map((p) => [p.isLast, p.data.length])).toEqual([
      [false, 4090],
      [false, 4090],
      [true, 4090],
    ])
    await req.release()
  })

  test('a dataset stream that fails half-way aborts the association', async () => {
    const [req, scp] = await memoryPair({ ...basePolicy, maxPduLength: 4096 })
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(10000)
      throw new Error('disk error')
    }
    const peerAborted = new Promise<AssociationAbortedError>((r) => scp.once('aborted', r))
    await expect(req.sendMessage(1, new Uint8Array(4), failing())).rejects.toThrow('disk error')
    expect((req.abortError!.cause as Error).message).toBe('disk error')
    expect((await peerAborted).source).toBe(0)
  })

  test('ACSE timeout when nobody answers the A-ASSOCIATE-RQ', async () => {
    const [a] = createMemoryTransportPair()
    await expect(Association.request(baseRq({ transport: a, timeouts: { acseMs: 100 } }))).rejects.toBeInstanceOf(TimeoutError)
  })

  test('ARTIM: an acceptor gives up when no A-ASSOCIATE-RQ comes', async () => {
    const [, b] = createMemoryTransportPair()
    const p = Association.accept(b, basePolicy, { timeouts: { acseMs: 100 } })
    await expect(p).rejects.toMatchObject({ timer: 'artim' })
  })

  test('idle timeout aborts an established association', async () => {
    const [a, b] = createMemoryTransportPair()
    const acc = Association.accept(b, basePolicy)
    const req = await Association.request(baseRq({ transport: a, timeouts: { idleMs: 100 } }))
    const scp = await acc
    const [e1, e2] = await Promise.all([
      new Promise<AssociationAbortedError>((r) => req.once('aborted', r)),
      new Promise<AssociationAbortedError>((r) => scp.once('aborted', r)),
    ])
    expect((e1.cause as TimeoutError).timer).toBe('idle')
    expect(e2.source).toBe(0)
  })

  test('back-pressure: sendMessage waits while the receiving side is paused', async () => {
    const [a, b] = createMemoryTransportPair({ highWaterMark: 64 * 1024 })
    const acc = Association.accept(b, basePolicy)
    const req = await Association.request(baseRq({ transport: a }))
    const scp = await acc
    let received = 0
    scp.on('pdata', (pdu) => {
      for (const p of pdu.pdvs) received += p.data.length
    })
    scp.pause()
    let sent = false
    const p = req.sendMessage(1, new Uint8Array(10), new Uint8Array(2 * 1024 * 1024)).then(() => (sent = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(sent).toBe(false) // stuck behind the paused reader
    expect(received).toBe(0)
    scp.resume()
    await p
    await until(() => received === 2 * 1024 * 1024 + 10)
    await req.release()
  })

  test('pause() holds P-DATA until resume()', async () => {
    const [req, scp] = await memoryPair(basePolicy)
    let n = 0
    scp.on('pdata', () => n++)
    scp.pause()
    await req.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array(8) }])
    await new Promise((r) => setTimeout(r, 30))
    expect(n).toBe(0)
    scp.resume()
    await until(() => n === 1)
    expect(n).toBe(1)
    await req.release()
  })
})

// ---------------------------------------------------------------------------------------------
// TCP / TLS

async function echoListener(policy: AcceptorPolicy, extra: { maxAssociations?: number; tls?: Parameters<typeof listen>[0]['tls'] } = {}) {
  const errors: Error[] = []
  const aborted: AssociationAbortedError[] = []
  const l = await listen({ host: '127.0.0.1', port: 0, policy, timeouts: { acseMs: 500 }, onError: (e) => errors.push(e), ...extra }, (assoc) => {
    assoc.on('aborted', (e) => aborted.push(e))
    // echo every message back
    assoc.on('pdata', (pdu) => {
      for (const p of pdu.pdvs) if (p.isCommand && p.isLast) void assoc.sendPData([{ ...p, data: new Uint8Array(p.data) }]).catch(() => undefined)
    })
  })
  listeners.push(l)
  return { l, errors, aborted, port: l.address().port }
}

async function roundTrip(req: Association): Promise<void> {
  const back = new Promise<Uint8Array>((r) => req.once('pdata', (pdu) => r(pdu.pdvs[0]!.data)))
  await req.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array([9, 8, 7, 6]) }])
  expect([...(await back)]).toEqual([9, 8, 7, 6])
}

describe('over loopback TCP', () => {
  test('request, exchange, release', async () => {
    const { port } = await echoListener(basePolicy)
    const req = await Association.request(baseRq({ host: '127.0.0.1', port }))
    await roundTrip(req)
    await req.release()
    expect(req.state).toBe('Sta1')
  })

  test('maxAssociations: one more is rejected transient / presentation / local limit exceeded', async () => {
    const { port, l } = await echoListener(basePolicy, { maxAssociations: 1 })
    const first = await Association.request(baseRq({ host: '127.0.0.1', port }))
    await expect(Association.request(baseRq({ host: '127.0.0.1', port }))).rejects.toMatchObject({ result: 2, source: 3, reason: 2 })
    await first.release()
    await until(() => l.activeCount === 0)
    const again = await Association.request(baseRq({ host: '127.0.0.1', port }))
    await again.release()
  })

  test('connect to a closed port fails with ERR_TRANSPORT', async () => {
    const port = await freePort()
    await expect(Association.request(baseRq({ host: '127.0.0.1', port }))).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
  })
})

describe('malformed input from a raw socket → A-ABORT, listener keeps serving', () => {
  /** Open a raw connection, optionally associate, send `bytes`, return all bytes received until close. */
  async function rawExchange(port: number, associate: boolean, bytes: Uint8Array): Promise<Uint8Array> {
    const s = net.connect({ host: '127.0.0.1', port })
    const recv: Buffer[] = []
    const done = new Promise<void>((r) => s.on('close', () => r()))
    s.on('data', (d: Buffer) => recv.push(d))
    s.on('error', () => undefined)
    await new Promise<void>((r) => s.once('connect', () => r()))
    if (associate) {
      s.write(rqBytes())
      // wait for the A-ASSOCIATE-AC (type 02)
      for (let i = 0; i < 500 && Buffer.concat(recv).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(Buffer.concat(recv)[0]).toBe(0x02)
      recv.length = 0
    }
    s.write(bytes)
    const t = setTimeout(() => s.destroy(), 3000)
    await done
    clearTimeout(t)
    return new Uint8Array(Buffer.concat(recv))
  }
  /** A-ABORT bytes as laid out in PS3.8 Table 9-26. */
  const abortPdu = (source: number, reason: number): number[] => [0x07, 0, 0, 0, 0, 4, 0, 0, source, reason]

  test('unknown PDU type after establishment → A-ABORT (provider, reason 1 unrecognized PDU)', async () => {
    const { port, aborted } = await echoListener(basePolicy)
    const got = await rawExchange(port, true, new Uint8Array([0x09, 0, 0, 0, 0, 2, 0, 0]))
    expect([...got]).toEqual(abortPdu(2, 1))
    await new Promise((r) => setTimeout(r, 20))
    expect(aborted[0]).toMatchObject({ source: 2, reason: 1 })
  })

  test('P-DATA-TF claiming 4 GiB → A-ABORT (provider, reason 6) before buffering it', async () => {
    const { port } = await echoListener(basePolicy)
    const got = await rawExchange(port, true, new Uint8Array([0x04, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]))
    expect([...got]).toEqual(abortPdu(2, 6))
  })

  test('truncated PDV inside a P-DATA-TF → A-ABORT (provider, reason 6 invalid parameter value)', async () => {
    const { port } = await echoListener(basePolicy)
    // P-DATA-TF of 8 bytes whose PDV item claims 100 bytes
    const got = await rawExchange(port, true, new Uint8Array([0x04, 0, 0, 0, 0, 8, 0, 0, 0, 100, 1, 3, 0, 0]))
    expect([...got]).toEqual(abortPdu(2, 6))
  })

  test('A-ASSOCIATE-RQ in the wrong state (Sta6) → A-ABORT (provider, reason 2 unexpected PDU)', async () => {
    const { port } = await echoListener(basePolicy)
    const got = await rawExchange(port, true, rqBytes())
    expect([...got]).toEqual(abortPdu(2, 2))
  })

  test('A-ABORT from the peer (provider source) → AA-3: aborted event with its source/reason, connection closed', async () => {
    const { port, aborted } = await echoListener(basePolicy)
    const got = await rawExchange(port, true, new Uint8Array([0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6]))
    expect(got.length).toBe(0) // nothing is answered to an A-ABORT; the acceptor closes
    await until(() => aborted.length === 1)
    expect(aborted[0]).toMatchObject({ source: 2, reason: 6 })
  })

  test('connection dropped mid-association → AA-4: aborted (A-P-ABORT), process and listener fine', async () => {
    const { port, aborted } = await echoListener(basePolicy)
    const s = net.connect({ host: '127.0.0.1', port })
    s.on('error', () => undefined)
    await new Promise<void>((r) => s.once('connect', () => r()))
    s.write(rqBytes())
    await new Promise<void>((r) => s.once('data', () => r()))
    s.destroy()
    await until(() => aborted.length === 1)
    expect(aborted[0]).toMatchObject({ source: 2, reason: 0 })
  })

  test('an onAssociation callback that throws aborts that association only', async () => {
    const errors: Error[] = []
    let calls = 0
    const l = await listen({ host: '127.0.0.1', port: 0, policy: basePolicy, onError: (e) => errors.push(e) }, () => {
      calls++
      if (calls === 1) throw new Error('callback bug')
    })
    listeners.push(l)
    const port = l.address().port
    const first = await Association.request(baseRq({ host: '127.0.0.1', port }))
    // the A-ABORT may arrive in the same TCP segment as the A-ASSOCIATE-AC; a listener attached
    // right after the await still sees it
    const ab = await new Promise<AssociationAbortedError>((r) => first.once('aborted', r))
    expect(ab.source).toBe(0) // the acceptor's user aborted it
    expect(first.abortError).toBe(ab)
    expect(errors.map((e) => e.message)).toEqual(['callback bug'])
    const second = await Association.request(baseRq({ host: '127.0.0.1', port }))
    await second.release()
  })

  test('random bytes instead of an A-ASSOCIATE-RQ (Sta2) → AA-1: A-ABORT, connection closed', async () => {
    const { port, l } = await echoListener(basePolicy)
    const got = await rawExchange(port, false, new Uint8Array([0x7f, 0x13, 0x37, 0, 0, 0, 1, 2, 3]))
    // AA-1 sends A-ABORT with service-user source (PS3.8 Table 9-9); reason not significant (0)
    expect([...got]).toEqual(abortPdu(0, 0))
    // the listener still serves normal associations
    const req = await Association.request(baseRq({ host: '127.0.0.1', port }))
    await roundTrip(req)
    await req.release()
    expect(l.activeCount).toBeGreaterThanOrEqual(0)
  })
})

// ---------------------------------------------------------------------------------------------
// Mutual TLS with a throwaway CA

const haveOpenssl = peersAvailable('association', [['openssl', 'version']], { skipped: 'the mutual TLS tests' })
describe.skipIf(!haveOpenssl)('over mutual TLS', () => {
  /** A new PKI as PEM text. */
  function pemPki(): { ca: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string } {
    const d = makePki()
    tmpDirs.push(d)
    const r = (f: string): string => readFileSync(join(d, f), 'utf8')
    return { ca: r('ca.pem'), serverKey: r('server.key'), serverCert: r('server.pem'), clientKey: r('client.key'), clientCert: r('client.pem') }
  }
  const pki = haveOpenssl ? pemPki() : undefined

  test('TLS 1.2+/mutual: client with a certificate associates; exchange and release', async () => {
    const p = pki!
    const { port } = await echoListener(basePolicy, {
      tls: { key: p.serverKey, cert: p.serverCert, ca: p.ca, requestCert: true, rejectUnauthorized: true },
    })
    const req = await Association.request(baseRq({ host: '127.0.0.1', port, tls: { key: p.clientKey, cert: p.clientCert, ca: p.ca } }))
    await roundTrip(req)
    await req.release()
  })

  test('TLS 1.3 only on both sides works', async () => {
    const p = pki!
    const { port } = await echoListener(basePolicy, {
      tls: { key: p.serverKey, cert: p.serverCert, ca: p.ca, requestCert: true, minVersion: 'TLSv1.3' },
    })
    const req = await Association.request(baseRq({ host: '127.0.0.1', port, tls: { key: p.clientKey, cert: p.clientCert, ca: p.ca, minVersion: 'TLSv1.3' } }))
    await roundTrip(req)
    await req.release()
  })

  test('the TLS version options reach the handshake: a TLS 1.3-only client fails against a TLS 1.2-only listener', async () => {
    // without this, 'TLS 1.3 only on both sides' would pass with minVersion ignored (1.3 is the default)
    const p = pki!
    const { port } = await echoListener(basePolicy, { tls: { key: p.serverKey, cert: p.serverCert, maxVersion: 'TLSv1.2' } })
    await expect(Association.request(baseRq({ host: '127.0.0.1', port, tls: { ca: p.ca, minVersion: 'TLSv1.3' } }))).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
  })

  test('a client without a certificate is refused by a mutual-TLS listener', async () => {
    const p = pki!
    const { port } = await echoListener(basePolicy, {
      tls: { key: p.serverKey, cert: p.serverCert, ca: p.ca, requestCert: true, rejectUnauthorized: true },
    })
    // a typed failure (abort or transport, depending on when the TLS 1.3 alert arrives), not any throw
    await expect(Association.request(baseRq({ host: '127.0.0.1', port, tls: { ca: p.ca }, timeouts: { acseMs: 2000 } }))).rejects.toBeInstanceOf(DicomError)
  })

  test('a client that does not trust the server CA fails to connect', async () => {
    const p = pki!
    const { port } = await echoListener(basePolicy, { tls: { key: p.serverKey, cert: p.serverCert } })
    await expect(Association.request(baseRq({ host: '127.0.0.1', port, tls: {} }))).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
  })
})

describe('release requested by the peer', () => {
  test('holdRelease lets the acceptor send a pending response before the A-RELEASE-RP', async () => {
    const [req, scp] = await memoryPair(basePolicy)
    const order: string[] = []
    req.on('pdata', () => order.push('pdata'))
    req.on('released', () => order.push('released'))
    scp.on('releaseRequested', () => {
      scp.holdRelease(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            void scp.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array([1]) }]).then(resolve)
          }, 30),
        ),
      )
    })
    const transitions: string[] = []
    req.on('transition', (t) => transitions.push(`${t.from}/${t.event}/${t.action}`))
    await req.release()
    expect(order).toEqual(['pdata', 'released'])
    // the requestor got P-DATA while awaiting A-RELEASE-RP: AR-6 (Sta7 + Evt10)
    expect(transitions).toContain('Sta7/Evt10/AR-6')
  })
})

describe('PDUs in the wrong state, driven through a raw in-memory peer', () => {
  /** Collect everything the association writes; resolve once `n` bytes arrived. */
  function rawPeer(t: ReturnType<typeof createMemoryTransportPair>[0]) {
    const got: number[] = []
    t.on('data', (c) => got.push(...c))
    return {
      got,
      send: (bytes: Uint8Array) => t.write([bytes]),
      waitFor: (n: number) => until(() => got.length >= n),
    }
  }
  const pdata = new Uint8Array([0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 0xaa, 0xbb])
  const abortBytes = (source: number, reason: number): number[] => [0x07, 0, 0, 0, 0, 4, 0, 0, source, reason]

  test('requestor in Sta5 gets P-DATA-TF instead of AC/RJ → AA-8: A-ABORT (2, 2); request() rejects', async () => {
    const [a, b] = createMemoryTransportPair()
    const peer = rawPeer(b)
    const p = Association.request(baseRq({ transport: a }))
    p.catch(() => undefined)
    await until(() => peer.got.length > 0 && peer.got[0] === 0x01) // the A-ASSOCIATE-RQ
    const rqLen = 6 + ((peer.got[2]! << 24) | (peer.got[3]! << 16) | (peer.got[4]! << 8) | peer.got[5]!)
    await peer.waitFor(rqLen)
    await peer.send(pdata)
    await peer.waitFor(rqLen + 10)
    expect(peer.got.slice(rqLen)).toEqual(abortBytes(2, 2))
    await expect(p).rejects.toMatchObject({ code: 'ERR_ASSOC_ABORTED', source: 2, reason: 2 })
  })

  test('acceptor in Sta2 gets A-RELEASE-RQ before any A-ASSOCIATE-RQ → AA-1: A-ABORT (0, 0)', async () => {
    const [a, b] = createMemoryTransportPair()
    const peer = rawPeer(a)
    const p = Association.accept(b, basePolicy)
    p.catch(() => undefined)
    await peer.send(new Uint8Array([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]))
    await peer.waitFor(10)
    expect(peer.got).toEqual(abortBytes(0, 0))
  })

  test('acceptor in Sta6 gets A-RELEASE-RP (never asked) → AA-8: A-ABORT (2, 2) and aborted event', async () => {
    const [a, b] = createMemoryTransportPair()
    const peer = rawPeer(a)
    const p = Association.accept(b, basePolicy)
    await peer.send(rqBytes())
    const scp = await p
    await until(() => peer.got[0] === 0x02)
    const acLen = 6 + ((peer.got[2]! << 24) | (peer.got[3]! << 16) | (peer.got[4]! << 8) | peer.got[5]!)
    await peer.waitFor(acLen)
    const aborted = new Promise<AssociationAbortedError>((r) => scp.once('aborted', r))
    await peer.send(new Uint8Array([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]))
    await peer.waitFor(acLen + 10)
    expect(peer.got.slice(acLen)).toEqual(abortBytes(2, 2))
    expect(await aborted).toMatchObject({ source: 2, reason: 2 })
  })
})
