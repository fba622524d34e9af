/**
 * Our Upper Layer against DCMTK (the reference peer): echoscu → our acceptor, our requestor →
 * storescp, and rejections both ways. DIMSE command sets are built by hand in this file
 * (implicit VR LE, PS3.7 §6.3.1 / Annex E), independently of any encoder in src/.
 */
import { execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import {
  Association,
  listen,
  type AssociationListener,
} from '../../src/association/index.js'
import type { Pdv } from '../../src/pdu/types.js'
import { AssociationRejectedError } from '../../src/errors.js'
import { CORPUS_DIR } from '../helpers/corpus.js'
import { freePort, peerEnv, peersAvailable, runCommand, startServer } from '../helpers/process.js'
import { concat } from '../helpers/bytes.js'
import { makePki } from '../helpers/pki.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'

const haveDcmtk = peersAvailable('association-dcmtk', [['echoscu', '--version'], ['storescp', '--version']])
const env = peerEnv

// --- test-only command set builder/reader (implicit VR little endian, group 0000) -------------
function el(tagElement: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length)
  const dv = new DataView(out.buffer)
  dv.setUint16(0, 0x0000, true)
  dv.setUint16(2, tagElement, true)
  dv.setUint32(4, value.length, true)
  out.set(value, 8)
  return out
}
const us = (n: number): Uint8Array => new Uint8Array([n & 0xff, n >> 8])
const ul = (n: number): Uint8Array => new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24])
function ui(uid: string): Uint8Array {
  const len = uid.length + (uid.length % 2)
  const b = new Uint8Array(len) // trailing NUL pad (PS3.5 §6.2 UI)
  for (let i = 0; i < uid.length; i++) b[i] = uid.charCodeAt(i)
  return b
}
function commandSet(elements: Uint8Array[]): Uint8Array {
  const bodyLen = elements.reduce((n, e) => n + e.length, 0)
  return concat([el(0x0000, ul(bodyLen)), ...elements])
}
/** C-ECHO-RSP: (0000,0002) UI, (0000,0100) 0x8030, (0000,0120) id, (0000,0800) 0x0101, (0000,0900) 0. */
const echoRsp = (msgId: number): Uint8Array =>
  commandSet([el(0x0002, ui(VERIFICATION)), el(0x0100, us(0x8030)), el(0x0120, us(msgId)), el(0x0800, us(0x0101)), el(0x0900, us(0))])
/** C-ECHO-RQ: (0000,0002) UI, (0000,0100) 0x0030, (0000,0110) id, (0000,0800) 0x0101. */
const echoRq = (msgId: number): Uint8Array =>
  commandSet([el(0x0002, ui(VERIFICATION)), el(0x0100, us(0x0030)), el(0x0110, us(msgId)), el(0x0800, us(0x0101))])
function readUs(cmd: Uint8Array): Map<number, number> {
  const out = new Map<number, number>()
  const dv = new DataView(cmd.buffer, cmd.byteOffset, cmd.byteLength)
  for (let o = 0; o + 8 <= cmd.length; ) {
    const elem = dv.getUint16(o + 2, true)
    const len = dv.getUint32(o + 4, true)
    if (len === 2) out.set(elem, dv.getUint16(o + 8, true))
    o += 8 + len
  }
  return out
}
/** All elements of a command set as raw values (element number → bytes). */
function readElements(cmd: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  const dv = new DataView(cmd.buffer, cmd.byteOffset, cmd.byteLength)
  for (let o = 0; o + 8 <= cmd.length; ) {
    const len = dv.getUint32(o + 4, true)
    out.set(dv.getUint16(o + 2, true), cmd.subarray(o + 8, o + 8 + len))
    o += 8 + len
  }
  return out
}
/** (0000,0110) Message ID of a command set read by readElements. */
const messageIdOf = (cmd: Map<number, Uint8Array>): number => {
  const v = cmd.get(0x0110)!
  return new DataView(v.buffer, v.byteOffset).getUint16(0, true)
}
const uiText = (b: Uint8Array): string => String.fromCharCode(...b).replace(/[\0 ]+$/, '')

/** Collects command fragments per context until the last one. */
function commandCollector(onCommand: (contextId: number, cmd: Uint8Array) => void): (pdu: { pdvs: Pdv[] }) => void {
  const parts: Uint8Array[] = []
  return (pdu) => {
    for (const p of pdu.pdvs) {
      if (!p.isCommand) continue
      parts.push(new Uint8Array(p.data))
      if (p.isLast) onCommand(p.contextId, concat(parts.splice(0)))
    }
  }
}

/** A DCMTK tool run to completion (killed in afterAll if the test is cut short). */
const run = (cmd: string, args: string[], timeoutMs = 15000) => runCommand(cmd, args, timeoutMs, env, children)

const children = new Set<ChildProcess>()
const listeners: AssociationListener[] = []
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  for (const l of listeners) await l.close({ abort: true })
})

/** storescp (AE STORESCP, discarding what it receives) on a free port, once it listens. */
async function startStorescp(extra: string[] = []): Promise<{ port: number; scp: ChildProcess }> {
  const port = await freePort()
  const scp = await startServer('storescp', ['-aet', 'STORESCP', '--ignore', ...extra, String(port)], port)
  children.add(scp)
  scp.on('close', () => children.delete(scp))
  return { port, scp }
}

describe.skipIf(!haveDcmtk)('association interop with DCMTK', () => {
  test('echoscu → our acceptor: C-ECHO answered by a hand-built C-ECHO-RSP, echoscu exits 0', async () => {
    const seen: { calling: string; called: string; ts: string; impl: string | undefined }[] = []
    const errors: Error[] = []
    const l = await listen(
      {
        host: '127.0.0.1',
        port: 0,
        policy: { aeTitle: 'OURSCP', contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] },
        onError: (e) => errors.push(e),
      },
      (assoc) => {
        seen.push({
          calling: assoc.callingAeTitle,
          called: assoc.calledAeTitle,
          ts: assoc.acceptedContexts[0]!.transferSyntax,
          impl: assoc.peerImplementationClassUid,
        })
        assoc.on(
          'pdata',
          commandCollector((ctx, cmd) => {
            const v = readUs(cmd)
            expect(v.get(0x0100)).toBe(0x0030) // C-ECHO-RQ
            void assoc.sendMessage(ctx, echoRsp(v.get(0x0110)!))
          }),
        )
      },
    )
    listeners.push(l)
    const r = await run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'OURSCP', '-ta', '10', '127.0.0.1', String(l.address().port)])
    expect(r.status, r.out).toBe(0)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.calling).toBe('ECHOSCU')
    expect(seen[0]!.called).toBe('OURSCP')
    expect(seen[0]!.ts).toBe(IMPLICIT_LE)
    expect(seen[0]!.impl).toMatch(/^1\.2\.276\.0\.7230010\./) // DCMTK's implementation class UID root
    expect(errors).toEqual([])
  })

  test('echoscu with the wrong called AE → our A-ASSOCIATE-RJ (called AE not recognized), echoscu fails', async () => {
    const errors: Error[] = []
    const l = await listen(
      {
        host: '127.0.0.1',
        port: 0,
        policy: { aeTitle: 'OURSCP', contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] },
        onError: (e) => errors.push(e),
      },
      () => {
        throw new Error('must not be established')
      },
    )
    listeners.push(l)
    const r = await run('echoscu', ['-v', '-aet', 'ECHOSCU', '-aec', 'SOMEONE', '-ta', '10', '127.0.0.1', String(l.address().port)])
    expect(r.status).not.toBe(0)
    expect(r.out).toMatch(/Called AE Title Not Recognized/i)
    await new Promise((res) => setTimeout(res, 50))
    expect(errors[0]).toBeInstanceOf(AssociationRejectedError)
    expect(errors[0]).toMatchObject({ result: 1, source: 1, reason: 7 })
  })

  test('our requestor → storescp: C-ECHO-RQ, C-ECHO-RSP success, clean release', async () => {
    const { port, scp } = await startStorescp()
    const assoc = await Association.request({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'STORESCP',
      presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2.1', IMPLICIT_LE] }],
      timeouts: { connectMs: 5000, acseMs: 5000 },
    })
    expect(assoc.acceptedContexts).toHaveLength(1)
    expect(assoc.peerMaxPduLength).toBeGreaterThan(0)
    expect(assoc.peerImplementationClassUid).toMatch(/^1\.2\.276\.0\.7230010\./)
    const rsp = new Promise<Uint8Array>((resolve) => assoc.on('pdata', commandCollector((_c, cmd) => resolve(cmd))))
    await assoc.sendMessage(assoc.acceptedContexts[0]!.id, echoRq(7))
    const v = readUs(await rsp)
    expect(v.get(0x0100)).toBe(0x8030)
    expect(v.get(0x0120)).toBe(7)
    expect(v.get(0x0900)).toBe(0)
    const closed = new Promise<void>((r) => assoc.once('closed', () => r()))
    await assoc.release()
    await closed
    expect(assoc.state).toBe('Sta1')
    scp.kill('SIGTERM')
  })

  test('our requestor → storescp --refuse: AssociationRejectedError', async () => {
    const { port } = await startStorescp(['--refuse'])
    const p = Association.request({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'STORESCP',
      presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
      timeouts: { connectMs: 5000, acseMs: 5000 },
    })
    await expect(p).rejects.toBeInstanceOf(AssociationRejectedError)
    await expect(p).rejects.toMatchObject({ result: 1, source: 1 })
  })

  const CORPUS_FILE = `${CORPUS_DIR}/files/dcmjs__sample-dicom.dcm`
  const MR_STORAGE = '1.2.840.10008.5.1.4.1.1.4'
  const haveCorpus = existsSync(CORPUS_FILE)
  if (!haveCorpus) console.warn('association-dcmtk: corpus absent, skipping C-STORE interop tests')
  /** The dataset part of a Part 10 file: after the 128-byte preamble, "DICM" and the group 0002 (length from (0002,0000)). */
  function datasetOf(file: Uint8Array): Uint8Array {
    const dv = new DataView(file.buffer, file.byteOffset, file.byteLength)
    expect(String.fromCharCode(...file.subarray(128, 132))).toBe('DICM')
    const groupLength = dv.getUint32(132 + 8, true) // (0002,0000) UL, explicit VR LE: tag 4, VR 2, len 2, value 4
    return file.subarray(132 + 12 + groupLength)
  }

  type Received = { sopClass: string; sopInstance: string; data: Uint8Array; pdvSizes: number[] }
  /** A minimal Storage SCP on one association: reassemble each C-STORE and answer success. */
  function serveStores(assoc: Association, received: Received[]): void {
    const chunks: Uint8Array[] = []
    const sizes: number[] = []
    let cmd: Map<number, Uint8Array> | undefined
    let ctx = 0
    const onCommand = commandCollector((c, bytes) => {
      cmd = readElements(bytes)
      ctx = c
    })
    assoc.on('pdata', (pdu) => {
      onCommand(pdu)
      for (const p of pdu.pdvs) {
        if (p.isCommand) continue
        sizes.push(p.data.length)
        chunks.push(new Uint8Array(p.data))
        if (p.isLast && cmd) {
          const data = concat(chunks.splice(0))
          const sopClass = uiText(cmd.get(0x0002)!)
          const sopInstance = uiText(cmd.get(0x1000)!)
          received.push({ sopClass, sopInstance, data, pdvSizes: sizes.splice(0) })
          const id = messageIdOf(cmd)
          // C-STORE-RSP (PS3.7 9.3.1.2): 8001H, status 0000H success
          const rsp = commandSet([
            el(0x0002, ui(sopClass)),
            el(0x0100, us(0x8001)),
            el(0x0120, us(id)),
            el(0x0800, us(0x0101)),
            el(0x0900, us(0)),
            el(0x1000, ui(sopInstance)),
          ])
          void assoc.sendMessage(ctx, rsp)
        }
      }
    })
  }

  test.skipIf(!haveCorpus)('storescu (max PDU 8192) → our acceptor: the fragmented dataset reassembles to what dcmdump reads from the file', async () => {
    const file = new Uint8Array(readFileSync(CORPUS_FILE))
    const expected = datasetOf(file)
    const received: Received[] = []
    let rejectedCount = 0
    const l = await listen(
      {
        host: '127.0.0.1',
        port: 0,
        policy: {
          aeTitle: 'OURSCP',
          maxPduLength: 8192,
          // only MR storage: every other context storescu proposes gets "abstract syntax not supported"
          contexts: (as) => (as === MR_STORAGE ? { abstractSyntax: as, transferSyntaxes: [IMPLICIT_LE, '1.2.840.10008.1.2.1'] } : undefined),
        },
      },
      (assoc) => {
        rejectedCount = assoc.rejectedContexts.length
        serveStores(assoc, received)
      },
    )
    listeners.push(l)
    const r = await run('storescu', ['-aet', 'STORESCU', '-aec', 'OURSCP', '-xi', '-pdu', '16384', '-ta', '10', '127.0.0.1', String(l.address().port), CORPUS_FILE], 30000)
    expect(r.status, r.out).toBe(0)
    expect(received).toHaveLength(1)
    expect(rejectedCount).toBeGreaterThan(50) // storescu proposes its whole storage list without -R
    expect(received[0]!.sopClass).toBe(MR_STORAGE)
    expect(received[0]!.sopInstance).toBe('1.2.276.0.50.192168001092.11156604.14547392.313')
    // DCMTK fragments to our announced 8192: at most 8192 - 6 data bytes per PDV
    expect(Math.max(...received[0]!.pdvSizes)).toBeLessThanOrEqual(8186)
    expect(received[0]!.pdvSizes.length).toBeGreaterThan(60)
    // storescu re-encodes the dataset, so compare what DCMTK itself reads from both byte strings.
    const dir = mkdtempSync(join(tmpdir(), 'dimse-interop-'))
    try {
      writeFileSync(join(dir, 'got.raw'), received[0]!.data)
      writeFileSync(join(dir, 'want.raw'), expected)
      // DCMTK re-encodes undefined-length sequences/items with explicit lengths: compare
      // tags, VRs and values, not the length bookkeeping.
      const dump = (f: string): string =>
        execFileSync('dcmdump', ['-f', '-ti', '+L', '-q', join(dir, f)], { encoding: 'utf8', env, maxBuffer: 64 << 20 })
          .split('\n')
          .filter((line) => !line.startsWith('#'))
          .map((line) =>
            line
              .replace(/#.*$/, '')
              .replace(/with (undefined|explicit) length /, '')
              .replace(/ for re-encod(ing|\.)/, '')
              .trimEnd(),
          )
          .join('\n')
      const got = dump('got.raw')
      expect(got.split('\n').length).toBeGreaterThan(50)
      expect(got).toBe(dump('want.raw'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test.skipIf(!haveCorpus)('our requestor → storescp -pdu 4096: C-STORE of a 0.5 MB dataset fragmented to 4090-byte PDVs, status success', async () => {
    const dataset = datasetOf(new Uint8Array(readFileSync(CORPUS_FILE)))
    const { port } = await startStorescp(['-pdu', '4096'])
    const assoc = await Association.request({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'STORESCP',
      presentationContexts: [{ abstractSyntax: MR_STORAGE, transferSyntaxes: [IMPLICIT_LE] }],
      timeouts: { connectMs: 5000, acseMs: 5000 },
    })
    expect(assoc.peerMaxPduLength).toBe(4096)
    const sent: number[] = []
    assoc.on('pdu', (e) => {
      if (e.direction === 'sent' && e.pdu.type === 0x04) sent.push(e.length)
    })
    const rsp = new Promise<Uint8Array>((resolve) => assoc.on('pdata', commandCollector((_c, cmd) => resolve(cmd))))
    // C-STORE-RQ (PS3.7 9.3.1.1): 0001H, priority medium, data set present (anything but 0101H)
    const rq = commandSet([
      el(0x0002, ui(MR_STORAGE)),
      el(0x0100, us(0x0001)),
      el(0x0110, us(3)),
      el(0x0700, us(0)),
      el(0x0800, us(0x0000)),
      el(0x1000, ui('1.2.276.0.50.192168001092.11156604.14547392.313')),
    ])
    // stream the dataset in odd-sized chunks
    async function* body(): AsyncIterable<Uint8Array> {
      for (let o = 0; o < dataset.length; o += 10007) yield dataset.subarray(o, Math.min(dataset.length, o + 10007))
    }
    await assoc.sendMessage(assoc.acceptedContexts[0]!.id, rq, body())
    const v = readUs(await rsp)
    expect(v.get(0x0100)).toBe(0x8001)
    expect(v.get(0x0120)).toBe(3)
    expect(v.get(0x0900)).toBe(0)
    expect(Math.max(...sent)).toBe(4096 + 6)
    expect(sent.length).toBe(1 + Math.ceil(dataset.length / 4090))
    await assoc.release()
  })

  const haveOpenssl = peersAvailable('association-dcmtk', [['openssl', 'version']], { skipped: 'the TLS interop tests' })
  test.skipIf(!haveOpenssl)('echoscu +tls (client certificate) → our mutual-TLS acceptor', async () => {
    const dir = makePki()
    try {
      const r = (f: string): string => readFileSync(join(dir, f), 'utf8')
      let establishedOverTls = false
      const l = await listen(
        {
          host: '127.0.0.1',
          port: 0,
          tls: { key: r('server.key'), cert: r('server.pem'), ca: r('ca.pem'), requestCert: true, rejectUnauthorized: true },
          policy: { aeTitle: 'OURSCP', contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] },
        },
        (assoc) => {
          establishedOverTls = true
          assoc.on(
            'pdata',
            commandCollector((ctx, cmd) => void assoc.sendMessage(ctx, echoRsp(readUs(cmd).get(0x0110)!))),
          )
        },
      )
      listeners.push(l)
      const port = String(l.address().port)
      const ok = await run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'OURSCP', '-ta', '10', '+tls', join(dir, 'client.key'), join(dir, 'client.pem'), '+cf', join(dir, 'ca.pem'), '127.0.0.1', port])
      expect(ok.status, ok.out).toBe(0)
      expect(establishedOverTls).toBe(true)
      // anonymous TLS (no client certificate) is refused by the mutual-TLS listener
      const anon = await run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'OURSCP', '-ta', '5', '+tla', '+cf', join(dir, 'ca.pem'), '127.0.0.1', port])
      expect(anon.status).not.toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test.skipIf(!haveOpenssl)('our requestor with a client certificate → storescp +tls (peer certificate required)', async () => {
    const dir = makePki()
    try {
      const r = (f: string): string => readFileSync(join(dir, f), 'utf8')
      const { port } = await startStorescp(['+tls', join(dir, 'server.key'), join(dir, 'server.pem'), '+cf', join(dir, 'ca.pem'), '-rc'])
      const assoc = await Association.request({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'OURSCU',
        calledAeTitle: 'STORESCP',
        presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
        tls: { key: r('client.key'), cert: r('client.pem'), ca: r('ca.pem') },
        timeouts: { connectMs: 5000, acseMs: 5000 },
      })
      const rsp = new Promise<Uint8Array>((resolve) => assoc.on('pdata', commandCollector((_c, cmd) => resolve(cmd))))
      await assoc.sendMessage(assoc.acceptedContexts[0]!.id, echoRq(11))
      const v = readUs(await rsp)
      expect([v.get(0x0100), v.get(0x0120), v.get(0x0900)]).toEqual([0x8030, 11, 0])
      await assoc.release()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test.skipIf(!haveCorpus)('storescu user identity (-usr/-pwd/-rsp) → our user identity hook: accepted with a server response, refused otherwise', async () => {
    const seen: string[] = []
    const received: Received[] = []
    const l = await listen(
      {
        host: '127.0.0.1',
        port: 0,
        policy: {
          aeTitle: 'OURSCP',
          contexts: (as) => (as === MR_STORAGE ? { abstractSyntax: as, transferSyntaxes: [IMPLICIT_LE] } : undefined),
          userIdentity: (id) => {
            const user = new TextDecoder().decode(id.primaryField)
            const pass = new TextDecoder().decode(id.secondaryField)
            seen.push(`${id.type}:${user}:${pass}:${id.positiveResponseRequested}`)
            return user === 'alice' && pass === 'secret' ? { accept: true, serverResponse: new TextEncoder().encode('welcome') } : { accept: false }
          },
        },
      },
      (assoc) => serveStores(assoc, received),
    )
    listeners.push(l)
    const port = String(l.address().port)
    const ok = await run('storescu', ['-aet', 'STORESCU', '-aec', 'OURSCP', '-xi', '-ta', '10', '-usr', 'alice', '-pwd', 'secret', '-rsp', '127.0.0.1', port, CORPUS_FILE], 30000)
    expect(ok.status, ok.out).toBe(0)
    expect(received).toHaveLength(1)
    const bad = await run('storescu', ['-v', '-aet', 'STORESCU', '-aec', 'OURSCP', '-xi', '-ta', '10', '-usr', 'alice', '-pwd', 'wrong', '127.0.0.1', port, CORPUS_FILE], 30000)
    expect(bad.status).not.toBe(0)
    expect(bad.out).toMatch(/Association Rejected/i)
    expect(received).toHaveLength(1)
    // type 2 = username and passcode (PS3.7 Table D.3-14)
    expect(seen).toEqual(['2:alice:secret:true', '2:alice:wrong:false'])
  })

  test('getscu → our acceptor: SCP/SCU role selection for storage answered (PS3.7 D.3.3.4), C-GET answered', async () => {
    const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3'
    const roles: { as: string; scu: boolean; scp: boolean }[] = []
    const proposedRoles: number[] = []
    const l = await listen(
      {
        host: '127.0.0.1',
        port: 0,
        policy: {
          aeTitle: 'OURSCP',
          contexts: (as) =>
            as === STUDY_ROOT_GET || as === MR_STORAGE
              ? { abstractSyntax: as, transferSyntaxes: [IMPLICIT_LE, '1.2.840.10008.1.2.1'], scpRole: as === MR_STORAGE }
              : undefined,
        },
      },
      (assoc) => {
        proposedRoles.push(assoc.associateRq?.userInformation.roleSelections?.length ?? 0)
        for (const c of assoc.acceptedContexts) roles.push({ as: c.abstractSyntax, scu: c.scuRole, scp: c.scpRole })
        // answer the C-GET-RQ once its identifier (dataset) has arrived: C-GET-RSP 8010H, success, no sub-operations
        let cmd: Map<number, Uint8Array> | undefined
        let ctx = 0
        const onCmd = commandCollector((c, bytes) => {
          cmd = readElements(bytes)
          ctx = c
        })
        assoc.on('pdata', (pdu) => {
          onCmd(pdu)
          if (pdu.pdvs.some((p) => !p.isCommand && p.isLast) && cmd) {
            const id = messageIdOf(cmd)
            void assoc.sendMessage(
              ctx,
              commandSet([
                el(0x0002, ui(STUDY_ROOT_GET)),
                el(0x0100, us(0x8010)),
                el(0x0120, us(id)),
                el(0x0800, us(0x0101)),
                el(0x0900, us(0)),
                el(0x1021, us(0)),
                el(0x1022, us(0)),
                el(0x1023, us(0)),
              ]),
            )
          }
        })
      },
    )
    listeners.push(l)
    const r = await run('getscu', ['-aet', 'GETSCU', '-aec', 'OURSCP', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID=1.2.3', '-od', tmpdir(), '-ta', '10', '127.0.0.1', String(l.address().port)], 20000)
    expect(r.status, r.out).toBe(0)
    expect(proposedRoles[0]).toBeGreaterThan(0) // getscu proposes role selection for storage classes
    const mr = roles.find((x) => x.as === MR_STORAGE)
    expect(mr).toEqual({ as: MR_STORAGE, scu: false, scp: true }) // getscu asks SCP role only; granted
    expect(roles.find((x) => x.as === STUDY_ROOT_GET)).toMatchObject({ scu: true, scp: false })
  })
})
