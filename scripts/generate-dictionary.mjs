#!/usr/bin/env node
// Generates src/dataset/generated/{dictionary,private-dictionary,uids}.ts. Run by hand, commit the
// output:   node scripts/generate-dictionary.mjs   (OUT_DIR=dir writes elsewhere, for checks)
//
// Inputs (Debian paths; override with the environment variables named below):
//  - DCMTK's public data dictionary (DICOM_DIC, default /usr/share/libdcmtk17/dicom.dic): the
//    authority for tag, VR, VM, keyword and retired status of every PS3.6 data element, including
//    the repeating groups and ranges.
//  - DCMTK's private dictionary (PRIVATE_DIC, default /usr/share/libdcmtk17/private.dic).
//  - DCMTK's UID header (DCUID_H, default /usr/include/dcmtk/dcmdata/dcuid.h, package
//    libdcmtk-dev): which SOP classes are Storage SOP classes (its "Storage" sections).
//  - pydicom's tables (PYDICOM_DIR, default /usr/lib/python3/dist-packages/pydicom, package
//    python3-pydicom), which transcribe PS3.6 Table 6-1 and Table A-1: the human-readable names
//    of data elements (dicom.dic has keywords only) and the UID registry (uid, name, type,
//    keyword, retired). When pydicom is absent, element names are derived from keywords and the
//    UID registry falls back to dcuid.h alone.
// Only facts (numbers, names from the standard) are carried over.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = process.env.OUT_DIR ?? join(root, 'src/dataset/generated')
const DICOM_DIC = process.env.DICOM_DIC ?? '/usr/share/libdcmtk17/dicom.dic'
const PRIVATE_DIC = process.env.PRIVATE_DIC ?? '/usr/share/libdcmtk17/private.dic'
const DCUID_H = process.env.DCUID_H ?? '/usr/include/dcmtk/dcmdata/dcuid.h'
const PYDICOM_DIR = process.env.PYDICOM_DIR ?? '/usr/lib/python3/dist-packages/pydicom'

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
)

// DCMTK pseudo-VRs (dcvr.h) mapped to the VRs PS3.6 lists for such elements. Where pydicom gives
// the PS3.6 text for the very tag, that text wins (e.g. LUT Data is "US or OW").
const PSEUDO_VR = {
  up: ['UL'], // unsigned 32-bit offset in a DICOMDIR (PS3.3 F.3.2.1): UL
  xs: ['US', 'SS'], // "US or SS"
  ox: ['OB', 'OW'], // "OB or OW"
  px: ['OB', 'OW'], // Pixel Data, "OB or OW"
  lt: ['US', 'SS', 'OW'], // LUT data, "US or SS or OW"
  na: [], // Item and delimitation items have no VR (PS3.5 §7.5)
}

function die(msg) {
  console.error(`generate-dictionary: ${msg}`)
  process.exit(1)
}

function mapVr(text, where) {
  if (PSEUDO_VR[text]) return PSEUDO_VR[text]
  if (VRS.has(text)) return [text]
  die(`unknown VR "${text}" at ${where}`)
}

// ---------------------------------------------------------------------------------------------
// pydicom tables (optional): parse the Python dict literals line by line.

function readPydicom() {
  const dictPath = join(PYDICOM_DIR, '_dicom_dict.py')
  const uidPath = join(PYDICOM_DIR, '_uid_dict.py')
  if (!existsSync(dictPath) || !existsSync(uidPath)) return undefined
  const str = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`
  const tuple5 = new RegExp(String.raw`^\s*(0x[0-9A-Fa-f]{8}|'[0-9A-Fa-fx]{8}'): \(${str}, ${str}, ${str}, ${str}, ${str}\),`)
  const unq = (m, i) => (m[i] ?? m[i + 1] ?? '').replace(/\\(.)/g, '$1')
  const elements = new Map() // key: 8 hex digits, upper case, x for wildcards
  for (const line of readFileSync(dictPath, 'utf8').split('\n')) {
    const m = tuple5.exec(line)
    if (!m) continue
    const key = m[1].startsWith('0x') ? m[1].slice(2).toUpperCase() : m[1].slice(1, -1).toUpperCase().replace(/X/g, 'x')
    elements.set(key, { vr: unq(m, 2), vm: unq(m, 4), name: unq(m, 6), retired: unq(m, 8) !== '', keyword: unq(m, 10) })
  }
  const uidLine = new RegExp(String.raw`^\s*'([0-9.]+)': \(${str}, ${str}, ${str}, ${str}, ${str}\),`)
  const uids = []
  for (const line of readFileSync(uidPath, 'utf8').split('\n')) {
    const m = uidLine.exec(line)
    if (!m) continue
    uids.push({ uid: m[1], name: unq(m, 2), type: unq(m, 4), retired: unq(m, 8) !== '', keyword: unq(m, 10) })
  }
  if (elements.size < 4000 || uids.length < 300) die(`pydicom tables look truncated (${elements.size} elements, ${uids.length} UIDs)`)
  return { elements, uids }
}

/** "SOPClassUID" → "SOP Class UID": the fallback when no PS3.6 name is available. */
function nameFromKeyword(kw) {
  return kw
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
}

// ---------------------------------------------------------------------------------------------
// dicom.dic

/** Parse "gggg", "gggg-gggg", "gggg-o-gggg", "gggg-u-gggg" (dicom.dic header comment). */
function parseRange(text, where) {
  const m = /^([0-9A-Fa-f]{4})(?:-(?:([oeu])-)?([0-9A-Fa-f]{4}))?$/.exec(text)
  if (!m) die(`bad tag part "${text}" at ${where}`)
  const lo = parseInt(m[1], 16)
  const hi = m[3] ? parseInt(m[3], 16) : lo
  // A range without a restriction letter covers even numbers only (dicom.dic header).
  const parity = m[3] ? (m[2] === 'u' ? 'any' : m[2] === 'o' ? 'odd' : 'even') : 'any'
  return { lo, hi, parity }
}

const hex4 = (n) => n.toString(16).toUpperCase().padStart(4, '0')

function readPublic(py) {
  const exact = []
  const ranges = []
  const text = readFileSync(DICOM_DIC, 'latin1')
  let lineNo = 0
  for (const line of text.split('\n')) {
    lineNo++
    if (line.startsWith('#') || line.trim() === '') continue
    const f = line.split('\t').filter((x) => x !== '')
    if (f.length !== 5) die(`expected 5 fields at ${DICOM_DIC}:${lineNo}`)
    const [tagText, vrText, rawKeyword, vm, version] = f
    const where = `${DICOM_DIC}:${lineNo}`
    const tm = /^\(([^,]+),([^)]+)\)$/.exec(tagText)
    if (!tm) die(`bad tag at ${where}`)
    const g = parseRange(tm[1], where)
    const e = parseRange(tm[2], where)
    const retired = version.endsWith('/retired')
    const keyword = rawKeyword.replace(/^RETIRED_/, '')
    let vr = mapVr(vrText, where)
    let name
    const key = g.lo === g.hi && e.lo === e.hi ? hex4(g.lo) + hex4(e.lo) : undefined
    let pyEntry = key ? py?.elements.get(key) : undefined
    if (!pyEntry && py && !key) {
      // pydicom writes repeating groups as 60xx3000, 002031xx
      const pattern =
        (g.lo === g.hi ? hex4(g.lo) : hex4(g.lo).slice(0, 2) + 'xx') + (e.lo === e.hi ? hex4(e.lo) : hex4(e.lo).slice(0, 2) + 'xx')
      pyEntry = py.elements.get(pattern)
    }
    if (pyEntry && pyEntry.keyword === keyword) {
      name = pyEntry.name
      if (PSEUDO_VR[vrText] && pyEntry.vr !== 'NONE') {
        const pv = pyEntry.vr.split(' or ')
        if (pv.every((v) => VRS.has(v))) vr = pv
      }
    }
    name ??= nameFromKeyword(keyword)
    const entry = { vr, vm, keyword, name, retired }
    if (key) {
      exact.push({ tag: (g.lo << 16 | e.lo) >>> 0, ...entry })
    } else {
      // PS3.6 writes Source Image IDs as (0020,31xx): every element, not only even ones.
      if (keyword === 'SourceImageIDs') e.parity = 'any'
      ranges.push({ g, e, ...entry })
    }
  }
  exact.sort((a, b) => a.tag - b.tag)
  return { exact, ranges }
}

// ---------------------------------------------------------------------------------------------
// private.dic

function readPrivate() {
  const out = []
  const text = readFileSync(PRIVATE_DIC, 'latin1')
  let lineNo = 0
  const seen = new Set()
  for (const line of text.split('\n')) {
    lineNo++
    if (line.startsWith('#') || line.trim() === '') continue
    const where = `${PRIVATE_DIC}:${lineNo}`
    const f = line.split('\t').filter((x) => x !== '')
    // The version column is missing on a few lines of private.dic.
    if (f.length !== 5 && f.length !== 4) die(`expected 4 or 5 fields at ${where}`)
    const m = /^\(([^,]+),"([^"]*)",([0-9A-Fa-f]{2,4})\)$/.exec(f[0])
    if (!m) die(`bad private tag at ${where}`)
    const g = parseRange(m[1], where)
    // PS3.5 §7.8.1: a private element is identified by its creator and the low byte of its
    // element number; the high byte is the block the creator reserved.
    // private.dic also gives some elements as full numbers (gggg,"CREATOR",eeee); DCMTK then
    // matches them only at that element, i.e. in that block. Keep them as such (written as 4
    // hex digits): one creator (PHILIPS MR/PART) has different elements with equal low bytes in
    // blocks 10, 11 and 12.
    const fixed = m[3].length > 2
    const byte = fixed ? parseInt(m[3], 16) : parseInt(m[3], 16) & 0xff
    const vr = mapVr(f[1], where)
    const key = `${m[2]}\t${g.lo}\t${g.hi}\t${fixed ? 'f' : ''}${byte}`
    if (seen.has(key)) continue // first definition wins, as DCMTK keeps one entry per key
    seen.add(key)
    // DCMTK drops the stray spaces some private.dic keywords contain; so do we.
    out.push({ creator: m[2], g, byte, fixed, vr, vm: f[3], keyword: f[2].replace(/\s+/g, '') })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// UIDs: pydicom's Table A-1 transcription, dcuid.h for storage classes and anything missing.

function readDcuid() {
  if (!existsSync(DCUID_H)) die(`${DCUID_H} not found (apt-get install libdcmtk-dev)`)
  const defs = []
  let section = ''
  let skip = false
  for (const line of readFileSync(DCUID_H, 'latin1').split('\n')) {
    // Skip DCMTK's own private UIDs. Keep the draft-supplement UIDs: DCMTK's storescp accepts
    // the draft storage classes among them, so a storage SCP interoperating with it should too.
    if (/Private DCMTK UIDs/.test(line)) skip = true
    if (/DRAFT SUPPLEMENTS/.test(line)) {
      skip = false
      section = 'DRAFT'
    }
    if (skip) continue
    const s = /^\/\/ (.*)$/.exec(line)
    if (s && section !== 'DRAFT') section = s[1].trim()
    const d = /^#define (UID_\w+)\s+"([0-9.]+)"/.exec(line)
    if (d) defs.push({ define: d[1], uid: d[2], section })
  }
  return defs
}

function isStorage(d) {
  if (d.section === 'DRAFT') return /Storage$/.test(d.define)
  if (d.section === 'Storage (DICOM)' || d.section === 'DICOS Storage' || d.section === 'DICONDE Storage') return true
  // Storage classes filed under other services (Color Palette Storage); not the DICOMDIR class,
  // which is never sent by C-STORE (PS3.10 §8.6).
  return /Storage$/.test(d.define) && !d.section.startsWith('DICOMDIR')
}

// Transfer syntaxes added to PS3.6 Table A-1 after the 2022 editions the inputs above follow
// (HTJ2K: PS3.5 §A.4.4 / §10.18; JPEG XL: §A.4.15; Deflated Image Frame Compression: §A.4.13).
const LATER_TRANSFER_SYNTAXES = [
  ['1.2.840.10008.1.2.4.110', 'JPEGXLLossless', 'JPEG XL Lossless'],
  ['1.2.840.10008.1.2.4.111', 'JPEGXLJPEGRecompression', 'JPEG XL JPEG Recompression'],
  ['1.2.840.10008.1.2.4.112', 'JPEGXL', 'JPEG XL'],
  ['1.2.840.10008.1.2.4.201', 'HTJ2KLossless', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.202', 'HTJ2KLosslessRPCL', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.203', 'HTJ2K', 'High-Throughput JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.4.204', 'JPIPHTJ2KReferenced', 'JPIP HTJ2K Referenced'],
  ['1.2.840.10008.1.2.4.205', 'JPIPHTJ2KReferencedDeflate', 'JPIP HTJ2K Referenced Deflate'],
  ['1.2.840.10008.1.2.8.1', 'DeflatedImageFrameCompression', 'Deflated Image Frame Compression'],
]

function buildUids(py, defs) {
  const byUid = new Map()
  for (const u of py?.uids ?? []) byUid.set(u.uid, { ...u, storage: false })
  for (const [uid, keyword, name] of LATER_TRANSFER_SYNTAXES) {
    if (!byUid.has(uid)) byUid.set(uid, { uid, keyword, name, type: 'Transfer Syntax', retired: false, storage: false })
  }
  for (const d of defs) {
    let e = byUid.get(d.uid)
    if (!e) {
      // Draft-supplement UIDs never entered the standard: keep DCMTK's name, flag them retired.
      const retired = d.define.startsWith('UID_RETIRED_') || d.section === 'DRAFT'
      const kw = d.define.replace(/^UID_(RETIRED_)?/, '')
      const type = /TransferSyntax$/.test(kw)
        ? 'Transfer Syntax'
        : d.section.includes('Frame of Reference') || d.section.includes('Frame Of Reference')
          ? 'Well-known frame of reference'
          : /SOPInstance$/.test(kw)
            ? 'Well-known SOP Instance'
            : 'SOP Class'
      e = { uid: d.uid, name: nameFromKeyword(kw), type, retired, keyword: kw, storage: false }
      byUid.set(d.uid, e)
    }
    if (isStorage(d) && e.type === 'SOP Class') e.storage = true
  }
  const out = [...byUid.values()]
  const cmp = (a, b) => {
    const x = a.split('.').map(Number)
    const y = b.split('.').map(Number)
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
    return x.length - y.length
  }
  out.sort((a, b) => cmp(a.uid, b.uid))
  return out
}

// ---------------------------------------------------------------------------------------------
// Output

/** A string literal safe inside a template literal, with one record per line. */
function packLines(lines) {
  for (const l of lines) if (/[`\\\n]|\$\{/.test(l)) die(`cannot pack line: ${l}`)
  return '`\n' + lines.join('\n') + '\n`'
}

const HEADER = `// GENERATED by scripts/generate-dictionary.mjs — do not edit by hand.\n`

function writeOut(name, body) {
  mkdirSync(outDir, { recursive: true })
  const p = join(outDir, name)
  writeFileSync(p, HEADER + body)
  console.log(`wrote ${p} (${Buffer.byteLength(HEADER + body)} bytes)`)
}

const py = readPydicom()
if (!py) console.warn('generate-dictionary: pydicom not found; names derived from keywords')
const pub = readPublic(py)
const priv = readPrivate()
const uids = buildUids(py, readDcuid())

// Keywords must be unique among the exact public entries for keyword → tag lookups.
{
  const seen = new Map()
  for (const e of [...pub.exact, ...pub.ranges]) {
    if (seen.has(e.keyword)) die(`duplicate keyword ${e.keyword}`)
    seen.set(e.keyword, true)
  }
}

// Record: TTTTTTTT|VRS|VM|Keyword|Name|R  (VRS joined by '/', R = 1 when retired; Name empty when
// it equals the name derived from the keyword, to keep the file small).
const rec = (e) =>
  [e.vr.join('/'), e.vm, e.keyword, e.name === nameFromKeyword(e.keyword) ? '' : e.name, e.retired ? '1' : ''].join('|')
const publicLines = pub.exact.map((e) => hex4(e.tag >>> 16) + hex4(e.tag & 0xffff) + '|' + rec(e))
const rangeSpec = (r) => `${hex4(r.lo)}-${hex4(r.hi)}${r.parity === 'any' ? 'u' : r.parity === 'odd' ? 'o' : 'e'}`
const rangeLines = pub.ranges.map((e) => `${rangeSpec(e.g)},${rangeSpec(e.e)}|${rec(e)}`)

writeOut(
  'dictionary.ts',
  `/**
 * PS3.6 data elements (from DCMTK's dicom.dic; names from PS3.6 Table 6-1), packed one record per
 * line: \`GGGGEEEE|VR[/VR…]|VM|Keyword|Name|Retired\`. An empty Name means the name is the keyword
 * split into words; Retired is \`1\` or empty; an empty VR list means the element has no VR (items
 * and delimiters, PS3.5 §7.5). Parsed lazily by ../dictionary.ts.
 * @internal
 */
export const PUBLIC_ELEMENTS: string = ${packLines(publicLines)}

/**
 * Repeating groups and ranges, \`GLO-GHIp,ELO-EHIp|…\` with p = e (even numbers only), o (odd) or
 * u (all), same fields as PUBLIC_ELEMENTS otherwise.
 * @internal
 */
export const RANGE_ELEMENTS: string = ${packLines(rangeLines)}
`,
)

// Private: Creator|GLO-GHIp|BB|VR|VM|Keyword, grouped by creator to shorten: creator written once
// per block as a line starting with '@'.
const privLines = []
let lastCreator
for (const p of [...priv].sort((a, b) => (a.creator < b.creator ? -1 : a.creator > b.creator ? 1 : 0))) {
  if (p.creator !== lastCreator) {
    privLines.push('@' + p.creator)
    lastCreator = p.creator
  }
  const gs = p.g.lo === p.g.hi ? hex4(p.g.lo) : rangeSpec(p.g)
  privLines.push([gs, p.byte.toString(16).toUpperCase().padStart(p.fixed ? 4 : 2, '0'), p.vr.join('/'), p.vm, p.keyword].join('|'))
}
writeOut(
  'private-dictionary.ts',
  `/**
 * Private data elements from DCMTK's private.dic. A line \`@Creator\` starts the block of a Private
 * Creator; each following line is \`GGGG|BB|VR[/VR…]|VM|Keyword\` where BB is the low byte of the
 * element number (PS3.5 §7.8.1), or 4 hex digits for an element defined only in one block, and
 * GGGG may be a range \`GLO-GHIp\` (p = e, o or u).
 * @internal
 */
export const PRIVATE_ELEMENTS: string = ${packLines(privLines)}
`,
)

const TYPE_CODES = new Map()
for (const u of uids) if (!TYPE_CODES.has(u.type)) TYPE_CODES.set(u.type, TYPE_CODES.size)
const uidLines = uids.map((u) =>
  [u.uid, u.keyword, u.name === nameFromKeyword(u.keyword) ? '' : u.name, TYPE_CODES.get(u.type), (u.retired ? 1 : 0) | (u.storage ? 2 : 0)].join('|'),
)
writeOut(
  'uids.ts',
  `/**
 * The UID registry of PS3.6 Table A-1 (via pydicom's transcription and DCMTK's dcuid.h), one
 * record per line: \`UID|Keyword|Name|TypeIndex|Flags\`; TypeIndex indexes UID_TYPES; Flags bit 0 =
 * retired, bit 1 = Storage SOP Class (PS3.4 Annex B and the non-patient storage classes, as dcuid.h
 * files them).
 * @internal
 */
export const UID_RECORDS: string = ${packLines(uidLines)}

/** The PS3.6 UID types that UID_RECORDS' TypeIndex refers to. @internal */
export const UID_TYPES: readonly string[] = ${JSON.stringify([...TYPE_CODES.keys()])}
`,
)
console.log(`${publicLines.length} elements, ${rangeLines.length} ranges, ${priv.length} private, ${uids.length} UIDs, ${uids.filter((u) => u.storage).length} storage`)
