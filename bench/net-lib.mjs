// Helpers of the network benchmark (bench/net.mjs): spawning peers with peak-RSS sampling,
// waiting for ports, free ports, cleanup. Not part of the package.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'

/** Every child process started by the benchmark, killed by killAll(). */
const children = new Set()

/** Peak resident set (VmHWM) of a live process in KiB, or undefined once it is gone. */
export function vmHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/**
 * CPU time and run-queue wait in ms of each thread of a live process (tid -> { run, wait }), from
 * /proc/PID/task/TID/schedstat. Empty once the process is gone.
 */
export function threadTimes(pid) {
  const out = new Map()
  let tids = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      out.set(Number(tid), { run: run / 1e6, wait: wait / 1e6 })
    } catch {
      // the thread ended meanwhile
    }
  }
  return out
}

/**
 * CPU and run-queue wait (ms) of a process between two {@link threadTimes} snapshots: its main
 * thread (tid = pid) and its other threads (V8's compiler and GC helpers, libuv's pool) apart.
 * Threads that ended between the snapshots are not counted.
 */
export function cpuBetween(pid, before, after) {
  const r = { mainMs: 0, mainWaitMs: 0, otherMs: 0, otherWaitMs: 0 }
  for (const [tid, a] of after) {
    const b = before.get(tid) ?? { run: 0, wait: 0 }
    if (tid === pid) {
      r.mainMs += a.run - b.run
      r.mainWaitMs += a.wait - b.wait
    } else {
      r.otherMs += a.run - b.run
      r.otherWaitMs += a.wait - b.wait
    }
  }
  return r
}

/**
 * Start a process; DCMTK tools get TCP_NODELAY=1 (Debian's build leaves Nagle on otherwise).
 * Returns { child, pid, stdout(), stderr(), peakKb(), exited: Promise<{code, ms}> }. The peak RSS
 * (VmHWM, monotonic) is sampled every 10 ms while the process lives.
 */
export function start(cmd, args, { env = {}, cwd } = {}) {
  const t0 = performance.now()
  const child = spawn(cmd, args, { cwd, env: { ...process.env, TCP_NODELAY: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  let peak = 0
  const sample = () => {
    const k = vmHwmKb(child.pid)
    if (k !== undefined && k > peak) peak = k
  }
  const timer = setInterval(sample, 10)
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer)
      children.delete(child)
      resolve({ code, signal, ms: performance.now() - t0 })
    })
  })
  return {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    peakKb: () => {
      sample()
      return peak
    },
    exited,
  }
}

/** Run a process to completion (with a time limit); throws with its output when it fails. */
export async function run(cmd, args, opts = {}) {
  const p = start(cmd, args, opts)
  const limit = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
  const r = await p.exited
  clearTimeout(limit)
  if (r.code !== 0 && !opts.allowFailure) {
    throw new Error(`${cmd} ${args.slice(0, 6).join(' ')}… exited ${r.code ?? r.signal}\n${p.stdout().slice(-2000)}\n${p.stderr().slice(-2000)}`)
  }
  return { ...r, stdout: p.stdout(), stderr: p.stderr(), peakKb: p.peakKb() }
}

/** Wait until `pattern` appears in the process's stdout or stderr; returns the match. */
export async function waitForOutput(p, pattern, timeoutMs = 15_000) {
  const t0 = Date.now()
  for (;;) {
    const m = pattern.exec(p.stdout()) ?? pattern.exec(p.stderr())
    if (m) return m
    if (p.child.exitCode !== null) throw new Error(`process exited before printing ${pattern}: ${p.stderr().slice(-1000)}`)
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${pattern}`)
    await sleep(10)
  }
}

/** Wait until a TCP connection to 127.0.0.1:port succeeds (then close it at once). */
export async function waitForPort(port, timeoutMs = 15_000) {
  const t0 = Date.now()
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port })
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() - t0 > timeoutMs) throw new Error(`port ${port} did not open`)
    await sleep(20)
  }
}

/** A port that was free a moment ago (for tools that cannot listen on port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Stop one started process (SIGTERM, then SIGKILL after 2 s) and wait for it. */
export async function stop(p) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited
  p.child.kill('SIGTERM')
  const t = setTimeout(() => p.child.kill('SIGKILL'), 2000)
  const r = await p.exited
  clearTimeout(t)
  return r
}

/** Kill every process the benchmark started that is still running. */
export function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Run `once` `warmup` times untimed, then `count` times timed, one after another (the echo
 * scenario of the SCU helpers); prints the `{ n, ms, warmup }` line bench/net.mjs reads.
 */
export async function timeSequential(once, count, warmup) {
  for (let i = 0; i < warmup; i++) await once()
  const t0 = performance.now()
  for (let i = 0; i < count; i++) await once()
  process.stdout.write(`${JSON.stringify({ n: count, ms: performance.now() - t0, warmup })}\n`)
}
