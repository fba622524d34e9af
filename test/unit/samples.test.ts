// Synthetic sample generator: determinism, structure, and validity as judged by DCMTK's dcmdump.
import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { makeSampleInstances, encodeSample, deterministicUid } from '../../src/samples/index.js'
import type { Dataset } from '../../src/dataset/index.js'
import { peersAvailable } from '../helpers/process.js'

const UID_RE = /^2\.25\.(0|[1-9]\d*)$/

function depth(ds: Dataset, tag = 0x0040a730): number {
  const items = ds.items(tag)
  return items.length === 0 ? 0 : 1 + Math.max(...items.map((i) => depth(i, tag)))
}

describe('makeSampleInstances', () => {
  it('is deterministic for a seed: same bytes twice, different UIDs for another seed', () => {
    const a = makeSampleInstances({ seed: 7, count: 8, sizeKb: 8 }).map((s) => encodeSample(s))
    const b = makeSampleInstances({ seed: 7, count: 8, sizeKb: 8 }).map((s) => encodeSample(s))
    expect(b).toEqual(a)
    const c = makeSampleInstances({ seed: 8, count: 8, sizeKb: 8 })
    const d = makeSampleInstances({ seed: 7, count: 8, sizeKb: 8 })
    expect(c.map((s) => s.sopInstanceUid)).not.toEqual(d.map((s) => s.sopInstanceUid))
  })

  it('derives valid 2.25 UIDs (PS3.5 9.1, B.2): digits without leading zeros, at most 64 chars', () => {
    for (let i = 0; i < 200; i++) {
      const u = deterministicUid('x', String(i))
      expect(u).toMatch(UID_RE)
      expect(u.length).toBeLessThanOrEqual(64)
    }
    expect(deterministicUid(1, 'a')).toBe(deterministicUid(1, 'a'))
    expect(deterministicUid(1, 'a')).not.toBe(deterministicUid(1, 'b'))
  })

  it('makes the requested number of instances in a patient/study/series hierarchy with unique UIDs', () => {
    const s = makeSampleInstances({ count: 30, sizeKb: 4 })
    expect(s).toHaveLength(30)
    expect(new Set(s.map((x) => x.patientId)).size).toBe(3)
    expect(new Set(s.map((x) => x.studyInstanceUid)).size).toBe(6)
    expect(new Set(s.map((x) => x.sopInstanceUid)).size).toBe(30)
    expect(new Set(s.map((x) => x.path)).size).toBe(30)
    expect(s.filter((x) => x.modality === 'SR')).toHaveLength(6)
    for (const x of s) {
      expect(x.sopInstanceUid).toMatch(UID_RE)
      expect(x.dataset.string(0x00080018)).toBe(x.sopInstanceUid)
      expect(x.dataset.string(0x0020000d)).toBe(x.studyInstanceUid)
      expect(x.dataset.string(0x0020000e)).toBe(x.seriesInstanceUid)
      expect(x.dataset.string(0x00080060)).toBe(x.modality)
    }
    // every series holds one modality and one study
    const bySeries = new Map<string, Set<string>>()
    for (const x of s) bySeries.set(x.seriesInstanceUid, (bySeries.get(x.seriesInstanceUid) ?? new Set()).add(`${x.studyInstanceUid}/${x.modality}`))
    for (const v of bySeries.values()) expect(v.size).toBe(1)
    expect(makeSampleInstances({ count: 0 })).toEqual([])
    expect(makeSampleInstances({ count: 1 })).toHaveLength(1)
  })

  it('default matrices: CT 512x512 and MR 256x256, 16-bit; --size-kb sets the matrix', () => {
    const s = makeSampleInstances({ count: 2 })
    const ct = s.find((x) => x.modality === 'CT')!.dataset
    const mr = s.find((x) => x.modality === 'MR')!.dataset
    expect([ct.number(0x00280010), ct.number(0x00280011), ct.number(0x00280100)]).toEqual([512, 512, 16])
    expect([mr.number(0x00280010), mr.number(0x00280011)]).toEqual([256, 256])
    expect((ct.get(0x7fe00010)!.value as Uint16Array).length).toBe(512 * 512)
    const small = makeSampleInstances({ count: 1, sizeKb: 32 })[0]!.dataset
    expect(small.number(0x00280010)).toBe(128) // 128*128*2 bytes = 32 KiB
    const bytes = encodeSample(makeSampleInstances({ count: 1, sizeKb: 100 })[0]!).length
    expect(bytes).toBeGreaterThan(95 * 1024)
    expect(bytes).toBeLessThan(110 * 1024)
  })

  it('SR reports have a nested content tree referring to images of the same study', () => {
    const s = makeSampleInstances({ count: 24 })
    const sr = s.find((x) => x.modality === 'SR')!
    expect(sr.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.88.33')
    expect(depth(sr.dataset)).toBeGreaterThanOrEqual(3)
    const evidence = sr.dataset.items(0x0040a375)[0]!
    const refs = evidence.items(0x00081115).flatMap((se) => se.items(0x00081199).map((r) => r.string(0x00081155)))
    const sameStudy = s.filter((x) => x.studyInstanceUid === sr.studyInstanceUid && x.modality !== 'SR').map((x) => x.sopInstanceUid)
    expect(refs.sort()).toEqual(sameStudy.sort())
  })
})

describe('DCMTK reads the samples without complaint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-samples-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const available = peersAvailable('samples', [['dcmdump', '--version']], { skipped: 'the DCMTK checks of the samples' })

  it.skipIf(!available).each([
    ['explicit VR LE', '1.2.840.10008.1.2.1'],
    ['implicit VR LE', '1.2.840.10008.1.2'],
    ['explicit VR BE', '1.2.840.10008.1.2.2'],
  ])('dcmdump: no errors or warnings (%s)', (_name, ts) => {
    const samples = makeSampleInstances({ count: 24, seed: 'dcmdump', sizeKb: 16 })
    const files: string[] = []
    for (const s of samples) {
      const f = join(dir, ts, s.path)
      mkdirSync(dirname(f), { recursive: true })
      writeFileSync(f, encodeSample(s, ts))
      files.push(f)
    }
    // one dcmdump run over all files; it names the file in any message it prints
    const r = spawnSync('dcmdump', ['-M', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 })
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const tsName = ts === '1.2.840.10008.1.2' ? 'LittleEndianImplicit' : ts === '1.2.840.10008.1.2.1' ? 'LittleEndianExplicit' : 'BigEndianExplicit'
    expect(r.stdout.split(`(0002,0010) UI =${tsName}`).length - 1).toBe(files.length)
  })

  it.skipIf(!available)('dcmdump decodes the values we meant: names in their character sets, pixel length, SR tree', () => {
    const samples = makeSampleInstances({ count: 30, seed: 3 })
    const pick = (pid: string, m: string) => samples.find((s) => s.patientId === pid && s.modality === m)!
    const dump = (s: (typeof samples)[number], convert = true) => {
      const f = join(dir, 'values', s.path)
      mkdirSync(dirname(f), { recursive: true })
      writeFileSync(f, encodeSample(s))
      // +U8 converts to UTF-8 (and then reports ISO_IR 192 as the character set)
      return execFileSync('dcmdump', [...(convert ? ['+U8'] : []), '+P', '0010,0010', '+P', '0028,0010', '+P', '7fe0,0010', '+P', '0040,a160', '+P', '0008,0005', f], { encoding: 'utf8' })
    }
    const ct1 = dump(pick('DIMSE-001', 'CT'))
    expect(ct1).toMatch(/\(0010,0010\) PN \[Synthetic\^Alice\]/)
    expect(ct1).toMatch(/\(0028,0010\) US 512/)
    expect(ct1).toMatch(/\(7fe0,0010\) OW .*# 524288,/)
    const mr2 = dump(pick('DIMSE-002', 'MR'))
    const mr2raw = dump(pick('DIMSE-002', 'MR'), false)
    expect(mr2raw).toContain('(0008,0005) CS [ISO_IR 100]')
    expect(mr2raw).toMatch(/#\s+12, 1 PatientName/) // one byte per character in Latin-1
    expect(mr2).toContain('PN [Müller^Jörg]')
    expect(mr2).toMatch(/\(0028,0010\) US 256/)
    const sr3 = dump(pick('DIMSE-003', 'SR'))
    expect(dump(pick('DIMSE-003', 'SR'), false)).toContain('(0008,0005) CS [ISO_IR 192]')
    expect(sr3).toContain('PN [Yamada^Tarou=山田^太郎=やまだ^たろう]')
    expect(sr3).toMatch(/\(0040,a160\) UT \[Synthetic (CT|MR) study: no real patient data.\]/)
  })
})
