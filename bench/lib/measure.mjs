// Generic benchmark helpers: timing rounds with alternating cases, medians, peak RSS, child
// processes that report one JSON line, plain-text tables. Shared by the bench/*.mjs scripts.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

/** Current time in milliseconds (high resolution). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Median of a non-empty list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Run every case once per round, alternating, after `warmup` unmeasured rounds. The order is a
 * fresh (seeded, so reproducible) shuffle each round: with a fixed rotation a case always ran
 * right after the same neighbour, and a neighbour that leaves much garbage (dcmjs) made the next
 * case pay for the heap pages the collector had just given back.
 * `cases` is a list of `{ name, run }` where `run()` does one full pass of the workload and may
 * return a value that is kept alive until the end of the pass (so results are not optimized away).
 * When the process runs with --expose-gc, a full collection runs before each measured call, so
 * that garbage left by one library is not collected on another library's clock.
 * Returns a Map name → { times: number[] (ms), median: number (ms) }.
 */
export function timeRounds(cases, { warmup = 1, rounds = 5, onRound, seed = 1 } = {}) {
  const times = new Map(cases.map((c) => [c.name, []]))
  let sink = 0
  let state = seed >>> 0 || 1
  const random = () => {
    // xorshift32: small, deterministic, good enough to shuffle a handful of cases
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x100000000
  }
  for (let r = 0; r < warmup + rounds; r++) {
    const order = cases.slice()
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    for (const c of order) {
      if (typeof globalThis.gc === 'function') globalThis.gc()
      const t0 = nowMs()
      const out = c.run()
      const dt = nowMs() - t0
      if (out !== undefined && out !== null) sink++
      if (r >= warmup) times.get(c.name).push(dt)
    }
    onRound?.(r - warmup)
  }
  const result = new Map()
  for (const [name, ts] of times) result.set(name, { times: ts, median: median(ts) })
  result.sink = sink
  return result
}

/** Peak resident set size of this process so far, in bytes (VmHWM, else maxRSS). */
export function peakRssBytes() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) * 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024
}

/** Current resident set size, in bytes. */
export function rssBytes() {
  return process.memoryUsage.rss()
}

/**
 * Run `node <args>` and resolve with the JSON object printed on the last line of its standard
 * output. Standard error is passed through. Rejects when the child fails.
 */
export function runNodeChild(args, { nodeArgs = [], env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: env ?? process.env })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`child ${args.join(' ')} exited with ${code ?? signal}`))
      const lines = out.trim().split('\n')
      try {
        resolve(JSON.parse(lines[lines.length - 1]))
      } catch (e) {
        reject(new Error(`child ${args.join(' ')} printed no JSON: ${out.slice(-500)}`))
      }
    })
  })
}

/** Machine facts worth printing next to figures: Node, CPU, cores, load averages, memory. */
export function systemInfo() {
  const cpus = os.cpus()
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`,
  }
}

/** Format a number with `digits` significant-ish decimals, thousands kept readable. */
export function fmt(x, digits = 1) {
  if (x === undefined || x === null || Number.isNaN(x)) return '-'
  if (!Number.isFinite(x)) return '∞'
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US')
  return x.toFixed(digits)
}

/** Bytes as MiB with one decimal. */
export function mib(bytes) {
  return (bytes / 2 ** 20).toFixed(1)
}

/** A plain-text table (first row: headers). Columns after the first are right-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)))
  const line = (r) => r.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ')
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}
