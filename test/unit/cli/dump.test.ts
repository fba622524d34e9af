import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../../src/cli/main.js'
import type { CliIo } from '../../../src/cli/io.js'
import { CORPUS_DIR } from '../../helpers/corpus.js'
import { concat } from '../../helpers/bytes.js'

// A test-only Part 10 writer (PS3.10 §7.1, explicit VR little endian, PS3.5 §7.1.2), independent
// of the library's encoder.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT'])
function el(group: number, element: number, vr: string, value: Uint8Array | string): Uint8Array {
  let v = typeof value === 'string' ? new TextEncoder().encode(value) : value
  if (v.length % 2 === 1) v = Uint8Array.from([...v, vr === 'UI' || vr === 'OB' ? 0 : 0x20])
  const long = LONG_VRS.has(vr)
  const head = new Uint8Array(long ? 12 : 8)
  const dv = new DataView(head.buffer)
  dv.setUint16(0, group, true)
  dv.setUint16(2, element, true)
  head[4] = vr.charCodeAt(0)
  head[5] = vr.charCodeAt(1)
  if (long) dv.setUint32(8, v.length, true)
  else dv.setUint16(6, v.length, true)
  return concat([head, v])
}
function item(...els: Uint8Array[]): Uint8Array {
  const body = concat(els)
  const h = new Uint8Array(8)
  const dv = new DataView(h.buffer)
  dv.setUint16(0, 0xfffe, true)
  dv.setUint16(2, 0xe000, true)
  dv.setUint32(4, body.length, true)
  return concat([h, body])
}
function part10(meta: Uint8Array[], data: Uint8Array[]): Uint8Array {
  const metaBody = concat(meta)
  const gl = new Uint8Array(4)
  new DataView(gl.buffer).setUint32(0, metaBody.length, true)
  return concat([new Uint8Array(128), new TextEncoder().encode('DICM'), el(2, 0, 'UL', gl), metaBody, ...data])
}

const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer)

const FILE_BYTES = part10(
  [el(2, 0x0001, 'OB', new Uint8Array([0, 1])), el(2, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.7'), el(2, 0x0003, 'UI', '1.2.3.4'), el(2, 0x0010, 'UI', '1.2.840.10008.1.2.1')],
  [
    el(0x0008, 0x0008, 'CS', 'ORIGINAL\\PRIMARY'),
    el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    el(0x0008, 0x0018, 'UI', '1.2.3.4'),
    el(0x0008, 0x1140, 'SQ', item(el(0x0008, 0x1150, 'UI', '1.2.840.10008.5.1.4.1.1.7'), el(0x0008, 0x1155, 'UI', '1.2.3.5'))),
    el(0x0010, 0x0010, 'PN', 'Doe^John'),
    el(0x0010, 0x0020, 'LO', 'X'.repeat(64)),
    el(0x0018, 0x0050, 'DS', '2.50'),
    el(0x0028, 0x0010, 'US', u16(2)),
    el(0x0028, 0x0011, 'US', u16(3)),
    el(0x7fe0, 0x0010, 'OW', u16(0x0102, 0x0304, 0x0506, 0x0708, 0x090a, 0x0b0c)),
  ],
)

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t
    },
    stderr(t: string) {
      io.err += t
    },
  }
  return io
}

let dir = ''
let file = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dimse-dump-'))
  file = join(dir, 'sc.dcm')
  writeFileSync(file, FILE_BYTES)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dimse (dispatcher)', () => {
  it('--help lists the dump command and exits 0', async () => {
    const io = capture()
    expect(await main(['--help'], io)).toBe(0)
    expect(io.out).toMatch(/usage: dimse <command>/)
    expect(io.out).toMatch(/^ {2}dump {2}/m)
  })
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }
    const io = capture()
    expect(await main(['--version'], io)).toBe(0)
    expect(io.out).toBe(`${pkg.version}\n`)
  })
  it('no arguments, unknown command or option: usage error, exit 2, one line', async () => {
    for (const argv of [['frobnicate'], ['--frob'], ['dump', '--frob', 'x'], ['dump']]) {
      const io = capture()
      expect(await main(argv, io), argv.join(' ')).toBe(2)
      expect(io.err.trim().split('\n'), argv.join(' ')).toHaveLength(1)
      expect(io.err).toMatch(/^dimse: /)
    }
    const io = capture()
    expect(await main([], io)).toBe(2)
    expect(io.out).toMatch(/usage/)
  })
  it('dump --help', async () => {
    const io = capture()
    expect(await main(['dump', '--help'], io)).toBe(0)
    expect(io.out).toMatch(/--json/)
  })
})

describe('dimse dump', () => {
  it('lists meta and dataset, dcmdump style, items indented, long values shortened', async () => {
    const io = capture()
    expect(await main(['dump', file], io)).toBe(0)
    expect(io.err).toBe('')
    const lines = io.out.split('\n')
    const find = (re: RegExp) => lines.find((l) => re.test(l))
    expect(find(/^\(0002,0010\) UI \[1\.2\.840\.10008\.1\.2\.1\] =ExplicitVRLittleEndian +# +20, 1 TransferSyntaxUID$/)).toBeDefined()
    expect(find(/^\(0008,0018\) UI \[1\.2\.3\.4\] +# +8, 1 SOPInstanceUID$/)).toBeDefined()
    expect(find(/^# Dataset \(Transfer Syntax 1\.2\.840\.10008\.1\.2\.1 = ExplicitVRLittleEndian\)$/)).toBeDefined()
    expect(find(/^\(0008,0008\) CS \[ORIGINAL\\PRIMARY\] +# +16, 2 ImageType$/)).toBeDefined()
    expect(find(/^\(0010,0010\) PN \[Doe\^John\] +# +8, 1 PatientName$/)).toBeDefined()
    expect(find(/^\(0018,0050\) DS \[2\.50\] +# +4, 1 SliceThickness$/)).toBeDefined()
    expect(find(/^\(0028,0010\) US 2 +# +2, 1 Rows$/)).toBeDefined()
    expect(find(/^\(0010,0020\) LO \[X{64}\] +# +64, 1 PatientID$/)).toBeDefined() // 64 characters: not shortened
    expect(find(/^\(7FE0,0010\) OW 0102\\0304\\0506/)).toBeDefined()
    // the sequence: item marker one level in, its elements two levels in
    const sq = lines.findIndex((l) => l.startsWith('(0008,1140) SQ'))
    expect(sq).toBeGreaterThan(0)
    expect(lines[sq + 1]).toMatch(/^ {2}\(FFFE,E000\) na \(Item #1/)
    expect(lines[sq + 2]).toMatch(/^ {4}\(0008,1150\) UI \[1\.2\.840\.10008\.5\.1\.4\.1\.1\.7\] =SecondaryCaptureImageStorage +# +26, 1 ReferencedSOPClassUID$/)
    expect(lines[sq + 4]).toMatch(/^ {2}\(FFFE,E00D\)/)
    expect(lines[sq + 5]).toMatch(/^\(FFFE,E0DD\)/)
    // meta before dataset
    expect(lines.findIndex((l) => l.startsWith('(0002,0010)'))).toBeLessThan(lines.findIndex((l) => l.startsWith('(0008,0008)')))
  })

  it('shortens values longer than 64 characters unless --full', async () => {
    const long = join(dir, 'long.dcm')
    writeFileSync(long, part10([el(2, 0x0010, 'UI', '1.2.840.10008.1.2.1')], [el(0x0008, 0x0081, 'ST', 'A'.repeat(100))]))
    const io = capture()
    await main(['dump', long], io)
    expect(io.out).toMatch(/\(0008,0081\) ST \[A{64}\.\.\.\] +# +100, 1/)
    const full = capture()
    await main(['dump', '--full', long], full)
    expect(full.out).toMatch(/\(0008,0081\) ST \[A{100}\] +# +100, 1/)
  })

  it('--json prints the DICOM JSON of the dataset without group 0002', async () => {
    const io = capture()
    expect(await main(['dump', '--json', file], io)).toBe(0)
    expect(io.out).toMatch(/^\{\n {2}"00080008": \{/) // pretty-printed
    const top = [...io.out.matchAll(/^ {2}"([0-9A-F]{8})":/gm)].map((m) => m[1])
    expect(top).toEqual([...top].sort()) // ascending tags in the text (7FE00010 last)
    expect(top.at(-1)).toBe('7FE00010')
    expect(JSON.parse(io.out)).toEqual({
      '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] },
      '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] },
      '00080018': { vr: 'UI', Value: ['1.2.3.4'] },
      '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] }, '00081155': { vr: 'UI', Value: ['1.2.3.5'] } }] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] },
      '00100020': { vr: 'LO', Value: ['X'.repeat(64)] },
      '00180050': { vr: 'DS', Value: [2.5] },
      '00280010': { vr: 'US', Value: [2] },
      '00280011': { vr: 'US', Value: [3] },
      // 0102 0304 ... as little-endian bytes 02 01 04 03 ...
      '7FE00010': { vr: 'OW', InlineBinary: Buffer.from([2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11]).toString('base64') },
    })
  })

  it('--json --meta adds the File Meta Information (without its group length)', async () => {
    const io = capture()
    expect(await main(['dump', '--json', '--meta', file], io)).toBe(0)
    const json = JSON.parse(io.out) as Record<string, unknown>
    expect(Object.keys(json).slice(0, 4)).toEqual(['00020001', '00020002', '00020003', '00020010'])
    expect(json['00020001']).toEqual({ vr: 'OB', InlineBinary: 'AAE=' })
    expect(json['00020000']).toBeUndefined()
  })

  it('--meta without --json is a usage error', async () => {
    const io = capture()
    expect(await main(['dump', '--meta', file], io)).toBe(2)
  })

  it('a missing file: exit 1 and one line "dimse: FILE: no such file"', async () => {
    const io = capture()
    const missing = join(dir, 'missing.dcm')
    expect(await main(['dump', missing], io)).toBe(1)
    expect(io.err).toBe(`dimse: ${missing}: no such file\n`)
    expect(io.out).toBe('')
  })

  it('a file that is not DICOM: exit 1 and one line naming the file', async () => {
    const junk = join(dir, 'junk.dcm')
    writeFileSync(junk, part10([el(2, 0x0010, 'UI', '1.2.840.10008.1.2.1')], [el(0x0008, 0x0016, 'UI', '1.2'), new Uint8Array([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff])]))
    const io = capture()
    expect(await main(['dump', junk], io)).toBe(1)
    expect(io.err.trim().split('\n')).toHaveLength(1)
    expect(io.err.startsWith(`dimse: ${junk}: `)).toBe(true)
  })

  it('an empty file: exit 1, "empty file"', async () => {
    const empty = join(dir, 'empty.dcm')
    writeFileSync(empty, new Uint8Array(0))
    const io = capture()
    expect(await main(['dump', empty], io)).toBe(1)
    expect(io.err).toBe(`dimse: ${empty}: empty file\n`)
  })

  it('several files: each listed, and a bad one does not stop the others', async () => {
    const io = capture()
    expect(await main(['dump', file, join(dir, 'missing.dcm'), file], io)).toBe(1)
    expect(io.out.split('\n').filter((l) => l.startsWith('(0010,0010)'))).toHaveLength(2)
  })
})

// Differential check against DCMTK's dcmdump listings stored with the corpus: the same elements
// with the same VR, value length, VM and keyword, in the same order (sequence content included).
const CORPUS = CORPUS_DIR
const HAVE_CORPUS = existsSync(join(CORPUS, 'golden')) && existsSync(join(CORPUS, 'MANIFEST.tsv'))
if (!HAVE_CORPUS) console.warn(`[dump.test] corpus not found at ${CORPUS}: dcmdump comparison skipped`)

/** Files whose dcmdump listing differs on purpose or where dcmdump failed, and why. */
const NOT_COMPARED: Record<string, string> = {
  'fo-dicom__GH626.dcm': 'dcmdump failed',
  'malformed/pydicom__MR_truncated.dcm': 'dcmdump failed',
  'malformed/pydicom__SC_rgb_jpeg.dcm': 'dcmdump failed',
  'malformed/fo-dicom__GH364.dcm': 'dcmdump failed',
  'fo-dicom__GH340.dcm': "dcmdump prints its internal VR 'xs' for US/SS elements read without VR",
  'pydicom__DICOMDIR.dcm': "dcmdump prints its internal VR 'up' for offsets",
  'pydicom__nested_priv_SQ.dcm': "dcmdump prints '??' as the VR of unknown elements in implicit VR data (we print UN)",
  'malformed/pydicom__meta_missing_tsyntax.dcm': "dcmdump prints '??' as the VR of unknown elements (we print UN)",
  'malformed/pydicom-data__bad_sequence.dcm': 'sequence encoded as UN is read as SQ (docs/json-differences.md D5)',
  'pydicom__rtdose_rle.dcm': 'sequence encoded as UN is read as SQ (docs/json-differences.md D5)',
  'dcmjs-dimse__ele.dcm': 'private elements: DCMTK parses some UN/private values as sequences',
  'dcmjs__sample-dicom.dcm': 'private elements: DCMTK parses (2005,1406) as a sequence',
  'fo-dicom__RI6XDosiGap.dcm': 'private elements: DCMTK parses private UN values as sequences',
}

describe.skipIf(!HAVE_CORPUS)('dimse dump vs dcmdump (corpus listings)', () => {
  // dcmdump writes "# 242,15 Name" when the VM has two digits, hence ", ?"
  const ELEMENT = /^\s*\(([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\) (\S\S) .*# +(\d+|u\/l|-), ?(\d+) (\S+)/
  function rows(text: string): string[] {
    const out: string[] = []
    for (const l of text.split('\n')) {
      const m = ELEMENT.exec(l)
      if (!m || m[3] === 'SQ' || m[3] === 'na' || m[3] === 'pi' || m[1]!.toUpperCase() === 'FFFE') continue
      if (m[2]!.toLowerCase() === '0000' && m[1] !== '0002') continue // dataset group lengths
      const privateTag = parseInt(m[1]!, 16) % 2 === 1
      // DCMTK prefixes retired keywords with RETIRED_; PS3.6 keywords have no prefix
      out.push(`(${m[1]!.toUpperCase()},${m[2]!.toUpperCase()}) ${m[3]} ${m[4]} ${m[5]}${privateTag ? '' : ` ${m[6]!.replace(/^RETIRED_/, '')}`}`)
    }
    return out
  }
  const files = HAVE_CORPUS
    ? readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!)
      .filter((f) => existsSync(join(CORPUS, 'golden', `${f}.dcmdump.txt`)))
    : []
  it('compares most of the corpus', () => {
    expect(files.length - Object.keys(NOT_COMPARED).length).toBeGreaterThan(90)
  })
  it.each(files.filter((f) => !(f in NOT_COMPARED)).map((f) => [f]))('%s', async (name) => {
    const io = capture()
    expect(await main(['dump', '--quiet', join(CORPUS, 'files', name)], io)).toBe(0)
    const dcmdump = readFileSync(join(CORPUS, 'golden', `${name}.dcmdump.txt`), 'latin1')
    const ours = rows(io.out)
    expect(ours.length).toBeGreaterThan(3)
    expect(ours).toEqual(rows(dcmdump))
  })
})
