/** vrFromCode: the two bytes of an explicit VR header (PS3.5 §7.1.2) back to the VR, nothing else. */
import { describe, expect, it } from 'vitest'
import { VRS, vrCode, vrFromCode } from '../../../src/dataset/vr.js'

describe('vrFromCode', () => {
  it('maps the two ASCII bytes of each of the 34 VRs back to it', () => {
    expect(VRS).toHaveLength(34)
    for (const vr of VRS) expect(vrFromCode((vr.charCodeAt(0) << 8) | vr.charCodeAt(1))).toBe(vr)
    for (const vr of VRS) expect(vrFromCode(vrCode(vr))).toBe(vr)
  })

  it('gives undefined for two letters that are no VR, lower case, non-letters and wider codes', () => {
    const code = (s: string): number => (s.charCodeAt(0) << 8) | s.charCodeAt(1)
    for (const s of ['AA', 'ZZ', 'XX', 'ob', 'Ob', 'oB', '@B', 'O[', '  ', '\0\0']) expect(vrFromCode(code(s))).toBeUndefined()
    expect(vrFromCode(0x10000 | code('OB'))).toBeUndefined()
    expect(vrFromCode(-1)).toBeUndefined()
  })
})
