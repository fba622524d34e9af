// Cross-layer property: messages cut by dimse, encoded by the PDU layer, re-framed by a receiver
// whose own limit is exactly the maximum we cut for, decoded and reassembled, come out unchanged.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MIN_MAX_PDU_LENGTH, PdvAssembler, encodeCommand, fragmentMessage } from '../../src/dimse/index.js'
import type { AssembledMessage } from '../../src/dimse/index.js'
import { decodePdu } from '../../src/pdu/decode.js'
import { encodePduToBytes } from '../../src/pdu/encode.js'
import { PduFramer } from '../../src/pdu/framer.js'
import type { PDataTfPdu } from '../../src/pdu/types.js'
import { anyMessage } from './dimse-arbitraries.js'

describe('dimse over the PDU layer', () => {
  it('fragment → encodePdu → framer(max) → decodePdu → assemble is the identity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ msg: anyMessage, ds: fc.uint8Array({ maxLength: 2000 }) }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: MIN_MAX_PDU_LENGTH, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
        (messages, max, chunkSizes) => {
          const wire: number[] = []
          for (const { msg, ds } of messages) {
            for (const pdu of fragmentMessage(3, encodeCommand(msg), msg.hasDataset ? ds : undefined, max)) wire.push(...encodePduToBytes(pdu))
          }
          const bytes = new Uint8Array(wire)
          const framer = new PduFramer({ maxPduLength: max })
          const got: AssembledMessage[] = []
          const a = new PdvAssembler({ onMessage: (m) => got.push(m) })
          let off = 0
          for (let i = 0; off < bytes.length; i++) {
            const n = chunkSizes[i % chunkSizes.length]!
            for (const frame of framer.push(bytes.subarray(off, off + n))) a.pushPdu(decodePdu(frame) as PDataTfPdu)
            off += n
          }
          expect(got.map((g) => g.command)).toStrictEqual(messages.map((m) => m.msg))
          got.forEach((g, i) => {
            const { msg, ds } = messages[i]!
            if (msg.hasDataset) expect(g.dataset).toEqual(ds)
          })
        },
      ),
      { numRuns: 200 },
    )
  })
})
