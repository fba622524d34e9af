import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MIN_MAX_PDU_LENGTH, PdvAssembler, encodeCommand, fragmentDatasetStream, fragmentMessage } from '../../src/dimse/index.js'
import type { AssembledMessage } from '../../src/dimse/index.js'
import type { PDataTfPdu, Pdv } from '../../src/pdu/types.js'
import { anyMessage } from './dimse-arbitraries.js'

const maxPdu = fc.oneof(fc.constant(0), fc.integer({ min: MIN_MAX_PDU_LENGTH, max: 600 }), fc.integer({ min: 600, max: 70_000 }))

/** Regroup a PDV sequence into P-DATA-TF PDUs at arbitrary boundaries (several PDVs per PDU). */
function regroup(pdvs: Pdv[], cuts: number[]): PDataTfPdu[] {
  const points = [...new Set(cuts.map((c) => c % (pdvs.length + 1)))].sort((a, b) => a - b)
  const out: PDataTfPdu[] = []
  let prev = 0
  for (const p of [...points, pdvs.length]) {
    if (p > prev) out.push({ type: 0x04, pdvs: pdvs.slice(prev, p) })
    prev = p
  }
  return out
}

describe('fragment → assemble is the identity', () => {
  it('for any message, dataset, peer maximum and PDU grouping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ msg: anyMessage, ds: fc.uint8Array({ maxLength: 3000 }), ctx: fc.integer({ min: 0, max: 127 }).map((n) => 2 * n + 1) }), { minLength: 1, maxLength: 4 }),
        maxPdu,
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, max, cuts) => {
          const pdvs: Pdv[] = []
          for (const { msg, ds, ctx } of messages) {
            for (const pdu of fragmentMessage(ctx, encodeCommand(msg), msg.hasDataset ? ds : undefined, max)) {
              // each P-DATA-TF variable field fits the peer's maximum (PS3.8 D.1)
              const len = pdu.pdvs.reduce((n, p) => n + 6 + p.data.length, 0)
              if (max !== 0) expect(len).toBeLessThanOrEqual(max)
              pdvs.push(...pdu.pdvs)
            }
          }
          const got: AssembledMessage[] = []
          const a = new PdvAssembler({ onMessage: (m) => got.push(m) })
          for (const pdu of regroup(pdvs, cuts)) a.pushPdu(pdu)
          expect(a.inProgress).toBe(false)
          expect(got).toHaveLength(messages.length)
          got.forEach((g, i) => {
            const { msg, ds, ctx } = messages[i]!
            expect(g.contextId).toBe(ctx)
            expect(g.command).toStrictEqual(msg)
            expect(g.commandBytes).toEqual(encodeCommand(msg))
            if (msg.hasDataset) expect(g.dataset).toEqual(ds)
            else expect(g.dataset).toBeUndefined()
          })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('in streaming mode, for any chunking of the source', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }), maxPdu, async (chunks, max) => {
        const received: Uint8Array[] = []
        const total = chunks.reduce((n, c) => n + c.length, 0)
        let lastCount = 0
        const a = new PdvAssembler({
          onMessage: () => expect.unreachable(),
          streamDataset: () => ({
            onDatasetChunk: (c, last) => {
              // even fragments (DCMTK refuses odd ones), unless the whole dataset is odd-sized
              if (!last || total % 2 === 0) expect(c.length % 2).toBe(0)
              received.push(c.slice())
              if (last) lastCount++
            },
          }),
        })
        const cmd = encodeCommand({ commandField: 0x0001, hasDataset: true, messageId: 1, priority: 0, affectedSopClassUid: '1.2', affectedSopInstanceUid: '1.2.3' })
        for (const pdu of fragmentMessage(1, cmd, undefined, max)) a.pushPdu(pdu)
        for await (const pdu of fragmentDatasetStream(1, chunks, max)) a.pushPdu(pdu)
        expect(lastCount).toBe(1)
        expect(a.inProgress).toBe(false)
        expect(Buffer.concat(received)).toEqual(Buffer.concat(chunks))
      }),
      { numRuns: 200 },
    )
  })
})
