import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeCommand, encodeCommand } from '../../src/dimse/index.js'
import { DicomError } from '../../src/errors.js'
import { anyMessage, messageArbitraries } from './dimse-arbitraries.js'

describe('command set codec properties', () => {
  for (const [name, arb] of Object.entries(messageArbitraries)) {
    it(`decodeCommand(encodeCommand(m)) ≡ m for ${name}`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const bytes = encodeCommand(m)
          expect(decodeCommand(bytes)).toStrictEqual(m)
          // even length, group length counts the bytes after it (PS3.7 §E.1)
          expect(bytes.length % 2).toBe(0)
          expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(bytes.length - 12)
        }),
        { numRuns: 300 },
      )
    })
  }

  it('decodeCommand on arbitrary bytes only throws DicomError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeCommand(bytes)
        } catch (e) {
          if (!(e instanceof DicomError)) throw e
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('decodeCommand on mutated valid command sets only throws DicomError', () => {
    fc.assert(
      fc.property(
        anyMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (m, edits, cut) => {
          const bytes = encodeCommand(m).slice()
          for (const [at, v] of edits) bytes[at % bytes.length] = v
          try {
            decodeCommand(bytes.subarray(0, bytes.length - (cut % 8)))
          } catch (e) {
            if (!(e instanceof DicomError)) throw e
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})
