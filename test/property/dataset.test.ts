/**
 * Dataset codec properties: decode(encode(x)) ≡ x for arbitrary datasets in every native
 * transfer syntax and both sequence length forms; decoders fed arbitrary or mutated bytes only
 * ever throw DicomParseError; chunked stream decoding equals whole-buffer decoding.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import '../../src/index.js' // registers the node:zlib deflate codec
import { decodeDataset } from '../../src/dataset/decode.js'
import { encodeDataset } from '../../src/dataset/encode.js'
import { decodeFile, encodeFile } from '../../src/dataset/part10.js'
import { TransferSyntax } from '../../src/dataset/transfer-syntax.js'
import { DicomParseError } from '../../src/errors.js'
import { datasetArb, diffDatasets, implicitSequenceValue } from './arbitraries-dataset.js'

const SYNTAXES = [
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
]

describe('dataset round trip', () => {
  for (const ts of SYNTAXES) {
    for (const form of ['defined', 'undefined'] as const) {
      it(`decode(encode(x)) == x in ${ts}, ${form} lengths`, () => {
        fc.assert(
          fc.property(datasetArb(), (ds) => {
            const bytes = encodeDataset(ds, ts, { sequenceLength: form })
            const { dataset, warnings } = decodeDataset(bytes, ts, { lenient: false })
            expect(warnings).toEqual([])
            const d = diffDatasets(ds, dataset, { unSequenceBytes: implicitSequenceValue })
            expect(d).toBeUndefined()
          }),
          { numRuns: 150 },
        )
      })
    }
  }

  it('a decoded dataset re-encodes to the same bytes in the same syntax (raw views reused, length forms preserved)', () => {
    fc.assert(
      fc.property(datasetArb(), fc.constantFrom(...SYNTAXES.slice(0, 3)), fc.constantFrom('defined', 'undefined'), (ds, ts, form) => {
        const bytes = encodeDataset(ds, ts, { sequenceLength: form as 'defined' | 'undefined' })
        const again = encodeDataset(decodeDataset(bytes, ts).dataset, ts, { sequenceLength: 'preserve' })
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it('converts between syntaxes: LE → BE → implicit → LE keeps every value', () => {
    fc.assert(
      fc.property(datasetArb(), (ds) => {
        let cur = ds
        for (const ts of [TransferSyntax.ExplicitVRBigEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]) {
          cur = decodeDataset(encodeDataset(cur, ts, { sequenceLength: 'undefined' }), ts, { lenient: false }).dataset
        }
        expect(diffDatasets(ds, cur, { unSequenceBytes: implicitSequenceValue })).toBeUndefined()
      }),
      { numRuns: 100 },
    )
  })

  it('Part 10: decodeFile(encodeFile(x)) == x with a correct meta group', () => {
    fc.assert(
      fc.property(datasetArb({ depth: 1 }), fc.constantFrom(...SYNTAXES), (ds, ts) => {
        const file = encodeFile(ds, { transferSyntaxUid: ts })
        const r = decodeFile(file, { lenient: false })
        expect(r.hasPreamble).toBe(true)
        expect(r.transferSyntaxUid).toBe(ts)
        expect(r.warnings).toEqual([])
        expect(diffDatasets(ds, r.dataset, { unSequenceBytes: implicitSequenceValue })).toBeUndefined()
        // (0002,0000) holds the length of the rest of the meta group (PS3.10 §7.1)
        const gl = new DataView(file.buffer, file.byteOffset).getUint32(140, true)
        expect(144 + gl).toBe(r.datasetOffset)
      }),
      { numRuns: 100 },
    )
  })
})

function onlyParseErrors(f: () => unknown): void {
  try {
    f()
  } catch (e) {
    if (!(e instanceof DicomParseError)) throw e
  }
}

describe('bad input', () => {
  it('arbitrary bytes: decodeDataset/decodeFile return or throw DicomParseError, quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...SYNTAXES), fc.boolean(), (bytes, ts, lenient) => {
        const t0 = performance.now()
        onlyParseErrors(() => decodeDataset(bytes, ts, { lenient }))
        onlyParseErrors(() => decodeFile(bytes, { lenient }))
        expect(performance.now() - t0).toBeLessThan(500)
      }),
      { numRuns: 2000 },
    )
  })

  it('mutated valid files: only DicomParseError, never a hang', () => {
    fc.assert(
      fc.property(
        datasetArb(),
        fc.constantFrom(...SYNTAXES),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        (ds, ts, edits, cut, lenient) => {
          const file = encodeFile(ds, { transferSyntaxUid: ts, sequenceLength: cut % 2 ? 'undefined' : 'defined' })
          const m = file.slice(0, 132 + (cut % (file.length - 131)))
          for (const [pos, v] of edits) if (m.length > 132) m[132 + (pos % (m.length - 132))] = v
          const t0 = performance.now()
          onlyParseErrors(() => decodeFile(m, { lenient }))
          onlyParseErrors(() => decodeFile(m, { lenient, maxElementLength: 64 }))
          expect(performance.now() - t0).toBeLessThan(500)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('deeply nested undefined-length sequences fail cleanly instead of exhausting the stack', () => {
    const depth = 100000
    const b = new Uint8Array(depth * 16)
    const dv = new DataView(b.buffer)
    for (let i = 0; i < depth; i++) {
      // (0008,1115) implicit, undefined length; then an Item of undefined length
      dv.setUint32(i * 16, 0x11150008, true)
      dv.setUint32(i * 16 + 4, 0xffffffff, true)
      dv.setUint32(i * 16 + 8, 0xe000fffe, true)
      dv.setUint32(i * 16 + 12, 0xffffffff, true)
    }
    expect(() => decodeDataset(b, TransferSyntax.ImplicitVRLittleEndian)).toThrow(DicomParseError)
  })
})
