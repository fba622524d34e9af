/**
 * Corpus golden test: our DICOM JSON of every corpus file, computed through the CLI's own path
 * (`readDicomFile` + `decodedFileToJson`, as `dimse dump --json`), normalised as the goldens were,
 * must equal dcm2json's golden (or pydicom's where dcm2json failed): same tags, VRs and values.
 * Differences on principle are listed per file below and explained in docs/json-differences.md;
 * an exception that no longer matches anything fails the test too, so the list stays honest.
 * A few files also go through the built CLI (`node cli.js dump --json`).
 *
 * Set DIMSE_CORPUS to use a corpus elsewhere than /work/shared/corpus; without one the whole
 * file is skipped with a note.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { decodedFileToJson, readDicomFile } from '../../src/cli/dump.js'
import { datasetFromJson, datasetToJson } from '../../src/dataset/json.js'
import type { DicomJsonAttribute, DicomJsonModel } from '../../src/dataset/json.js'
import { decodeFile, encodeFile } from '../../src/dataset/part10.js'
import { TransferSyntax } from '../../src/dataset/transfer-syntax.js'
import { CORPUS_DIR } from '../helpers/corpus.js'

const CORPUS = CORPUS_DIR
const PRESENT = existsSync(join(CORPUS, 'files')) && existsSync(join(CORPUS, 'golden')) && existsSync(join(CORPUS, 'MANIFEST.tsv'))
if (!PRESENT) console.warn(`[golden.test] corpus not found at ${CORPUS}: corpus golden tests skipped`)

// ---------------------------------------------------------------------------------------------
// Normalisation and comparison (corpus README "How the goldens were made", "Comparison rules")

/** InlineBinary > 1024 bytes → BulkDataURI sha256; with `strip`, Pixel Data removed at every level. */
function normaliseLikeGolden(json: DicomJsonModel, strip: boolean): DicomJsonModel {
  const out: DicomJsonModel = {}
  for (const [k, a] of Object.entries(json)) {
    if (strip && k === '7FE00010') continue
    const b: DicomJsonAttribute = { ...a }
    if (b.InlineBinary !== undefined) {
      const bytes = Buffer.from(b.InlineBinary, 'base64')
      if (bytes.length > 1024) {
        delete b.InlineBinary
        b.BulkDataURI = `sha256:${sha256(bytes)}`
      }
    }
    if (b.vr === 'SQ' && b.Value !== undefined) b.Value = b.Value.map((item) => normaliseLikeGolden((item ?? {}) as DicomJsonModel, strip))
    out[k] = b
  }
  return out
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

interface Diff {
  path: string
  what: 'only in golden' | 'only in ours' | 'vr' | 'binary differs' | 'items' | 'VM' | 'value'
  ours?: DicomJsonAttribute
  golden?: DicomJsonAttribute
  /** For 'value': the first differing values. */
  a?: unknown
  b?: unknown
}

const show = (d: Diff) =>
  d.what === 'vr' ? `${d.path} vr ${d.ours!.vr}/${d.golden!.vr}`
  : d.what === 'value' ? `${d.path} value ${JSON.stringify(d.a).slice(0, 50)}/${JSON.stringify(d.b).slice(0, 50)}`
  : `${d.path} ${d.what}`

function binaryHash(a: DicomJsonAttribute): string | undefined {
  if (a.BulkDataURI !== undefined) return a.BulkDataURI
  if (a.InlineBinary !== undefined) return `sha256:${sha256(Buffer.from(a.InlineBinary, 'base64'))}`
  return undefined
}

const isEmptyValue = (x: unknown): boolean =>
  x === null || x === '' || (typeof x === 'object' && !Array.isArray(x) && Object.values(x as object).every((y) => !y))

function sameValue(x: unknown, y: unknown): boolean {
  const num = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v
    if (typeof v === 'string' && v.trim() !== '' && !/^[A-Za-z]+$/.test(v.trim()) && Number.isFinite(Number(v))) return Number(v)
    return undefined
  }
  const nx = num(x)
  const ny = num(y)
  if (nx !== undefined && ny !== undefined) return nx === ny || Math.abs(nx - ny) <= 1e-7 * Math.max(Math.abs(nx), Math.abs(ny))
  const norm = (v: unknown) => (v === null ? '' : v)
  return JSON.stringify(sortKeys(norm(x))) === JSON.stringify(sortKeys(norm(y)))
}

function sortKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
}

/** The comparison rules of the corpus' compare_goldens.py, over our JSON and a golden. */
function compareJson(ours: DicomJsonModel, golden: DicomJsonModel, path = ''): Diff[] {
  const out: Diff[] = []
  for (const k of [...new Set([...Object.keys(ours), ...Object.keys(golden)])].sort()) {
    const p = path + k
    const a = ours[k]
    const b = golden[k]
    if (k.endsWith('0000') && (a === undefined || b === undefined)) continue // group lengths
    if (k === '00080005' && path === '') continue // dcm2json rewrites it to ISO_IR 192
    if (a === undefined || b === undefined) {
      out.push({ path: p, what: a === undefined ? 'only in golden' : 'only in ours', ours: a, golden: b })
      continue
    }
    if (a.vr !== b.vr) out.push({ path: p, what: 'vr', ours: a, golden: b })
    const ha = binaryHash(a)
    const hb = binaryHash(b)
    if (ha !== undefined || hb !== undefined) {
      if (ha !== hb) out.push({ path: p, what: 'binary differs', ours: a, golden: b })
      continue
    }
    const va = a.Value ?? []
    const vb = b.Value ?? []
    if (a.vr === 'SQ' && b.vr === 'SQ') {
      if (va.length !== vb.length) out.push({ path: p, what: 'items', ours: a, golden: b })
      else va.forEach((x, i) => out.push(...compareJson((x ?? {}) as DicomJsonModel, (vb[i] ?? {}) as DicomJsonModel, `${p}[${i}].`)))
      continue
    }
    if (va.every(isEmptyValue) && vb.every(isEmptyValue)) continue
    if (va.length !== vb.length) {
      out.push({ path: p, what: 'VM', ours: a, golden: b })
      continue
    }
    const i = va.findIndex((x, j) => !sameValue(x, vb[j]))
    if (i >= 0) out.push({ path: p, what: 'value', ours: a, golden: b, a: va[i], b: vb[i] })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Differences on principle (docs/json-differences.md has the reasoning for each rule)

interface Rule {
  /** Name of the section in docs/json-differences.md. */
  name: string
  match: (d: Diff) => boolean
}

const lastTag = (path: string) => path.slice(-8)
const isPrivate = (path: string) => parseInt(lastTag(path).slice(0, 4), 16) % 2 === 1

/** D1: Data Set Trailing Padding (FFFC,FFFC) is kept by us, dropped by DCMTK. */
const TRAILING_PADDING: Rule = { name: 'D1 trailing padding', match: (d) => d.path === 'FFFCFFFC' && d.what === 'only in ours' }

/** D2: dcm2json keeps trailing NUL bytes of text values; we trim them as padding. */
const NUL_PADDING: Rule = {
  name: 'D2 NUL padding',
  match: (d) => {
    if (d.what !== 'value') return false
    const g = d.golden!.Value!
    const o = d.ours!.Value!
    return g.length === o.length && g.every((gv, i) => {
      if (typeof gv !== 'string') return sameValue(o[i], gv)
      return sameValue(o[i], gv.replace(/\0+$/, ''))
    }) && g.some((gv) => typeof gv === 'string' && gv.endsWith('\0'))
  },
}

/** D3: private elements of implicit VR data: DCMTK/pydicom take a VR from a private dictionary, we keep UN. */
function privateUn(groups: string[]): Rule {
  return {
    name: 'D3 private dictionary VR',
    match: (d) => isPrivate(d.path) && groups.includes(lastTag(d.path).slice(0, 4)) && d.ours!.vr === 'UN' && (d.what === 'vr' || d.what === 'binary differs'),
  }
}

/** D4: DCMTK pads an odd-length value with a NUL byte; we keep the bytes that are in the file. */
const ODD_LENGTH: Rule = {
  name: 'D4 odd length',
  match: (d) => {
    if (d.what !== 'binary differs' || d.ours!.InlineBinary === undefined || d.golden!.InlineBinary === undefined) return false
    const a = Buffer.from(d.ours!.InlineBinary, 'base64')
    const b = Buffer.from(d.golden!.InlineBinary, 'base64')
    return a.length % 2 === 1 && b.length === a.length + 1 && b[a.length] === 0 && b.subarray(0, a.length).equals(a)
  },
}

/** D5: a sequence encoded with VR UN is read as SQ (PS3.5 §6.2.2 note); DCMTK keeps UN. */
const UN_SEQUENCE: Rule = {
  name: 'D5 UN sequence',
  match: (d) => d.ours!.vr === 'SQ' && d.golden!.vr === 'UN' && (d.what === 'vr' || d.what === 'binary differs'),
}

/** D6: explicit VR UN of a public element: pydicom replaces it by the dictionary VR; we keep UN as encoded. */
const EXPLICIT_UN_KEPT: Rule = {
  name: 'D6 explicit UN',
  match: (d) => !isPrivate(d.path) && d.ours!.vr === 'UN' && d.golden!.vr !== 'UN' && (d.what === 'vr' || d.what === 'binary differs'),
}

/** D7: encapsulated Pixel Data is OB (PS3.5 §A.4), as DCMTK says; pydicom reports OW for this file. */
const ENCAPSULATED_OB: Rule = { name: 'D7 encapsulated OB', match: (d) => d.path === '7FE00010' && d.what === 'vr' && d.ours!.vr === 'OB' && d.golden!.vr === 'OW' }

/** D8: a PN value of component delimiters alone (`^^^^`) is empty for us and dcm2json; pydicom writes it. */
const EMPTY_PN: Rule = {
  name: 'D8 empty PN',
  match: (d) =>
    d.what === 'value' && d.ours!.vr === 'PN' && d.a === null && typeof d.b === 'object' && d.b !== null &&
    Object.values(d.b as Record<string, string>).every((g) => /^[\^ ]*$/.test(g)),
}

/** Per-file exceptions; every rule listed must match at least one difference. */
const EXCEPTIONS: Record<string, Rule[]> = {
  'dcmjs__IM-0001-0001.dcm': [NUL_PADDING],
  'fo-dicom__GH1301.dcm': [EMPTY_PN],
  'dicomParser__CT1_UNC.fragmented_bot_jpeg_ls.80.dcm': [TRAILING_PADDING],
  'fo-dicom__D_CLUNIE_CT1_RLE_FRAGS.dcm': [NUL_PADDING, TRAILING_PADDING],
  'fo-dicom__GH626.dcm': [privateUn(['2005'])],
  'malformed/pydicom-data__bad_sequence.dcm': [UN_SEQUENCE],
  'malformed/pydicom__meta_missing_tsyntax.dcm': [ODD_LENGTH],
  'pydicom-data__explicit_VR-UN.dcm': [EXPLICIT_UN_KEPT, ENCAPSULATED_OB],
  'pydicom__MR_small_RLE.dcm': [TRAILING_PADDING],
  'pydicom__MR_small_jp2klossless.dcm': [TRAILING_PADDING],
  'pydicom__MR_small_jpeg_ls_lossless.dcm': [TRAILING_PADDING],
  'pydicom__chrH31.dcm': [EMPTY_PN],
  'pydicom__chrJapMulti.dcm': [privateUn(['0019'])],
  'pydicom__nested_priv_SQ.dcm': [ODD_LENGTH],
  'pydicom__rtdose_rle.dcm': [UN_SEQUENCE],
}

// ---------------------------------------------------------------------------------------------

interface CorpusFile {
  file: string
  dcm2json: string
  golden: string | undefined
  kind: 'dcm2json' | 'pydicom' | 'none'
}

function corpusFiles(): CorpusFile[] {
  if (!PRESENT) return []
  const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n')
  const header = rows[0]!.split('\t')
  const col = (name: string) => header.indexOf(name)
  return rows.slice(1).map((row) => {
    const f = row.split('\t')
    const file = f[col('file')]!
    const dcm = join(CORPUS, 'golden', `${file}.json`)
    const py = join(CORPUS, 'golden', `${file}.pydicom.json`)
    const golden = existsSync(dcm) ? dcm : existsSync(py) ? py : undefined
    return { file, dcm2json: f[col('dcm2json')]!, golden, kind: existsSync(dcm) ? 'dcm2json' : existsSync(py) ? 'pydicom' : 'none' }
  })
}

const FILES = corpusFiles()

describe.skipIf(!PRESENT)('corpus goldens (DICOM JSON)', () => {
  it('the corpus lists files and goldens', () => {
    expect(FILES.length).toBeGreaterThan(100)
    expect(FILES.filter((f) => f.kind === 'dcm2json').length).toBeGreaterThan(90)
  })

  it('every exception names a corpus file', () => {
    for (const name of Object.keys(EXCEPTIONS)) expect(FILES.map((f) => f.file)).toContain(name)
  })

  it.each(FILES.filter((f) => f.kind !== 'none').map((f) => [f.file, f] as const))('%s', async (_name, f) => {
    const ours = decodedFileToJson(await readDicomFile(join(CORPUS, 'files', f.file)))
    const golden = JSON.parse(readFileSync(f.golden!, 'utf8')) as DicomJsonModel
    const stripped = f.kind === 'dcm2json' && f.dcm2json === 'ok-stripped'
    const diffs = compareJson(normaliseLikeGolden(ours, stripped), golden)
    const rules = EXCEPTIONS[f.file] ?? []
    const unexplained = diffs.filter((d) => !rules.some((r) => r.match(d))).map(show)
    expect(unexplained, `differences from the ${f.kind} golden`).toEqual([])
    for (const r of rules) expect(diffs.some((d) => r.match(d)), `exception "${r.name}" no longer matches anything`).toBe(true)
    if (stripped) expect(ours['7FE00010'], 'Pixel Data that the golden had to strip is present in ours').toBeDefined()
  })

  it.each(FILES.filter((f) => f.kind === 'none').map((f) => [f.file] as const))('%s (no golden: fails cleanly)', async (file) => {
    // Both reference tools failed on these: we must either decode or fail with one clear message.
    try {
      await readDicomFile(join(CORPUS, 'files', file))
    } catch (e) {
      expect((e as Error).name).toBe('CliError')
      expect((e as Error).message.startsWith(`${join(CORPUS, 'files', file)}: `)).toBe(true)
    }
  })
})

/** The golden without the elements whose value it replaced by a BulkDataURI (they cannot be read back). */
function withoutBulkData(json: DicomJsonModel): DicomJsonModel {
  const out: DicomJsonModel = {}
  for (const [k, a] of Object.entries(json)) {
    if (a.BulkDataURI !== undefined) continue
    out[k] = a.vr === 'SQ' && a.Value !== undefined ? { ...a, Value: a.Value.map((i) => withoutBulkData((i ?? {}) as DicomJsonModel)) } : a
  }
  return out
}

describe.skipIf(!PRESENT)('dcm2json goldens read back with datasetFromJson', () => {
  const goldens = FILES.filter((f) => f.kind === 'dcm2json')
  it.each(goldens.map((f) => [f.file, f] as const))('%s', (_name, f) => {
    const golden = withoutBulkData(JSON.parse(readFileSync(f.golden!, 'utf8')) as DicomJsonModel)
    const ds = datasetFromJson(golden)
    // JSON → Dataset → JSON
    expect(compareJson(datasetToJson(ds), golden).map(show)).toEqual([])
    // JSON → Dataset → Part 10 bytes (explicit VR little endian) → Dataset → JSON
    // (the decoder's D2 and D5 apply again to the bytes we wrote, where that file has them)
    const file = decodeFile(encodeFile(ds, { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian }))
    const rules = (EXCEPTIONS[f.file] ?? []).filter((r) => r === NUL_PADDING || r === UN_SEQUENCE)
    expect(compareJson(datasetToJson(file.dataset), golden).filter((d) => !rules.some((r) => r.match(d))).map(show)).toEqual([])
  })
})

describe.skipIf(!PRESENT)('corpus goldens through the built CLI', () => {
  let dir = ''
  let cli = ''
  beforeAll(() => {
    // Build the CLI entry with tsup, as `npm run build` does, into a private directory.
    dir = mkdtempSync(join(tmpdir(), 'dimse-cli-'))
    execFileSync('npx', ['tsup', 'src/cli.ts', '--no-config', '--format', 'esm', '--target', 'node20', '--out-dir', dir, '--silent'], {
      cwd: resolve(__dirname, '../..'),
      stdio: 'pipe',
      timeout: 120_000,
    })
    cli = join(dir, 'cli.js')
  }, 150_000)
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const SAMPLE = [
    'pydicom__CT_small.dcm', // explicit LE, private tags
    'fo-dicom__GH133.dcm', // all-digit keys (20500020) that JavaScript objects list first
    'pydicom__MR_small_bigendian.dcm', // big endian binary values → little-endian InlineBinary
    'dicomParser__report_dfl.dcm', // deflated
    'fo-dicom__chrGB2312.dcm', // ISO 2022 character set
    'pydicom__JPEG2000.dcm', // encapsulated Pixel Data (stripped in the golden)
  ]
  it.each(SAMPLE.map((s) => [s] as const))('dimse dump --json %s', (file) => {
    const f = FILES.find((x) => x.file === file)
    expect(f?.golden).toBeDefined()
    const text = execFileSync('node', [cli, 'dump', '--json', join(CORPUS, 'files', file)], { encoding: 'utf8', maxBuffer: 64 << 20 })
    const ours = JSON.parse(text) as DicomJsonModel
    expect(Object.keys(ours).some((k) => k.startsWith('0002'))).toBe(false)
    const top = [...text.matchAll(/^ {2}"([0-9A-F]{8})":/gm)].map((m) => m[1])
    expect(top.length).toBe(Object.keys(ours).length)
    expect(top).toEqual([...top].sort()) // F.2.2 order in the text itself
    const diffs = compareJson(normaliseLikeGolden(ours, f!.dcm2json === 'ok-stripped'), JSON.parse(readFileSync(f!.golden!, 'utf8')) as DicomJsonModel)
    const rules = EXCEPTIONS[file] ?? []
    expect(diffs.filter((d) => !rules.some((r) => r.match(d))).map(show)).toEqual([])
  })

  it('dimse dump --json --meta adds the File Meta Information', () => {
    const text = execFileSync('node', [cli, 'dump', '--json', '--meta', join(CORPUS, 'files', 'pydicom__CT_small.dcm')], { encoding: 'utf8' })
    const json = JSON.parse(text) as DicomJsonModel
    expect(json['00020010']).toEqual({ vr: 'UI', Value: ['1.2.840.10008.1.2.1'] })
    expect(json['00020000']).toBeUndefined() // group length: F.2.2
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort())
  })

  it('dimse dump --json - reads standard input', () => {
    const path = join(CORPUS, 'files', 'pydicom__MR_small.dcm')
    const fromStdin = execFileSync('node', [cli, 'dump', '--json', '-'], { input: readFileSync(path), encoding: 'utf8' })
    const fromFile = execFileSync('node', [cli, 'dump', '--json', path], { encoding: 'utf8' })
    expect(fromStdin.length).toBeGreaterThan(1000)
    expect(fromStdin).toBe(fromFile)
  })

  it('a file that cannot be read: exit 1, one line on stderr', () => {
    const bad = join(CORPUS, 'files', 'malformed', 'fo-dicom__GH364.dcm')
    let status = 0
    let stderr = ''
    try {
      execFileSync('node', [cli, 'dump', bad], { encoding: 'utf8', stdio: 'pipe' })
    } catch (e) {
      status = (e as { status: number }).status
      stderr = String((e as { stderr: string }).stderr)
    }
    expect(status).toBe(1)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/^dimse: .*GH364\.dcm: .+/)
  })
})
