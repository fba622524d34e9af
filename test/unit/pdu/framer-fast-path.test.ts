/**
 * PduFramer: a bad header met on the no-buffer fast path (whole PDUs in one chunk, PS3.8 §9.3.1)
 * fails the framer for good, as on the buffered path.
 */
import { describe, expect, it } from 'vitest'
import { AbortReason, PduError, PduFramer } from '../../../src/pdu/index.js'
import { pdu, u32, zeros } from './builder.js'
import { thrownBy } from '../../helpers/errors.js'

const release = pdu(0x05, zeros(4))

const pduError = (f: () => unknown): PduError => thrownBy(PduError, f)

describe('PduFramer fast path', () => {
  it('stays failed after an unknown PDU type that arrived with nothing buffered', () => {
    const framer = new PduFramer({ maxPduLength: 16384 })
    const chunk = Uint8Array.of(...release, 0x09, 0, ...u32(0))
    const e = pduError(() => framer.push(chunk))
    expect([e.code, e.abortReason, e.pduType]).toEqual(['ERR_PDU', AbortReason.UnrecognizedPdu, 9])
    expect(pduError(() => framer.push(release))).toBe(e)
  })

  it('stays failed after an oversized length that arrived with nothing buffered', () => {
    const framer = new PduFramer({ maxPduLength: 16384 })
    const e = pduError(() => framer.push(Uint8Array.of(0x04, 0, ...u32(16385), 1, 2)))
    expect([e.code, e.abortReason]).toEqual(['ERR_PDU_TOO_LONG', AbortReason.InvalidPduParameterValue])
    expect(pduError(() => framer.push(release))).toBe(e)
    expect(framer.bufferedBytes).toBe(0)
  })
})
