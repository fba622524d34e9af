#!/usr/bin/env node
// The dimse demo: two local archives, the sample instances, and every DIMSE-C service between them.
//
//   npm run demo                 (= npm run build && node scripts/demo.mjs)
//   node scripts/demo.mjs [--count N] [--patients N] [--size-kb N] [--keep]
//
// 1. generates synthetic CT/MR/SR instances (src/samples) into a temporary folder;
// 2. starts two `dimse serve` processes on ephemeral loopback ports: ARCHIVE, which knows DEST
//    as a C-MOVE destination, and DEST;
// 3. as an SCU (the library, in this process): C-ECHO, C-STORE of every sample to ARCHIVE,
//    C-FIND at the PATIENT, STUDY, SERIES and IMAGE levels, C-MOVE of one patient to DEST,
//    C-GET of one study into a temporary folder;
// 4. prints one table row per step (what, result, expected, time) and exits 0 only if every
//    result is what the samples predict. Child processes and temporary folders are removed on
//    exit, on error and on Ctrl-C (--keep leaves the folders).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'dist', 'cli.js')

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '20' },
    patients: { type: 'string', default: '3' },
    'size-kb': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
})
if (opts.help) {
  console.log('usage: node scripts/demo.mjs [--count N] [--patients N] [--size-kb N] [--keep]   (after npm run build)')
  process.exit(0)
}
for (const k of /** @type {const} */ (['count', 'patients', 'size-kb'])) {
  const v = opts[k]
  if (v !== undefined && !(Number.isInteger(Number(v)) && Number(v) >= 0)) {
    console.error(`demo: --${k} must be a non-negative integer, got ${v}`)
    process.exit(2)
  }
}

/** @type {import('node:child_process').ChildProcess[]} */
const children = []
/** @type {string | undefined} */
let tmp
/** @type {Promise<void> | undefined} */
let cleaning

/** Stop every child we started (by its own handle), wait for them, remove the temporary folder. */
function cleanup() {
  cleaning ??= stopAll()
  return cleaning
}

async function stopAll() {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return
      const gone = once(c, 'exit')
      c.kill('SIGTERM')
      const timer = setTimeout(() => c.kill('SIGKILL'), 3000)
      await gone
      clearTimeout(timer)
    }),
  )
  if (tmp && !opts.keep) await rm(tmp, { recursive: true, force: true })
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    console.error(`demo: ${sig}, stopping`)
    // The main flow may still create folders while the children stop: remove the temporary
    // folder once more, synchronously, right before exiting.
    void cleanup().finally(() => {
      if (tmp && !opts.keep) rmSync(tmp, { recursive: true, force: true })
      process.exit(130)
    })
  })
}

const lib = await import(join(root, 'dist', 'index.js')).catch(() => undefined)
const samplesLib = await import(join(root, 'dist', 'samples', 'index.js')).catch(() => undefined)
if (!lib || !samplesLib) {
  console.error('demo: dist/ is missing; run "npm run demo" (it builds first) or "npm run build"')
  process.exit(2)
}
const { Client, makeIdentifier, queryContexts, storageContexts, contextsForInstances, verificationContext, statusCategory, COMMON_STORAGE_SOP_CLASSES, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, encodeFileMetaHeader, Status } = lib

/**
 * Start `dimse serve` and wait for its "listening on HOST:PORT" line.
 * @param {string[]} args
 * @returns {Promise<{ port: number, log: () => string }>}
 */
async function serve(args) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stderr.on('data', (c) => (out += c))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dimse serve did not start in 15 s: ${out}`)), 15_000)
    child.stdout.on('data', (c) => {
      out += c
      const m = /listening on [0-9.]+:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ port: Number(m[1]), log: () => out })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`dimse serve exited (${code}): ${out.trim()}`))
    })
  })
}

/** @type {{ step: string, detail: string, result: string, expected: string, ok: boolean, ms: number }[]} */
const rows = []
/**
 * Time one step and record its row.
 * @param {string} step
 * @param {string} detail
 * @param {string | number} expected
 * @param {() => Promise<string | number>} fn
 */
async function step(step, detail, expected, fn) {
  const t0 = performance.now()
  let result
  try {
    result = String(await fn())
  } catch (e) {
    result = `error: ${e instanceof Error ? e.message : String(e)}`
  }
  const ms = performance.now() - t0
  rows.push({ step, detail, result, expected: String(expected), ok: result === String(expected), ms })
}

const hex = (/** @type {number} */ s) => `0x${s.toString(16).padStart(4, '0')}`
/** @param {{ status: number }} r */
const statusText = (r) => `${statusCategory(r.status)} ${hex(r.status)}`

/** The ports of the two SCPs, once started. */
const ports = { archive: 0, dest: 0 }
/** @type {{ archive: () => string, dest: () => string }} */
const logs = { archive: () => '', dest: () => '' }

/**
 * Print the table of steps; true when every step gave the expected result.
 * @param {number} t0
 */
function printTable(t0) {
  const head = { step: 'step', detail: 'what', result: 'result', check: 'check', ms: 'ms' }
  const table = rows.map((r) => ({ step: r.step, detail: r.detail, result: r.result, check: r.ok ? 'ok' : `FAIL (expected ${r.expected})`, ms: r.ms.toFixed(1) }))
  const w = (/** @type {keyof typeof head} */ k) => Math.max(...[head, ...table].map((r) => r[k].length))
  const line = (/** @type {typeof head} */ r) =>
    `${r.step.padEnd(w('step'))}  ${r.detail.padEnd(w('detail'))}  ${r.result.padEnd(w('result'))}  ${r.check.padEnd(w('check'))}  ${r.ms.padStart(w('ms'))}`
  console.log(`\ndimse demo (${lib.IMPLEMENTATION_VERSION_NAME}, Node ${process.version}): ARCHIVE 127.0.0.1:${ports.archive}, DEST 127.0.0.1:${ports.dest}\n`)
  console.log(line(head))
  for (const r of table) console.log(line(r))
  const failed = rows.filter((r) => !r.ok).length
  console.log(`\n${rows.length - failed}/${rows.length} steps ok in ${((performance.now() - t0) / 1000).toFixed(2)} s${opts.keep ? `; files kept in ${tmp}` : ''}`)
  if (failed) console.log(`\nARCHIVE log:\n${logs.archive()}\nDEST log:\n${logs.dest()}`)
  return failed === 0
}

let exitCode = 1
const tStart = performance.now()
try {
  const t0 = tStart
  tmp = await mkdtemp(join(tmpdir(), 'dimse-demo-'))
  const dirs = { samples: join(tmp, 'samples'), archive: join(tmp, 'archive'), dest: join(tmp, 'dest'), got: join(tmp, 'got') }

  // The sample instances: deterministic, so the expected answers follow from them.
  const sampleOptions = { seed: 1, count: Number(opts.count), patients: Number(opts.patients), ...(opts['size-kb'] ? { sizeKb: Number(opts['size-kb']) } : {}) }
  /** @type {{ path: string, sopClassUid: string, sopInstanceUid: string, patientId: string, studyInstanceUid: string, seriesInstanceUid: string }[]} */
  let samples = []
  /** @type {{ file: Uint8Array, sopClassUid: string }[]} */
  const files = []
  let bytes = 0
  await step('generate', `${sampleOptions.count} synthetic instances`, sampleOptions.count, async () => {
    samples = samplesLib.makeSampleInstances(sampleOptions)
    for (const s of samples) {
      const file = samplesLib.encodeSample(s)
      bytes += file.length
      files.push({ file, sopClassUid: s.sopClassUid })
      await mkdir(dirname(join(dirs.samples, s.path)), { recursive: true })
      await writeFile(join(dirs.samples, s.path), file)
    }
    return samples.length
  })
  const count = (/** @type {string} */ key) => new Set(samples.map((s) => /** @type {Record<string, string>} */ (s)[key])).size

  // Two archives: DEST first, so that ARCHIVE can be told where DEST listens.
  /** @type {{ port: number, log: () => string }} */
  let dest = { port: 0, log: () => '' }
  /** @type {{ port: number, log: () => string }} */
  let archive = { port: 0, log: () => '' }
  await step('start SCPs', 'dimse serve ×2 (ARCHIVE, DEST)', 'listening', async () => {
    dest = await serve(['--storage', dirs.dest, '--aet', 'DEST'])
    ports.dest = dest.port
    logs.dest = dest.log
    archive = await serve(['--storage', dirs.archive, '--aet', 'ARCHIVE', '--peer', `DEST=127.0.0.1:${dest.port}`])
    ports.archive = archive.port
    logs.archive = archive.log
    return 'listening'
  })
  const at = { host: '127.0.0.1', port: archive.port, calledAeTitle: 'ARCHIVE' }
  const client = new Client({ aeTitle: 'DEMO' })

  await step('C-ECHO', `DEMO → ARCHIVE :${archive.port}`, 'Success 0x0000', async () => {
    const a = await client.associate({ ...at, presentationContexts: [verificationContext()] })
    try {
      return statusText(await a.echo())
    } finally {
      await a.release()
    }
  })

  await step('C-STORE', `${samples.length} files, ${(bytes / 1048576).toFixed(1)} MiB, 1 association`, `${samples.length} stored`, async () => {
    const a = await client.associate({ ...at, presentationContexts: contextsForInstances(files) })
    let ok = 0
    try {
      for (const f of files) if (statusCategory((await a.store({ file: f.file })).status) === 'Success') ok++
    } finally {
      await a.release()
    }
    return `${ok} stored`
  })

  /**
   * One C-FIND; returns the identifiers.
   * @param {'patient' | 'study'} model
   * @param {Record<string, string>} keys
   */
  const find = async (model, keys) => {
    const a = await client.associate({ ...at, presentationContexts: queryContexts(model, ['find']) })
    try {
      const op = a.find(model, makeIdentifier(keys))
      const found = []
      for await (const m of op) found.push(m.identifier)
      const r = await op.result
      if (r.status !== Status.Success) throw new Error(`C-FIND ended with ${statusText(r)} ${r.errorComment ?? ''}`)
      return found
    } finally {
      await a.release()
    }
  }
  const first = samples[0]
  if (!first) throw new Error('no samples (use --count 1 or more)')
  const firstSeries = samples.filter((s) => s.seriesInstanceUid === first.seriesInstanceUid).length
  const seriesInStudy = new Set(samples.filter((s) => s.studyInstanceUid === first.studyInstanceUid).map((s) => s.seriesInstanceUid)).size
  await step('C-FIND PATIENT', 'Patient Root, PatientName=*', `${count('patientId')} matches`, async () => `${(await find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: '*', PatientID: '' })).length} matches`)
  await step('C-FIND STUDY', 'Study Root, all studies', `${count('studyInstanceUid')} matches`, async () => `${(await find('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ModalitiesInStudy: '' })).length} matches`)
  await step('C-FIND SERIES', 'series of the first study', `${seriesInStudy} matches`, async () => `${(await find('study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: first.studyInstanceUid, SeriesInstanceUID: '', Modality: '' })).length} matches`)
  await step('C-FIND IMAGE', 'instances of the first series', `${firstSeries} matches`, async () => `${(await find('study', { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: first.studyInstanceUid, SeriesInstanceUID: first.seriesInstanceUid, SOPInstanceUID: '' })).length} matches`)

  const ofPatient = samples.filter((s) => s.patientId === first.patientId).length
  await step('C-MOVE', `patient ${first.patientId} → DEST`, `${ofPatient} completed, ${ofPatient} at DEST`, async () => {
    const a = await client.associate({ ...at, presentationContexts: queryContexts('patient', ['move']) })
    try {
      const op = a.move('patient', makeIdentifier({ QueryRetrieveLevel: 'PATIENT', PatientID: first.patientId }), { destination: 'DEST' })
      for await (const _ of op) void _
      const r = await op.result
      const atDest = (await readdir(dirs.dest)).filter((f) => f.endsWith('.dcm')).length
      return r.status === Status.Success ? `${r.completed ?? 0} completed, ${atDest} at DEST` : `${statusText(r)} ${r.errorComment ?? ''}`
    } finally {
      await a.release()
    }
  })

  const ofStudy = samples.filter((s) => s.studyInstanceUid === first.studyInstanceUid).length
  await step('C-GET', 'first study → temp folder', `${ofStudy} completed, ${ofStudy} files`, async () => {
    await mkdir(dirs.got, { recursive: true })
    let written = 0
    const storage = storageContexts(COMMON_STORAGE_SOP_CLASSES, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, { scpRole: true })
    const a = await client.associate({
      ...at,
      presentationContexts: [...queryContexts('study', ['get']), ...storage].slice(0, 128),
      onStore: async (/** @type {{ sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, bytes(): Promise<Uint8Array> }} */ rq) => {
        // A Part 10 file: File Meta Information, then the dataset as received.
        const header = encodeFileMetaHeader({ sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid })
        const data = await rq.bytes()
        const file = new Uint8Array(header.length + data.length)
        file.set(header)
        file.set(data, header.length)
        await writeFile(join(dirs.got, `${rq.sopInstanceUid}.dcm`), file)
        written++
        return Status.Success
      },
    })
    try {
      const op = a.get('study', makeIdentifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: first.studyInstanceUid }))
      for await (const _ of op) void _
      const r = await op.result
      return r.status === Status.Success ? `${r.completed ?? 0} completed, ${written} files` : `${statusText(r)} ${r.errorComment ?? ''}`
    } finally {
      await a.release()
    }
  })

  exitCode = printTable(t0) ? 0 : 1
} catch (e) {
  if (rows.length) printTable(tStart)
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`)
  exitCode = 1
} finally {
  await cleanup()
}
process.exitCode = exitCode
