/**
 * Part 10 files (PS3.10 §7): layout of encodeFile checked by hand, files read back by DCMTK
 * (dcmconv rewrites ours, we read its output), files written by DCMTK in every native transfer
 * syntax read by us, and the variants found in the wild (no preamble, no meta, no group length).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import '../../../src/index.js' // node:zlib deflate codec
import { Dataset } from '../../../src/dataset/element.js'
import { decodeFile, decodeFileAsync, detectTransferSyntax, encodeFile } from '../../../src/dataset/part10.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { encodeDataset } from '../../../src/dataset/encode.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../../src/version.js'
import { datasetArb, diffDatasets, implicitSequenceValue } from '../../property/arbitraries-dataset.js'
import fc from 'fast-check'
import { CORPUS_DIR } from '../../helpers/corpus.js'

const CORPUS = `${CORPUS_DIR}/files`
const hasCorpus = existsSync(CORPUS)
const hasDcmtk = (() => {
  try {
    execFileSync('dcmconv', ['--version'], { stdio: 'ignore', timeout: 10000 })
    return true
  } catch {
    return false
  }
})()
if (!hasDcmtk) console.warn('DCMTK (dcmconv) not found: DCMTK interop tests skipped')
if (!hasCorpus) console.warn('corpus absent: corpus-based Part 10 tests skipped')

const dir = mkdtempSync(join(tmpdir(), 'dimse-part10-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function sample(): Dataset {
  const ds = new Dataset()
  ds.set(0x00080005, 'CS', ['ISO_IR 192'])
  ds.set(0x00080016, 'UI', ['1.2.840.10008.5.1.4.1.1.7'])
  ds.set(0x00080018, 'UI', ['1.2.3.4.5'])
  ds.set(0x00100010, 'PN', ['Müller^Jörg'])
  ds.set(0x00280010, 'US', [2])
  const item = new Dataset()
  item.set(0x00080100, 'SH', ['T-0001'])
  ds.set(0x00081115, 'SQ', [item])
  ds.set(0x7fe00010, 'OW', new Uint16Array([1, 2, 3, 4]))
  return ds
}

describe('encodeFile layout (PS3.10 §7.1)', () => {
  it('preamble, DICM, meta group with computed group length, version, UIDs, implementation', () => {
    const f = encodeFile(sample(), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian })
    expect(f.subarray(0, 128).every((x) => x === 0)).toBe(true)
    expect(Buffer.from(f.subarray(128, 132)).toString('latin1')).toBe('DICM')
    // (0002,0000) UL 4
    expect(Buffer.from(f.subarray(132, 140)).toString('hex')).toBe('02000000554c0400')
    const groupLength = new DataView(f.buffer, f.byteOffset).getUint32(140, true)
    // (0002,0001) OB 00 00 00000002 00 01
    expect(Buffer.from(f.subarray(144, 158)).toString('hex')).toBe('020001004f4200000200000000' + '01')
    const r = decodeFile(f, { lenient: false })
    expect(r.datasetOffset).toBe(144 + groupLength)
    expect(r.meta.string(0x00020002)).toBe('1.2.840.10008.5.1.4.1.1.7')
    expect(r.meta.string(0x00020003)).toBe('1.2.3.4.5')
    expect(r.meta.string(0x00020010)).toBe(TransferSyntax.ExplicitVRLittleEndian)
    expect(r.meta.string(0x00020012)).toBe(IMPLEMENTATION_CLASS_UID)
    expect(r.meta.string(0x00020013)).toBe(IMPLEMENTATION_VERSION_NAME)
    expect(r.dataset.string(0x00100010)).toBe('Müller^Jörg')
  })

  it('extra meta elements are kept; group 0002 elements of the dataset are not written twice', () => {
    const meta = new Dataset()
    meta.set(0x00020016, 'AE', ['MYAE'])
    const ds = sample()
    ds.set(0x00020010, 'UI', ['9.9.9'])
    const r = decodeFile(encodeFile(ds, { meta, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian }))
    expect(r.meta.string(0x00020016)).toBe('MYAE')
    expect(r.meta.string(0x00020010)).toBe(TransferSyntax.ImplicitVRLittleEndian)
    expect(r.dataset.has(0x00020010)).toBe(false)
  })
})

describe.skipIf(!hasDcmtk)('DCMTK reads our files', () => {
  const syntaxes = [
    [TransferSyntax.ImplicitVRLittleEndian, '+ti'],
    [TransferSyntax.ExplicitVRLittleEndian, '+te'],
    [TransferSyntax.ExplicitVRBigEndian, '+tb'],
    [TransferSyntax.DeflatedExplicitVRLittleEndian, '+td'],
  ] as const
  for (const [ts] of syntaxes) {
    it(`dcmconv reads ${ts} and writes it back as explicit VR LE with the same content`, () => {
      const ours = sample()
      const inPath = join(dir, `in-${ts}.dcm`)
      const outPath = join(dir, `out-${ts}.dcm`)
      writeFileSync(inPath, encodeFile(ours, { transferSyntaxUid: ts, sequenceLength: ts === TransferSyntax.ExplicitVRBigEndian ? 'undefined' : 'defined' }))
      execFileSync('dcmconv', ['-q', '+te', inPath, outPath], { timeout: 20000 })
      const r = decodeFile(readFileSync(outPath), { lenient: false })
      expect(r.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian)
      expect(diffDatasets(ours, r.dataset)).toBeUndefined()
      expect(r.meta.string(0x00020003)).toBe('1.2.3.4.5')
    })
  }

  it('arbitrary datasets written by us survive a DCMTK round trip (dcmconv +te)', () => {
    let n = 0
    fc.assert(
      fc.property(datasetArb({ depth: 2 }), fc.constantFrom(...syntaxes.map((s) => s[0])), (ds, ts) => {
        const p = join(dir, `arb-${n}.dcm`)
        const out = join(dir, `arb-${n++}-out.dcm`)
        writeFileSync(p, encodeFile(ds, { transferSyntaxUid: ts }))
        execFileSync('dcmconv', ['-q', '+te', p, out], { timeout: 20000 })
        const r = decodeFile(readFileSync(out), { lenient: false })
        expect(diffDatasets(ds, r.dataset, { unSequenceBytes: implicitSequenceValue })).toBeUndefined()
      }),
      { numRuns: 25 },
    )
  })
})

describe.skipIf(!hasDcmtk || !hasCorpus)('we read files written by DCMTK', () => {
  for (const name of ['pydicom__CT_small.dcm', 'pydicom__test-SR.dcm', 'dcmjs__structured_report.dcm']) {
    it(`${name} converted by dcmconv to each native syntax decodes to the same dataset`, () => {
      const src = decodeFile(readFileSync(join(CORPUS, name)))
      for (const opt of ['+ti', '+te', '+tb', '+td']) {
        const out = join(dir, `${name}${opt}.dcm`)
        execFileSync('dcmconv', ['-q', opt, join(CORPUS, name), out], { timeout: 20000 })
        const r = decodeFile(readFileSync(out))
        expect(r.warnings.filter((w) => !/odd value length/.test(w))).toEqual([])
        expect(diffDatasets(src.dataset, r.dataset, { unSequenceBytes: implicitSequenceValue }), opt).toBeUndefined()
      }
    })
  }
})

/**
 * encodeFile writes the header and the dataset into one buffer: its bytes must be the
 * concatenation, built here, of the preamble, `DICM`, (0002,0000), the meta group and the
 * dataset each encoded on its own by encodeDataset (PS3.10 §7.1).
 */
function expectSeparatelyEncoded(ds: Dataset, ts: string, opts: { preamble?: Uint8Array; meta?: Dataset } = {}): void {
  const out = encodeFile(ds, { transferSyntaxUid: ts, ...opts })
  const r = decodeFile(out)
  const meta = new Dataset(r.meta.context)
  for (const el of r.meta) if (el.tag !== 0x00020000) meta.set(el)
  const body = new Dataset(ds.context)
  for (const el of ds) if (el.tag >>> 16 !== 2) body.set(el)
  const metaBytes = encodeDataset(meta, TransferSyntax.ExplicitVRLittleEndian)
  const bodyBytes = encodeDataset(body, ts)
  const pre = new Uint8Array(128)
  if (opts.preamble !== undefined) pre.set(opts.preamble.subarray(0, 128))
  const gl = metaBytes.length
  const header = [...pre, 0x44, 0x49, 0x43, 0x4d, 0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0, gl & 0xff, (gl >>> 8) & 0xff, (gl >>> 16) & 0xff, gl >>> 24]
  const expected = Buffer.concat([Buffer.from(header), Buffer.from(metaBytes), Buffer.from(bodyBytes)])
  expect(out.length).toBe(expected.length)
  expect(out.buffer.byteLength).toBe(out.length)
  expect(Buffer.from(out).equals(expected), ts).toBe(true)
}

const ALL_TS = [
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
]

describe('encodeFile = header + meta + dataset encoded separately', () => {
  it('a built dataset in every native syntax and deflated, with a preamble and extra meta', () => {
    const extra = new Dataset()
    extra.set(0x00020016, 'AE', ['ODD_AE'])
    for (const ts of ALL_TS) expectSeparatelyEncoded(sample(), ts, { preamble: new Uint8Array(128).fill(0x5a), meta: extra })
  })
  it.skipIf(!hasCorpus)('corpus files in their own syntax and in each native one', () => {
    const names = readdirSync(CORPUS).filter((n) => n.endsWith('.dcm')).slice(0, 40)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) {
      const f = decodeFile(readFileSync(join(CORPUS, name)))
      for (const ts of new Set([f.transferSyntaxUid, ...ALL_TS.slice(0, 3)])) {
        try {
          encodeDataset(f.dataset, ts)
        } catch {
          continue // not representable in that syntax (e.g. a long value in a 16-bit length VR)
        }
        expectSeparatelyEncoded(f.dataset, ts, { meta: f.meta })
      }
    }
  })
})

describe('variants found in the wild', () => {
  const file = encodeFile(sample(), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian })

  it('no preamble: meta at offset 0', () => {
    const r = decodeFile(file.subarray(132), { lenient: false })
    expect(r.hasPreamble).toBe(false)
    expect(diffDatasets(sample(), r.dataset)).toBeUndefined()
  })

  it('meta without (0002,0000) group length', () => {
    const noGl = new Uint8Array([...file.subarray(0, 132), ...file.subarray(144)])
    const r = decodeFile(noGl, { lenient: false })
    expect(r.meta.has(0x00020000)).toBe(false)
    expect(r.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian)
    expect(diffDatasets(sample(), r.dataset)).toBeUndefined()
  })

  it('no meta at all: the encoding is detected from the first element', () => {
    for (const ts of [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]) {
      const f = encodeFile(sample(), { transferSyntaxUid: ts })
      const body = f.subarray(decodeFile(f).datasetOffset)
      expect(detectTransferSyntax(body)).toBe(ts)
      const r = decodeFile(body)
      expect(r.meta.size).toBe(0)
      expect(r.transferSyntaxUid).toBe(ts)
      expect(diffDatasets(sample(), r.dataset)).toBeUndefined()
    }
  })

  it('stopBeforeTag reads the header only', () => {
    const r = decodeFile(file, { stopBeforeTag: 0x7fe00010 })
    expect(r.dataset.has(0x7fe00010)).toBe(false)
    expect(r.dataset.string(0x00100010)).toBe('Müller^Jörg')
  })

  it('decodeFileAsync inflates with DecompressionStream', async () => {
    const f = encodeFile(sample(), { transferSyntaxUid: TransferSyntax.DeflatedExplicitVRLittleEndian })
    const r = await decodeFileAsync(f)
    expect(diffDatasets(sample(), r.dataset)).toBeUndefined()
  })
})

describe.skipIf(!hasCorpus)('corpus variants', () => {
  it('a file without preamble and without group length (JLSL_RGB_ILV0)', () => {
    const r = decodeFile(readFileSync(join(CORPUS, 'pydicom-data__JLSL_RGB_ILV0.dcm')))
    expect(r.hasPreamble).toBe(false)
    expect(r.transferSyntaxUid).toBe(TransferSyntax.JPEGLSLossless)
  })

  it('deflated corpus files decode the same way with decodeFileAsync', async () => {
    for (const name of ['dicomParser__report_dfl.dcm', 'pydicom__image_dfl.dcm']) {
      const b = readFileSync(join(CORPUS, name))
      const a = decodeFile(b)
      const c = await decodeFileAsync(b)
      expect(a.dataset.size).toBeGreaterThan(5)
      expect(diffDatasets(a.dataset, c.dataset)).toBeUndefined()
    }
  })
})
