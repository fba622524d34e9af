/**
 * Failure paths of the services over loopback TCP: handler errors answered with a status
 * (the association keeps working), aborts in the middle of a C-STORE into `dimse serve`,
 * association limits (seen by DCMTK too), C-MOVE to a destination that refuses, C-CANCEL of
 * C-MOVE / C-GET / C-FIND (iterator break and AbortSignal), DIMSE timeouts, and requests on a
 * context whose SOP class has no handler.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Client, Server, queryContexts, storageContexts, verificationContext, type ClientAssociation, type RetrieveItem,
} from '../../src/services/index.js'
import { Dataset, SopClass, TransferSyntax, encodeDataset, encodeFile, generateUid } from '../../src/dataset/index.js'
import { Status, cFindRq, cMoveRq, nGetRq } from '../../src/dimse/index.js'
import { AssociationRejectedError, DicomError, StatusError } from '../../src/errors.js'
import { startServe, type RunningServe } from '../../src/cli/serve.js'
import { peerEnv, peersAvailable } from '../helpers/process.js'

const haveDcmtk = peersAvailable('services-failures', [['echoscu', '--version']], { skipped: 'the DCMTK part' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function ct(patientId: string, pixels = 64 * 64): Dataset {
  const ds = new Dataset()
  ds.set('SOPClassUID', 'UI', [SopClass.CTImageStorage])
  ds.set('SOPInstanceUID', 'UI', [generateUid()])
  ds.set('PatientID', 'LO', [patientId])
  ds.set('StudyInstanceUID', 'UI', [generateUid()])
  ds.set('SeriesInstanceUID', 'UI', [generateUid()])
  ds.set('Modality', 'CS', ['CT'])
  ds.set('PixelData', 'OW', new Uint16Array(pixels).fill(7))
  return ds
}

function items(n: number): RetrieveItem[] {
  return Array.from({ length: n }, () => {
    const ds = ct('MOVE')
    return { sopClassUid: SopClass.CTImageStorage, sopInstanceUid: ds.string('SOPInstanceUID')!, file: async () => encodeFile(ds) }
  })
}

const servers: Server[] = []
async function serve(server: Server): Promise<number> {
  servers.push(server)
  await server.listen(0, '127.0.0.1')
  return server.address().port
}
afterAll(async () => {
  for (const s of servers) await s.close({ abort: true })
})

function open(port: number, called: string, extra: Partial<Parameters<Client['associate']>[0]> = {}): Promise<ClientAssociation> {
  return new Client({ aeTitle: 'FAIL-SCU' }).associate({
    host: '127.0.0.1',
    port,
    calledAeTitle: called,
    presentationContexts: [
      verificationContext(),
      ...storageContexts([SopClass.CTImageStorage], undefined, { scpRole: true }),
      ...queryContexts('study', ['find', 'move', 'get']),
    ],
    ...extra,
  })
}

describe('store handler failures', () => {
  it('a throwing store handler answers 0110 with the Error Comment; the association keeps working', async () => {
    let calls = 0
    const port = await serve(new Server({
      aeTitle: 'THROWS',
      handlers: {
        store: async (rq) => {
          calls++
          if (rq.command.affectedSopInstanceUid.endsWith('1')) return Status.Success
          await rq.bytes()
          throw new Error('disk on fire\nreally')
        },
      },
    }))
    const a = await open(port, 'THROWS')
    let bad = ct('X')
    while (bad.string('SOPInstanceUID')!.endsWith('1')) bad = ct('X')
    const r = await a.store({ dataset: bad })
    expect(r.status).toBe(0x0110)
    // Error Comment is LO-like: backslash and control characters do not go through.
    expect(r.errorComment).toBe('disk on fire really')
    expect((await a.echo()).status).toBe(0)
    let good = ct('Y')
    while (!good.string('SOPInstanceUID')!.endsWith('1')) good = ct('Y')
    expect((await a.store({ dataset: good })).status).toBe(0)
    expect(calls).toBe(2)
    await a.release()
  })
})

describe('store handler status errors', () => {
  it('a thrown StatusError answers its own status and comment (A700 Out of Resources)', async () => {
    const port = await serve(new Server({ aeTitle: 'FULL', handlers: { store: () => { throw new StatusError(Status.OutOfResources, 'storage full (ENOSPC)') } } }))
    const a = await open(port, 'FULL')
    const r = await a.store({ dataset: ct('Z') })
    expect(r.status).toBe(0xa700)
    expect(r.errorComment).toBe('storage full (ENOSPC)')
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })
})

describe('dimse serve: an association aborted in the middle of a C-STORE', () => {
  let dir: string
  let running: RunningServe
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-abort-'))
    running = await startServe(['--storage', dir, '--port', '0', '--aet', 'ARCHIVE', '--quiet'], { stdout: () => undefined, stderr: () => undefined })
  })
  afterAll(async () => {
    await running.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('leaves no file and no .part behind, and the server keeps serving', async () => {
    // 4 MiB of pixels; the first 2 MiB go out before the abort (more than any in-memory
    // gathering of small instances at the SCP, so the temporary file exists by then).
    const ds = ct('ABORT', 2048 * 1024)
    const bytes = encodeDataset(ds, TransferSyntax.ExplicitVRLittleEndian)
    const head = 2 * 1024 * 1024
    const a = await open(running.address.port, 'ARCHIVE')
    // Another association, open across the abort.
    const other = await open(running.address.port, 'ARCHIVE')
    let release!: () => void
    const hold = new Promise<void>((r) => (release = r))
    async function* body(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, head)
      await hold
      yield bytes.subarray(head)
    }
    const store = a.store({ sopClassUid: SopClass.CTImageStorage, sopInstanceUid: ds.string('SOPInstanceUID')!, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, body: body() })
    store.catch(() => undefined)
    // The server has started writing the temporary file.
    for (let i = 0; i < 100 && !readdirSync(dir).some((f) => f.endsWith('.part')); i++) await sleep(20)
    expect(readdirSync(dir).some((f) => f.endsWith('.part'))).toBe(true)
    a.abort()
    release()
    await expect(store).rejects.toBeInstanceOf(DicomError)
    for (let i = 0; i < 100 && readdirSync(dir).length > 0; i++) await sleep(20)
    expect(readdirSync(dir)).toEqual([])
    expect(running.archive.entries.size).toBe(0)
    expect((await other.echo()).status).toBe(0)
    expect((await other.store({ dataset: ct('OTHER') })).status).toBe(0)
    await other.release()
    expect(readdirSync(dir).filter((f) => f.endsWith('.dcm'))).toHaveLength(1)

    const b = await open(running.address.port, 'ARCHIVE')
    expect((await b.store({ dataset: ct('AFTER') })).status).toBe(0)
    await b.release()
    expect(readdirSync(dir).filter((f) => f.endsWith('.dcm'))).toHaveLength(2)
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toHaveLength(0)
  })
})

describe('association limit', () => {
  it('maxAssociations: the next requestor gets A-ASSOCIATE-RJ local-limit-exceeded (ours and DCMTK echoscu)', async () => {
    const port = await serve(new Server({ aeTitle: 'LIMITED', handlers: {}, maxAssociations: 1 }))
    const first = await open(port, 'LIMITED')
    const err = await open(port, 'LIMITED').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AssociationRejectedError)
    // PS3.8 Table 9-21: result 2 (transient), source 3 (provider, presentation), reason 2 (local limit exceeded).
    expect(err).toMatchObject({ result: 2, source: 3, reason: 2 })
    if (haveDcmtk) {
      const r = await new Promise<{ status: number | null; out: string }>((res) => {
        const c = spawn('echoscu', ['-aec', 'LIMITED', '127.0.0.1', String(port)], { env: peerEnv })
        let out = ''
        c.stdout.on('data', (d: Buffer) => (out += d.toString()))
        c.stderr.on('data', (d: Buffer) => (out += d.toString()))
        c.on('close', (status) => res({ status, out }))
      })
      expect(r.status).not.toBe(0)
      expect(r.out).toMatch(/Rejected Transient/i)
      expect(r.out).toMatch(/Local Limit Exceeded/i)
    }
    expect((await first.echo()).status).toBe(0)
    await first.release()
    // Once the first is gone, a new one is accepted.
    await sleep(50)
    const again = await open(port, 'LIMITED')
    await again.release()
  })
})

describe('C-MOVE, C-GET and C-FIND cancellation and failures', () => {
  let port: number
  let destPort: number
  let refuserPort: number
  const moveItems = items(6)
  const destStored: string[] = []
  beforeAll(async () => {
    destPort = await serve(new Server({
      aeTitle: 'SLOWDEST',
      handlers: {
        store: async (rq) => {
          await rq.bytes()
          await sleep(60)
          destStored.push(rq.sopInstanceUid)
          return 0
        },
      },
    }))
    // A destination that refuses every association (only calling AE 'NOBODY' is allowed).
    refuserPort = await serve(new Server({ aeTitle: 'REFUSER', handlers: { store: () => 0 }, allowedCallingAeTitles: ['NOBODY'] }))
    port = await serve(new Server({
      aeTitle: 'QR',
      handlers: {
        move: () => moveItems,
        get: () => moveItems,
        async *find(rq) {
          for (let i = 0; i < 50; i++) {
            if (rq.signal.aborted) return
            const d = new Dataset()
            d.set('QueryRetrieveLevel', 'CS', ['STUDY'])
            d.set('StudyInstanceUID', 'UI', [`1.2.3.${i}`])
            yield d
            await sleep(10)
          }
        },
      },
      peers: { SLOWDEST: { host: '127.0.0.1', port: destPort }, REFUSER: { host: '127.0.0.1', port: refuserPort } },
    }))
  })

  const query = (): Dataset => {
    const q = new Dataset()
    q.set('QueryRetrieveLevel', 'CS', ['STUDY'])
    q.set('StudyInstanceUID', 'UI', ['1.2.3'])
    return q
  }

  it('a destination that refuses the association: failure status, every UID in the Failed SOP Instance UID List', async () => {
    const a = await open(port, 'QR')
    const op = a.move('study', query(), { destination: 'REFUSER' })
    for await (const _ of op) void _
    const r = await op.result
    // PS3.4 C.4.2.1.5: A702 Refused: Out of Resources - Unable to perform sub-operations.
    expect(r.status).toBe(0xa702)
    expect(r.failed).toBe(moveItems.length)
    expect(r.completed ?? 0).toBe(0)
    expect(r.failedSopInstanceUids?.slice().sort()).toEqual(moveItems.map((i) => i.sopInstanceUid).sort())
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })

  it('a destination that stops answering: the SCP DIMSE timeout fails the sub-operations instead of hanging', async () => {
    const hangPort = await serve(new Server({ aeTitle: 'HANG', handlers: { store: () => new Promise<number>(() => undefined) } }))
    const qrPort = await serve(new Server({
      aeTitle: 'QR2',
      handlers: { move: () => moveItems.slice(0, 3) },
      peers: { HANG: { host: '127.0.0.1', port: hangPort } },
      dimseTimeoutMs: 200,
    }))
    const a = await open(qrPort, 'QR2')
    const started = Date.now()
    const op = a.move('study', query(), { destination: 'HANG' })
    for await (const _ of op) void _
    const r = await op.result
    expect(Date.now() - started).toBeLessThan(3000)
    expect(r.status).toBe(0xa702)
    expect(r.failed).toBe(3)
    expect(r.failedSopInstanceUids).toEqual(moveItems.slice(0, 3).map((i) => i.sopInstanceUid))
    await a.release()
  })

  it('an identifier that cannot be decoded: C-FIND and C-MOVE answer A900, the association goes on', async () => {
    const a = await open(port, 'QR')
    // Referenced Study Sequence (0008,1115) of undefined length whose content is not an Item
    // but (0010,0010): beyond what lenient decoding recovers from (PS3.5 7.5).
    const garbage = (ts: string): Uint8Array =>
      new Uint8Array(
        ts === TransferSyntax.ImplicitVRLittleEndian
          ? [0x08, 0x00, 0x15, 0x11, 0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x10, 0x00, 4, 0, 0, 0, 0x41, 0x41, 0x41, 0x41]
          : [0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x10, 0x00, 4, 0, 0, 0, 0x41, 0x41, 0x41, 0x41],
      )
    for (const [sop, build] of [
      [SopClass.StudyRootQueryRetrieveInformationModelFind, (id: number) => cFindRq({ messageId: id, affectedSopClassUid: SopClass.StudyRootQueryRetrieveInformationModelFind })],
      [SopClass.StudyRootQueryRetrieveInformationModelMove, (id: number) => cMoveRq({ messageId: id, affectedSopClassUid: SopClass.StudyRootQueryRetrieveInformationModelMove, moveDestination: 'SLOWDEST' })],
    ] as const) {
      const ctx = a.channel.contextFor(sop)
      const responses = []
      for await (const r of a.channel.request(ctx.id, build(a.channel.nextMessageId()), garbage(ctx.transferSyntax))) responses.push(r)
      expect(responses).toHaveLength(1)
      expect(responses[0]!.command.status).toBe(0xa900)
      expect(responses[0]!.command.errorComment).toBeTruthy()
    }
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })

  it('C-CANCEL during C-MOVE (AbortSignal): FE00 with the remaining count and the remaining UIDs', async () => {
    const a = await open(port, 'QR')
    const ac = new AbortController()
    const op = a.move('study', query(), { destination: 'SLOWDEST', signal: ac.signal })
    const seen = []
    for await (const p of op) {
      seen.push(p)
      if (seen.length === 2) ac.abort()
    }
    const r = await op.result
    expect(r.status).toBe(Status.Cancel)
    const done = (r.completed ?? 0) + (r.failed ?? 0) + (r.warning ?? 0)
    expect(done).toBeGreaterThanOrEqual(2)
    expect(done).toBeLessThan(moveItems.length)
    expect(r.remaining).toBe(moveItems.length - done)
    expect(r.failedSopInstanceUids).toEqual(moveItems.slice(done).map((i) => i.sopInstanceUid))
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })

  it('C-CANCEL during C-GET (iterator break): FE00 with the remaining count; association usable', async () => {
    const a = await open(port, 'QR')
    const got: string[] = []
    const op = a.get('study', query(), {
      onStore: async (rq) => {
        await rq.bytes()
        await sleep(40)
        got.push(rq.sopInstanceUid)
        return 0
      },
    })
    let n = 0
    for await (const _ of op) if (++n === 2) break
    const r = await op.result
    expect(r.status).toBe(Status.Cancel)
    expect(r.remaining).toBe(moveItems.length - (r.completed ?? 0))
    expect(r.remaining).toBeGreaterThan(0)
    expect(got).toHaveLength(r.completed!)
    expect(r.failedSopInstanceUids).toEqual(moveItems.slice(r.completed).map((i) => i.sopInstanceUid))
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })

  it('find(): break sends C-CANCEL (FE00) and the association stays usable; AbortSignal too', async () => {
    const a = await open(port, 'QR')
    const op = a.find('study', query())
    let n = 0
    for await (const _ of op) if (++n === 3) break
    expect((await op.result).status).toBe(Status.Cancel)
    expect((await a.echo()).status).toBe(0)

    const ac = new AbortController()
    const op2 = a.find('study', query(), { signal: ac.signal })
    let m = 0
    for await (const _ of op2) if (++m === 2) ac.abort()
    expect((await op2.result).status).toBe(Status.Cancel)
    expect(m).toBeLessThan(50)
    // A full find still runs to Success afterwards.
    const op3 = a.find('study', query())
    let k = 0
    for await (const _ of op3) k++
    expect(k).toBe(50)
    expect((await op3.result).status).toBe(0)
    await a.release()
  })
})

describe('timeouts and unsupported requests', () => {
  it('DIMSE timeout: no response in time rejects with ERR_TIMEOUT and aborts the association', async () => {
    const port = await serve(new Server({ aeTitle: 'SLOW', handlers: { echo: async () => (await sleep(1000), 0) } }))
    const a = await open(port, 'SLOW', { dimseTimeoutMs: 150 })
    const started = Date.now()
    await expect(a.echo()).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    expect(Date.now() - started).toBeLessThan(900)
    await expect(a.echo()).rejects.toBeInstanceOf(Error)
  })

  it('a request on an accepted context whose SOP class has no handler: 0122 SOP Class Not Supported', async () => {
    const printer = '1.2.840.10008.5.1.1.16' // Printer SOP Class (N-GET)
    const ts = [TransferSyntax.ImplicitVRLittleEndian]
    const port = await serve(new Server({
      aeTitle: 'BARE',
      handlers: {},
      contexts: [
        { abstractSyntax: SopClass.Verification, transferSyntaxes: ts },
        { abstractSyntax: SopClass.CTImageStorage, transferSyntaxes: ts },
        { abstractSyntax: SopClass.StudyRootQueryRetrieveInformationModelFind, transferSyntaxes: ts },
        { abstractSyntax: SopClass.StudyRootQueryRetrieveInformationModelMove, transferSyntaxes: ts },
        { abstractSyntax: printer, transferSyntaxes: ts },
      ],
    }))
    const a = await new Client({ aeTitle: 'SCU' }).associate({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'BARE',
      presentationContexts: [
        verificationContext(),
        { abstractSyntax: SopClass.CTImageStorage, transferSyntaxes: ts },
        { abstractSyntax: SopClass.StudyRootQueryRetrieveInformationModelFind, transferSyntaxes: ts },
        { abstractSyntax: SopClass.StudyRootQueryRetrieveInformationModelMove, transferSyntaxes: ts },
        { abstractSyntax: printer, transferSyntaxes: ts },
      ],
    })
    expect((await a.store({ dataset: ct('NOPE') })).status).toBe(Status.SopClassNotSupported)
    const f = a.find('study', new Dataset())
    for await (const _ of f) void _
    expect((await f.result).status).toBe(Status.SopClassNotSupported)
    const mv = a.move('study', new Dataset(), { destination: 'X' })
    for await (const _ of mv) void _
    expect((await mv.result).status).toBe(Status.SopClassNotSupported)
    const n = await a.request(printer, (id) => nGetRq({ messageId: id, requestedSopClassUid: printer, requestedSopInstanceUid: '1.2.840.10008.5.1.1.17' }))
    expect(n.status).toBe(Status.SopClassNotSupported)
    expect((await a.echo()).status).toBe(0)
    await a.release()
  })
})

describe.skipIf(!haveDcmtk)('dimse serve under movescu: a destination that refuses the association', () => {
  let dir: string
  let running: RunningServe
  let refuser: Server
  const stored: Dataset[] = []
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-move-refused-'))
    refuser = new Server({ aeTitle: 'REFUSER', handlers: { store: () => 0 }, allowedCallingAeTitles: ['NOBODY'] })
    const refuserPort = await serve(refuser)
    running = await startServe(['--storage', dir, '--port', '0', '--aet', 'ARCHIVE', '--quiet', '--peer', `REFUSER=127.0.0.1:${refuserPort}`], { stdout: () => undefined, stderr: () => undefined })
    const a = await open(running.address.port, 'ARCHIVE')
    const study = generateUid()
    for (let i = 0; i < 3; i++) {
      const ds = ct('MV')
      ds.set('StudyInstanceUID', 'UI', [study])
      stored.push(ds)
      expect((await a.store({ dataset: ds })).status).toBe(0)
    }
    await a.release()
  })
  afterAll(async () => {
    await running.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('movescu sees A702 with 3 failed sub-operations and the Failed SOP Instance UID List', async () => {
    const study = stored[0]!.string('StudyInstanceUID')!
    const r = await new Promise<{ status: number | null; out: string }>((res) => {
      const c = spawn('movescu', ['-v', '-d', '-S', '-aec', 'ARCHIVE', '-aem', 'REFUSER', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(running.address.port)], {
        env: peerEnv,
      })
      let out = ''
      c.stdout.on('data', (d: Buffer) => (out += d.toString()))
      c.stderr.on('data', (d: Buffer) => (out += d.toString()))
      c.on('close', (status) => res({ status, out }))
    })
    expect(r.out).toMatch(/0xa702/i)
    expect(r.out).toMatch(/Failed Suboperations\s*:\s*3/i)
    for (const ds of stored) expect(r.out).toContain(ds.string('SOPInstanceUID')!)
    expect(r.out).toMatch(/\(0008,0058\)/)
  })
})

describe('dimse serve --timeout', () => {
  it('a C-MOVE destination that stops answering fails the sub-operations after the DIMSE timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dimse-serve-timeout-'))
    const hangPort = await serve(new Server({ aeTitle: 'HANG', handlers: { store: () => new Promise<number>(() => undefined) } }))
    const running = await startServe(['--storage', dir, '--port', '0', '--aet', 'ARCHIVE', '--quiet', '--timeout', '0.3', '--peer', `HANG=127.0.0.1:${hangPort}`], { stdout: () => undefined, stderr: () => undefined })
    try {
      const a = await open(running.address.port, 'ARCHIVE')
      const study = generateUid()
      const uids: string[] = []
      for (let i = 0; i < 2; i++) {
        const ds = ct('TO')
        ds.set('StudyInstanceUID', 'UI', [study])
        uids.push(ds.string('SOPInstanceUID')!)
        expect((await a.store({ dataset: ds })).status).toBe(0)
      }
      const q = new Dataset()
      q.set('QueryRetrieveLevel', 'CS', ['STUDY'])
      q.set('StudyInstanceUID', 'UI', [study])
      const started = Date.now()
      const op = a.move('study', q, { destination: 'HANG' })
      for await (const _ of op) void _
      const r = await op.result
      expect(Date.now() - started).toBeLessThan(3000)
      expect(r.status).toBe(0xa702)
      expect(r.failedSopInstanceUids?.slice().sort()).toEqual(uids.sort())
      await a.release()
    } finally {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
