/**
 * UID generation under the 2.25 root (PS3.5 §B.2: a UUID as one decimal integer).
 * Uses Web Crypto, available in browsers and Node 20.
 * @module
 */

/** A new random UID `2.25.<128-bit decimal>`, at most 44 characters (PS3.5 §9.1: max 64). */
export function generateUid(): string {
  const b = new Uint8Array(16)
  globalThis.crypto.getRandomValues(b)
  b[6] = (b[6]! & 0x0f) | 0x40 // UUID version 4
  b[8] = (b[8]! & 0x3f) | 0x80 // RFC 4122 variant
  let n = 0n
  for (const x of b) n = (n << 8n) | BigInt(x)
  return `2.25.${n.toString()}`
}
