/**
 * Runs every example in examples/ so that they never rot:
 * 1. type-checks them (`tsc -p examples/tsconfig.json`: JSDoc-typed .mjs, 'dimse' mapped to src/);
 * 2. calls each example's `main()` in-process against the example SCPs (our Server on loopback,
 *    port 0): store → find → move → get, checking what arrived byte for byte against the sources
 *    and, when DCMTK is installed, that dcmdump reads the files the examples wrote;
 * 3. runs each example as `node examples/<name>.mjs ...` (the documented command) and checks its
 *    exit status and output.
 * The examples import 'dimse' (the package's own exports), so dist/ must be built (`npm test` does).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { SampleInstance } from '../src/samples/index.js'
import type { Server } from '../src/services/index.js'
import type { Dataset } from '../src/dataset/index.js'
import { peersAvailable, runNode, type NodeRun } from './helpers/process.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const examples = join(root, 'examples')
const built = existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'samples', 'index.js'))
const haveDcmdump = peersAvailable('examples', [['dcmdump', '--version']], { skipped: 'the dcmdump read-back of the files the examples write' })
if (!built) console.warn('examples.test: dist/ is not built (run `npm run build`); the examples import the built package')

// The examples' signatures as this test relies on them (their own types are checked by tsc in step 1).
type Log = { log: (line: string) => void }
interface EchoScu { main(o: { host: string; port: number; calledAeTitle?: string } & Log): Promise<number> }
interface StoreScu { main(o: { host: string; port: number; calledAeTitle?: string; paths: string[] } & Log): Promise<{ stored: number; failed: number }> }
interface FindScu {
  main(o: { host: string; port: number; calledAeTitle?: string; patientName?: string } & Log): Promise<{
    status: number
    studies: { patientName: string; patientId: string; studyDate: string; studyDescription: string; studyInstanceUid: string }[]
  }>
}
interface MoveScu {
  main(o: { host: string; port: number; calledAeTitle?: string; destination: string; studyInstanceUid: string } & Log): Promise<{ status: number; completed: number; failed: number; warning: number }>
}
interface GetScu {
  main(o: { host: string; port: number; calledAeTitle?: string; studyInstanceUid: string; outDir: string } & Log): Promise<{ status: number; completed: number; failed: number; files: string[] }>
}
interface StorageScp { main(o: { port?: number; host?: string; aeTitle?: string; dir: string } & Log): Promise<Server> }
interface QrScp {
  main(o: { port?: number; host?: string; aeTitle?: string; peers?: Record<string, { host: string; port: number }> } & Log): Promise<{ server: Server; instances: Map<string, unknown> }>
}
interface InMemory { main(o: Log): Promise<{ echo: number; store: number; found: string[] }> }
interface Samples {
  makeSampleInstances(o: { seed?: number; count?: number; patients?: number; sizeKb?: number }): SampleInstance[]
  encodeSample(s: SampleInstance, ts?: string): Uint8Array
}
interface DatasetApi {
  decodeFile(b: Uint8Array): { dataset: Dataset; transferSyntaxUid: string; datasetOffset: number }
}

const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(file).href)) as T

/** Collects the lines an example logs. */
function collector(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = []
  return { lines, log: (l) => void lines.push(l) }
}

/** Run `node examples/<name>.mjs args` to completion. */
const runExample = (name: string, args: string[], timeoutMs = 20_000): Promise<NodeRun> => runNode(join(examples, name), args, { cwd: root, timeoutMs })

/** Start a long-running example (an SCP) and wait for its "listening on HOST:PORT" line. */
function startExample(name: string, args: string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(examples, name), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 15_000)
    const onData = (c: Buffer): void => {
      out += c.toString()
      const m = /listening on [0-9.]+:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1]), output: () => out })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}: ${out}`))
    })
  })
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe.skipIf(!built)('examples', () => {
  let tmp: string
  let samplesDir: string
  let samples: SampleInstance[]
  let files: Map<string, Uint8Array> // SOP Instance UID → the Part 10 file we generated
  let api: DatasetApi
  const children: ChildProcess[] = []
  const servers: Server[] = []

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dimse-examples-'))
    samplesDir = join(tmp, 'samples')
    const lib = await load<Samples>(join(root, 'dist', 'samples', 'index.js'))
    api = await load<DatasetApi>(join(root, 'dist', 'index.js'))
    samples = lib.makeSampleInstances({ seed: 7, count: 10, patients: 2, sizeKb: 64 })
    files = new Map()
    for (const s of samples) {
      const bytes = lib.encodeSample(s)
      files.set(s.sopInstanceUid, bytes)
      await mkdir(dirname(join(samplesDir, s.path)), { recursive: true })
      await writeFile(join(samplesDir, s.path), bytes)
    }
  })

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    for (const s of servers) await s.close({ abort: true }).catch(() => undefined)
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  /** The dataset bytes (after the File Meta Information) of a Part 10 file. */
  const datasetBytes = (file: Uint8Array): Uint8Array => file.subarray(api.decodeFile(file).datasetOffset)

  test('type-check: tsc -p examples/tsconfig.json reports no error', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', join(examples, 'tsconfig.json')], { cwd: root, encoding: 'utf8' })
    // 'dimse' maps to src/index.ts there (no dependence on a build); report errors in examples/ only
    const ours = (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('examples/'))
    expect(ours).toEqual([])
    expect(r.error).toBeUndefined()
  }, 120_000)

  test('in-process: storage-scp, qr-scp, then echo, store, find, move and get against them', async () => {
    const storageScp = await load<StorageScp>(join(examples, 'storage-scp.mjs'))
    const qrScp = await load<QrScp>(join(examples, 'qr-scp.mjs'))
    const destDir = join(tmp, 'moved')
    const quiet = collector()
    const dest = await storageScp.main({ port: 0, dir: destDir, aeTitle: 'DEST', log: quiet.log })
    servers.push(dest)
    const { server: qr, instances } = await qrScp.main({ port: 0, aeTitle: 'QR', peers: { DEST: dest.address() }, log: quiet.log })
    servers.push(qr)
    expect(quiet.lines.some((l) => /^DEST listening on 127\.0\.0\.1:\d+/.test(l))).toBe(true)
    const { host, port } = qr.address()

    // echo
    const echo = collector()
    expect(await (await load<EchoScu>(join(examples, 'echo-scu.mjs'))).main({ host, port, calledAeTitle: 'QR', log: echo.log })).toBe(0)
    expect(echo.lines[0]).toMatch(/^C-ECHO QR@127\.0\.0\.1:\d+: Success \(0x0000\)/)

    // store every sample (the folder is searched recursively)
    const store = collector()
    expect(await (await load<StoreScu>(join(examples, 'store-scu.mjs'))).main({ host, port, calledAeTitle: 'QR', paths: [samplesDir], log: store.log })).toEqual({
      stored: samples.length,
      failed: 0,
    })
    expect(instances.size).toBe(samples.length)

    // find: one row per study of the matching patients, with the values the samples hold
    const find = await load<FindScu>(join(examples, 'find-scu.mjs'))
    const all = await find.main({ host, port, calledAeTitle: 'QR', log: collector().log })
    expect(all.status).toBe(0)
    const studies = new Map(samples.map((s) => [s.studyInstanceUid, s]))
    expect(all.studies.map((r) => r.studyInstanceUid).sort()).toEqual([...studies.keys()].sort())
    for (const row of all.studies) expect(row.patientId).toBe(studies.get(row.studyInstanceUid)!.patientId)
    const firstName = samples[0]!.dataset.string('PatientName')!
    const one = await find.main({ host, port, calledAeTitle: 'QR', patientName: `${firstName.slice(0, 4)}*`, log: collector().log })
    const expectedUids = [...new Set(samples.filter((s) => s.dataset.string('PatientName')!.startsWith(firstName.slice(0, 4))).map((s) => s.studyInstanceUid))]
    expect(one.studies.map((r) => r.studyInstanceUid).sort()).toEqual(expectedUids.sort())
    expect(one.studies.length).toBeLessThan(all.studies.length)

    // move the first study to DEST: the storage SCP writes each instance unchanged
    const study = samples[0]!.studyInstanceUid
    const inStudy = samples.filter((s) => s.studyInstanceUid === study)
    const moved = await (await load<MoveScu>(join(examples, 'move-scu.mjs'))).main({ host, port, calledAeTitle: 'QR', destination: 'DEST', studyInstanceUid: study, log: collector().log })
    expect(moved).toEqual({ status: 0, completed: inStudy.length, failed: 0, warning: 0 })
    const movedFiles = (await readdir(destDir)).filter((f) => f.endsWith('.dcm')).sort()
    expect(movedFiles).toEqual(inStudy.map((s) => `${s.sopInstanceUid}.dcm`).sort())
    for (const s of inStudy) {
      const got = await readFile(join(destDir, `${s.sopInstanceUid}.dcm`))
      expect(Buffer.from(datasetBytes(got)).equals(Buffer.from(datasetBytes(files.get(s.sopInstanceUid)!)))).toBe(true)
    }

    // an unknown move destination is a failure status, not an exception
    const unknown = await (await load<MoveScu>(join(examples, 'move-scu.mjs'))).main({ host, port, calledAeTitle: 'QR', destination: 'NOWHERE', studyInstanceUid: study, log: collector().log })
    expect(unknown.status).toBe(0xa801)

    // get the second patient's first study back over the same association
    const other = samples.find((s) => s.patientId !== samples[0]!.patientId)!
    const otherStudy = samples.filter((s) => s.studyInstanceUid === other.studyInstanceUid)
    const outDir = join(tmp, 'got')
    const got = await (await load<GetScu>(join(examples, 'get-scu.mjs'))).main({ host, port, calledAeTitle: 'QR', studyInstanceUid: other.studyInstanceUid, outDir, log: collector().log })
    expect(got.status).toBe(0)
    expect(got.completed).toBe(otherStudy.length)
    expect(got.files.map((f) => f.slice(outDir.length + 1)).sort()).toEqual(otherStudy.map((s) => `${s.sopInstanceUid}.dcm`).sort())
    for (const f of got.files) {
      const bytes = await readFile(f)
      const uid = api.decodeFile(bytes).dataset.string('SOPInstanceUID')!
      expect(Buffer.from(datasetBytes(bytes)).equals(Buffer.from(datasetBytes(files.get(uid)!)))).toBe(true)
    }

    // a real reader accepts the Part 10 files the examples wrote
    if (haveDcmdump) {
      for (const f of [...got.files, ...movedFiles.map((m) => join(destDir, m))]) {
        const text = execFileSync('dcmdump', ['-q', f], { encoding: 'utf8', maxBuffer: 64 << 20 })
        expect(text).toMatch(/\(0002,0010\) UI =LittleEndianExplicit/)
        expect(text).toContain('(0008,0018) UI [')
      }
    }
  })

  test('in-memory: client and server over a memory transport pair (no socket)', async () => {
    const out = collector()
    const r = await (await load<InMemory>(join(examples, 'in-memory.mjs'))).main({ log: out.log })
    expect(r.echo).toBe(0)
    expect(r.store).toBe(0)
    expect(r.found).toHaveLength(1)
    expect(r.found[0]).toMatch(/^2\.25\.\d+$/)
    expect(out.lines).toEqual([`echo 0x0000, store 0x0000, found 1 study: ${r.found[0]}`])
    const cmd = await runExample('in-memory.mjs', [])
    expect(cmd).toMatchObject({ code: 0, stderr: '' })
    expect(cmd.stdout).toMatch(/^echo 0x0000, store 0x0000, found 1 study: 2\.25\.\d+\n$/)
  })

  test('as commands: node examples/<name>.mjs ... (exit status and output)', async () => {
    const destDir = join(tmp, 'cmd-dest')
    const dest = await startExample('storage-scp.mjs', ['0', destDir, 'DEST'])
    children.push(dest.child)
    const qr = await startExample('qr-scp.mjs', ['0', 'QR', `DEST=127.0.0.1:${dest.port}`])
    children.push(qr.child)
    const p = String(qr.port)

    const echo = await runExample('echo-scu.mjs', ['127.0.0.1', p, 'QR'])
    expect(echo).toMatchObject({ code: 0, stderr: '' })
    expect(echo.stdout).toMatch(/^C-ECHO QR@127\.0\.0\.1:\d+: Success \(0x0000\) in [\d.]+ ms\n$/)

    const store = await runExample('store-scu.mjs', ['127.0.0.1', p, 'QR', samplesDir])
    expect(store).toMatchObject({ code: 0, stderr: '', stdout: `stored ${samples.length}, failed 0\n` })

    const find = await runExample('find-scu.mjs', ['127.0.0.1', p, 'QR'])
    expect(find.code).toBe(0)
    const nStudies = new Set(samples.map((s) => s.studyInstanceUid)).size
    expect(find.stdout).toContain(`${nStudies} studies; final status Success`)

    const study = samples[0]!.studyInstanceUid
    const move = await runExample('move-scu.mjs', ['127.0.0.1', p, 'QR', 'DEST', study])
    expect(move.code).toBe(0)
    const n = samples.filter((s) => s.studyInstanceUid === study).length
    expect(move.stdout).toContain(`C-MOVE to DEST: Success, completed ${n}, failed 0, warning 0`)
    expect((await readdir(destDir)).filter((f) => f.endsWith('.dcm'))).toHaveLength(n)

    const outDir = join(tmp, 'cmd-got')
    const get = await runExample('get-scu.mjs', ['127.0.0.1', p, 'QR', study, outDir])
    expect(get.code).toBe(0)
    expect(get.stdout).toContain(`C-GET: Success, completed ${n}, failed 0; ${n} files in ${outDir}`)

    // a failure is a non-zero exit status: echo to a closed port
    const closed = await runExample('echo-scu.mjs', ['127.0.0.1', '1', 'QR'])
    expect(closed.code).toBe(1)
    expect(closed.stderr).toMatch(/^echo-scu: /)
    // missing arguments: usage and exit status 2
    expect((await runExample('move-scu.mjs', ['127.0.0.1'])).code).toBe(2)

    // the SCPs log each operation and stop on Ctrl-C (SIGINT)
    expect(qr.output()).toMatch(/C-STORE from STORE-SCU: status 0x0000/)
    expect(qr.output()).toMatch(/C-MOVE from MOVE-SCU: status 0x0000/)
    expect(dest.output()).toMatch(/C-STORE from QR: status 0x0000/)
    for (const c of [qr.child, dest.child]) {
      c.kill('SIGINT')
      expect(await exited(c)).toBe(0)
    }
  })
})
