import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { lookupKeyword, lookupPrivate, lookupTag, tagOfKeyword } from '../../../src/dataset/dictionary.js'
import type { DictionaryEntry } from '../../../src/dataset/dictionary.js'
import { PUBLIC_ELEMENTS } from '../../../src/dataset/generated/dictionary.js'
import { PRIVATE_ELEMENTS } from '../../../src/dataset/generated/private-dictionary.js'
import { formatTag } from '../../../src/dataset/tag.js'
import { CORPUS_DIR } from '../../helpers/corpus.js'
import { peersAvailable } from '../../helpers/process.js'

// Facts transcribed by hand from PS3.6 Table 6-1 / 7-1 and PS3.5 §7.5, §7.6, §7.8.1.
describe('known entries (PS3.6)', () => {
  const cases: [number, string[], string, string, string, boolean][] = [
    [0x00100010, ['PN'], '1', 'PatientName', "Patient's Name", false],
    [0x00080005, ['CS'], '1-n', 'SpecificCharacterSet', 'Specific Character Set', false],
    [0x00080008, ['CS'], '2-n', 'ImageType', 'Image Type', false],
    [0x00020010, ['UI'], '1', 'TransferSyntaxUID', 'Transfer Syntax UID', false],
    [0x00000000, ['UL'], '1', 'CommandGroupLength', 'Command Group Length', false],
    [0x00000900, ['US'], '1', 'Status', 'Status', false],
    [0x7fe00010, ['OB', 'OW'], '1', 'PixelData', 'Pixel Data', false],
    [0x00280106, ['US', 'SS'], '1', 'SmallestImagePixelValue', 'Smallest Image Pixel Value', false],
    [0x00283006, ['US', 'OW'], '1-n', 'LUTData', 'LUT Data', false],
    [0x00041200, ['UL'], '1', 'OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity', 'Offset of the First Directory Record of the Root Directory Entity', false],
    [0x00400275, ['SQ'], '1', 'RequestAttributesSequence', 'Request Attributes Sequence', false],
    [0x00280104, ['US', 'SS'], '1', 'SmallestValidPixelValue', 'Smallest Valid Pixel Value', true],
    [0xfffee000, [], '1', 'Item', 'Item', false],
    [0xfffee0dd, [], '1', 'SequenceDelimitationItem', 'Sequence Delimitation Item', false],
  ]
  it.each(cases.map((c) => [formatTag(c[0]), ...c] as const))('%s', (_label, t, vr, vm, keyword, name, retired) => {
    const e = lookupTag(t)
    expect(e).toMatchObject({ tag: t, vr, vm, keyword, name, retired })
    expect(tagOfKeyword(keyword)).toBe(t)
    expect(lookupKeyword(keyword)).toBe(e)
  })

  it('repeating groups: any even 60xx/50xx/7Fxx group, looked up with the group masked (PS3.5 §7.6)', () => {
    for (const g of [0x6000, 0x6002, 0x601e]) {
      expect(lookupTag(((g << 16) | 0x3000) >>> 0)).toMatchObject({ tag: ((g << 16) | 0x3000) >>> 0, vr: ['OB', 'OW'], keyword: 'OverlayData', pattern: '(60xx,3000)' })
      expect(lookupTag(((g << 16) | 0x0010) >>> 0)).toMatchObject({ vr: ['US'], keyword: 'OverlayRows' })
    }
    expect(lookupTag(0x50043000)).toMatchObject({ keyword: 'CurveData', retired: true })
    expect(lookupTag(0x7f020010)).toMatchObject({ keyword: 'VariablePixelData', vr: ['OB', 'OW'], retired: true })
    expect(tagOfKeyword('OverlayData')).toBe(0x60003000)
    // (6001,3000) is an odd group: private, not an overlay
    expect(lookupTag(0x60013000)).toBeUndefined()
  })

  it('element ranges: (0020,31xx) Source Image IDs', () => {
    expect(lookupTag(0x00203100)).toMatchObject({ keyword: 'SourceImageIDs', vr: ['CS'], retired: true, pattern: '(0020,31xx)' })
    expect(lookupTag(0x002031ff)).toMatchObject({ keyword: 'SourceImageIDs' })
    expect(lookupTag(0x00203200)).toBeUndefined()
  })

  it('group length (gggg,0000) is UL in every group', () => {
    expect(lookupTag(0x00080000)).toMatchObject({ tag: 0x00080000, vr: ['UL'], keyword: 'GenericGroupLength' })
    expect(lookupTag(0x00280000)).toMatchObject({ vr: ['UL'] })
    expect(lookupTag(0x00090000)).toMatchObject({ vr: ['UL'], keyword: 'PrivateGroupLength' })
    expect(lookupTag(0x00020000)).toMatchObject({ keyword: 'FileMetaInformationGroupLength' })
  })

  it('private creator elements (gggg,0010-00FF), gggg odd, are LO (PS3.5 §7.8.1)', () => {
    for (const t of [0x00090010, 0x001900ff, 0x7fe10010, 0x00290011]) {
      expect(lookupTag(t)).toMatchObject({ tag: t, vr: ['LO'], keyword: 'PrivateCreator' })
    }
    expect(lookupTag(0x00090100)).toBeUndefined()
    expect(lookupTag(0x00091010)).toBeUndefined()
  })

  it('accepts tags built with signed shifts', () => {
    expect(lookupTag((0x7fe0 << 16) | 0x0010)?.keyword).toBe('PixelData')
    expect(lookupTag((0xfffe << 16) | 0xe000)?.keyword).toBe('Item')
    expect(lookupTag((0xfffe << 16) | 0xe000)?.tag).toBe(0xfffee000)
  })

  it('unknown public tags and keywords', () => {
    expect(lookupTag(0x00100001)).toBeUndefined()
    expect(lookupKeyword('NoSuchKeyword')).toBeUndefined()
    expect(tagOfKeyword('')).toBeUndefined()
  })
})

describe('lookupPrivate (PS3.5 §7.8.1: creator + low byte of the element)', () => {
  it('finds an element in any block the creator reserved', () => {
    // private.dic: (0019,"GEMS_ACQU_01",02) SL NumberOfCellsInDetector
    for (const t of [0x00191002, 0x00191102, 0x0019ff02]) {
      const e = lookupPrivate('GEMS_ACQU_01', t)
      expect(e).toMatchObject({ tag: t, vr: ['SL'], keyword: 'NumberOfCellsInDetector', privateCreator: 'GEMS_ACQU_01' })
    }
  })
  it('ignores value padding on the creator, not other differences', () => {
    expect(lookupPrivate('GEMS_ACQU_01 ', 0x00191002)).toBeDefined()
    expect(lookupPrivate('gems_acqu_01', 0x00191002)).toBeUndefined()
    expect(lookupPrivate('GEMS_ACQU_01', 0x00211002)).toBeUndefined()
  })
  it('handles creator blocks defined over a range of groups', () => {
    // private.dic: (6001-o-60ff,"PAPYRUS 3.0",10) US OverlayRows
    expect(lookupPrivate('PAPYRUS 3.0', 0x60011010)).toMatchObject({ keyword: 'OverlayRows', vr: ['US'] })
    expect(lookupPrivate('PAPYRUS 3.0', 0x60031010)).toMatchObject({ keyword: 'OverlayRows' })
    expect(lookupPrivate('PAPYRUS 3.0', 0x60021010)).toBeUndefined()
  })
  it('elements private.dic defines at one full element number match only there', () => {
    // (0019,"PHILIPS MR/PART",1000) and (0019,"PHILIPS MR/PART",1100) differ in block only
    const a = lookupPrivate('PHILIPS MR/PART', 0x00191000)
    const b = lookupPrivate('PHILIPS MR/PART', 0x00191100)
    expect(a).toBeDefined()
    expect(b).toBeDefined()
    expect(a!.keyword).not.toBe(b!.keyword)
    expect(lookupPrivate('OCULUS Optikgeraete GmbH', 0x00291010)).toMatchObject({ keyword: 'OriginalMeasuringData', vr: ['OB'] })
    expect(lookupPrivate('OCULUS Optikgeraete GmbH', 0x00291a10)).toBeUndefined()
  })
  it('returns undefined for public groups and creator/length elements', () => {
    expect(lookupPrivate('GEMS_ACQU_01', 0x00181002)).toBeUndefined()
    expect(lookupPrivate('GEMS_ACQU_01', 0x00190010)).toBeUndefined()
  })
})

describe('internal consistency', () => {
  it('every packed entry round-trips tag → keyword → tag', () => {
    let n = 0
    for (const line of PUBLIC_ELEMENTS.split('\n')) {
      if (line === '') continue
      const t = parseInt(line.substring(0, 8), 16) >>> 0
      const e = lookupTag(t)!
      expect(e.tag).toBe(t)
      expect(tagOfKeyword(e.keyword)).toBe(t)
      expect(e.name.length).toBeGreaterThan(0)
      n++
    }
    expect(n).toBeGreaterThan(4500)
  })
})

// ---------------------------------------------------------------------------------------------
// DCMTK as the oracle: write a dataset holding every dictionary element in implicit VR (so the VR
// must come from DCMTK's own dictionary), and compare what dcmdump names each tag and which VR it
// gives it with our lookups.

const haveDcmtk = peersAvailable('dictionary', [['dump2dcm', '--version'], ['dcmdump', '--version']], { skipped: 'the DCMTK cross-check' })

// DCMTK's internal VR names for elements with several VRs (dcvr.h), as sets of PS3.5 VRs.
const DCMTK_PSEUDO: Record<string, string[]> = {
  ox: ['OB', 'OW'],
  xs: ['US', 'SS'],
  lt: ['US', 'SS', 'OW'],
  up: ['UL'],
  px: ['OB', 'OW'],
}
const DUMP_LINE = /^\s*\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) .*#\s*\d+, \d+ (\S+)\s*$/

describe.skipIf(!haveDcmtk)('agrees with DCMTK dcmdump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-dict-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function dumpThrough(lines: string[]): Map<number, { vr: string; keyword: string }> {
    const txt = join(dir, `in${Math.random().toString(36).slice(2)}.txt`)
    const dcm = txt.replace(/\.txt$/, '.dcm')
    writeFileSync(txt, lines.join('\n') + '\n', 'latin1')
    try {
      execFileSync('dump2dcm', ['+ti', txt, dcm], { timeout: 60_000, stdio: 'pipe' })
    } catch (err) {
      throw new Error(`dump2dcm failed: ${String((err as { stderr?: unknown }).stderr).slice(0, 2000)}`)
    }
    const out = execFileSync('dcmdump', ['-q', dcm], { timeout: 60_000, maxBuffer: 64 << 20 }).toString('latin1')
    const seen = new Map<number, { vr: string; keyword: string }>()
    for (const l of out.split('\n')) {
      const m = DUMP_LINE.exec(l)
      if (m) seen.set(parseInt(m[1]! + m[2]!, 16) >>> 0, { vr: m[3]!, keyword: m[4]! })
    }
    return seen
  }

  function dumpLine(t: number, vrs: readonly string[]): string {
    // DCMTK writes implicit VR only with the VR it would pick itself for multi-VR elements: OW
    return `${formatTag(t)} ${vrs.includes('OW') ? 'OW' : vrs[0]!} []`
  }

  function checkVr(t: number, ours: readonly string[], theirs: string): void {
    const expected = DCMTK_PSEUDO[theirs] ?? [theirs]
    const where = `${formatTag(t)} ours=${ours.join('/')} dcmtk=${theirs}`
    expect(ours.length, where).toBeGreaterThan(0)
    if (DCMTK_PSEUDO[theirs]) {
      for (const v of ours) expect(expected, where).toContain(v)
    } else if (ours.length > 1) {
      // DCMTK resolved a multi-VR element (e.g. OB or OW) while reading implicit VR
      expect(ours, where).toContain(theirs)
    } else {
      expect(ours, where).toEqual([theirs])
    }
  }

  it('public elements: keyword and VR of every non-sequence element', () => {
    const lines: string[] = []
    const tags: number[] = []
    for (const line of PUBLIC_ELEMENTS.split('\n')) {
      if (line === '') continue
      const t = parseInt(line.substring(0, 8), 16) >>> 0
      const g = t >>> 16
      const e = lookupTag(t)!
      // meta (0002), command (0000) and DICOMDIR offsets are managed by the writer; SQ and items need structure
      // DCMTK drops Data Set Trailing Padding (FFFC,FFFC) on writing
      if (g <= 0x0004 || g >= 0xfffc || e.vr.includes('SQ')) continue
      // DCMTK cannot write these (empty) in implicit VR: its 'lt' Gray Lookup Table Data, Pixel Data
      if (t === 0x00281200 || t === 0x7fe00010) continue
      lines.push(dumpLine(t, e.vr))
      tags.push(t)
    }
    // a few repeating-group and range members
    for (const t of [0x60023000, 0x601e0010, 0x50040010, 0x7f020011, 0x00203102]) {
      lines.push(dumpLine(t, lookupTag(t)!.vr))
      tags.push(t)
    }
    const seen = dumpThrough(lines)
    expect(tags.length).toBeGreaterThan(3000)
    let compared = 0
    for (const t of tags) {
      const d = seen.get(t)
      expect(d, `dcmdump lost ${formatTag(t)}`).toBeDefined()
      const ours = lookupTag(t)!
      const theirKeyword = d!.keyword.replace(/^RETIRED_/, '')
      expect(theirKeyword, formatTag(t)).toBe(ours.keyword)
      // DCMTK writes RETIRED_ exactly for the elements its dictionary marks retired
      expect(d!.keyword.startsWith('RETIRED_'), `${formatTag(t)} retired flag`).toBe(ours.retired)
      checkVr(t, ours.vr, d!.vr)
      compared++
    }
    expect(compared).toBe(tags.length)
  })

  it('private elements: keyword and VR of every private.dic entry, in a block its creator reserved', () => {
    // group → next free block byte; each (group, creator) gets a block 0x10..0xFF
    const blocks = new Map<string, number>()
    const nextBlock = new Map<number, number>()
    const lines: string[] = []
    const expected: { t: number; creator: string }[] = []
    let creator = ''
    for (const line of PRIVATE_ELEMENTS.split('\n')) {
      if (line === '') continue
      if (line.startsWith('@')) {
        creator = line.substring(1)
        continue
      }
      const [gs, bb] = line.split('|') as [string, string]
      if (bb.length !== 2) continue // defined in one block only: see the unit tests above
      const g = parseInt(gs.substring(0, 4), 16)
      const key = `${g}|${creator}`
      let block = blocks.get(key)
      if (block === undefined) {
        block = nextBlock.get(g) ?? 0x10
        if (block > 0xff) continue
        nextBlock.set(g, block + 1)
        blocks.set(key, block)
        lines.push(`${formatTag(((g << 16) | block) >>> 0)} LO [${creator}]`)
      }
      const t = ((g << 16) | (block << 8) | parseInt(bb, 16)) >>> 0
      const ours = lookupPrivate(creator, t)
      expect(ours, `${creator} ${formatTag(t)}`).toBeDefined()
      if (ours!.vr.includes('SQ') || ours!.vr.length === 0) continue
      lines.push(dumpLine(t, ours!.vr))
      expected.push({ t, creator })
    }
    const seen = dumpThrough(lines)
    expect(expected.length).toBeGreaterThan(2000)
    for (const { t, creator } of expected) {
      const d = seen.get(t)
      expect(d, `dcmdump lost ${formatTag(t)}`).toBeDefined()
      const ours = lookupPrivate(creator, t)!
      expect(d!.keyword, `${creator} ${formatTag(t)}`).toBe(ours.keyword)
      checkVr(t, ours.vr, d!.vr)
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Golden dcmdump output of real files (/work/shared/corpus): every named public element.

const GOLDEN = `${CORPUS_DIR}/golden`
const haveCorpus = existsSync(GOLDEN)
if (!haveCorpus) console.warn(`dictionary.test: ${GOLDEN} absent, skipping the golden-dump check`)

describe.skipIf(!haveCorpus)('agrees with the corpus goldens (dcmdump of real files)', () => {
  it('keyword of every public element and private creator in every golden dump', () => {
    let checked = 0
    for (const f of readdirSync(GOLDEN).filter((n) => n.endsWith('.dcmdump.txt'))) {
      for (const l of readFileSync(join(GOLDEN, f), 'latin1').split('\n')) {
        const m = DUMP_LINE.exec(l)
        if (!m) continue
        const t = parseInt(m[1]! + m[2]!, 16) >>> 0
        const kw = m[4]!
        if ((t >>> 16) === 0xfffe) continue
        const ours = lookupTag(t)
        if ((t >>> 16) % 2 === 1 && !ours) continue // private element: creator context needed
        expect(ours, `${f} ${formatTag(t)}`).toBeDefined()
        expect(kw.replace(/^RETIRED_/, ''), `${f} ${formatTag(t)}`).toBe(ours!.keyword)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })
})

// ---------------------------------------------------------------------------------------------
// The committed tables are exactly what the generator makes from its inputs (no hand edits).

const GEN_INPUTS = ['/usr/share/libdcmtk17/dicom.dic', '/usr/share/libdcmtk17/private.dic', '/usr/include/dcmtk/dcmdata/dcuid.h', '/usr/lib/python3/dist-packages/pydicom/_dicom_dict.py']
const haveInputs = GEN_INPUTS.every((p) => existsSync(p))
if (!haveInputs) console.warn('dictionary.test: generator inputs (dcmtk, libdcmtk-dev, python3-pydicom) missing, skipping the regeneration check')

describe('generated tables', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const files = ['dictionary.ts', 'private-dictionary.ts', 'uids.ts']
  it('stay small (< 600 KB together)', () => {
    let total = 0
    for (const f of files) total += readFileSync(join(root, 'src/dataset/generated', f)).length
    expect(total).toBeLessThan(600_000)
  })
  it.skipIf(!haveInputs)('are what scripts/generate-dictionary.mjs produces', () => {
    const out = mkdtempSync(join(tmpdir(), 'dimse-gen-'))
    try {
      execFileSync(process.execPath, [join(root, 'scripts/generate-dictionary.mjs')], { env: { ...process.env, OUT_DIR: out }, timeout: 60_000, stdio: 'pipe' })
      for (const f of files) {
        expect(readFileSync(join(out, f), 'utf8') === readFileSync(join(root, 'src/dataset/generated', f), 'utf8'), f).toBe(true)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
