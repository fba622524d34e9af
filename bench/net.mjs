// Network benchmark: dimse against DCMTK and dcmjs-dimse, side by side in one run, alternating,
// on loopback (`npm run bench:net`, or `node bench/net.mjs [--quick] [--rounds N] [--only store,echo,find]`
// after `npx tsup`). For A/B runs: `--impls dcmtk,ours` leaves implementations out of the
// C-STORE rounds, `--dist DIR` measures another build (e.g. `npx tsup --out-dir /tmp/old` of an
// earlier commit) instead of ./dist. `--taskset CPUS` runs the C-STORE processes on those CPUs
// only (taskset -c), e.g. `--taskset 0` for one core. `--smoke` runs every scenario once on small
// sets, to check that each path still works (test/bench-smoke.test.ts), not to measure;
// `--data DIR` puts the generated data and results there instead of .bench-data/.
//
// Scenarios (each SCU and SCP is its own process; peak RSS is read from /proc/PID/status VmHWM,
// the SCP's CPU per thread and its wait for a core from /proc/PID/task/TID/schedstat):
//   C-STORE throughput, 3 sets (100 x 512 KiB, 20 x 10 MiB, 2 x 200 MiB), SCP storing to disk:
//     storescu -> storescp (DCMTK; +B bit-preserving streaming mode on the largest set),
//     dcmjs-dimse SCU -> dcmjs-dimse SCP (which keeps the instance in memory), and
//     `dimse store` -> `dimse serve --storage` (streamed to disk);
//   Echo associations per second, sequentially from one process;
//   C-FIND responses per second: findscu -> dcmqrscp, our SCU -> dcmqrscp, our SCU -> our SCP,
//     dcmjs-dimse SCU -> dcmjs-dimse SCP.
// Instances are generated into .bench-data/ (git-ignored) once and reused.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, readFileSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { start, run, stop, waitForOutput, waitForPort, freePort, killAll, median, sleep, threadTimes, cpuBetween } from './net-lib.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : dflt
}
const smoke = argv.includes('--smoke')
const quick = smoke || argv.includes('--quick')
const dataDir = resolve(opt('--data', join(root, '.bench-data')))
const rounds = Number(opt('--rounds', quick ? 1 : 3))
const only = new Set(opt('--only', 'store,echo,find').split(','))
const withDcmjsBig = (smoke || !quick) && !argv.includes('--no-dcmjs-big')
const taskset = opt('--taskset', undefined)
// --impls dcmtk,ours: leave implementations out of the C-STORE rounds (default: all three).
const impls = new Set(opt('--impls', 'dcmtk,dcmjs,ours').split(','))
// --dist DIR: measure this build instead of ./dist (e.g. a build of an earlier commit, for A/B).
// --warmup N: small instances in the warm-up set stored between the cold and the warm C-STORE
// measurement (default 150 x 512 KiB; 50 with --quick), besides a few large ones.
const distDir = resolve(opt('--dist', join(root, 'dist')))

// Per mode: the measured sets (the last, `big`, is DCMTK's +B streaming case and the one with
// the peak-RSS target), the warm-up sets (both SCP write paths, <= 1 MiB written in one go and
// larger ones streamed, and both SCU read paths, larger than PREFETCH_MAX_BYTES = 8 MiB streamed),
// and the echo / find counts.
const MODE = smoke
  ? {
      sets: [
        { name: '64k', count: 3, sizeKb: 64 },
        { name: '1m', count: 2, sizeKb: 1024 },
        { name: '9m', count: 1, sizeKb: 9 * 1024, big: true },
      ],
      warmup: [{ name: 'warmup-64k', count: Number(opt('--warmup', 2)), sizeKb: 64 }, { name: 'warmup-9m', count: 1, sizeKb: 9 * 1024 }],
      echo: { ours: 20, dcmjs: 5, dcmtk: 2 },
      find: { ours: 50, dcmjs: 10 },
      qr: 20,
    }
  : {
      sets: [
        { name: '512k', count: quick ? 30 : 100, sizeKb: 512 },
        { name: '10m', count: quick ? 5 : 20, sizeKb: 10 * 1024 },
        { name: '200m', count: quick ? 1 : 2, sizeKb: 200 * 1024, big: true },
      ],
      warmup: [{ name: 'warmup-512k', count: Number(opt('--warmup', quick ? 50 : 150)), sizeKb: 512 }, { name: 'warmup-10m', count: quick ? 2 : 5, sizeKb: 10 * 1024 }],
      echo: { ours: quick ? 500 : 2000, dcmjs: quick ? 100 : 300, dcmtk: quick ? 10 : 30 },
      find: { ours: quick ? 5000 : 20000, dcmjs: quick ? 500 : 2000 },
      qr: quick ? 1000 : 3000,
    }
const SETS = MODE.sets
const ECHO_N = MODE.echo
const FIND_N = MODE.find
const QR_INSTANCES = MODE.qr

// Run everything from a snapshot of dist/: other builds during the run must not change what is
// measured. One snapshot per run (several people may benchmark at once); removed at exit.
const distSnapshot = join(dataDir, `dist-${process.pid}`)
rmSync(distSnapshot, { recursive: true, force: true })
mkdirSync(dataDir, { recursive: true })
cpSync(distDir, distSnapshot, { recursive: true })
process.on('exit', () => rmSync(distSnapshot, { recursive: true, force: true }))
process.env.DIMSE_BENCH_DIST = distSnapshot
const node = process.execPath
const cli = join(distSnapshot, 'cli.js')
const oursHelper = join(root, 'bench', 'net-ours.mjs')
const dcmjsHelper = join(root, 'bench', 'net-dcmjs.mjs')

process.on('exit', killAll)
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => {
  killAll()
  process.exit(130)
})

// ------------------------------------------------------------------------------------------
// Data

/**
 * Generate (once) the instances of a set as Part 10 files, explicit VR little endian. `copy` 'b'
 * makes a second set of the same sizes with other UIDs (stored after the first, so that nothing
 * is overwritten).
 */
async function ensureSet(set, copy = '') {
  const dir = join(dataDir, `store-${set.name}-${set.count}${copy ? `-${copy}` : ''}`)
  const stamp = `${dir}.complete`
  if (!existsSync(stamp)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const { makeSampleInstances, encodeSample } = await import(join(distSnapshot, 'samples', 'index.js'))
    // One instance at a time: a 200 MiB set must not need its whole size in memory.
    let made = 0
    for (let i = 0; made < set.count; i++) {
      const [s] = makeSampleInstances({ seed: `net-${set.name}${copy ? `-${copy}` : ''}-${i}`, count: 1, patients: 1, sizeKb: set.sizeKb })
      if (!s || s.modality === 'SR') continue
      writeFileSync(join(dir, `IM${String(made).padStart(4, '0')}.dcm`), encodeSample(s))
      made++
    }
    writeFileSync(stamp, '')
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(dir, f))
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0)
  return { ...set, dir, files, bytes }
}

/** Small instances for the dcmqrscp index, all in one series (so one IMAGE-level query matches all). */
async function ensureQrSet() {
  const dir = join(dataDir, `qr-${QR_INSTANCES}`)
  const stamp = `${dir}.complete`
  if (!existsSync(stamp)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(join(dir, 'files'), { recursive: true })
    const { makeSampleInstances, encodeSample } = await import(join(distSnapshot, 'samples', 'index.js'))
    const all = makeSampleInstances({ seed: 'net-qr', count: QR_INSTANCES * 3, patients: 1, sizeKb: 1 })
    const bySeries = new Map()
    for (const s of all) if (s.modality !== 'SR') bySeries.set(s.seriesInstanceUid, [...(bySeries.get(s.seriesInstanceUid) ?? []), s])
    const series = [...bySeries.values()].sort((a, b) => b.length - a.length)[0].slice(0, QR_INSTANCES)
    series.forEach((s, i) => writeFileSync(join(dir, 'files', `IM${String(i).padStart(5, '0')}.dcm`), encodeSample(s)))
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ study: series[0].studyInstanceUid, series: series[0].seriesInstanceUid, count: series.length }))
    writeFileSync(stamp, '')
  }
  return { dir, ...JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) }
}

// ------------------------------------------------------------------------------------------
// C-STORE

const countFiles = (d) => (existsSync(d) ? readdirSync(d, { recursive: true }).filter((f) => String(f).endsWith('.dcm') || /^[A-Z]{2}\./.test(String(f).split('/').pop())).length : 0)

// After each store the received files are truncated (their data leaves the page cache before
// it is written back, as when they were deleted), but never deleted: on this machine's ext4
// (no journal), an inode is not reused for 60-300 s after its deletion, and files created just
// after hundreds were deleted made open() search past them (18-30% of the SCP's time on the
// 512 KiB set, for every implementation). The empty files stay in .bench-data/received/ (a few
// hundred inodes per run); remove that folder at least 5 minutes before a run. Keeping the data
// instead made the disk the bottleneck of every implementation.
const receivedDir = join(dataDir, 'received', String(process.pid))

async function storeRun(impl, set, tiny, warmup) {
  const out = join(receivedDir, `${impl}-${set.name}-${Math.random().toString(36).slice(2)}`)
  mkdirSync(out, { recursive: true })
  let scp
  // Stores against one SCP process, each by a fresh SCU process:
  // `base`, one tiny instance (process start-up, association, release), stored three times
  //   first, so that the SCP has served associations before the measured ones;
  // `cold`, the set: the SCP's first real work (a Node SCP is still compiling its code);
  // the warm-up set (not timed), then `warm`, a copy of the set with other UIDs: the SCP now runs
  //   as an archive that has been receiving for a while does. Only the tiny instance is stored over itself.
  // --taskset: every process of the scenario on the given CPUs (taskset execs the command, so
  // the pid, and with it /proc/PID, stays the tool's).
  const pinned = (cmd, args) => (taskset === undefined ? [cmd, args] : ['taskset', ['-c', taskset, cmd, ...args]])
  try {
    let store
    if (impl === 'dcmtk') {
      const port = await freePort()
      const args = ['-aet', 'STORESCP', '-od', out, ...(set.big ? ['+B'] : []), String(port)]
      scp = start(...pinned('storescp', args))
      await waitForPort(port)
      store = (s) => run(...pinned('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), ...s.files]))
    } else if (impl === 'ours') {
      scp = start(...pinned(node, [cli, 'serve', '--storage', out, '--port', '0', '--quiet', '--aet', 'DIMSE']))
      const port = (await waitForOutput(scp, /listening on [\d.]+:(\d+)/))[1]
      store = (s) => run(...pinned(node, [cli, 'store', '--aec', 'DIMSE', '127.0.0.1', port, s.dir]))
    } else {
      scp = start(...pinned(node, [dcmjsHelper, 'scp', '0']))
      const port = (await waitForOutput(scp, /BENCH-PORT (\d+)/))[1]
      store = (s) => run(...pinned(node, [dcmjsHelper, 'store', port, ...s.files]))
    }
    // Truncated after every store: hundreds of MB of dirty pages left by the previous store
    // tripled the system time of the next one's writes (2 x 200 MiB into `dimse serve`: 270 ->
    // 610 ms), which made "warm" slower than "cold". `scpCpu`: what the SCP's threads used (and
    // waited for a core) during the store.
    const timed = async (s) => {
      const before = threadTimes(scp.pid)
      const r = await store(s)
      const scpCpu = cpuBetween(scp.pid, before, threadTimes(scp.pid))
      truncateAll(out)
      return { ...r, scpCpu }
    }
    // The start-up figure is subtracted from ~0.1-0.2 s totals on the 512 KiB set: the median of
    // three (the same instance stored again) keeps one slow process start from skewing a round.
    const bases = [await timed(tiny), await timed(tiny), await timed(tiny)].sort((a, b) => a.ms - b.ms)
    const base = bases[1]
    const cold = await timed(set)
    for (const w of warmup) await timed(w)
    const warm = await timed(set.b)
    const scpPeakKb = scp.peakKb()
    await stop(scp)
    const expected = [tiny, set, ...warmup, set.b].reduce((n, s) => n + s.files.length, 0)
    const stored = impl === 'dcmjs' ? expected : countFiles(out)
    if (stored !== expected) throw new Error(`${impl}: ${stored} of ${expected} instances arrived`)
    const figures = (scu, s) => {
      const netMs = Math.max(1, scu.ms - base.ms)
      const perInstance = (ms) => ms / s.files.length
      const c = scu.scpCpu
      return {
        ms: scu.ms,
        mbps: s.bytes / 1e6 / (scu.ms / 1000),
        netMbps: s.bytes / 1e6 / (netMs / 1000),
        scuPeakKb: scu.peakKb,
        scpCpu: { mainMs: perInstance(c.mainMs), mainWaitMs: perInstance(c.mainWaitMs), otherMs: perInstance(c.otherMs), otherWaitMs: perInstance(c.otherWaitMs) },
      }
    }
    return { baseMs: base.ms, cold: figures(cold, set), warm: figures(warm, set.b), scpPeakKb }
  } finally {
    if (scp) await stop(scp)
    truncateAll(out)
  }
}

/** Truncate every file under `dir` to zero bytes (see receivedDir). */
function truncateAll(dir) {
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, String(f))
    if (statSync(p).isFile()) truncateSync(p, 0)
  }
}

// ------------------------------------------------------------------------------------------
// Echo

async function echoRun(impl) {
  if (impl === 'dcmtk') {
    // One process per association (the tool's only mode): reported for reference.
    const port = await freePort()
    const scp = start('storescp', ['-aet', 'STORESCP', '--ignore', String(port)])
    try {
      await waitForPort(port)
      const t0 = performance.now()
      for (let i = 0; i < ECHO_N.dcmtk; i++) await run('echoscu', ['-aec', 'STORESCP', '127.0.0.1', String(port)])
      return { n: ECHO_N.dcmtk, perSec: ECHO_N.dcmtk / ((performance.now() - t0) / 1000) }
    } finally {
      await stop(scp)
    }
  }
  const helper = impl === 'ours' ? oursHelper : dcmjsHelper
  const scp = start(node, [helper, 'scp', '1'])
  try {
    const port = (await waitForOutput(scp, /BENCH-PORT (\d+)/))[1]
    const args = (warmup) => (impl === 'ours' ? [helper, 'echo', port, String(ECHO_N[impl]), '', String(warmup)] : [helper, 'echo', port, String(ECHO_N[impl]), String(warmup)])
    // Cold: fresh SCU and SCP processes, code not yet optimised. Warm: the same SCP, and an SCU
    // that first runs as many untimed associations (as a long-running router or modality would).
    const cold = JSON.parse((await run(node, args(0))).stdout)
    const warm = JSON.parse((await run(node, args(ECHO_N[impl]))).stdout)
    return { n: cold.n, perSec: cold.n / (cold.ms / 1000), warmPerSec: warm.n / (warm.ms / 1000) }
  } finally {
    await stop(scp)
  }
}

// ------------------------------------------------------------------------------------------
// C-FIND

async function startDcmqrscp(qr) {
  // dcmqridx gets slower as its index grows (minutes for 3,000 files): index once, reuse.
  const dir = join(dataDir, `dcmqrscp-${QR_INSTANCES}`)
  const indexed = existsSync(`${dir}.complete`)
  if (!indexed) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(join(dir, 'db'), { recursive: true })
  }
  const port = await freePort()
  const cfg = join(dir, 'dcmqrscp.cfg')
  writeFileSync(
    cfg,
    `NetworkTCPPort = ${port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n\nHostTable BEGIN\nHostTable END\n\nVendorTable BEGIN\nVendorTable END\n\nAETable BEGIN\nQRSCP ${join(dir, 'db')} RW (${QR_INSTANCES + 100}, 1024mb) ANY\nAETable END\n`,
  )
  const files = readdirSync(join(qr.dir, 'files')).map((f) => join(qr.dir, 'files', f))
  if (!indexed) {
    for (let i = 0; i < files.length; i += 500) await run('dcmqridx', [join(dir, 'db'), ...files.slice(i, i + 500)])
    writeFileSync(`${dir}.complete`, '')
  }
  const p = start('dcmqrscp', ['-c', cfg])
  // A bare TCP probe upsets dcmqrscp 3.6.7: probe with a real association.
  for (let i = 0; ; i++) {
    const r = await run('echoscu', ['-aec', 'QRSCP', '127.0.0.1', String(port)], { allowFailure: true })
    if (r.code === 0) break
    if (i > 100) throw new Error('dcmqrscp did not start')
    await sleep(50)
  }
  return { p, port }
}

async function findRun(impl, qr, dcmqrscp) {
  const imageKeys = ['QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${qr.study}`, `SeriesInstanceUID=${qr.series}`, 'SOPInstanceUID=']
  if (impl === 'findscu-dcmqrscp') {
    const r = await run('findscu', ['-S', '-aec', 'QRSCP', ...imageKeys.flatMap((k) => ['-k', k.endsWith('=') ? k.slice(0, -1) : k]), '127.0.0.1', String(dcmqrscp.port)])
    return { n: qr.count, perSec: qr.count / (r.ms / 1000) }
  }
  if (impl === 'ours-dcmqrscp') {
    const r = JSON.parse((await run(node, [oursHelper, 'find', String(dcmqrscp.port), 'QRSCP', ...imageKeys])).stdout)
    if (r.n !== qr.count) throw new Error(`our SCU got ${r.n} of ${qr.count} matches from dcmqrscp`)
    return { n: r.n, perSec: r.n / (r.ms / 1000) }
  }
  const kind = impl === 'ours' ? 'ours' : 'dcmjs'
  const helper = kind === 'ours' ? oursHelper : dcmjsHelper
  const scp = start(node, [helper, 'scp', String(FIND_N[kind])])
  try {
    const port = (await waitForOutput(scp, /BENCH-PORT (\d+)/))[1]
    const r = JSON.parse((await run(node, kind === 'ours' ? [helper, 'find', port, 'ANY-SCP', 'PatientID='] : [helper, 'find', port])).stdout)
    if (r.n !== FIND_N[kind]) throw new Error(`${impl}: ${r.n} of ${FIND_N[kind]} matches`)
    return { n: r.n, perSec: r.n / (r.ms / 1000) }
  } finally {
    await stop(scp)
  }
}

// ------------------------------------------------------------------------------------------
// Main

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length])
const results = { store: {}, echo: {}, find: {}, failures: {} }
const add = (group, key, r) => (results[group][key] ??= []).push(r)
const log = (s) => process.stderr.write(`${s}\n`)

const load0 = loadavg()
const t0 = Date.now()
const toolVersion = (() => {
  try {
    return /dcmtk: storescu v([\d.]+)/.exec(execFileSync('storescu', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'
  } catch {
    return 'missing'
  }
})()
log(`dimse net bench${smoke ? ' (smoke)' : quick ? ' (quick)' : ''}: ${rounds} round(s), ${cpus().length} CPUs, load ${load0.map((x) => x.toFixed(2)).join(' ')}, DCMTK ${toolVersion}, node ${process.version}`)

try {
  const sets = only.has('store') ? [] : null
  if (sets) for (const s of SETS) sets.push({ ...(await ensureSet(s)), b: await ensureSet(s, 'b') })
  const tiny = sets ? await ensureSet({ name: 'tiny', count: 1, sizeKb: 1 }) : null
  const warmup = []
  if (sets) for (const w of MODE.warmup) warmup.push(await ensureSet(w))
  const qr = only.has('find') ? await ensureQrSet() : null
  for (let round = 0; round < rounds; round++) {
    if (sets) {
      for (const set of sets) {
        for (const impl of rotate(['dcmtk', 'dcmjs', 'ours'], round)) {
          if (!impls.has(impl)) continue
          // dcmjs-dimse holds a whole instance in memory (~1.6 GB RSS for 200 MiB) and is slow: once is enough.
          if (impl === 'dcmjs' && set.big && (!withDcmjsBig || round > 0)) continue
          let r
          try {
            r = await storeRun(impl, set, tiny, warmup)
          } catch (e) {
            // A peer that fails (dcmjs-dimse times out on 200 MiB instances under load) is reported, not fatal.
            log(`round ${round + 1} store ${set.count} x ${set.name} ${impl}: FAILED ${String(e.message).split('\n').filter(Boolean).slice(-3).join(' / ').slice(0, 300)}`)
            add('failures', `store ${set.name}/${impl}`, { round })
            continue
          }
          add('store', `${set.name}/${impl}`, r)
          const fig = (x) =>
            `${x.netMbps.toFixed(1)} MB/s net (${x.mbps.toFixed(1)} wall, SCU ${(x.scuPeakKb / 1024).toFixed(0)} MiB, SCP CPU per instance ${x.scpCpu.mainMs.toFixed(2)} ms main + ${x.scpCpu.otherMs.toFixed(2)} other threads, ${x.scpCpu.mainWaitMs.toFixed(2)} ms waiting)`
          log(`round ${round + 1} store ${set.count} x ${set.name} ${impl}: SCP warm ${fig(r.warm)}, SCP cold ${fig(r.cold)}; start-up ${r.baseMs.toFixed(0)} ms, SCP ${(r.scpPeakKb / 1024).toFixed(0)} MiB`)
        }
      }
    }
    if (only.has('echo')) {
      for (const impl of rotate(['dcmtk', 'dcmjs', 'ours'], round)) {
        const r = await echoRun(impl)
        add('echo', impl, r)
        log(`round ${round + 1} echo ${impl}: ${r.perSec.toFixed(0)} associations/s cold${r.warmPerSec ? `, ${r.warmPerSec.toFixed(0)}/s warm` : ''} (${r.n})`)
      }
    }
    if (qr) {
      const dcmqrscp = await startDcmqrscp(qr)
      try {
        for (const impl of rotate(['findscu-dcmqrscp', 'ours-dcmqrscp', 'dcmjs', 'ours'], round)) {
          const r = await findRun(impl, qr, dcmqrscp)
          add('find', impl, r)
          log(`round ${round + 1} find ${impl}: ${r.perSec.toFixed(0)} responses/s (${r.n})`)
        }
      } finally {
        await stop(dcmqrscp.p)
      }
    }
  }
} finally {
  killAll()
}

// ------------------------------------------------------------------------------------------
// Report

// `field` is a property name or a path such as 'warm.netMbps'.
const pick = (r, field) => field.split('.').reduce((x, k) => x?.[k], r)
const med = (group, key, field) => (results[group][key] ? median(results[group][key].map((r) => pick(r, field))) : NaN)
const max = (group, key, field) => (results[group][key] ? Math.max(...results[group][key].map((r) => pick(r, field))) : NaN)
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-')
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-')
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-')
const rows = []
// A smoke run checks the paths, not the speed: no verdicts.
const verdict = (ok) => (smoke || ok === undefined ? '' : ok ? 'met' : 'NOT met')
const IMPLS = ['dcmtk', 'dcmjs', 'ours']
if (only.has('store')) {
  for (const s of SETS) {
    const target = s.big ? 1.0 : 1.2
    const [d, j, o] = IMPLS.map((i) => med('store', `${s.name}/${i}`, 'warm.netMbps'))
    rows.push([`C-STORE ${s.count} x ${s.name}, MB/s net, SCP warm`, f1(d), f1(j), f1(o), f2(o / d), `>= ${target}x DCMTK`, verdict(o / d >= target)])
    const [dc, jc, oc] = IMPLS.map((i) => med('store', `${s.name}/${i}`, 'cold.netMbps'))
    rows.push([`C-STORE ${s.count} x ${s.name}, MB/s net, SCP cold`, f1(dc), f1(jc), f1(oc), f2(oc / dc), '', ''])
    const [dw, jw, ow] = IMPLS.map((i) => med('store', `${s.name}/${i}`, 'warm.mbps'))
    rows.push([`C-STORE ${s.count} x ${s.name}, MB/s wall, SCP warm`, f1(dw), f1(jw), f1(ow), f2(ow / dw), '', ''])
    const cpu = (i) => {
      const [m, o] = ['mainMs', 'otherMs'].map((k) => med('store', `${s.name}/${i}`, `warm.scpCpu.${k}`))
      return Number.isFinite(m) ? `${f2(m)}+${f2(o)}` : '-'
    }
    rows.push([`  SCP CPU ms/instance, warm (main+other threads)`, ...IMPLS.map(cpu), '', '', ''])
  }
  const big = SETS[SETS.length - 1]
  const peak = (impl, s, side) => (side === 'scp' ? max('store', `${s.name}/${impl}`, 'scpPeakKb') : Math.max(max('store', `${s.name}/${impl}`, 'cold.scuPeakKb'), max('store', `${s.name}/${impl}`, 'warm.scuPeakKb'))) / 1024
  for (const side of ['scu', 'scp']) {
    const [d, j, o] = IMPLS.map((i) => peak(i, big, side))
    rows.push([`${side.toUpperCase()} peak RSS, ${big.name} set (MiB)`, f0(d), f0(j), f0(o), '', '< 100 MiB', verdict(o < 100)])
  }
  for (const s of SETS.slice(0, -1)) {
    const o = Math.max(peak('ours', s, 'scu'), peak('ours', s, 'scp'))
    rows.push([`  ours, max peak RSS, ${s.name} set (MiB)`, '', '', f0(o), '', '', ''])
  }
}
if (only.has('echo')) {
  const [d, j, o] = ['dcmtk', 'dcmjs', 'ours'].map((i) => med('echo', i, 'perSec'))
  rows.push(['Echo associations/s, cold processes', `${f0(d)}*`, f0(j), f0(o), '', '>= 1000', verdict(o >= 1000)])
  const [jw, ow] = ['dcmjs', 'ours'].map((i) => med('echo', i, 'warmPerSec'))
  rows.push(['Echo associations/s, warm (after N untimed)', '', f0(jw), f0(ow), '', '>= 1000', verdict(ow >= 1000)])
}
if (only.has('find')) {
  const d = med('find', 'findscu-dcmqrscp', 'perSec')
  const od = med('find', 'ours-dcmqrscp', 'perSec')
  const j = med('find', 'dcmjs', 'perSec')
  const o = med('find', 'ours', 'perSec')
  rows.push(['C-FIND responses/s, SCU -> own SCP', '', f0(j), f0(o), '', '>= 12000', verdict(o >= 12000)])
  rows.push(['C-FIND responses/s, SCU -> dcmqrscp', f0(d), '', f0(od), f2(od / d), '>= 1.0x findscu', verdict(od / d >= 1)])
}
const header = ['scenario', 'DCMTK', 'dcmjs-dimse', 'dimse', 'ratio', 'target', '']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
const load1 = loadavg()
process.stdout.write(`\n${table}\n\n`)
for (const k of Object.keys(results.failures)) process.stdout.write(`failed: ${k} (${results.failures[k].length} run(s))\n`)
process.stdout.write(
  `medians of ${rounds} round(s); peak RSS = max VmHWM over rounds; * DCMTK echo = one echoscu process per association.\n` +
    `load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')}; ${cpus().length} CPUs; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
)
mkdirSync(dataDir, { recursive: true })
writeFileSync(join(dataDir, 'net-results.json'), JSON.stringify({ date: new Date().toISOString(), quick, smoke, rounds, load: [load0, load1], results }, null, 2))
