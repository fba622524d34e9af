/**
 * Every file of the shared corpus (/work/shared/corpus, see its README.md) decodes; malformed
 * ones decode with warnings or throw DicomParseError. Checked against independent oracles:
 * MANIFEST.tsv's top-level element counts (pydicom) and the top-level tags, VRs and value
 * lengths of DCMTK's dcmdump listings. Every file re-encodes to a dataset equal to the decoded
 * one, and canonical explicit VR little endian files re-encode byte for byte.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import '../../src/index.js' // registers the node:zlib deflate codec
import { decodeFile } from '../../src/dataset/part10.js'
import { decodeDataset } from '../../src/dataset/decode.js'
import { encodeDataset } from '../../src/dataset/encode.js'
import { DatasetStreamDecoder } from '../../src/dataset/stream.js'
import { TransferSyntax, transferSyntaxInfo } from '../../src/dataset/transfer-syntax.js'
import { formatTag } from '../../src/dataset/tag.js'
import { DicomParseError } from '../../src/errors.js'
import { diffDatasets, implicitSequenceValue } from '../property/arbitraries-dataset.js'
import { CORPUS_DIR } from '../helpers/corpus.js'

const ROOT = CORPUS_DIR
const present = existsSync(`${ROOT}/files`)
if (!present) console.warn(`corpus tests skipped: ${ROOT} is absent`)

interface Row { file: string; ts: string; nTop: number | undefined; malformed: boolean }

function manifest(): Row[] {
  const lines = readFileSync(`${ROOT}/MANIFEST.tsv`, 'utf8').split('\n').filter(Boolean)
  const head = lines[0]!.split('\t')
  const col = (n: string) => head.indexOf(n)
  return lines.slice(1).map((l) => {
    const c = l.split('\t')
    const n = c[col('n_top_level')]!
    return { file: c[col('file')]!, ts: c[col('transfer_syntax')]!, nTop: n === '' ? undefined : Number(n), malformed: c[col('file')]!.startsWith('malformed/') }
  })
}

/** Top-level data set elements of a dcmdump listing: tag → [VR, length]. */
function dcmdumpTopLevel(text: string): Map<number, [string, number]> {
  const out = new Map<number, [string, number]>()
  const body = text.split('# Dicom-Data-Set')[1] ?? ''
  // values with line breaks continue on the next lines: join them to their element line
  const lines: string[] = []
  for (const line of body.split(/\r?\n|\r/)) {
    const last = lines[lines.length - 1]
    if (last !== undefined && !/#\s*(\d+|u\/l),\s*\d+ /.test(last) && last.startsWith('(')) lines[lines.length - 1] = `${last} ${line}`
    else lines.push(line)
  }
  for (const line of lines) {
    const m = /^\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) .*#\s*(\d+|u\/l),/i.exec(line)
    if (!m) continue
    const tag = ((parseInt(m[1]!, 16) << 16) | parseInt(m[2]!, 16)) >>> 0
    if (tag >>> 16 === 0xfffe) continue
    out.set(tag, [m[3]!, m[4] === 'u/l' ? -1 : Number(m[4])])
  }
  return out
}

/**
 * Independent check that an explicit VR LE dataset is canonical: defined lengths everywhere,
 * even lengths, no group 0002 (so re-encoding it must give the same bytes).
 */
function isCanonicalExplicitLE(b: Uint8Array, start: number, end: number): boolean {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let p = start
  const long = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])
  while (p < end) {
    if (end - p < 8) return false
    const vr = String.fromCharCode(b[p + 4]!, b[p + 5]!)
    if (!/^[A-Z]{2}$/.test(vr)) return false
    let len: number
    let hdr: number
    if (long.has(vr)) {
      len = dv.getUint32(p + 8, true)
      hdr = 12
    } else {
      len = dv.getUint16(p + 6, true)
      hdr = 8
    }
    if (len === 0xffffffff || len % 2 === 1 || p + hdr + len > end) return false
    if (vr === 'SQ') {
      let q = p + hdr
      const qend = q + len
      while (q < qend) {
        if (dv.getUint32(q, true) !== 0xe000fffe) return false
        const il = dv.getUint32(q + 4, true)
        if (il === 0xffffffff || q + 8 + il > qend) return false
        if (!isCanonicalExplicitLE(b, q + 8, q + 8 + il)) return false
        q += 8 + il
      }
    }
    p += hdr + len
  }
  return true
}

const rows = present ? manifest() : []

/** Files outside malformed/ that are damaged all the same (dcmtk fails on them too). */
const KNOWN_WARNINGS: Record<string, RegExp> = {
  'fo-dicom__GH626.dcm': /goes past the end of the data/,
}

/**
 * Clean files whose encapsulated Pixel Data header says OW (found by a byte search of the
 * corpus for `(7FE0,0010) OW` with undefined length). PS3.5 §A.4 makes it OB: the decoder reports
 * OB, as dcmdump does, with a warning, and re-encodes the header as OB.
 */
const ENCAPSULATED_OW = new Set([
  'dcmjs-dimse__j2k.dcm',
  'dcmjs__IM-0001-0001.dcm',
  'fo-dicom__D_CLUNIE_CT1_RLE_FRAGS.dcm',
  'pydicom-data__explicit_VR-UN.dcm',
  'pydicom__MR_small_jp2klossless.dcm',
  'pydicom__MR_small_jpeg_ls_lossless.dcm',
  'pydicom__rtdose_rle.dcm',
])
const OW_WARNING = /^encapsulated pixel data with VR OW read as OB at offset \d+ in \(7FE0,0010\)/

describe.skipIf(!present)('corpus: decode', () => {
  for (const row of rows) {
    it(row.file, () => {
      const bytes = readFileSync(`${ROOT}/files/${row.file}`)
      const t0 = performance.now()
      let r: ReturnType<typeof decodeFile>
      try {
        r = decodeFile(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(DicomParseError)
        expect(row.malformed, `${row.file} should decode: ${(e as Error).message}`).toBe(true)
        return
      }
      expect(performance.now() - t0).toBeLessThan(2000)
      if (!row.malformed) {
        const expected = KNOWN_WARNINGS[row.file] ?? /^$/
        const ow = ENCAPSULATED_OW.has(row.file)
        expect(r.warnings.filter((w) => !/odd value length|sequence encoded as UN/.test(w) && !expected.test(w) && !(ow && OW_WARNING.test(w)))).toEqual([])
        expect(r.warnings.filter((w) => OW_WARNING.test(w)).length, 'warning for an OW encapsulated Pixel Data header').toBe(ow ? 1 : 0)
        if (ow) expect(r.dataset.get(0x7fe00010)?.vr).toBe('OB')
      }
      if (row.nTop !== undefined) expect(r.dataset.size).toBe(row.nTop)
      if (row.ts !== '') expect(r.transferSyntaxUid).toBe(row.ts)

      // DCMTK's listing: same top-level tags; same VR and length for elements read the same way
      const dumpPath = `${ROOT}/golden/${row.file.replace(/^malformed\//, '')}.dcmdump.txt`
      if (existsSync(dumpPath) && !row.malformed) {
        const dump = dcmdumpTopLevel(readFileSync(dumpPath, 'latin1'))
        if (dump.size === 0) return // dcmdump could not read it either
        const ours = r.dataset.elements()
        expect(ours.map((el) => formatTag(el.tag))).toEqual([...dump.keys()].map(formatTag))
        for (const el of ours) {
          const [vr, len] = dump.get(el.tag)!
          if (el.vr === 'UN' || vr === 'UN' || el.tag >>> 16 & 1 || vr === 'ox' || vr === 'xs' || vr === 'lt' || vr === 'up' || vr === '??') continue
          expect(`${formatTag(el.tag)} ${el.vr}`).toBe(`${formatTag(el.tag)} ${vr}`)
          if (el.raw !== undefined && len >= 0) expect(`${formatTag(el.tag)} ${el.raw.length + (el.raw.length & 1)}`).toBe(`${formatTag(el.tag)} ${len + (len & 1)}`)
        }
      }
    })
  }
})

describe.skipIf(!present)('corpus: re-encode', () => {
  for (const row of rows) {
    it(row.file, () => {
      const bytes = readFileSync(`${ROOT}/files/${row.file}`)
      let r: ReturnType<typeof decodeFile>
      try {
        r = decodeFile(bytes)
      } catch {
        return // covered above
      }
      const ts = r.transferSyntaxUid
      for (const form of ['defined', 'undefined'] as const) {
        let enc: Uint8Array
        try {
          enc = encodeDataset(r.dataset, ts, { groupLength: 'keep', sequenceLength: form })
        } catch (e) {
          // A malformed file may hold a value its VR cannot carry (e.g. a 16-bit length overflow)
          expect(row.malformed || r.warnings.length > 0, (e as Error).message).toBe(true)
          return
        }
        const again = decodeDataset(enc, ts, { lenient: false })
        expect(diffDatasets(r.dataset, again.dataset, { unSequenceBytes: implicitSequenceValue })).toBeUndefined()
      }
      const info = transferSyntaxInfo(ts)
      if (info.explicitVR && info.littleEndian && !info.deflated && r.warnings.length === 0 && isCanonicalExplicitLE(bytes, r.datasetOffset, bytes.length)) {
        const enc = encodeDataset(r.dataset, ts, { groupLength: 'keep', sequenceLength: 'defined' })
        expect(Buffer.from(enc).equals(bytes.subarray(r.datasetOffset))).toBe(true)
        canonical.push(row.file)
      }
      // Whatever the length forms, preserving them reproduces a clean file byte for byte
      if (info.explicitVR && !info.deflated && r.warnings.length === 0 && !NOT_BYTE_PRESERVED[row.file]) {
        const enc = encodeDataset(r.dataset, ts, { groupLength: 'keep', sequenceLength: 'preserve' })
        expect(Buffer.from(enc).equals(bytes.subarray(r.datasetOffset))).toBe(true)
        preserved.push(row.file)
      }
      // An OW header of encapsulated Pixel Data comes back as OB (PS3.5 §A.4), every other byte
      // as in the file
      if (ENCAPSULATED_OW.has(row.file) && info.littleEndian && !r.warnings.some((w) => !OW_WARNING.test(w) && !/odd value length/.test(w))) {
        const expected = Buffer.from(bytes.subarray(r.datasetOffset))
        const header = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 0xff, 0xff, 0xff, 0xff])
        const at = expected.lastIndexOf(header)
        expect(at).toBeGreaterThan(0)
        expected[at + 5] = 0x42 // 'W' → 'B'
        const enc = encodeDataset(r.dataset, ts, { groupLength: 'keep', sequenceLength: 'preserve' })
        expect(Buffer.from(enc).equals(expected)).toBe(true)
        owPreserved.push(row.file)
      }
    })
  }
  it('found canonical files to compare byte for byte', () => {
    expect(canonical.length).toBeGreaterThanOrEqual(20)
    expect(preserved.length).toBeGreaterThanOrEqual(50)
    expect(owPreserved.length).toBeGreaterThanOrEqual(5)
  })
})
const canonical: string[] = []
const preserved: string[] = []
const owPreserved: string[] = []
/** Clean files that legitimately re-encode differently, and why. */
const NOT_BYTE_PRESERVED: Record<string, string> = {
  // a UN element of undefined length is read as the SQ it is (PS3.5 §6.2.2) and written as SQ
  'fo-dicom__GH177_D_CLUNIE_CT1_IVRLE_BigEndian_ELE_undefinded_length.dcm': 'UN sequence',
  'malformed/fo-dicom__GH177_D_CLUNIE_CT1_IVRLE_BigEndian_undefined_length.dcm': 'UN sequence',
  'pydicom__UN_sequence.dcm': 'UN sequence',
}

describe.skipIf(!present)('corpus: stream decoder', () => {
  for (const row of rows.filter((x) => !x.malformed && x.ts !== TransferSyntax.DeflatedExplicitVRLittleEndian)) {
    it(row.file, () => {
      const bytes = readFileSync(`${ROOT}/files/${row.file}`)
      const r = decodeFile(bytes)
      const data = bytes.subarray(r.datasetOffset)
      let streamed = 0
      const fragmentVrs: string[] = []
      const dec = new DatasetStreamDecoder({
        transferSyntaxUid: r.transferSyntaxUid,
        valueThreshold: 4096,
        onValueStart: (_t, vr, len) => { if (len === 0xffffffff) fragmentVrs.push(vr) },
        onValueChunk: (_t, _vr, c) => { streamed += c.length },
      })
      for (let i = 0; i < data.length; i += 1499) dec.push(data.subarray(i, i + 1499))
      const s = dec.end()
      // encapsulated values go to the sink as OB, with the same warning as decodeDataset
      expect(fragmentVrs.every((vr) => vr === 'OB')).toBe(true)
      if (r.dataset.get(0x7fe00010)?.raw === undefined && r.dataset.get(0x7fe00010)?.vr === 'OB') expect(fragmentVrs.length).toBeGreaterThan(0)
      expect(s.warnings.filter((w) => OW_WARNING.test(w)).length).toBe(ENCAPSULATED_OW.has(row.file) ? 1 : 0)
      // elements that were not streamed are equal; streamed ones are absent
      for (const el of r.dataset) {
        const got = s.dataset.get(el.tag)
        if (got === undefined) continue
        const a = new (r.dataset.constructor as typeof import('../../src/dataset/element.js').Dataset)(r.dataset.context)
        const b = new (r.dataset.constructor as typeof import('../../src/dataset/element.js').Dataset)(s.dataset.context)
        a.set(el)
        b.set(got)
        expect(diffDatasets(a, b)).toBeUndefined()
      }
      const whole = new DatasetStreamDecoder({ transferSyntaxUid: r.transferSyntaxUid })
      for (let i = 0; i < data.length; i += 4093) whole.push(data.subarray(i, i + 4093))
      expect(diffDatasets(r.dataset, whole.end().dataset)).toBeUndefined()
      // the whole file, meta included
      const file = new DatasetStreamDecoder({ file: true })
      for (let i = 0; i < bytes.length; i += 4093) file.push(bytes.subarray(i, i + 4093))
      const fr = file.end()
      expect(file.transferSyntaxUid).toBe(r.transferSyntaxUid)
      expect(diffDatasets(r.meta, file.meta)).toBeUndefined()
      expect(diffDatasets(r.dataset, fr.dataset)).toBeUndefined()
      expect(s.dataset.size + (streamed > 0 ? 1 : 0)).toBeGreaterThan(0)
    })
  }
})
