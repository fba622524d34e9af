/**
 * Encoder.measure + Encoder.writeInto (the path encodeFile uses to write the Part 10 header and
 * the dataset into one buffer): writing at an offset of a caller's buffer, which is neither
 * zero-filled nor at byte offset 0 of its ArrayBuffer, gives the same bytes as encodeDataset
 * (whose bytes are checked against hand-built PS3.5 layouts in encode.test.ts), writes every
 * byte of the range (padding included) and nothing outside it.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Dataset } from '../../../src/dataset/element.js'
import { Encoder, encodeDataset } from '../../../src/dataset/encode.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { DatasetEncodeError } from '../../../src/errors.js'
import { datasetArb } from '../../property/arbitraries-dataset.js'

const SYNTAXES: [string, boolean, boolean][] = [
  [TransferSyntax.ImplicitVRLittleEndian, false, true],
  [TransferSyntax.ExplicitVRLittleEndian, true, true],
  [TransferSyntax.ExplicitVRBigEndian, true, false],
]

function sample(): Dataset {
  const ds = new Dataset()
  ds.set(0x00080016, 'UI', ['1.2.3']) // odd: NUL padding must be written, not left as found
  ds.set(0x00100010, 'PN', ['Doe^J']) // odd: space padding
  ds.set(0x00280010, 'US', [0x0102])
  ds.set(0x00091010, 'OB', new Uint8Array([1, 2, 3]))
  const item = new Dataset()
  item.set(0x00080100, 'SH', ['T-1'])
  ds.set(0x00081115, 'SQ', [item])
  ds.set(0x7fe00010, 'OW', new Uint16Array([0x0102, 0x0304]))
  return ds
}

/** Write `ds` at `offset` of a view at byte offset 3 of an ArrayBuffer filled with 0xAA. */
function writeAt(ds: Dataset, explicit: boolean, le: boolean, offset: number, opts = {}): { view: Uint8Array; end: number; len: number } {
  const enc = new Encoder(explicit, le, opts)
  const len = enc.measure(ds)
  const backing = new Uint8Array(3 + offset + len + 5).fill(0xaa)
  const view = backing.subarray(3, 3 + offset + len + 2)
  const end = enc.writeInto(ds, view, offset)
  return { view, end, len }
}

describe('Encoder.writeInto', () => {
  for (const [ts, explicit, le] of SYNTAXES) {
    for (const sequenceLength of ['defined', 'undefined'] as const) {
      it(`${ts} (${sequenceLength} lengths): same bytes as encodeDataset, at an offset, nothing else touched`, () => {
        const expected = encodeDataset(sample(), ts, { sequenceLength })
        const { view, end, len } = writeAt(sample(), explicit, le, 17, { sequenceLength })
        expect(len).toBe(expected.length)
        expect(end).toBe(17 + len)
        expect(Array.from(view.subarray(17, end))).toEqual(Array.from(expected))
        expect(view.subarray(0, 17).every((b) => b === 0xaa)).toBe(true)
        expect(view.subarray(end).every((b) => b === 0xaa)).toBe(true)
      })
    }
  }

  it('group lengths computed at an offset are the same as at offset 0 (PS3.5 §7.2)', () => {
    const expected = encodeDataset(sample(), TransferSyntax.ExplicitVRLittleEndian, { groupLength: 'compute' })
    const { view, end } = writeAt(sample(), true, true, 9, { groupLength: 'compute' })
    expect(Array.from(view.subarray(9, end))).toEqual(Array.from(expected))
  })

  it('throws DatasetEncodeError when the buffer has no room or nothing was measured', () => {
    const enc = new Encoder(true, true)
    expect(() => enc.writeInto(sample(), new Uint8Array(1000), 0)).toThrow(DatasetEncodeError)
    const len = enc.measure(sample())
    expect(() => enc.writeInto(sample(), new Uint8Array(len + 3), 4)).toThrow(DatasetEncodeError)
    expect(() => enc.writeInto(sample(), new Uint8Array(len), -1)).toThrow(DatasetEncodeError)
  })

  it('property: for arbitrary datasets and offsets, writeInto equals encodeDataset', () => {
    fc.assert(
      fc.property(datasetArb(), fc.integer({ min: 0, max: 300 }), fc.constantFrom(...SYNTAXES), (ds, offset, [ts, explicit, le]) => {
        const expected = encodeDataset(ds, ts)
        const { view, end } = writeAt(ds, explicit, le, offset)
        expect(Buffer.from(view.subarray(offset, end)).equals(Buffer.from(expected))).toBe(true)
        expect(view.subarray(0, offset).every((b) => b === 0xaa)).toBe(true)
        expect(view.subarray(end).every((b) => b === 0xaa)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })
})
