import { describe, expect, it } from 'vitest'
import { AbortReason, decodePdu, PduError, PduFramer, PduType, type Pdu } from '../../../src/pdu/index.js'
import { pdu, pdv } from './builder.js'
import { thrownBy } from '../../helpers/errors.js'

/** Push `bytes` cut at `points` (each chunk a fresh buffer, as a socket gives) and collect frames. */
function feed(bytes: Uint8Array, points: number[], maxPduLength = 0) {
  const framer = new PduFramer({ maxPduLength })
  const chunks: Uint8Array[] = []
  const frames = []
  let prev = 0
  for (const p of [...points, bytes.length]) {
    const c = bytes.slice(prev, p)
    chunks.push(c)
    frames.push(...framer.push(c))
    prev = p
  }
  return { framer, chunks, frames }
}

const pduError = (f: () => unknown): PduError => thrownBy(PduError, f)

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => (from + i) & 0xff)

describe('PduFramer: P-DATA-TF split across chunks (zero copy)', () => {
  // Two PDVs: a last command fragment (mch 3) of 10 bytes, then a non-last dataset fragment (mch 0) of 20.
  const bytes = pdu(0x04, pdv(1, 0x03, range(0, 10)), pdv(1, 0x00, range(100, 20)))
  // PDU header 0..5, PDV 1 header 6..11, data 12..21, PDV 2 header 22..27, data 28..47

  it('emits PDVs as views of the chunks, splitting a PDV whose data straddles chunks', () => {
    const { frames, chunks, framer } = feed(bytes, [9, 15, 25, 40])
    expect(framer.bufferedBytes).toBe(0)
    expect(frames).toHaveLength(1)
    const f = frames[0]!
    expect(f.type).toBe(PduType.PDataTf)
    expect(f.bodyLength).toBe(bytes.length - 6)
    const pdvs = f.pdvs!
    expect(pdvs.map((p) => [p.contextId, p.isCommand, p.isLast, Array.from(p.data)])).toEqual([
      [1, true, false, range(0, 3)], // bytes 12..14 in chunk [9,15)
      [1, true, true, range(3, 7)], // bytes 15..21 in chunk [15,25)
      [1, false, false, range(100, 12)], // bytes 28..39 in chunk [25,40)
      [1, false, false, range(112, 8)], // bytes 40..47 in the last chunk
    ])
    expect(pdvs.map((p) => p.data.buffer)).toEqual([chunks[1]!.buffer, chunks[2]!.buffer, chunks[3]!.buffer, chunks[4]!.buffer])
    const decoded = decodePdu(f) as Extract<Pdu, { type: 0x04 }>
    expect(decoded.pdvs).toBe(pdvs)
    // body is still available on demand and is the exact PDU body
    expect(Array.from(f.body)).toEqual(Array.from(bytes.subarray(6)))
  })

  it('keeps a PDU lying within one chunk on the plain view path', () => {
    const { frames, chunks } = feed(bytes, [])
    expect(frames[0]!.pdvs).toBeUndefined()
    expect(frames[0]!.body.buffer).toBe(chunks[0]!.buffer)
  })

  it('keeps a PDV with no data (length 2) as one PDV', () => {
    const b = pdu(0x04, pdv(3, 0x02, []), pdv(3, 0x02, [7]))
    const { frames } = feed(b, [8])
    expect(frames[0]!.pdvs!.map((p) => [p.contextId, p.isLast, Array.from(p.data)])).toEqual([
      [3, true, []],
      [3, true, [7]],
    ])
  })

  it('splits control PDUs the old way: one copy of the body, no pdvs', () => {
    const release = pdu(0x05, [0, 0, 0, 0])
    const { frames } = feed(release, [7])
    expect(frames[0]!.pdvs).toBeUndefined()
    expect(Array.from(frames[0]!.body)).toEqual([0, 0, 0, 0])
  })

  // PS3.8 §9.3.5: the same checks and PduError reasons as a P-DATA-TF in one chunk.
  const malformed: [string, Uint8Array][] = [
    ['PDV length below 2', pdu(0x04, [0, 0, 0, 1, 1, 3, 9, 9])],
    ['PDV length beyond the PDU', pdu(0x04, [0, 0, 0, 9, 1, 3, 9, 9])],
    ['truncated PDV header after a PDV', pdu(0x04, pdv(1, 3, [1, 2]), [0, 0, 0])],
  ]
  for (const [what, b] of malformed) {
    it(`reports ${what} with the same PduError as the whole frame`, () => {
      const whole = pduError(() => decodePdu({ type: 4, body: b.subarray(6) }))
      for (let cut = 7; cut < b.length; cut++) {
        const { frames } = feed(b, [cut])
        expect(frames).toHaveLength(1)
        expect(frames[0]!.pdvs).toBeUndefined()
        const e = pduError(() => decodePdu(frames[0]!))
        expect([e.message, e.abortReason, e.offset]).toEqual([whole.message, whole.abortReason, whole.offset])
        expect(e.abortReason).toBe(AbortReason.InvalidPduParameterValue)
      }
    })
  }

  it('rejects an empty P-DATA-TF split at the header as before', () => {
    const b = pdu(0x04)
    const { frames } = feed(b, [3])
    expect(() => decodePdu(frames[0]!)).toThrow(PduError)
  })
})
