/**
 * DatasetStreamDecoder fed in chunks decodes what decodeDataset decodes from the whole buffer,
 * for every split point; values sent to the sink concatenate to the value bytes.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Dataset, DataElement } from '../../src/dataset/element.js'
import { decodeDataset } from '../../src/dataset/decode.js'
import { encodeDataset } from '../../src/dataset/encode.js'
import { DatasetStreamDecoder } from '../../src/dataset/stream.js'
import { TransferSyntax } from '../../src/dataset/transfer-syntax.js'
import { datasetArb, diffDatasets } from './arbitraries-dataset.js'
import { concat } from '../helpers/bytes.js'

const SYNTAXES = [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]

function streamDecode(bytes: Uint8Array, ts: string, cuts: number[], threshold?: number) {
  const pieces = new Map<number, Uint8Array[]>()
  const dec = new DatasetStreamDecoder({
    transferSyntaxUid: ts,
    lenient: false,
    valueThreshold: threshold,
    onValueChunk: threshold === undefined ? undefined : (tag, _vr, chunk) => {
      const l = pieces.get(tag) ?? []
      l.push(chunk.slice())
      pieces.set(tag, l)
    },
  })
  let at = 0
  for (const c of [...cuts, bytes.length]) {
    dec.push(bytes.subarray(at, c))
    at = c
  }
  return { ...dec.end(), pieces }
}

/** A dataset with an encapsulated Pixel Data element at the end, in explicit VR LE. */
const withPixelData = fc.tuple(datasetArb({ depth: 1, utf8: false }), fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 4 })).map(([ds, frags]) => {
  ds.set(DataElement.fromValue(0x7fe00010, 'OB', { offsetTable: new Uint8Array(0), fragments: frags.map((f) => (f.length % 2 ? f.subarray(1) : f)) }, ds.context))
  return ds
})

describe('stream decoder', () => {
  it('every single split point gives the whole-buffer result', () => {
    fc.assert(
      fc.property(datasetArb({ depth: 2 }), fc.constantFrom(...SYNTAXES), fc.constantFrom('defined', 'undefined'), (ds, ts, form) => {
        const bytes = encodeDataset(ds, ts, { sequenceLength: form as 'defined' | 'undefined' })
        const whole = decodeDataset(bytes, ts, { lenient: false }).dataset
        for (let cut = 0; cut <= bytes.length; cut++) {
          const r = streamDecode(bytes, ts, [cut])
          expect(r.warnings).toEqual([])
          const d = diffDatasets(whole, r.dataset)
          if (d !== undefined) throw new Error(`split at ${cut}: ${d}`)
        }
      }),
      { numRuns: 40 },
    )
  })

  it('arbitrary chunkings give the whole-buffer result', () => {
    fc.assert(
      fc.property(datasetArb({ depth: 3 }), fc.constantFrom(...SYNTAXES), fc.array(fc.nat(), { maxLength: 30 }), (ds, ts, rawCuts) => {
        const bytes = encodeDataset(ds, ts, { sequenceLength: 'undefined' })
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
        const whole = decodeDataset(bytes, ts).dataset
        expect(diffDatasets(whole, streamDecode(bytes, ts, cuts).dataset)).toBeUndefined()
      }),
      { numRuns: 200 },
    )
  })

  it('with a sink, large values arrive in pieces that concatenate to the value; the rest is equal', () => {
    fc.assert(
      fc.property(withPixelData, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 16 }), (ds, rawCuts, threshold) => {
        const ts = TransferSyntax.ExplicitVRLittleEndian
        const bytes = encodeDataset(ds, ts)
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
        const whole = decodeDataset(bytes, ts).dataset
        const r = streamDecode(bytes, ts, cuts, threshold)
        if (r.pieces.size > 0) streamedRuns++
        if (r.pieces.has(0x7fe00010)) encapsulatedRuns++
        const kept = new Dataset(whole.context)
        for (const el of whole) {
          const parts = r.pieces.get(el.tag)
          if (parts === undefined) {
            kept.set(el)
            continue
          }
          expect(r.dataset.has(el.tag)).toBe(false)
          const got = concat(parts)
          if (el.raw !== undefined) {
            expect(got.length).toBeGreaterThanOrEqual(threshold)
            expect(Buffer.from(got).equals(Buffer.from(el.raw))).toBe(true)
          } else {
            // encapsulated: the raw value, items and delimiter, re-decodes to the same fragments
            const again = decodeDataset(concat([headerOf(el.tag), got]), ts).dataset
            expect(diffDatasets(single(el), again)).toBeUndefined()
          }
        }
        expect(diffDatasets(kept, r.dataset)).toBeUndefined()
      }),
      { numRuns: 200 },
    )
    expect(streamedRuns).toBeGreaterThan(50)
    expect(encapsulatedRuns).toBeGreaterThan(50)
  })
})

describe('stream decoder on damaged data (lenient)', () => {
  type Outcome = { error: string } | { dataset: Dataset; warnings: string[] }
  function outcome(bytes: Uint8Array, ts: string, chunk: number): Outcome {
    try {
      const dec = new DatasetStreamDecoder({ transferSyntaxUid: ts })
      for (let at = 0; at < bytes.length; at += chunk) dec.push(bytes.subarray(at, at + chunk))
      return dec.end()
    } catch (e) {
      const pe = e as { message?: string; offset?: number }
      return { error: `${pe.message} @${pe.offset}` }
    }
  }

  it('whole, in small pieces or byte by byte: the same elements, warnings and errors', () => {
    // Complete elements in one chunk are decoded together (a fast path); elements split across
    // chunks, or that decode with a warning, one at a time. Both must tell the same story.
    fc.assert(
      fc.property(
        datasetArb({ depth: 2 }),
        fc.constantFrom(...SYNTAXES),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 2, max: 64 }),
        (ds, ts, flips, chunk) => {
          const bytes = encodeDataset(ds, ts, { sequenceLength: 'undefined' }).slice()
          if (bytes.length === 0) return
          for (const [at, v] of flips) bytes[at % bytes.length] = v
          const whole = outcome(bytes, ts, bytes.length)
          for (const other of [outcome(bytes, ts, chunk), outcome(bytes, ts, 1)]) {
            if ('error' in whole || 'error' in other) {
              expect(other).toEqual(whole)
              continue
            }
            expect(other.warnings).toEqual(whole.warnings)
            expect(diffDatasets(whole.dataset, other.dataset)).toBeUndefined()
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

let streamedRuns = 0
let encapsulatedRuns = 0

function headerOf(tag: number): Uint8Array {
  const h = new Uint8Array(12)
  const dv = new DataView(h.buffer)
  dv.setUint16(0, tag >>> 16, true)
  dv.setUint16(2, tag & 0xffff, true)
  h[4] = 0x4f // O
  h[5] = 0x42 // B
  dv.setUint32(8, 0xffffffff, true)
  return h
}

function single(el: DataElement): Dataset {
  const d = new Dataset()
  d.set(el)
  return d
}
