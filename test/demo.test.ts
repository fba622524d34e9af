/**
 * `npm run demo` = build, then scripts/demo.mjs. This test runs scripts/demo.mjs against the
 * current dist/ (`npm test` builds first) and checks its exit status, its table, and that it
 * leaves nothing behind: no listening SCP, no child process, no temporary folder — on success,
 * on a failing step, and on Ctrl-C.
 */
import { describe, expect, test } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runNode, type NodeRun } from './helpers/process.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const demo = join(root, 'scripts', 'demo.mjs')
const built = existsSync(join(root, 'dist', 'cli.js')) && existsSync(join(root, 'dist', 'samples', 'index.js'))
if (!built) console.warn('demo.test: dist/ is not built (run `npm run build`); skipping')

const STEPS = ['generate', 'start SCPs', 'C-ECHO', 'C-STORE', 'C-FIND PATIENT', 'C-FIND STUDY', 'C-FIND SERIES', 'C-FIND IMAGE', 'C-MOVE', 'C-GET']

const runDemo = (args: string[], onSpawn?: (pid: number) => void, timeoutMs = 90_000): Promise<NodeRun> =>
  runNode(demo, args, { cwd: root, timeoutMs, onSpawn })

/** Resolves true when a TCP connection to the port is refused (nothing listens). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', () => resolve(true))
  })
}

const demoDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('dimse-demo-'))

function ports(stdout: string): { archive: number; dest: number } {
  const m = /ARCHIVE 127\.0\.0\.1:(\d+), DEST 127\.0\.0\.1:(\d+)/.exec(stdout)
  expect(m, stdout).not.toBeNull()
  return { archive: Number(m![1]), dest: Number(m![2]) }
}

/** The table rows by step name: the cells after the name. */
function rowsOf(stdout: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const name = STEPS.find((s) => line.startsWith(`${s}  `))
    if (name) out.set(name, line.slice(name.length).trim())
  }
  return out
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.skipIf(!built)('npm run demo (scripts/demo.mjs)', () => {
  test('runs every step with the expected results, exits 0, leaves nothing running or on disk', async () => {
    const before = await demoDirs()
    const r = await runDemo([])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const rows = rowsOf(r.stdout)
    expect([...rows.keys()]).toEqual(STEPS)
    for (const [name, cells] of rows) expect(cells, name).toMatch(/\s ok\s+\d+\.\d$/)
    // The default samples: 20 instances of 3 patients (each with a CT and an MR study).
    expect(rows.get('C-STORE')).toMatch(/^20 files, [\d.]+ MiB, 1 association\s+20 stored /)
    expect(rows.get('C-FIND PATIENT')).toMatch(/\s3 matches\s/)
    expect(rows.get('C-FIND STUDY')).toMatch(/\s6 matches\s/)
    expect(rows.get('C-MOVE')).toMatch(/(\d+) completed, \1 at DEST/)
    expect(rows.get('C-GET')).toMatch(/(\d+) completed, \1 files/)
    expect(r.stdout).toMatch(/\n10\/10 steps ok in [\d.]+ s\n$/)
    const { archive, dest } = ports(r.stdout)
    expect(await refused(archive)).toBe(true)
    expect(await refused(dest)).toBe(true)
    expect((await demoDirs()).filter((d) => !before.includes(d))).toEqual([])
  }, 120_000)

  test('a failing step: FAIL in the table, exit 1, SCPs stopped, temporary folder removed', async () => {
    const before = await demoDirs()
    const r = await runDemo(['--count', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^demo: no samples/)
    expect(rowsOf(r.stdout).get('C-STORE')).toMatch(/FAIL \(expected 0 stored\)/)
    const { archive, dest } = ports(r.stdout)
    expect(await refused(archive)).toBe(true)
    expect(await refused(dest)).toBe(true)
    expect((await demoDirs()).filter((d) => !before.includes(d))).toEqual([])
  }, 120_000)

  test('Ctrl-C (SIGINT) while the SCPs run: both dimse serve children are stopped', async () => {
    const before = await demoDirs()
    let childPids: number[] = []
    const r = await runDemo(['--count', '100', '--size-kb', '128'], (pid) => {
      // Wait until the demo has started both SCPs, then interrupt it.
      const poll = setInterval(() => {
        let out = ''
        try {
          out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
        } catch {
          return // no children yet (ps exits 1)
        }
        childPids = out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)
        if (childPids.length >= 2) {
          clearInterval(poll)
          process.kill(pid, 'SIGINT')
        }
      }, 50)
    })
    expect(r.code).toBe(130)
    expect(r.stderr).toMatch(/demo: SIGINT, stopping/)
    expect(childPids).toHaveLength(2)
    for (const p of childPids) expect(alive(p), `child ${p}`).toBe(false)
    expect((await demoDirs()).filter((d) => !before.includes(d))).toEqual([])
  }, 120_000)
})
