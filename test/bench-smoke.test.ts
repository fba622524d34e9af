/**
 * The network benchmark's own paths, exercised: `node bench/net.mjs --smoke` runs every scenario
 * once on small sets (C-STORE into storescp, dcmjs-dimse and `dimse serve`, cold and warm, with
 * DCMTK's +B streaming mode on the largest set; echo; C-FIND against dcmqrscp and the JavaScript
 * SCPs) and this test checks that each produced figures, so that a change to a peer's command
 * line, the CLI or the bench itself cannot leave the bench broken until someone runs it.
 * Speed is not checked here (bench/, not timed tests).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { peersAvailable, runNode } from './helpers/process.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = existsSync(join(root, 'dist', 'cli.js')) && existsSync(join(root, 'dist', 'samples', 'index.js'))
if (!built) console.warn('bench-smoke.test: dist/ is not built (run `npm run build`); skipping')
const havePeers = peersAvailable(
  'bench-smoke',
  ['storescu', 'storescp', 'echoscu', 'findscu', 'dcmqrscp', 'dcmqridx'].map((t) => [t, '--version'] as [string, string]),
)

type Figures = { netMbps: number; mbps: number; scuPeakKb: number; scpCpu: { mainMs: number; otherMs: number; mainWaitMs: number; otherWaitMs: number } }
type Results = {
  smoke: boolean
  results: {
    store: Record<string, { cold: Figures; warm: Figures; scpPeakKb: number }[]>
    echo: Record<string, { perSec: number }[]>
    find: Record<string, { n: number; perSec: number }[]>
    failures: Record<string, unknown[]>
  }
}

describe.skipIf(!built || !havePeers)('bench/net.mjs --smoke', () => {
  const data = mkdtempSync(join(tmpdir(), 'dimse-bench-smoke-'))
  afterAll(() => rmSync(data, { recursive: true, force: true }))

  it('runs every scenario of every implementation and reports figures for each', async () => {
    const r = await runNode(join(root, 'bench', 'net.mjs'), ['--smoke', '--data', data], { cwd: root, timeoutMs: 150_000 })
    expect(r.stderr).not.toMatch(/FAILED/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/SCP CPU ms\/instance, warm/)
    const out = JSON.parse(readFileSync(join(data, 'net-results.json'), 'utf8')) as Results
    expect(out.smoke).toBe(true)
    expect(out.results.failures).toEqual({})
    for (const set of ['64k', '1m', '9m']) {
      for (const impl of ['dcmtk', 'dcmjs', 'ours']) {
        const runs = out.results.store[`${set}/${impl}`]
        expect(runs, `${set}/${impl}`).toHaveLength(1)
        for (const f of [runs![0]!.cold, runs![0]!.warm]) {
          expect(f.netMbps).toBeGreaterThan(0)
          expect(f.scuPeakKb).toBeGreaterThan(0)
          expect(f.scpCpu.mainMs).toBeGreaterThan(0)
        }
        expect(runs![0]!.scpPeakKb).toBeGreaterThan(0)
      }
    }
    for (const impl of ['dcmtk', 'dcmjs', 'ours']) expect(out.results.echo[impl]![0]!.perSec).toBeGreaterThan(0)
    for (const impl of ['findscu-dcmqrscp', 'ours-dcmqrscp', 'dcmjs', 'ours']) {
      expect(out.results.find[impl]![0]!.n).toBeGreaterThan(0)
      expect(out.results.find[impl]![0]!.perSec).toBeGreaterThan(0)
    }
  }, 180_000)
})
