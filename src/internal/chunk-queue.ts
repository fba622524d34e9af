/**
 * A queue of byte chunks with `consume(n)`: returns a view when the `n` bytes lie inside one
 * chunk, and makes exactly one copy when they straddle chunks. Never re-concatenates the whole
 * buffered input on push.
 * @module
 * @internal
 */

/** FIFO of received chunks. */
export class ChunkQueue {
  private chunks: Uint8Array[] = []
  /** Index of the first live chunk in `chunks` (avoids shifting arrays on every consume). */
  private head = 0
  /** Total bytes buffered. */
  length = 0

  /** Append a chunk (kept by reference, not copied). Empty chunks are ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
  }

  /** The byte at logical position `i` (0 ≤ i < length). */
  byteAt(i: number): number {
    for (let c = this.head; c < this.chunks.length; c++) {
      const ch = this.chunks[c]!
      if (i < ch.length) return ch[i]!
      i -= ch.length
    }
    throw new RangeError(`byteAt(${i}) beyond buffered data`)
  }

  /** Big-endian unsigned 32-bit integer at logical position `i`. */
  u32At(i: number): number {
    return ((this.byteAt(i) << 24) | (this.byteAt(i + 1) << 16) | (this.byteAt(i + 2) << 8) | this.byteAt(i + 3)) >>> 0
  }

  /**
   * Remove and return the next `n` bytes (n ≤ length). A view into the pushed chunk when the bytes
   * lie in one chunk, else one freshly allocated copy of exactly `n` bytes.
   */
  consume(n: number): Uint8Array {
    if (n > this.length || n < 0) throw new RangeError(`consume(${n}) with ${this.length} buffered`)
    if (n === 0) return new Uint8Array(0)
    this.length -= n
    const first = this.chunks[this.head]!
    if (n <= first.length) {
      const out = first.subarray(0, n)
      if (n === first.length) this.dropHead()
      else this.chunks[this.head] = first.subarray(n)
      return out
    }
    const out = new Uint8Array(n)
    let off = 0
    while (off < n) {
      const ch = this.chunks[this.head]!
      const take = Math.min(ch.length, n - off)
      out.set(take === ch.length ? ch : ch.subarray(0, take), off)
      off += take
      if (take === ch.length) this.dropHead()
      else this.chunks[this.head] = ch.subarray(take)
    }
    return out
  }

  /**
   * Remove the next `n` bytes (n ≤ length) and return them as views into the pushed chunks, in
   * order, without copying (empty array for n = 0).
   */
  consumeViews(n: number): Uint8Array[] {
    if (n > this.length || n < 0) throw new RangeError(`consumeViews(${n}) with ${this.length} buffered`)
    this.length -= n
    const out: Uint8Array[] = []
    while (n > 0) {
      const ch = this.chunks[this.head]!
      if (n >= ch.length) {
        out.push(ch)
        n -= ch.length
        this.dropHead()
      } else {
        out.push(ch.subarray(0, n))
        this.chunks[this.head] = ch.subarray(n)
        n = 0
      }
    }
    return out
  }

  /** True when the next `n` bytes (n ≤ length) lie inside the first chunk. */
  firstHolds(n: number): boolean {
    return n === 0 || (this.head < this.chunks.length && n <= this.chunks[this.head]!.length)
  }

  private dropHead(): void {
    this.head++
    if (this.head === this.chunks.length) {
      this.chunks = []
      this.head = 0
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }
}
