/** bytesToAscii: one character per byte (PDU text fields), short and long, all 256 byte values. */
import { describe, expect, it } from 'vitest'
import { bytesToAscii } from '../../../src/internal/bytes.js'

describe('bytesToAscii', () => {
  it('maps every byte value to the character of that code', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const s = bytesToAscii(all)
    expect(s).toHaveLength(256)
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i)
    expect(bytesToAscii(new Uint8Array(0))).toBe('')
    expect(bytesToAscii(Uint8Array.of(0x53, 0x43, 0x55))).toBe('SCU')
  })

  it('reads values longer than one slice (4096 bytes) whole, from a view at an offset', () => {
    for (const n of [4095, 4096, 4097, 3 * 4096 + 17, 200_000]) {
      const backing = Uint8Array.from({ length: n + 3 }, (_, i) => (i * 7 + 1) & 0xff)
      const v = backing.subarray(3)
      const s = bytesToAscii(v)
      expect(s).toHaveLength(n)
      expect(s.charCodeAt(0)).toBe(v[0])
      expect(s.charCodeAt(n - 1)).toBe(v[n - 1])
      expect(s.charCodeAt(4096 % n)).toBe(v[4096 % n])
    }
  })
})
