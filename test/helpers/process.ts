/**
 * Child processes and ports for tests that run real peers (DCMTK) or our CLI.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as net from 'node:net'

/** DCMTK's Debian build leaves Nagle on unless told otherwise (see ../shared/PEERS.md). */
export const peerEnv: NodeJS.ProcessEnv = { ...process.env, TCP_NODELAY: '1' }

/**
 * Whether the peer programs a test file needs are installed: every `[command, ...args]` (args
 * usually a version flag) exits 0, and `also` holds (e.g. a configuration file exists). Interop
 * tests fail, not skip, in CI: there (process.env.CI set) a missing peer throws. Elsewhere a
 * warning says what is skipped.
 */
export function peersAvailable(file: string, commands: readonly (readonly [string, ...string[]])[], options: { also?: boolean; skipped?: string } = {}): boolean {
  const ok = commands.every(([cmd, ...args]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0) && (options.also ?? true)
  if (!ok) {
    const missing = `${commands.map((c) => c[0]).join(', ')} not found${options.also === false ? ' or not configured' : ''}`
    if (process.env['CI']) throw new Error(`${file}: ${missing}, and CI requires them`)
    console.warn(`${file}: ${missing}, skipping ${options.skipped ?? 'the tests that need them'}`)
  }
  return ok
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer()
    s.on('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port
      s.close(() => res(p))
    })
  })
}

/**
 * Run a command to completion without blocking the event loop (servers started by the same test
 * keep their output pipes drained meanwhile); stdout and stderr are joined. Killed after `timeout`.
 * When `children` is given, the process is in it while it runs (for the caller's afterAll to kill).
 */
export function runCommand(
  cmd: string,
  args: string[],
  timeout = 60_000,
  env: NodeJS.ProcessEnv = peerEnv,
  children?: Set<ChildProcess>,
): Promise<{ status: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    children?.add(child)
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
    child.on('close', (status) => {
      clearTimeout(timer)
      children?.delete(child)
      res({ status, out })
    })
  })
}

/**
 * Wait until something accepts TCP connections on 127.0.0.1:`port` (not for dcmqrscp 3.6.7,
 * which a bare probe can crash later on: probe it with a C-ECHO instead).
 */
export async function waitForPort(port: number, ms = 10_000, what = 'server'): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy()
        res(true)
      })
      s.on('error', () => res(false))
    })
    if (ok) return
    if (Date.now() > end) throw new Error(`${what} did not listen on port ${port}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Start a server (normally a DCMTK peer, with {@link peerEnv}) that will listen on `port`, and
 * wait until it does; the process is killed if it never listens. The caller kills it in afterAll.
 */
export async function startServer(
  cmd: string,
  args: string[],
  port: number,
  opts: { cwd?: string; stdio?: StdioOptions; ms?: number } = {},
): Promise<ChildProcess> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: peerEnv, stdio: opts.stdio ?? 'ignore' })
  try {
    await waitForPort(port, opts.ms ?? 10_000, cmd)
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  }
  return child
}

/** DCMTK's sample print configuration, which {@link startDcmprscp} runs (profile IHEFULL). */
export const DCMPRSCP_SAMPLE_CFG = '/etc/dcmtk/dcmpstat.cfg'

/** Whether dcmprscp and its sample configuration are installed (see {@link peersAvailable}). */
export function dcmprscpAvailable(file: string, skipped?: string): boolean {
  return peersAvailable(file, [['dcmprscp', '--version']], { also: existsSync(DCMPRSCP_SAMPLE_CFG), ...(skipped ? { skipped } : {}) })
}

/**
 * DCMTK's print SCP (dcmprscp) with its sample configuration, the IHEFULL printer moved to a free
 * port, its spool folders in `dir`. `cfg` is the configuration text written to `dir`/pr.cfg.
 */
export async function startDcmprscp(dir: string): Promise<{ proc: ChildProcess; port: number; cfg: string }> {
  for (const d of ['log', 'spool', 'database', 'lut', 'reports']) mkdirSync(join(dir, d))
  const port = await freePort()
  const cfg = readFileSync(DCMPRSCP_SAMPLE_CFG, 'latin1').replace(/(\[IHEFULL\][^[]*?Port\s*=\s*)\d+/, `$1${port}`)
  writeFileSync(join(dir, 'pr.cfg'), cfg)
  const proc = await startServer('dcmprscp', ['-c', 'pr.cfg', '-p', 'IHEFULL'], port, { cwd: dir })
  return { proc, port, cfg }
}

/** What {@link runNode} gives back: exit code or signal, and the two output streams apart. */
export interface NodeRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Run `node script args` in `cwd` to completion, stdout and stderr kept apart. Rejects (after
 * killing it) when it has not finished in `timeoutMs`; `onSpawn` gets its pid once started.
 */
export function runNode(script: string, args: string[], opts: { cwd: string; timeoutMs: number; onSpawn?: (pid: number) => void }): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} did not finish in ${opts.timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`))
    }, opts.timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
    if (child.pid !== undefined) opts.onSpawn?.(child.pid)
  })
}
