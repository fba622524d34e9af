import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodePdu, encodePdu, encodePduToBytes, PduError, PduFramer, PduType, type PduFrame } from '../../src/pdu/index.js'
import { pduArb, plainPdu } from './arbitraries-pdu.js'

function frameOf(b: Uint8Array): PduFrame {
  return { type: b[0]!, body: b.subarray(6) }
}

describe('PDU codec properties', () => {
  it('decode(encode(x)) deep-equals x for every PDU', () => {
    fc.assert(
      fc.property(pduArb, (pdu) => {
        const bytes = encodePduToBytes(pdu)
        expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(2)).toBe(bytes.length - 6)
        expect(plainPdu(decodePdu(frameOf(bytes)))).toEqual(plainPdu(pdu))
      }),
      { numRuns: 500 },
    )
  })

  it('P-DATA-TF parts carry the caller data views uncopied', () => {
    fc.assert(
      fc.property(pduArb, (pdu) => {
        const parts = encodePdu(pdu)
        if (pdu.type !== PduType.PDataTf) {
          expect(parts).toHaveLength(1)
          return
        }
        for (const pdv of pdu.pdvs) if (pdv.data.length > 0) expect(parts).toContain(pdv.data)
      }),
    )
  })

  it('framer output is identical for every way of splitting a stream of PDUs', () => {
    fc.assert(
      fc.property(fc.array(pduArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (pdus, cuts) => {
        const encoded = pdus.map(encodePduToBytes)
        const total = encoded.reduce((n, b) => n + b.length, 0)
        const stream = new Uint8Array(total)
        let off = 0
        for (const b of encoded) {
          stream.set(b, off)
          off += b.length
        }
        const points = [...new Set(cuts.map((c) => c % (total + 1)))].sort((a, b) => a - b)
        const framer = new PduFramer({ maxPduLength: 0 })
        const frames: PduFrame[] = []
        let prev = 0
        for (const p of [...points, total]) {
          frames.push(...framer.push(stream.subarray(prev, p)))
          prev = p
        }
        expect(framer.bufferedBytes).toBe(0)
        expect(frames.map((f) => [f.type, Array.from(f.body)])).toEqual(encoded.map((b) => [b[0], Array.from(b.subarray(6))]))
        expect(frames.map((f) => plainPdu(decodePdu(f)))).toEqual(pdus.map(plainPdu))
      }),
      { numRuns: 300 },
    )
  })

  it('frames lying within one pushed chunk are views into it, others are exact copies', () => {
    fc.assert(
      fc.property(fc.array(pduArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (pdus, cuts) => {
        const encoded = pdus.map(encodePduToBytes)
        const stream = Uint8Array.from(encoded.flatMap((b) => Array.from(b)))
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1))), 0, stream.length].sort((a, b) => a - b)
        const framer = new PduFramer({ maxPduLength: 0 })
        let pduStart = 0
        let k = 0
        for (let i = 1; i < points.length; i++) {
          const chunkStart = points[i - 1]!
          const chunk = stream.slice(chunkStart, points[i]) // a fresh buffer per chunk, as a socket gives
          for (const f of framer.push(chunk)) {
            const bodyStart = pduStart + 6
            const within = bodyStart >= chunkStart || f.body.length === 0
            if (within && f.body.length > 0) expect(f.body.buffer).toBe(chunk.buffer)
            else if (f.body.length > 0) expect(f.body.byteLength).toBe(f.body.buffer.byteLength)
            pduStart += encoded[k++]!.length
          }
        }
        expect(k).toBe(pdus.length)
      }),
      { numRuns: 200 },
    )
  })

  it('decodePdu on arbitrary bytes only ever throws PduError', () => {
    fc.assert(
      fc.property(fc.nat({ max: 8 }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        try {
          decodePdu({ type, body })
        } catch (e) {
          expect(e).toBeInstanceOf(PduError)
          const pe = e as PduError
          expect(pe.offset).toBeGreaterThanOrEqual(0)
          expect(pe.offset).toBeLessThanOrEqual(6 + body.length)
          expect([1, 2, 4, 5, 6]).toContain(pe.abortReason)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('decodePdu on mutated valid PDUs only ever throws PduError', () => {
    fc.assert(
      fc.property(
        pduArb,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (pdu, flips, cut) => {
          const bytes = Uint8Array.from(encodePduToBytes(pdu))
          for (const [at, v] of flips) bytes[6 + (at % Math.max(1, bytes.length - 6))] = v
          const body = bytes.subarray(6, 6 + (cut % (bytes.length - 5)))
          try {
            decodePdu({ type: bytes[0]!, body })
          } catch (e) {
            expect(e).toBeInstanceOf(PduError)
            const pe = e as PduError
            expect(pe.offset).toBeGreaterThanOrEqual(0)
            expect(pe.offset).toBeLessThanOrEqual(6 + body.length)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('the framer on arbitrary bytes only ever throws PduError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.nat({ max: 1000 }), (chunks, max) => {
        const framer = new PduFramer({ maxPduLength: max, maxControlPduLength: max })
        try {
          for (const c of chunks) for (const f of framer.push(c)) expect(f.body.length).toBeLessThanOrEqual(max === 0 ? Infinity : max)
        } catch (e) {
          expect(e).toBeInstanceOf(PduError)
        }
      }),
      { numRuns: 1000 },
    )
  })
})
