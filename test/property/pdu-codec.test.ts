import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodePdu, encodePdu, encodePduToBytes, PduError, PduFramer, PduType, type Pdu, type PduFrame, type Pdv } from '../../src/pdu/index.js'
import { pduArb, plainPdu } from './arbitraries-pdu.js'

/**
 * Join consecutive PDVs of one command or dataset (same context and command bit) up to the one
 * flagged last, so that a PDV split into pieces compares equal to the whole PDV.
 */
function joinPerMessage(pdvs: readonly Pdv[]): { contextId: number; isCommand: boolean; isLast: boolean; data: number[] }[] {
  const out: { contextId: number; isCommand: boolean; isLast: boolean; data: number[] }[] = []
  let open: (typeof out)[number] | undefined
  for (const p of pdvs) {
    if (open !== undefined && (open.contextId !== p.contextId || open.isCommand !== p.isCommand)) open = undefined
    if (open === undefined) {
      open = { contextId: p.contextId, isCommand: p.isCommand, isLast: false, data: [] }
      out.push(open)
    }
    open.data.push(...p.data)
    if (p.isLast) {
      open.isLast = true
      open = undefined
    }
  }
  return out
}

/** All PDVs of the P-DATA-TF PDUs in `pdus`, in order. */
function allPdvs(pdus: readonly Pdu[]): Pdv[] {
  return pdus.flatMap((p) => (p.type === PduType.PDataTf ? p.pdvs : []))
}

/** The non-P-DATA PDUs, as plain objects. */
function controlPdus(pdus: readonly Pdu[]): unknown[] {
  return pdus.filter((p) => p.type !== PduType.PDataTf).map(plainPdu)
}

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
        const decoded = frames.map(decodePdu)
        expect(decoded.map((p) => p.type)).toEqual(pdus.map((p) => p.type))
        expect(controlPdus(decoded)).toEqual(controlPdus(pdus))
        // P-DATA-TF frames split across chunks may carry a PDV as several pieces.
        expect(joinPerMessage(allPdvs(decoded))).toEqual(joinPerMessage(allPdvs(pdus)))
      }),
      { numRuns: 300 },
    )
  })

  it('PDVs from a split stream, joined per message, equal the PDVs from whole frames, and are views of the chunks', () => {
    const pdataArb = pduArb.filter((p) => p.type === PduType.PDataTf)
    fc.assert(
      fc.property(fc.array(pdataArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), (pdus, cuts) => {
        const encoded = pdus.map(encodePduToBytes)
        const stream = Uint8Array.from(encoded.flatMap((b) => Array.from(b)))
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1))), 0, stream.length].sort((a, b) => a - b)
        const whole = encoded.map((b) => decodePdu(frameOf(b)))
        const framer = new PduFramer({ maxPduLength: 0 })
        const split: Pdu[] = []
        const chunkBuffers = new Set<ArrayBufferLike>()
        for (let i = 1; i < points.length; i++) {
          const chunk = stream.slice(points[i - 1], points[i]) // a fresh buffer per chunk, as a socket gives
          chunkBuffers.add(chunk.buffer)
          for (const f of framer.push(chunk)) {
            const pdu = decodePdu(f)
            if (f.pdvs !== undefined) {
              expect(f.bodyLength).toBe(encoded[split.length]!.length - 6)
              for (const pdv of f.pdvs) if (pdv.data.length > 0) expect(chunkBuffers.has(pdv.data.buffer)).toBe(true)
            }
            split.push(pdu)
          }
        }
        expect(split).toHaveLength(pdus.length)
        expect(joinPerMessage(allPdvs(split))).toEqual(joinPerMessage(allPdvs(whole)))
        // Per PDU too: each frame's pieces join to exactly its PDVs, with no piece flagged last early.
        for (let k = 0; k < pdus.length; k++) {
          expect(joinPerMessage(allPdvs([split[k]!]))).toEqual(joinPerMessage(allPdvs([whole[k]!])))
          expect(allPdvs([split[k]!]).filter((p) => p.isLast).length).toBe(allPdvs([whole[k]!]).filter((p) => p.isLast).length)
        }
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
