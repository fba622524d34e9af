/**
 * Byte helpers shared by tests (independent of src/, so expected bytes do not come from the code
 * under test).
 */

/** The parts one after the other in a new buffer. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
