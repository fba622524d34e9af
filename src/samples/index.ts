/**
 * Synthetic, deterministic DICOM instances for the demo, tests and benchmarks: a few patients,
 * each with a CT study and an MR study (image series plus a Comprehensive SR report that refers
 * to the images). Same seed, same bytes: UIDs are derived from the seed under the 2.25 root.
 *
 * Built only on the public dataset API (`Dataset`, `DataElement`, `encodeFile`). Not part of the
 * package exports.
 * @module samples
 */
import { Dataset, DataElement, encodeFile, TransferSyntax } from '../dataset/index.js'
import type { ElementValue, Tag, VR } from '../dataset/index.js'

/** Options of {@link makeSampleInstances}. */
export interface SampleOptions {
  /** Seed of everything random-looking (UIDs, dates, names order). Default 1. */
  seed?: number | string
  /** Number of instances in total (default 20). SR reports are 1 per study when count ≥ 4 × studies. */
  count?: number
  /** Number of patients (default 3); each has one CT and one MR study. */
  patients?: number
  /**
   * Approximate size of each image instance in KiB: sets the matrix of CT and MR images
   * (16-bit, square). Default: CT 512×512, MR 256×256.
   */
  sizeKb?: number
}

/** One generated instance and where it belongs. */
export interface SampleInstance {
  dataset: Dataset
  sopClassUid: string
  sopInstanceUid: string
  patientId: string
  studyInstanceUid: string
  seriesInstanceUid: string
  modality: 'CT' | 'MR' | 'SR'
  /** A relative path for writing it, e.g. `PAT001/ST01-CT/SE02/IM0003.dcm`. */
  path: string
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4'
const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33'

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** 128-bit hash of a string (four 32-bit lanes, MurmurHash3-style mixing). */
function hash128(s: string): [number, number, number, number] {
  let h1 = 0x6a09e667
  let h2 = 0xbb67ae85
  let h3 = 0x3c6ef372
  let h4 = 0xa54ff53a
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  for (let r = 0; r < 2; r++) {
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
    h1 ^= h2 ^ h3 ^ h4
    h2 ^= h1
    h3 ^= h1
    h4 ^= h1
  }
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

/**
 * A UID under 2.25 derived from `seed` and `name` (PS3.5 §B.2): the 128 bits form an RFC 9562
 * version 8 (custom) UUID, written as one decimal integer. At most 44 characters.
 */
export function deterministicUid(seed: number | string, name: string): string {
  const [a, b, c, d] = hash128(`${seed}/${name}`)
  let n = (BigInt(a) << 96n) | (BigInt(b) << 64n) | (BigInt(c) << 32n) | BigInt(d)
  n = (n & ~(0xfn << 76n)) | (0x8n << 76n) // version 8
  n = (n & ~(0x3n << 62n)) | (0x2n << 62n) // RFC variant 10xx
  return `2.25.${n.toString()}`
}

function rand(seed: number | string, name: string): number {
  return hash128(`${seed}#${name}`)[0] / 0x100000000
}

// ---------------------------------------------------------------------------------------------
// Dataset building helpers

type Attr = [tag: Tag, vr: VR, value: ElementValue]

function dataset(charset: readonly string[], attrs: Attr[]): Dataset {
  const ds = new Dataset({ littleEndian: true, charset })
  for (const [t, vr, v] of attrs) ds.set(DataElement.fromValue(t, vr, v, ds.context))
  return ds
}

function code(charset: readonly string[], value: string, scheme: string, meaning: string): Dataset {
  return dataset(charset, [
    [0x00080100, 'SH', [value]],
    [0x00080102, 'SH', [scheme]],
    [0x00080104, 'LO', [meaning]],
  ])
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

function dateOf(dayOffset: number): string {
  const d = new Date(Date.UTC(2024, 0, 1) + dayOffset * 86_400_000)
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`
}

const PATIENTS: readonly { name: string; sex: 'F' | 'M' | 'O'; charset: string[] }[] = [
  { name: 'Synthetic^Alice', sex: 'F', charset: [] },
  { name: 'Müller^Jörg', sex: 'M', charset: ['ISO_IR 100'] },
  { name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', sex: 'M', charset: ['ISO_IR 192'] },
  { name: 'Phantom^Pat', sex: 'O', charset: [] },
  { name: 'Ørsted^Hans', sex: 'M', charset: ['ISO_IR 192'] },
]

// ---------------------------------------------------------------------------------------------
// Pixel data

/** A CT-like phantom: air, a water ellipse, bone discs whose size varies with the slice, a gradient. */
function ctPixels(n: number, slice: number, slices: number): Uint16Array {
  const px = new Uint16Array(n * n)
  const c = (n - 1) / 2
  const t = slices <= 1 ? 0.5 : slice / (slices - 1)
  const boneR = n * (0.05 + 0.05 * Math.sin(Math.PI * t))
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const dx = (x - c) / (n * 0.45)
      const dy = (y - c) / (n * 0.38)
      let v = 0 // -1024 HU after rescale
      if (dx * dx + dy * dy <= 1) {
        v = 1024 + Math.round((x / n) * 80) // soft tissue with a gentle gradient
        const bx = x - c * 0.6
        const by = y - c
        const bx2 = x - c * 1.4
        if (bx * bx + by * by <= boneR * boneR || bx2 * bx2 + by * by <= boneR * boneR) v = 2200
      }
      px[y * n + x] = v
    }
  }
  return px
}

/** An MR-like image: a bright ring and a smooth radial falloff. */
function mrPixels(n: number, slice: number): Uint16Array {
  const px = new Uint16Array(n * n)
  const c = (n - 1) / 2
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r = Math.hypot(x - c, y - c) / (n / 2)
      let v = r < 0.9 ? Math.round(1500 * (1 - r * r)) + ((x + y + slice) % 16) : 0
      if (r > 0.55 && r < 0.62) v = 3000
      px[y * n + x] = v
    }
  }
  return px
}

// ---------------------------------------------------------------------------------------------
// The plan

interface StudyPlan {
  patient: number
  kind: 'CT' | 'MR'
  index: number
  images: number
  sr: boolean
}

function plan(count: number, patients: number): StudyPlan[] {
  const studies: StudyPlan[] = []
  for (let p = 0; p < patients; p++) {
    studies.push({ patient: p, kind: 'CT', index: studies.length, images: 0, sr: false })
    studies.push({ patient: p, kind: 'MR', index: studies.length, images: 0, sr: false })
  }
  const srCount = count >= studies.length * 4 ? studies.length : Math.floor(count / 4)
  for (let i = 0; i < srCount; i++) studies[i]!.sr = true
  const images = count - srCount
  for (let i = 0; i < images; i++) studies[i % studies.length]!.images++
  return studies.filter((s) => s.images > 0 || s.sr)
}

/**
 * Make synthetic CT, MR and SR instances. Deterministic for a given `seed`; the datasets carry
 * the Patient, General Study, General Series, Frame of Reference, General Equipment, General
 * Image, Image Plane, Image Pixel, CT/MR Image, VOI LUT, SR Document and SOP Common modules.
 */
export function makeSampleInstances(options: SampleOptions = {}): SampleInstance[] {
  const seed = options.seed ?? 1
  const count = Math.max(0, Math.floor(options.count ?? 20))
  const patients = Math.max(1, Math.min(PATIENTS.length, Math.floor(options.patients ?? 3)))
  const matrix = (kind: 'CT' | 'MR') =>
    options.sizeKb !== undefined ? Math.max(8, Math.round(Math.sqrt((options.sizeKb * 1024) / 2))) : kind === 'CT' ? 512 : 256
  const out: SampleInstance[] = []

  for (const st of plan(count, patients)) {
    const pat = PATIENTS[st.patient]!
    const cs = pat.charset
    const patientId = `DIMSE-${String(st.patient + 1).padStart(3, '0')}`
    const studyUid = deterministicUid(seed, `study/${st.index}`)
    const studyDate = dateOf(Math.floor(rand(seed, `date/${st.index}`) * 365))
    const studyTime = `${pad2(8 + Math.floor(rand(seed, `hour/${st.index}`) * 10))}${pad2(Math.floor(rand(seed, `min/${st.index}`) * 60))}00`
    const birth = dateOf(-365 * (30 + st.patient * 11) - st.patient * 37)
    const age = `${String(2024 - Number(birth.slice(0, 4))).padStart(3, '0')}Y`
    const forUid = deterministicUid(seed, `for/${st.index}`)
    const common = (): Attr[] => {
      const a: Attr[] = [
        [0x00080020, 'DA', [studyDate]],
        [0x00080030, 'TM', [studyTime]],
        [0x00080050, 'SH', [`ACC${String(st.index + 1).padStart(5, '0')}`]],
        [0x00080070, 'LO', ['dimse synthetic']],
        [0x00080080, 'LO', ['Synthetic Hospital']],
        [0x00080090, 'PN', ['Referrer^Rita']],
        [0x00081030, 'LO', [st.kind === 'CT' ? 'CT Chest (synthetic)' : 'MR Head (synthetic)']],
        [0x00100010, 'PN', [pat.name]],
        [0x00100020, 'LO', [patientId]],
        [0x00100030, 'DA', [birth]],
        [0x00100040, 'CS', [pat.sex]],
        [0x00101010, 'AS', [age]],
        [0x0020000d, 'UI', [studyUid]],
        [0x00200010, 'SH', [String(st.index + 1)]],
      ]
      if (cs.length > 0) a.push([0x00080005, 'CS', [...cs]])
      return a
    }

    // image series: CT studies with 4+ images get two series (thin and thick slices)
    const seriesCount = st.kind === 'CT' && st.images >= 4 ? 2 : st.images > 0 ? 1 : 0
    const imageRefs: { series: string; sops: { cls: string; uid: string }[] }[] = []
    let remaining = st.images
    for (let se = 0; se < seriesCount; se++) {
      const nInSeries = se === seriesCount - 1 ? remaining : Math.ceil(st.images / seriesCount)
      remaining -= nInSeries
      const seriesUid = deterministicUid(seed, `series/${st.index}/${se}`)
      const n = matrix(st.kind)
      const thickness = st.kind === 'CT' ? (se === 0 ? 1.25 : 5) : 4
      const spacing = st.kind === 'CT' ? 350 / n : 230 / n
      const ref = { series: seriesUid, sops: [] as { cls: string; uid: string }[] }
      imageRefs.push(ref)
      for (let i = 0; i < nInSeries; i++) {
        const sopUid = deterministicUid(seed, `sop/${st.index}/${se}/${i}`)
        const cls = st.kind === 'CT' ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE
        ref.sops.push({ cls, uid: sopUid })
        const z = -i * thickness
        const attrs: Attr[] = [
          ...common(),
          [0x00080008, 'CS', st.kind === 'CT' ? ['ORIGINAL', 'PRIMARY', 'AXIAL'] : ['ORIGINAL', 'PRIMARY', 'OTHER']],
          [0x00080016, 'UI', [cls]],
          [0x00080018, 'UI', [sopUid]],
          [0x00080023, 'DA', [studyDate]],
          [0x00080033, 'TM', [studyTime]],
          [0x00080060, 'CS', [st.kind]],
          [0x0008103e, 'LO', [st.kind === 'CT' ? (se === 0 ? 'Axial 1.25mm' : 'Axial 5mm') : 'T2 axial']],
          [0x00180015, 'CS', [st.kind === 'CT' ? 'CHEST' : 'HEAD']],
          [0x00180050, 'DS', [thickness]],
          [0x00185100, 'CS', ['HFS']],
          [0x0020000e, 'UI', [seriesUid]],
          [0x00200011, 'IS', [se + 1]],
          [0x00200012, 'IS', [1]],
          [0x00200013, 'IS', [i + 1]],
          [0x00200020, 'CS', st.kind === 'CT' ? ['L', 'P'] : ['L', 'P']],
          [0x00200032, 'DS', [-spacing * (n / 2), -spacing * (n / 2), z]],
          [0x00200037, 'DS', [1, 0, 0, 0, 1, 0]],
          [0x00200052, 'UI', [forUid]],
          [0x00201040, 'LO', []],
          [0x00201041, 'DS', [z]],
          [0x00280002, 'US', [1]],
          [0x00280004, 'CS', ['MONOCHROME2']],
          [0x00280010, 'US', [n]],
          [0x00280011, 'US', [n]],
          [0x00280030, 'DS', [Number(spacing.toFixed(6)), Number(spacing.toFixed(6))]],
          [0x00280100, 'US', [16]],
          [0x00280101, 'US', [12]],
          [0x00280102, 'US', [11]],
          [0x00280103, 'US', [0]],
          [0x00281050, 'DS', [st.kind === 'CT' ? 40 : 1500]],
          [0x00281051, 'DS', [st.kind === 'CT' ? 400 : 3000]],
          [0x7fe00010, 'OW', st.kind === 'CT' ? ctPixels(n, i, nInSeries) : mrPixels(n, i)],
        ]
        if (st.kind === 'CT') {
          attrs.push(
            [0x00180060, 'DS', [120]],
            [0x00281052, 'DS', [-1024]],
            [0x00281053, 'DS', [1]],
            [0x00281054, 'LO', ['HU']],
          )
        } else {
          attrs.push(
            [0x00180020, 'CS', ['SE']],
            [0x00180021, 'CS', ['NONE']],
            [0x00180022, 'CS', []],
            [0x00180023, 'CS', ['2D']],
            [0x00180080, 'DS', [4000]],
            [0x00180081, 'DS', [90]],
            [0x00180087, 'DS', [1.5]],
            [0x00180088, 'DS', [thickness]],
            [0x00180091, 'IS', [12]],
            [0x00180085, 'SH', ['1H']],
          )
        }
        out.push({
          dataset: dataset(cs, attrs),
          sopClassUid: cls,
          sopInstanceUid: sopUid,
          patientId,
          studyInstanceUid: studyUid,
          seriesInstanceUid: seriesUid,
          modality: st.kind,
          path: `PAT${String(st.patient + 1).padStart(3, '0')}/ST${pad2(st.index + 1)}-${st.kind}/SE${pad2(se + 1)}/IM${String(i + 1).padStart(4, '0')}.dcm`,
        })
      }
    }

    if (st.sr) {
      const seriesUid = deterministicUid(seed, `series/${st.index}/sr`)
      const sopUid = deterministicUid(seed, `sop/${st.index}/sr`)
      const sr = srDocument(cs, common(), { seriesUid, sopUid, studyUid, studyDate, studyTime, imageRefs, seriesNumber: seriesCount + 1, kind: st.kind })
      out.push({
        dataset: sr,
        sopClassUid: COMPREHENSIVE_SR_STORAGE,
        sopInstanceUid: sopUid,
        patientId,
        studyInstanceUid: studyUid,
        seriesInstanceUid: seriesUid,
        modality: 'SR',
        path: `PAT${String(st.patient + 1).padStart(3, '0')}/ST${pad2(st.index + 1)}-${st.kind}/SE${pad2(seriesCount + 1)}/SR0001.dcm`,
      })
    }
  }
  return out
}

/** A Comprehensive SR report: Findings (text, a distance with its source image), Conclusions (code). */
function srDocument(
  cs: readonly string[],
  common: Attr[],
  p: {
    seriesUid: string
    sopUid: string
    studyUid: string
    studyDate: string
    studyTime: string
    seriesNumber: number
    kind: 'CT' | 'MR'
    imageRefs: { series: string; sops: { cls: string; uid: string }[] }[]
  },
): Dataset {
  const item = (attrs: Attr[]) => dataset(cs, attrs)
  const firstImage = p.imageRefs[0]?.sops[0]
  const numItem: Attr[] = [
    [0x0040a010, 'CS', ['CONTAINS']],
    [0x0040a040, 'CS', ['NUM']],
    [0x0040a043, 'SQ', [code(cs, '121206', 'DCM', 'Distance')]],
    [0x0040a300, 'SQ', [item([
      [0x004008ea, 'SQ', [code(cs, 'mm', 'UCUM', 'millimeter')]],
      [0x0040a30a, 'DS', [12.5]],
    ])]],
  ]
  if (firstImage !== undefined) {
    numItem.push([0x0040a730, 'SQ', [item([
      [0x00081199, 'SQ', [item([
        [0x00081150, 'UI', [firstImage.cls]],
        [0x00081155, 'UI', [firstImage.uid]],
      ])]],
      [0x0040a010, 'CS', ['INFERRED FROM']],
      [0x0040a040, 'CS', ['IMAGE']],
      [0x0040a043, 'SQ', [code(cs, '121112', 'DCM', 'Source of Measurement')]],
    ])]])
  }
  const findings = item([
    [0x0040a010, 'CS', ['CONTAINS']],
    [0x0040a040, 'CS', ['CONTAINER']],
    [0x0040a043, 'SQ', [code(cs, '121070', 'DCM', 'Findings')]],
    [0x0040a050, 'CS', ['SEPARATE']],
    [0x0040a730, 'SQ', [
      item([
        [0x0040a010, 'CS', ['CONTAINS']],
        [0x0040a040, 'CS', ['TEXT']],
        [0x0040a043, 'SQ', [code(cs, '121071', 'DCM', 'Finding')]],
        [0x0040a160, 'UT', [`Synthetic ${p.kind} study: no real patient data.`]],
      ]),
      item(numItem),
    ]],
  ])
  const conclusions = item([
    [0x0040a010, 'CS', ['CONTAINS']],
    [0x0040a040, 'CS', ['CONTAINER']],
    [0x0040a043, 'SQ', [code(cs, '121076', 'DCM', 'Conclusions')]],
    [0x0040a050, 'CS', ['SEPARATE']],
    [0x0040a730, 'SQ', [item([
      [0x0040a010, 'CS', ['CONTAINS']],
      [0x0040a040, 'CS', ['CODE']],
      [0x0040a043, 'SQ', [code(cs, '121077', 'DCM', 'Conclusion')]],
      [0x0040a168, 'SQ', [code(cs, '17621005', 'SCT', 'Normal')]],
    ])]],
  ])
  const evidence = item([
    [0x00081115, 'SQ', p.imageRefs.map((r) => item([
      [0x00081199, 'SQ', r.sops.map((s) => item([
        [0x00081150, 'UI', [s.cls]],
        [0x00081155, 'UI', [s.uid]],
      ]))],
      [0x0020000e, 'UI', [r.series]],
    ]))],
    [0x0020000d, 'UI', [p.studyUid]],
  ])
  const attrs: Attr[] = [
    ...common,
    [0x00080016, 'UI', [COMPREHENSIVE_SR_STORAGE]],
    [0x00080018, 'UI', [p.sopUid]],
    [0x00080023, 'DA', [p.studyDate]],
    [0x00080033, 'TM', [p.studyTime]],
    [0x00080060, 'CS', ['SR']],
    [0x00081111, 'SQ', []],
    [0x0008103e, 'LO', ['Report']],
    [0x0020000e, 'UI', [p.seriesUid]],
    [0x00200011, 'IS', [p.seriesNumber]],
    [0x00200013, 'IS', [1]],
    [0x0040a040, 'CS', ['CONTAINER']],
    [0x0040a043, 'SQ', [code(cs, '18748-4', 'LN', 'Diagnostic Imaging Report')]],
    [0x0040a050, 'CS', ['SEPARATE']],
    [0x0040a372, 'SQ', []],
    [0x0040a491, 'CS', ['COMPLETE']],
    [0x0040a493, 'CS', ['UNVERIFIED']],
    [0x0040a730, 'SQ', [findings, conclusions]],
  ]
  if (p.imageRefs.length > 0) attrs.push([0x0040a375, 'SQ', [evidence]])
  return dataset(cs, attrs)
}

/** Encode a sample as a Part 10 file (Explicit VR Little Endian unless told otherwise). */
export function encodeSample(sample: SampleInstance, transferSyntaxUid: string = TransferSyntax.ExplicitVRLittleEndian): Uint8Array {
  return encodeFile(sample.dataset, { transferSyntaxUid })
}
