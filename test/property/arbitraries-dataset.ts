/**
 * fast-check arbitraries for datasets (every VR, nested sequences, private elements,
 * multi-valued strings, ISO_IR 192 text) and a structural comparison of two datasets that does
 * not use the encoder under test. Reused by the JSON round-trip properties.
 */
import fc from 'fast-check'
import { DataElement, Dataset } from '../../src/dataset/element.js'
import type { ElementValue, ValueContext } from '../../src/dataset/element.js'
import { PUBLIC_ELEMENTS } from '../../src/dataset/generated/dictionary.js'
import { lookupTag } from '../../src/dataset/dictionary.js'
import { encodeDataset } from '../../src/dataset/encode.js'
import { formatTag } from '../../src/dataset/tag.js'
import type { Tag } from '../../src/dataset/tag.js'
import { VR_INFO, VRS } from '../../src/dataset/vr.js'
import type { VR } from '../../src/dataset/vr.js'

/** Public tags whose dictionary VR is exactly one VR, by VR (so implicit VR decodes them back). */
export const TAGS_BY_VR: Record<VR, Tag[]> = (() => {
  const out = Object.fromEntries(VRS.map((v) => [v, [] as Tag[]])) as Record<VR, Tag[]>
  for (const line of PUBLIC_ELEMENTS.split('\n')) {
    const f = line.split('|')
    if (f.length < 3 || !/^[0-9A-F]{8}$/i.test(f[0]!)) continue
    const t = parseInt(f[0]!, 16) >>> 0
    const g = t >>> 16
    if (g < 0x0008 || g >= 0xfffe || t === 0x00080005 || (t & 0xffff) === 0 || g === 0x7fe0) continue
    // Pixel Data Provider URL makes DCMTK refuse to change the transfer syntax (JPIP rules)
    if (t === 0x00287fe0) continue
    const e = lookupTag(t)
    if (e === undefined || e.vr.length !== 1 || e.vr[0] !== f[1]) continue
    if (out[e.vr[0]!].length < 40) out[e.vr[0]!].push(t)
  }
  return out
})()

/** VRs that have at least one public tag to use. */
export const PUBLIC_VRS: VR[] = VRS.filter((v) => TAGS_BY_VR[v].length > 0)

const DIGITS = '0123456789'.split('')
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== '\\')

function trimmed(chars: string[], min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max }).map((s) => s.trim()).filter((s) => s.length >= min)
}

function multi<T>(a: fc.Arbitrary<T>, max = 3): fc.Arbitrary<T[]> {
  return fc.array(a, { minLength: 0, maxLength: max })
}

const utf8Text = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .map((s) => s.replace(/[\\\u0000-\u001f\u007f]/g, '').trim())
  .filter((s) => s.length > 0)

function bytesOf(size: number): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }).map((a) => {
    const n = a.length - (a.length % size)
    const out = new Uint8Array(new ArrayBuffer(n))
    out.set(a.slice(0, n))
    return out
  })
}

/** An arbitrary value of VR `vr` that survives encode → decode unchanged (trimmed strings...). */
export function valueArb(vr: VR, utf8: boolean): fc.Arbitrary<ElementValue> {
  const text = utf8 ? utf8Text : trimmed(PRINTABLE, 1, 16)
  switch (vr) {
    case 'AE': return multi(trimmed([...UPPER, ...DIGITS, ' ', '_'], 1, 16))
    case 'AS': return multi(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('D', 'W', 'M', 'Y')).map(([n, u]) => String(n).padStart(3, '0') + u), 2)
    case 'CS': return multi(trimmed([...UPPER, ...DIGITS, ' ', '_'], 1, 16))
    case 'DA': return multi(trimmed(DIGITS, 8, 8))
    case 'DT': return multi(trimmed([...DIGITS, '.', '+', '-'], 1, 26))
    case 'TM': return multi(trimmed([...DIGITS, '.'], 1, 14))
    case 'UI': return multi(fc.array(fc.integer({ min: 0, max: 99999 }), { minLength: 1, maxLength: 8 }).map((a) => a.join('.')))
    case 'UR': return fc.array(trimmed(PRINTABLE.filter((c) => c !== ' '), 1, 40), { minLength: 0, maxLength: 1 })
    case 'DS': return multi(fc.integer({ min: -1e9, max: 1e9 }).chain((n) => fc.constantFrom(n, n / 1000, n / 7)).map((x) => Number(x.toPrecision(10))))
    case 'IS': return multi(fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }))
    case 'LO': case 'SH': case 'PN': case 'UC': return multi(text)
    case 'LT': case 'ST': case 'UT': return fc.array(text, { minLength: 0, maxLength: 1 })
    case 'US': return multi(fc.integer({ min: 0, max: 0xffff }), 4)
    case 'SS': return multi(fc.integer({ min: -0x8000, max: 0x7fff }), 4)
    case 'UL': return multi(fc.integer({ min: 0, max: 0xffffffff }), 4)
    case 'SL': return multi(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), 4)
    case 'FL': return multi(fc.float({ noNaN: true }), 4)
    case 'FD': return multi(fc.double({ noNaN: true }), 4)
    case 'SV': return multi(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), 3)
    case 'UV': return multi(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), 3)
    case 'AT': return multi(fc.integer({ min: 0, max: 0xffffffff }), 3)
    case 'OB': case 'UN': return bytesOf(1)
    case 'OW': return bytesOf(2).map((b) => new Uint16Array(b.buffer))
    case 'OF': return bytesOf(4).map((b) => new Float32Array(b.buffer))
    case 'OL': return bytesOf(4).map((b) => new Uint32Array(b.buffer))
    case 'OD': return bytesOf(8).map((b) => new Float64Array(b.buffer))
    case 'OV': return bytesOf(8).map((b) => new BigUint64Array(b.buffer))
    case 'SQ': throw new Error('use datasetArb for sequences')
  }
}

type Entry = [Tag, VR, ElementValue | EntrySpec[][]]
interface EntrySpec { e: Entry }

const LEAF_VRS = PUBLIC_VRS.filter((v) => v !== 'SQ')
const PRIVATE_GROUP = 0x0009
const PRIVATE_CREATOR_TAG = 0x00090010
/** Not in any private dictionary: private elements decode as UN in implicit VR. */
export const PRIVATE_CREATOR = 'DIMSE PROPERTY TEST'

function entryArb(depth: number, utf8: boolean): fc.Arbitrary<Entry> {
  const leaf = fc.constantFrom(...LEAF_VRS).chain((vr) =>
    fc.tuple(fc.constantFrom(...TAGS_BY_VR[vr]), fc.constant(vr), valueArb(vr, utf8)).map((t) => t as Entry),
  )
  const priv = fc.constantFrom(...LEAF_VRS).chain((vr) =>
    fc.tuple(fc.integer({ min: 0, max: 0xff }).map((lo) => ((PRIVATE_GROUP << 16) | 0x1000 | lo) >>> 0), fc.constant(vr), valueArb(vr, utf8)).map((t) => t as Entry),
  )
  if (depth <= 0) return fc.oneof({ arbitrary: leaf, weight: 6 }, { arbitrary: priv, weight: 1 })
  const items = fc.array(itemsArb(depth - 1, utf8), { maxLength: 3 })
  const seq = fc.tuple(fc.constantFrom(...TAGS_BY_VR.SQ), fc.constant<VR>('SQ'), items).map((t) => t as unknown as Entry)
  const privSeq = fc
    .tuple(fc.integer({ min: 0, max: 0xff }).map((lo) => ((PRIVATE_GROUP << 16) | 0x1000 | lo) >>> 0), fc.constant<VR>('SQ'), items)
    .map((t) => t as unknown as Entry)
  return fc.oneof({ arbitrary: leaf, weight: 6 }, { arbitrary: priv, weight: 1 }, { arbitrary: seq, weight: 2 }, { arbitrary: privSeq, weight: 1 })
}

function itemsArb(depth: number, utf8: boolean): fc.Arbitrary<EntrySpec[]> {
  return fc.uniqueArray(entryArb(depth, utf8), { maxLength: 6, selector: (e) => e[0] }).map((es) => es.map((e) => ({ e })))
}

function build(specs: EntrySpec[], ctx: ValueContext, top: boolean, utf8: boolean): Dataset {
  const ds = new Dataset(ctx)
  if (top && utf8) ds.set(DataElement.fromValue(0x00080005, 'CS', ['ISO_IR 192'], ctx))
  let hasPrivate = false
  for (const { e } of specs) {
    const [t, vr, v] = e
    if (t >>> 16 === PRIVATE_GROUP) hasPrivate = true
    if (vr === 'SQ') {
      const items = (v as EntrySpec[][]).map((it) => build(it, ctx, false, utf8))
      ds.set(DataElement.fromValue(t, 'SQ', items, ctx))
    } else ds.set(DataElement.fromValue(t, vr, v as ElementValue, ctx))
  }
  if (hasPrivate) ds.set(DataElement.fromValue(PRIVATE_CREATOR_TAG, 'LO', [PRIVATE_CREATOR], ctx))
  return ds
}

/**
 * An arbitrary dataset: public elements of every VR, private elements under
 * {@link PRIVATE_CREATOR}, sequences nested up to `depth` levels; with `utf8`, (0008,0005) is
 * ISO_IR 192 and text values are arbitrary Unicode.
 */
export function datasetArb(opts: { depth?: number; utf8?: boolean } = {}): fc.Arbitrary<Dataset> {
  const depth = opts.depth ?? 2
  const utf8Arb = opts.utf8 === undefined ? fc.boolean() : fc.constant(opts.utf8)
  return utf8Arb.chain((utf8) =>
    itemsArb(depth, utf8).map((specs) => build(specs, { littleEndian: true, charset: utf8 ? ['ISO_IR 192'] : [] }, true, utf8)),
  )
}

// ---------------------------------------------------------------------------------------------
// Comparison (independent of the encoder)

/**
 * Implicit VR LE bytes of a sequence's value: what a sequence of defined length becomes when a
 * reader without its VR (unknown private tag, implicit VR) reads it back as UN (PS3.5 §6.2.2).
 */
export function implicitSequenceValue(el: DataElement): Uint8Array {
  const ds = new Dataset({ littleEndian: true, charset: el.context.charset })
  ds.set(el)
  return encodeDataset(ds, '1.2.840.10008.1.2', { sequenceLength: 'defined' }).subarray(8)
}

const LE: ValueContext = { littleEndian: true, charset: [] }

/** Value bytes in little endian, as a plain copy (host order of typed arrays is little endian). */
function leBytes(el: DataElement): Uint8Array {
  if (el.raw !== undefined && el.context.littleEndian) return el.raw
  const v = el.value
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  return el.bytes({ ...LE, charset: el.context.charset })
}

function sameBytes(a: Uint8Array, b: Uint8Array, pad: number): boolean {
  if (a.length !== b.length && !(a.length + 1 === b.length && b[b.length - 1] === pad) && !(b.length + 1 === a.length && a[a.length - 1] === pad)) return false
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false
  return true
}

function sameNumber(x: unknown, y: unknown): boolean {
  if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y))
  return x === y
}

/**
 * The first difference between two datasets (tag path and reason), or undefined when they hold
 * the same elements with the same values. An element read back as UN (implicit VR, unknown
 * private tag) matches when its bytes are the value bytes of the other, and a sequence read back
 * as UN matches when `unSequenceBytes` (implicit VR LE encoding of its items) says so.
 */
export function diffDatasets(a: Dataset, b: Dataset, opts: { unSequenceBytes?: (el: DataElement) => Uint8Array } = {}, path = ''): string | undefined {
  const ea = a.elements()
  const eb = b.elements()
  const ta = ea.map((e) => e.tag)
  const tb = eb.map((e) => e.tag)
  if (ta.join() !== tb.join()) {
    const missing = ta.filter((t) => !tb.includes(t)).map(formatTag)
    const extra = tb.filter((t) => !ta.includes(t)).map(formatTag)
    return `${path}: tags differ (missing ${missing.join(' ')}; extra ${extra.join(' ')})`
  }
  for (let i = 0; i < ea.length; i++) {
    const x = ea[i]!
    const y = eb[i]!
    const where = `${path}${path ? '.' : ''}${formatTag(x.tag)}`
    if (x.vr !== y.vr) {
      if (y.vr === 'UN' && x.vr === 'SQ' && opts.unSequenceBytes) {
        if (!sameBytes(opts.unSequenceBytes(x), y.raw!, 0)) return `${where}: SQ read back as UN with other bytes`
        continue
      }
      if (y.vr === 'UN' || x.vr === 'UN') {
        if (!sameBytes(leBytes(x), leBytes(y), VR_INFO[x.vr].padding)) return `${where}: ${x.vr} vs ${y.vr}, bytes differ`
        continue
      }
      return `${where}: VR ${x.vr} vs ${y.vr}`
    }
    const d = diffValues(x, y, where, opts)
    if (d !== undefined) return d
  }
  return undefined
}

function diffValues(x: DataElement, y: DataElement, where: string, opts: { unSequenceBytes?: (el: DataElement) => Uint8Array }): string | undefined {
  const kind = VR_INFO[x.vr].kind
  if (kind === 'sequence') {
    const ia = x.items
    const ib = y.items
    if (ia.length !== ib.length) return `${where}: ${ia.length} vs ${ib.length} items`
    for (let k = 0; k < ia.length; k++) {
      const d = diffDatasets(ia[k]!, ib[k]!, opts, `${where}[${k}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  const va = x.value
  const vb = y.value
  if (typeof va === 'object' && va !== null && 'fragments' in va) {
    if (!(typeof vb === 'object' && vb !== null && 'fragments' in vb)) return `${where}: encapsulated vs native`
    if (!sameBytes(va.offsetTable, vb.offsetTable, 0)) return `${where}: offset tables differ`
    if (va.fragments.length !== vb.fragments.length) return `${where}: ${va.fragments.length} vs ${vb.fragments.length} fragments`
    for (let k = 0; k < va.fragments.length; k++) if (!sameBytes(va.fragments[k]!, vb.fragments[k]!, 0)) return `${where}: fragment ${k} differs`
    return undefined
  }
  if (kind === 'bulk') {
    return sameBytes(leBytes(x), leBytes(y), VR_INFO[x.vr].padding) ? undefined : `${where}: bytes differ`
  }
  const aa = va as unknown[]
  const bb = vb as unknown[]
  if (aa.length !== bb.length) return `${where}: ${JSON.stringify(aa.map(String))} vs ${JSON.stringify(bb.map(String))}`
  for (let k = 0; k < aa.length; k++) {
    if (!sameNumber(aa[k], bb[k])) return `${where}[${k}]: ${String(aa[k])} vs ${String(bb[k])}`
  }
  return undefined
}
