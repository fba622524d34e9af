/**
 * DCMTK storescu sending Deflated Explicit VR Little Endian (`-xd`, PS3.5 §A.5) to `dimse serve`:
 * the archive stores the deflated bytes as received and indexes the header from them (the
 * streaming decoder cannot read deflated data), so that C-FIND finds the instance.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFile, TransferSyntax } from '../../../src/dataset/index.js'
import { makeSampleInstances, encodeSample } from '../../../src/samples/index.js'
import { startServe, type RunningServe } from '../../../src/cli/serve.js'
import { peersAvailable, runCommand } from '../../helpers/process.js'

const hasStorescu = peersAvailable('serve-deflated-dcmtk', [['storescu', '--version']])

describe.skipIf(!hasStorescu)('storescu -xd into dimse serve', () => {
  let root: string
  let serve: RunningServe
  const children = new Set<ChildProcess>()
  const [sample] = makeSampleInstances({ seed: 'deflated-serve', count: 1, patients: 1, sizeKb: 200 })
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dimse-deflated-'))
    writeFileSync(join(root, 'in.dcm'), encodeSample(sample!))
    const quiet = { stdout: () => undefined, stderr: () => undefined }
    serve = await startServe(['--storage', join(root, 'store'), '--port', '0', '--aet', 'DEFL', '--quiet'], quiet)
  })
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await serve?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('stores the deflated instance and indexes its header', async () => {
    const r = await runCommand('storescu', ['-xd', '-aec', 'DEFL', '127.0.0.1', String(serve.address.port), join(root, 'in.dcm')], 60_000, undefined, children)
    expect(r.status, r.out).toBe(0)
    const e = serve.archive.entries.get(sample!.sopInstanceUid)
    expect(e, 'indexed').toBeDefined()
    expect(e!.transferSyntaxUid).toBe(TransferSyntax.DeflatedExplicitVRLittleEndian)
    expect(e!.attributes.string(0x00100020)).toBe(sample!.patientId)
    expect(e!.attributes.get(0x7fe00010)).toBeUndefined()
    const f = decodeFile(readFileSync(e!.path))
    expect(f.transferSyntaxUid).toBe(TransferSyntax.DeflatedExplicitVRLittleEndian)
    expect(f.dataset.string(0x00080018)).toBe(sample!.sopInstanceUid)
  }, 60_000)
})
