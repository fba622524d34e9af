/**
 * Specific Character Set (0008,0005) decoding and encoding (PS3.5 §6.1, PS3.3 C.12.1.1.2).
 * PROVISIONAL: default repertoire, ISO_IR 100 and ISO_IR 192 only. To be replaced by the
 * full implementation (single-byte ISO 8859 parts, GB18030/GBK, ISO 2022 code extensions).
 * @module
 */
import type { VR } from './vr.js'

const utf8 = new TextDecoder('utf-8')
const latin1 = new TextDecoder('latin1')

/** Decode the bytes of a text VR under the given Specific Character Set defined terms. */
export function decodeText(bytes: Uint8Array, charset: readonly string[], _vr: VR): string {
  const first = charset[0]?.trim() ?? ''
  if (first === 'ISO_IR 192') return utf8.decode(bytes)
  return latin1.decode(bytes)
}

/** Encode text of a text VR under the given Specific Character Set defined terms. */
export function encodeText(text: string, charset: readonly string[], _vr: VR): Uint8Array {
  const first = charset[0]?.trim() ?? ''
  if (first === 'ISO_IR 192') return new TextEncoder().encode(text)
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}
