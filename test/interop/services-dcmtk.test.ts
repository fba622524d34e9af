/**
 * The services against DCMTK, both ways:
 * - our SCP (`dimse serve`, the built CLI) under echoscu, storescu, findscu, movescu, getscu;
 * - our SCU (`dimse store|find|move|get`) against storescp and dcmqrscp.
 * What arrives is checked with DCMTK's own dcm2json where a byte-level oracle is needed.
 * Fails (not skips) in CI when DCMTK is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeSampleInstances, encodeSample, type SampleInstance } from '../../src/samples/index.js'
import { Server } from '../../src/services/index.js'
import { Dataset } from '../../src/dataset/index.js'
import { PREFETCH_MAX_BYTES } from '../../src/cli/store.js'
import { freePort, peerEnv, peersAvailable, runCommand } from '../helpers/process.js'

const root = resolve(__dirname, '../..')
const cli = join(root, 'dist/cli.js')
const haveDcmtk = peersAvailable('services-dcmtk', [['echoscu', '--version']])
if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build (npm test does)`)
const env = peerEnv

const run = (cmd: string, args: string[], timeout = 60_000) => runCommand(cmd, args, timeout)

/** Wait until a C-ECHO to the port succeeds. */
async function waitForEcho(port: number, aeTitle: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const r = await run('echoscu', ['-to', '5', '-aec', aeTitle, '127.0.0.1', String(port)])
    if (r.status === 0) return
    if (Date.now() > end) throw new Error(`no C-ECHO answer on port ${port}: ${r.out}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * Start a server process that prints nothing useful when ready: wait until it answers C-ECHO
 * (a bare TCP probe makes dcmqrscp 3.6.7 crash later on, so probe with a real association).
 */
function startServer(cmd: string, args: string[], port: number, aeTitle: string, log: string[] = []): Promise<void> {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  child.stdout.on('data', (d: Buffer) => log.push(d.toString()))
  child.stderr.on('data', (d: Buffer) => log.push(d.toString()))
  return waitForEcho(port, aeTitle).catch((e: Error) => {
    throw new Error(`${cmd}: ${e.message}\n${log.join('')}`)
  })
}

/** Wait until the server log matches (log lines arrive asynchronously). */
async function waitForLog(log: string[], re: RegExp, ms = 5000): Promise<string> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (re.test(log.join(''))) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return log.join('')
}

const children: ChildProcess[] = []
/** Start a long-running process and wait until its output matches `ready`. */
function start(cmd: string, args: string[], ready: RegExp, log: string[] = []): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let buf = ''
    const timer = setTimeout(() => rej(new Error(`${cmd} not ready: ${buf}`)), 20_000)
    const on = (d: Buffer) => {
      buf += d.toString()
      log.push(d.toString())
      const m = buf.match(ready)
      if (m) {
        clearTimeout(timer)
        res({ child, match: m })
      }
    }
    child.stdout!.on('data', on)
    child.stderr!.on('data', on)
    child.on('exit', (code) => rej(new Error(`${cmd} exited with ${code}: ${buf}`)))
  })
}

/** DCMTK's own view of a file's dataset (without the meta group), for comparing what arrived. */
function dcmJson(path: string): unknown {
  const r = spawnSync('dcm2json', [path], { encoding: 'utf8', env })
  if (r.status !== 0) throw new Error(`dcm2json ${path}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(p))
    else out.push(p)
  }
  return out
}

describe.skipIf(!haveDcmtk)('services against DCMTK', () => {
  let tmp: string
  let samples: SampleInstance[]
  let sampleDir: string
  const bySop = new Map<string, string>()
  let scpPort: number
  let storescpPort: number
  let selfPort: number
  const scpLog: string[] = []
  let storescpDir: string

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'dimse-interop-'))
    sampleDir = join(tmp, 'samples')
    samples = makeSampleInstances({ seed: 7, count: 16, patients: 2, sizeKb: 32 })
    for (const s of samples) {
      const p = join(sampleDir, s.path)
      mkdirSync(dirname(p), { recursive: true })
      writeFileSync(p, encodeSample(s))
      bySop.set(s.sopInstanceUid, p)
    }
    storescpDir = join(tmp, 'storescp')
    mkdirSync(storescpDir)
    storescpPort = await freePort()
    selfPort = await freePort()
    await startServer('storescp', ['+xa', '-aet', 'STORESCP', '-od', storescpDir, String(storescpPort)], storescpPort, 'STORESCP')
    const { match } = await start(
      'node',
      [cli, 'serve', '--storage', join(tmp, 'archive'), '--port', '0', '--aet', 'DIMSE-SCP', '--peer', `STORESCP=127.0.0.1:${storescpPort}`, '--peer', `MOVESCU=127.0.0.1:${selfPort}`],
      /listening on [\d.]+:(\d+)/,
      scpLog,
    )
    scpPort = Number(match[1])
  }, 60_000)

  afterAll(() => {
    for (const c of children) c.kill('SIGTERM')
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  const dcmtk = (tool: string, args: string[]) => run(tool, ['-aet', 'MOVESCU', '-aec', 'DIMSE-SCP', ...args, '127.0.0.1', String(scpPort)])

  test('echoscu', async () => {
    const r = await dcmtk('echoscu', [])
    expect(r.status, r.out).toBe(0)
  })

  test('storescu stores every sample; what arrived equals what was sent (dcm2json of both)', async () => {
    const r = await run('storescu', ['-aet', 'MOVESCU', '-aec', 'DIMSE-SCP', '+sd', '+r', '127.0.0.1', String(scpPort), sampleDir])
    expect(r.status, r.out).toBe(0)
    const stored = filesUnder(join(tmp, 'archive')).filter((f) => f.endsWith('.dcm'))
    expect(stored).toHaveLength(samples.length)
    for (const s of samples.slice(0, 6)) {
      const arrived = stored.find((f) => f.includes(s.sopInstanceUid))!
      expect(arrived, s.sopInstanceUid).toBeDefined()
      expect(dcmJson(arrived)).toEqual(dcmJson(bySop.get(s.sopInstanceUid)!))
    }
  })

  test('findscu at each level of the study and patient root models, with wildcards and ranges', async () => {
    const patients = new Set(samples.map((s) => s.patientId))
    const studies = new Set(samples.map((s) => s.studyInstanceUid))
    const count = (out: string, tag: string) => out.split('\n').filter((l) => l.includes(tag)).length
    let r = await dcmtk('findscu', ['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID', '-k', 'PatientName'])
    expect(r.status, r.out).toBe(0)
    expect(count(r.out, '(0010,0020)')).toBe(patients.size)
    r = await dcmtk('findscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '-k', 'StudyDate=19000101-29991231'])
    expect(r.status, r.out).toBe(0)
    expect(count(r.out, '(0020,000d)')).toBe(studies.size)
    const one = samples.find((s) => s.modality === 'CT')!
    r = await dcmtk('findscu', ['-S', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${one.studyInstanceUid}`, '-k', 'SeriesInstanceUID', '-k', 'Modality=C*'])
    expect(r.status, r.out).toBe(0)
    const series = new Set(samples.filter((s) => s.studyInstanceUid === one.studyInstanceUid && s.modality === 'CT').map((s) => s.seriesInstanceUid))
    expect(count(r.out, '(0020,000e)')).toBe(series.size)
    r = await dcmtk('findscu', ['-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${one.studyInstanceUid}`, '-k', `SeriesInstanceUID=${one.seriesInstanceUid}`, '-k', 'SOPInstanceUID'])
    expect(r.status, r.out).toBe(0)
    expect(count(r.out, '(0008,0018)')).toBe(samples.filter((s) => s.seriesInstanceUid === one.seriesInstanceUid).length)
    r = await dcmtk('findscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=NoSuchName*', '-k', 'StudyInstanceUID'])
    expect(r.status, r.out).toBe(0)
    expect(count(r.out, '(0020,000d)')).toBe(0)
  })

  test('findscu --cancel 2 against a slow C-FIND: the SCP stops and answers Cancel (FE00)', async () => {
    let yielded = 0
    let cancelled = false
    const server = new Server({
      aeTitle: 'SLOW-SCP',
      handlers: {
        async *find(rq) {
          try {
            for (let i = 0; i < 200 && !rq.signal.aborted; i++) {
            await new Promise((r) => setTimeout(r, 20))
            const d = new Dataset()
            d.set('QueryRetrieveLevel', 'CS', ['STUDY'])
            d.set('StudyInstanceUID', 'UI', [`1.2.3.${i}`])
              yielded++
              yield d
            }
          } finally {
            // the SCP stops the handler when C-CANCEL arrives (PS3.4 C.4.1.3.2)
            cancelled = yielded < 200
          }
        },
      },
    })
    await server.listen(0, '127.0.0.1')
    try {
      const r = await run('findscu', ['-v', '-S', '--cancel', '2', '-aet', 'ME', '-aec', 'SLOW-SCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '127.0.0.1', String(server.address().port)])
      expect(r.status, r.out).toBe(0)
      expect(r.out).toMatch(/Cancel/)
      expect(cancelled).toBe(true)
      expect(yielded).toBeLessThan(50)
    } finally {
      await server.close({ abort: true })
    }
  })

  test('movescu to DCMTK storescp, to itself, and to an unknown AE (A801)', async () => {
    const study = samples[0]!.studyInstanceUid
    const expected = samples.filter((s) => s.studyInstanceUid === study).map((s) => s.sopInstanceUid).sort()
    let r = await dcmtk('movescu', ['-S', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`])
    expect(r.status, r.out).toBe(0)
    const arrived = readdirSync(storescpDir).map((f) => f.replace(/^[A-Za-z]+\./, '')).sort()
    expect(arrived).toEqual(expected)

    const own = join(tmp, 'movescu-own')
    mkdirSync(own)
    r = await run('movescu', ['-aet', 'MOVESCU', '-aec', 'DIMSE-SCP', '-S', '+P', String(selfPort), '-od', own, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(scpPort)])
    expect(r.status, r.out).toBe(0)
    expect(readdirSync(own)).toHaveLength(expected.length)

    r = await dcmtk('movescu', ['-S', '-aem', 'NOWHERE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`])
    expect(r.out).toMatch(/MoveDestinationUnknown|a801/i)
  })

  test('getscu retrieves a series over the same association', async () => {
    const s = samples.find((x) => x.modality === 'MR')!
    const out = join(tmp, 'getscu')
    mkdirSync(out)
    const r = await dcmtk('getscu', ['-S', '-od', out, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${s.studyInstanceUid}`, '-k', `SeriesInstanceUID=${s.seriesInstanceUid}`])
    expect(r.status, r.out).toBe(0)
    expect(readdirSync(out)).toHaveLength(samples.filter((x) => x.seriesInstanceUid === s.seriesInstanceUid).length)
  })

  test('our SCU (dimse store) to DCMTK storescp: what arrives equals what we sent', async () => {
    // the movescu test above left its files in storescpDir: start empty, so that only what
    // `dimse store` sends can satisfy the checks below
    for (const f of readdirSync(storescpDir)) rmSync(join(storescpDir, f), { recursive: true })
    const port = String(storescpPort)
    const r = await run('node', [cli, 'store', '127.0.0.1', port, '--aec', 'STORESCP', sampleDir])
    expect(r.status, r.out).toBe(0)
    expect(r.out).toMatch(new RegExp(`stored ${samples.length}, failed 0`))
    const arrived = readdirSync(storescpDir)
    expect(arrived).toHaveLength(samples.length)
    for (const s of samples.slice(0, 4)) {
      const f = arrived.find((x) => x.endsWith(s.sopInstanceUid))
      expect(f, s.sopInstanceUid).toBeDefined()
      expect(dcmJson(join(storescpDir, f!))).toEqual(dcmJson(bySop.get(s.sopInstanceUid)!))
    }
  })

  test('our SCU (dimse store) streams a file over the prefetch limit to storescp: the dataset arrives byte for byte', async () => {
    for (const f of readdirSync(storescpDir)) rmSync(join(storescpDir, f), { recursive: true })
    const [big] = makeSampleInstances({ seed: 11, count: 1, patients: 1, sizeKb: (PREFETCH_MAX_BYTES >> 10) + 1024 })
    const file = join(tmp, 'big.dcm')
    writeFileSync(file, encodeSample(big!))
    expect(statSync(file).size).toBeGreaterThan(PREFETCH_MAX_BYTES) // the streamed read path, not the prefetch
    const r = await run('node', [cli, 'store', '127.0.0.1', String(storescpPort), '--aec', 'STORESCP', file])
    expect(r.status, r.out).toBe(0)
    const arrived = readdirSync(storescpDir)
    expect(arrived).toHaveLength(1)
    // dataset = what follows the File Meta group (PS3.10 7.1: explicit VR LE, (0002,0000) UL first)
    const dataset = (b: Uint8Array): Uint8Array => b.subarray(132 + 12 + new DataView(b.buffer, b.byteOffset).getUint32(132 + 8, true))
    const sent = dataset(readFileSync(file))
    const got = dataset(readFileSync(join(storescpDir, arrived[0]!)))
    expect(got.length).toBe(sent.length)
    expect(Buffer.compare(got, sent)).toBe(0)
  })

  test('our SCU against dcmqrscp: store, find, move, get', async () => {
    const dir = join(tmp, 'dcmqrscp')
    const db = join(dir, 'DB')
    mkdirSync(db, { recursive: true })
    const port = await freePort()
    const destPort = await freePort()
    writeFileSync(
      join(dir, 'dcmqrscp.cfg'),
      `NetworkTCPPort = ${port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n\nHostTable BEGIN\nstorescp = (STORESCP, 127.0.0.1, ${storescpPort})\nourscp = (OURSCP, 127.0.0.1, ${destPort})\nHostTable END\n\nVendorTable BEGIN\nVendorTable END\n\nAETable BEGIN\nQRSCP ${db} RW (200, 1024mb) ANY\nAETable END\n`,
    )
    await startServer('dcmqrscp', ['-c', join(dir, 'dcmqrscp.cfg')], port, 'QRSCP')
    let r = await run('node', [cli, 'store', '127.0.0.1', String(port), '--aec', 'QRSCP', '--aet', 'OURSCU', sampleDir])
    expect(r.status, r.out).toBe(0)
    r = await run('node', [cli, 'find', '127.0.0.1', String(port), '--aec', 'QRSCP', '--level', 'STUDY', '-k', 'StudyInstanceUID', '-k', 'PatientID', '--json'])
    expect(r.status, r.out).toBe(0)
    const studies = r.out.trim().split('\n').filter((l) => l.startsWith('{'))
    expect(studies).toHaveLength(new Set(samples.map((s) => s.studyInstanceUid)).size)

    // move into our own dimse serve, registered in dcmqrscp's HostTable as OURSCP
    const dest = join(tmp, 'ourscp')
    await start('node', [cli, 'serve', '--storage', dest, '--port', String(destPort), '--aet', 'OURSCP'], /listening/)
    const study = samples[0]!.studyInstanceUid
    r = await run('node', [cli, 'move', '127.0.0.1', String(port), '--aec', 'QRSCP', '--dest', 'OURSCP', '-k', `StudyInstanceUID=${study}`])
    expect(r.status, r.out).toBe(0)
    expect(readdirSync(dest).filter((f) => f.endsWith('.dcm'))).toHaveLength(samples.filter((s) => s.studyInstanceUid === study).length)

    const got = join(tmp, 'got')
    r = await run('node', [cli, 'get', '127.0.0.1', String(port), '--aec', 'QRSCP', '--out', got, '-k', `StudyInstanceUID=${study}`])
    expect(r.status, r.out).toBe(0)
    expect(readdirSync(got).filter((f) => f.endsWith('.dcm'))).toHaveLength(samples.filter((s) => s.studyInstanceUid === study).length)
    for (const f of readdirSync(got).slice(0, 3)) {
      const uid = f.replace(/\.dcm$/, '')
      expect(dcmJson(join(got, f))).toEqual(dcmJson(bySop.get(uid)!))
    }
  }, 120_000)
})
