import { describe, expect, it } from 'vitest'
import { ChunkQueue } from '../../../src/internal/chunk-queue.js'
import { ByteRangeError, ByteReader, ByteWriter, concatBytes, copyPrefix } from '../../../src/internal/bytes.js'
import { PduType, pduTypeName, summarizePdu, trimAeTitle, validateAeTitle } from '../../../src/pdu/index.js'

describe('validateAeTitle (PS3.5 §6.2 AE, PS3.8 Table 9-11)', () => {
  it('accepts and trims valid titles', () => {
    expect(validateAeTitle('  STORESCP ')).toEqual({ ok: true, value: 'STORESCP' })
    expect(validateAeTitle('A'.repeat(16))).toEqual({ ok: true, value: 'A'.repeat(16) })
    expect(validateAeTitle('MY SCP')).toEqual({ ok: true, value: 'MY SCP' })
  })
  it('refuses blank, long, backslash, control and non-ASCII titles', () => {
    for (const s of ['', '    ', 'A'.repeat(17), 'A\\B', 'A\tB', 'ÄB']) expect(validateAeTitle(s).ok).toBe(false)
  })
  it('trimAeTitle removes space and NUL padding only at the ends', () => {
    expect(trimAeTitle(' A B\0\0 ')).toBe('A B')
  })
})

describe('pduTypeName / summarizePdu', () => {
  it('names PDU types as PS3.8 does', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(pduTypeName)).toEqual([
      'A-ASSOCIATE-RQ',
      'A-ASSOCIATE-AC',
      'A-ASSOCIATE-RJ',
      'P-DATA-TF',
      'A-RELEASE-RQ',
      'A-RELEASE-RP',
      'A-ABORT',
      'UNKNOWN(0x0A)',
    ])
  })
  it('summarizes on one line without secrets', () => {
    const s = summarizePdu({
      type: PduType.AssociateRq,
      protocolVersion: 1,
      calledAeTitle: 'B',
      callingAeTitle: 'A',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      userInformation: { maxPduLength: 16384, userIdentityRq: { type: 2, positiveResponseRequested: false, primaryField: new TextEncoder().encode('alice'), secondaryField: new TextEncoder().encode('pw') } },
    })
    expect(s).toMatch(/^A-ASSOCIATE-RQ len=\d+ called="B" calling="A" contexts=\[1:1\.2\.840\.10008\.1\.1\(1 ts\)\] maxPdu=16384/)
    expect(s).not.toContain('alice')
    expect(s).not.toContain('\n')
    expect(summarizePdu({ type: PduType.PDataTf, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array(5) }] })).toBe(
      'P-DATA-TF len=17 pdvs=[ctx 1 cmd last 5B]',
    )
    expect(summarizePdu({ type: PduType.Abort, source: 2, reason: 6 })).toBe('A-ABORT len=10 source=2 reason=6')
  })
})

describe('ChunkQueue', () => {
  it('returns views within a chunk and one copy across chunks', () => {
    const q = new ChunkQueue()
    const a = Uint8Array.of(1, 2, 3)
    const b = Uint8Array.of(4, 5, 6)
    q.push(a)
    q.push(new Uint8Array(0))
    q.push(b)
    expect(q.length).toBe(6)
    expect(q.byteAt(4)).toBe(5)
    const v = q.consume(2)
    expect(v.buffer).toBe(a.buffer)
    const c = q.consume(3)
    expect(Array.from(c)).toEqual([3, 4, 5])
    expect(c.buffer).not.toBe(a.buffer)
    expect(c.buffer).not.toBe(b.buffer)
    expect(q.byteAt(0)).toBe(6)
    expect(() => q.u32At(0)).toThrow(RangeError)
    expect(Array.from(q.consume(1))).toEqual([6])
    expect(q.length).toBe(0)
    expect(() => q.consume(1)).toThrow(RangeError)
  })
})

describe('ByteReader / ByteWriter', () => {
  it('reserve-then-backfill writes the length and reads back', () => {
    const w = new ByteWriter(1)
    w.u8(7)
    const at = w.reserve(4)
    w.u16(0x1234).ascii('AB').bytes(Uint8Array.of(9)).zeros(2)
    w.backfill(at, 4)
    expect(Array.from(w.finish())).toEqual([7, 0, 0, 0, 7, 0x12, 0x34, 0x41, 0x42, 9, 0, 0])
    const r = new ByteReader(w.finish())
    expect([r.u8(), r.u32(), r.u16(), r.ascii(2), r.remaining]).toEqual([7, 7, 0x1234, 'AB', 3])
    expect(() => r.take(4)).toThrow(ByteRangeError)
  })

  it('reads both byte orders from a view that does not start at its buffer\'s start', () => {
    const backing = Uint8Array.of(0xee, 0x12, 0x34, 0x12, 0x34, 0xfe, 0xdc, 0xba, 0x98, 0xfe, 0xdc, 0xba, 0x98, 0x01)
    const r = new ByteReader(backing.subarray(1, 13))
    expect(r.u16()).toBe(0x1234)
    expect(r.u16(true)).toBe(0x3412)
    expect(r.u32()).toBe(0xfedcba98)
    expect(r.u32(true)).toBe(0x98badcfe)
    expect(r.remaining).toBe(0)
    expect(() => r.u8()).toThrow(ByteRangeError)
  })
})

describe('concatBytes / copyPrefix', () => {
  const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array([6])]
  it('copyPrefix copies the first n bytes across parts, into a new array', () => {
    expect([...copyPrefix(parts, 0)]).toEqual([])
    expect([...copyPrefix(parts, 2)]).toEqual([1, 2])
    expect([...copyPrefix(parts, 4)]).toEqual([1, 2, 3, 4])
    expect([...copyPrefix(parts, 6)]).toEqual([1, 2, 3, 4, 5, 6])
    const one = copyPrefix([parts[0]!], 3)
    expect(one).not.toBe(parts[0])
    expect(one.buffer).not.toBe(parts[0]!.buffer)
  })
  it('concatBytes returns a single part itself and joins several', () => {
    expect(concatBytes([parts[0]!])).toBe(parts[0])
    expect([...concatBytes(parts)]).toEqual([1, 2, 3, 4, 5, 6])
    expect([...concatBytes(parts, 6)]).toEqual([1, 2, 3, 4, 5, 6])
  })
})
