import { describe, expect, it } from 'vitest'
import { AbortReason, DEFAULT_MAX_CONTROL_PDU_LENGTH, PduError, PduFramer } from '../../../src/pdu/index.js'
import { pdu, pdv, u32, zeros } from './builder.js'
import { thrownBy } from '../../helpers/errors.js'
import { concat } from '../../helpers/bytes.js'

const release = pdu(0x05, zeros(4))
const abort = pdu(0x07, [0, 0, 2, 0])
const data = pdu(0x04, pdv(1, 3, [1, 2, 3, 4, 5]))

const cat = (...parts: Uint8Array[]): Uint8Array => concat(parts)

const pduError = (f: () => unknown): PduError => thrownBy(PduError, f)

describe('PduFramer', () => {
  it('emits several PDUs from one chunk as views into it', () => {
    const chunk = cat(release, data, abort)
    const frames = new PduFramer({ maxPduLength: 16384 }).push(chunk)
    expect(frames.map((f) => [f.type, f.body.length])).toEqual([
      [5, 4],
      [4, 11],
      [7, 4],
    ])
    for (const f of frames) expect(f.body.buffer).toBe(chunk.buffer)
    expect(frames[1]!.body.byteOffset).toBe(release.length + 6)
  })

  it('assembles a PDU fed one byte at a time, copying once', () => {
    const framer = new PduFramer({ maxPduLength: 16384 })
    const all = cat(data, release)
    const frames = []
    for (let i = 0; i < all.length; i++) {
      frames.push(...framer.push(all.subarray(i, i + 1)))
      if (i < data.length - 1) expect(frames).toHaveLength(0)
    }
    expect(frames.map((f) => [f.type, Array.from(f.body)])).toEqual([
      [4, Array.from(data.subarray(6))],
      [5, [0, 0, 0, 0]],
    ])
    expect(frames[0]!.body.buffer).not.toBe(all.buffer)
    expect(framer.bufferedBytes).toBe(0)
  })

  it('reports buffered bytes of a partial PDU', () => {
    const framer = new PduFramer({ maxPduLength: 0 })
    expect(framer.push(data.subarray(0, 3))).toEqual([])
    expect(framer.bufferedBytes).toBe(3)
    framer.push(data.subarray(3, 9))
    expect(framer.bufferedBytes).toBe(3) // header consumed, 3 body bytes waiting
  })

  it('refuses an unknown PDU type as soon as the header is complete (reason 1)', () => {
    const framer = new PduFramer({ maxPduLength: 16384 })
    expect(framer.push(Uint8Array.of(0x09, 0, 0, 0, 0))).toEqual([])
    const e = pduError(() => framer.push(Uint8Array.of(4)))
    expect([e.code, e.abortReason, e.pduType]).toEqual(['ERR_PDU', AbortReason.UnrecognizedPdu, 9])
    // the framer stays failed
    expect(pduError(() => framer.push(release))).toBe(e)
  })

  it('refuses a header claiming 4 GiB before buffering any body', () => {
    const before = process.memoryUsage().arrayBuffers
    const framer = new PduFramer({ maxPduLength: 16384 })
    const e = pduError(() => framer.push(Uint8Array.of(0x04, 0, ...u32(0xffffffff), 1, 2, 3)))
    expect([e.code, e.abortReason]).toEqual(['ERR_PDU_TOO_LONG', AbortReason.InvalidPduParameterValue])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('caps non-P-DATA PDUs separately (default 1 MiB) even when P-DATA is unlimited', () => {
    const e = pduError(() => new PduFramer({ maxPduLength: 0 }).push(Uint8Array.of(0x01, 0, ...u32(DEFAULT_MAX_CONTROL_PDU_LENGTH + 1))))
    expect(e.code).toBe('ERR_PDU_TOO_LONG')
    expect(new PduFramer({ maxPduLength: 0 }).push(Uint8Array.of(0x01, 0, ...u32(DEFAULT_MAX_CONTROL_PDU_LENGTH)))).toEqual([])
    expect(pduError(() => new PduFramer({ maxPduLength: 0, maxControlPduLength: 100 }).push(Uint8Array.of(0x02, 0, ...u32(101)))).code).toBe('ERR_PDU_TOO_LONG')
  })

  it('with no limit, a huge declared length just waits without allocating', () => {
    const before = process.memoryUsage().arrayBuffers
    const framer = new PduFramer({ maxPduLength: 0 })
    expect(framer.push(Uint8Array.of(0x04, 0, ...u32(0xffffffff), 0, 0))).toEqual([])
    expect(framer.bufferedBytes).toBe(2)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('accepts a P-DATA-TF of exactly maxPduLength and refuses one byte more', () => {
    const body = zeros(100 - 6)
    const ok = pdu(0x04, pdv(1, 0, body.slice(0, 100 - 6)))
    expect(ok.length - 6).toBe(100)
    expect(new PduFramer({ maxPduLength: 100 }).push(ok)).toHaveLength(1)
    const big = pdu(0x04, pdv(1, 0, zeros(95)))
    expect(pduError(() => new PduFramer({ maxPduLength: 100 }).push(big)).code).toBe('ERR_PDU_TOO_LONG')
  })

  it('validates its limits', () => {
    expect(() => new PduFramer({ maxPduLength: -1 })).toThrow(/maxPduLength/)
    expect(() => new PduFramer({ maxPduLength: 1.5 })).toThrow(/maxPduLength/)
    expect(() => new PduFramer({ maxPduLength: 0, maxControlPduLength: Number.NaN })).toThrow(/maxControlPduLength/)
  })

  it('refuses fixed-size PDUs that do not announce 4 bytes (reason 6)', () => {
    const e = pduError(() => new PduFramer({ maxPduLength: 0 }).push(Uint8Array.of(0x07, 0, ...u32(5))))
    expect([e.code, e.abortReason]).toEqual(['ERR_PDU', AbortReason.InvalidPduParameterValue])
  })
})
