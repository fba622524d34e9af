import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DataElement, Dataset } from '../../src/dataset/element.js'
import type { ElementValue, EncapsulatedPixelData } from '../../src/dataset/element.js'
import { base64Decode, base64Encode, datasetFromJson, datasetToJson } from '../../src/dataset/json.js'
import type { DicomJsonModel } from '../../src/dataset/json.js'
import type { VR } from '../../src/dataset/vr.js'
import { datasetArb as sharedDatasetArb, diffDatasets } from './arbitraries-dataset.js'

// A small dataset arbitrary of our own (values in the form the in-memory model holds them).

const noBackslash = (s: string) => !s.includes('\\')
const asciiText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-^ '.split('')), maxLength: 16 })
  .map((s) => s.trim())
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 20 }).filter(noBackslash)
const pnGroup = fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !/[\\=]/.test(s))
const personName = fc.array(pnGroup, { maxLength: 3 }).map((g) => {
  // a group of delimiters alone (`^^`) is an empty group (PS3.5 6.2.1)
  const groups = g.map((x) => (/[^^ ]/.test(x) ? x : ''))
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop()
  return groups.join('=')
})
const noNegZero = (x: number) => (Object.is(x, -0) ? 0 : x)

function valueArb(vr: VR, depth: number): fc.Arbitrary<ElementValue> {
  const many = <T>(a: fc.Arbitrary<T>) => fc.array(a, { maxLength: 4 })
  switch (vr) {
    case 'AE': case 'AS': case 'CS': case 'DA': case 'DT': case 'TM': case 'UI': return many(asciiText)
    case 'UR': return many(asciiText.filter((s) => s !== '')).map((a) => a.slice(0, 1))
    case 'SH': case 'LO': case 'UC': return many(unicodeText)
    case 'ST': case 'LT': case 'UT': return fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => (s === '' ? [] : [s]))
    case 'PN': return many(personName)
    case 'DS': return many(fc.oneof(fc.double({ noDefaultInfinity: true, noNaN: true }).map(noNegZero), fc.constant(NaN)))
    case 'IS': return many(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
    case 'US': return many(fc.integer({ min: 0, max: 0xffff }))
    case 'SS': return many(fc.integer({ min: -0x8000, max: 0x7fff }))
    case 'UL': return many(fc.integer({ min: 0, max: 0xffffffff }))
    case 'SL': return many(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
    case 'FL': return many(fc.float().map(noNegZero))
    case 'FD': return many(fc.double().map(noNegZero))
    case 'SV': return many(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
    case 'UV': return many(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    case 'AT': return many(fc.integer({ min: 0, max: 0xffffffff }))
    case 'OB': case 'UN': return fc.uint8Array({ maxLength: 40 })
    case 'OW': return fc.uint8Array({ maxLength: 20 }).map((b) => Uint16Array.from(b, (x) => x * 257))
    case 'OL': return fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 6 }).map((a) => Uint32Array.from(a))
    case 'OF': return fc.array(fc.float(), { maxLength: 6 }).map((a) => Float32Array.from(a))
    case 'OD': return fc.array(fc.double(), { maxLength: 6 }).map((a) => Float64Array.from(a))
    case 'OV': return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 4 }).map((a) => BigUint64Array.from(a))
    case 'SQ': return depth >= 2 ? fc.constant([]) : fc.array(datasetArb(depth + 1), { maxLength: 3 })
  }
}

const ALL_VRS: VR[] = ['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN',
  'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV']

// Tags: any except group lengths and top-level Pixel Data (which the reader may read as
// encapsulated when its bytes happen to form items; covered by its own property below).
const tagArb = fc.integer({ min: 0x00080001, max: 0xfffdffff }).filter((t) => (t & 0xffff) !== 0 && t !== 0x7fe00010)

function datasetArb(depth: number): fc.Arbitrary<Dataset> {
  const elementArb = fc.constantFrom(...ALL_VRS).chain((vr) => valueArb(vr, depth).map((value) => ({ vr, value })))
  return fc.uniqueArray(fc.tuple(tagArb, elementArb), { selector: ([t]) => t, maxLength: depth === 0 ? 12 : 4 }).map((els) => {
    const ds = new Dataset()
    for (const [t, { vr, value }] of els) ds.set(DataElement.fromValue(t, vr, value))
    return ds
  })
}

function bytesOf(v: ArrayBufferView): number[] {
  return [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]
}

/** Independent structural comparison of two datasets (not through JSON). */
function expectSameDataset(a: Dataset, b: Dataset, path = ''): void {
  expect(b.elements().map((e) => e.tag), path).toEqual(a.elements().map((e) => e.tag))
  for (const ea of a.elements()) {
    const eb = b.get(ea.tag)!
    const p = `${path}${ea.tag.toString(16)}`
    expect(eb.vr, p).toBe(ea.vr)
    const va = ea.value
    const vb = eb.value
    if (ea.vr === 'SQ') {
      const ia = va as Dataset[]
      const ib = vb as Dataset[]
      expect(ib.length, p).toBe(ia.length)
      ia.forEach((item, i) => expectSameDataset(item, ib[i]!, `${p}[${i}].`))
    } else if (ArrayBuffer.isView(va)) {
      expect(ArrayBuffer.isView(vb), p).toBe(true)
      expect(bytesOf(vb as ArrayBufferView), p).toEqual(bytesOf(va))
    } else if (Array.isArray(va)) {
      const xa = va as unknown[]
      const xb = vb as unknown[]
      expect(xb.length, p).toBe(xa.length)
      xa.forEach((x, i) => expect(Object.is(x, xb[i]), `${p}[${i}] ${String(x)} vs ${String(xb[i])}`).toBe(true))
    } else {
      expect(vb, p).toEqual(va)
    }
  }
}

/**
 * The same dataset with PN values in the form PS3.18 F.2.2 keeps: groups of delimiters alone are
 * empty (PS3.5 6.2.1) and trailing empty groups are dropped (`A=` is `A`). Independent of json.ts.
 */
function canonicalPersonNames(ds: Dataset): Dataset {
  const out = new Dataset(ds.context)
  for (const el of ds.elements()) {
    if (el.vr === 'PN') {
      const names = el.strings.map((s) => {
        const groups = s.split('=').map((g) => (/[^^ ]/.test(g) ? g : ''))
        while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop()
        return groups.join('=')
      })
      out.set(DataElement.fromValue(el.tag, 'PN', names, ds.context))
    } else if (el.vr === 'SQ') out.set(DataElement.fromValue(el.tag, 'SQ', el.items.map(canonicalPersonNames), ds.context))
    else out.set(el)
  }
  return out
}

describe('DICOM JSON round trip', () => {
  it('datasetFromJson(JSON.parse(JSON.stringify(datasetToJson(x)))) ≡ x', () => {
    fc.assert(
      fc.property(datasetArb(0), (ds) => {
        const text = JSON.stringify(datasetToJson(ds))
        const back = datasetFromJson(JSON.parse(text) as DicomJsonModel)
        expectSameDataset(ds, back)
      }),
      { numRuns: 300 },
    )
  })

  it('round trip over the shared dataset arbitraries (public/private tags, nesting, ISO_IR 192)', () => {
    fc.assert(
      fc.property(sharedDatasetArb({ depth: 2 }), (ds) => {
        const back = datasetFromJson(JSON.parse(JSON.stringify(datasetToJson(ds))) as DicomJsonModel)
        expect(diffDatasets(canonicalPersonNames(ds), back)).toBeUndefined()
        expect(back.context.charset).toEqual(ds.context.charset)
      }),
      { numRuns: 200 },
    )
  })

  it('encapsulated Pixel Data survives the round trip', () => {
    const px = fc.record({
      offsetTable: fc.uint8Array({ maxLength: 16 }).map((b) => b.subarray(0, b.length & ~3)),
      fragments: fc.array(fc.uint8Array({ minLength: 2, maxLength: 30 }).map((b) => b.subarray(0, b.length & ~1)), { maxLength: 4 }),
    })
    fc.assert(
      fc.property(px, (value: EncapsulatedPixelData) => {
        const ds = new Dataset()
        ds.set(0x7fe00010, 'OB', value)
        const back = datasetFromJson(JSON.parse(JSON.stringify(datasetToJson(ds))) as DicomJsonModel)
        const v = back.get(0x7fe00010)!.value as EncapsulatedPixelData
        expect([...v.offsetTable]).toEqual([...value.offsetTable])
        expect(v.fragments.map((f) => [...f])).toEqual(value.fragments.map((f) => [...f]))
      }),
    )
  })

  it('base64 agrees with Node Buffer and decodes its own output', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = base64Encode(b)
        expect(s).toBe(Buffer.from(b).toString('base64'))
        expect([...base64Decode(s)]).toEqual([...b])
      }),
    )
  })
})
