/**
 * Minimal big/little-endian cursor reader and growable writer over `Uint8Array` + `DataView`.
 * No Node imports: used by the PDU and dataset layers.
 * @module
 * @internal
 */

/** Thrown by {@link ByteReader} when a read runs past the end of its view. */
export class ByteRangeError extends Error {
  /** Offset (relative to the reader's view) at which the read was attempted. */
  readonly offset: number
  /** Number of bytes that were requested. */
  readonly wanted: number
  constructor(offset: number, wanted: number) {
    super(`read of ${wanted} byte(s) at offset ${offset} runs past the end`)
    this.offset = offset
    this.wanted = wanted
  }
}

/**
 * A cursor over a byte view. All reads are bounds-checked and return views, never copies.
 * Integers are assembled from the bytes (no DataView per reader: the PDU decoder makes one reader
 * per item, a dozen per A-ASSOCIATE-RQ/AC).
 */
export class ByteReader {
  /** The underlying bytes. */
  readonly bytes: Uint8Array
  /** Current position, relative to `bytes`. */
  pos: number

  /** Wrap `bytes`, starting at `pos`. */
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes
    this.pos = pos
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.bytes.length - this.pos
  }

  /** Throw a {@link ByteRangeError} unless `n` bytes are available. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new ByteRangeError(this.pos, n)
  }

  /** Read one unsigned byte. */
  u8(): number {
    this.need(1)
    return this.bytes[this.pos++]!
  }

  /** Read an unsigned 16-bit integer (big endian unless `le`). */
  u16(le = false): number {
    this.need(2)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 2
    return le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!
  }

  /** Read an unsigned 32-bit integer (big endian unless `le`). */
  u32(le = false): number {
    this.need(4)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 4
    return le
      ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
      : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
  }

  /** Skip `n` bytes. */
  skip(n: number): void {
    this.need(n)
    this.pos += n
  }

  /** Return a view of the next `n` bytes and advance. */
  take(n: number): Uint8Array {
    this.need(n)
    const v = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Read `n` bytes as a one-byte-per-character string (ISO 646 / Latin-1). */
  ascii(n: number): string {
    return bytesToAscii(this.take(n))
  }
}

/** Decode bytes one character per byte (ISO 646 / Latin-1); never throws. */
export function bytesToAscii(b: Uint8Array): string {
  // `apply` over the typed array itself (no intermediate array), in bounded slices so that a
  // long value (a peer may send anything) stays within the argument limits of `apply`.
  if (b.length <= 4096) return String.fromCharCode.apply(null, b as unknown as number[])
  let s = ''
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[])
  }
  return s
}

/** A growable output buffer with reserve-then-backfill length fields. */
export class ByteWriter {
  private buf: Uint8Array
  private dv: DataView
  /** Number of bytes written. */
  length = 0

  /** Start with `initial` bytes of capacity. */
  constructor(initial = 256) {
    this.buf = new Uint8Array(Math.max(16, initial))
    this.dv = new DataView(this.buf.buffer)
  }

  private ensure(n: number): void {
    const need = this.length + n
    if (need <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < need) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.dv = new DataView(next.buffer)
  }

  /** Append one byte. */
  u8(v: number): this {
    this.ensure(1)
    this.buf[this.length++] = v & 0xff
    return this
  }

  /** Append a big-endian (or `le`) unsigned 16-bit integer. */
  u16(v: number, le = false): this {
    this.ensure(2)
    this.dv.setUint16(this.length, v, le)
    this.length += 2
    return this
  }

  /** Append a big-endian (or `le`) unsigned 32-bit integer. */
  u32(v: number, le = false): this {
    this.ensure(4)
    this.dv.setUint32(this.length, v, le)
    this.length += 4
    return this
  }

  /** Append `n` zero bytes. */
  zeros(n: number): this {
    this.ensure(n)
    this.buf.fill(0, this.length, this.length + n)
    this.length += n
    return this
  }

  /** Append bytes (copied). */
  bytes(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
    return this
  }

  /** Append a string one byte per character; characters above 0xFF are not allowed (caller validates). */
  ascii(s: string): this {
    this.ensure(s.length)
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i) & 0xff
    return this
  }

  /** Reserve `size` (2 or 4) bytes for a length; returns the position to {@link backfill}. */
  reserve(size: 2 | 4): number {
    const at = this.length
    this.zeros(size)
    return at
  }

  /**
   * Write at `at` (reserved by {@link reserve}) the number of bytes written since the end of the
   * reserved field. Returns that length.
   */
  backfill(at: number, size: 2 | 4): number {
    const len = this.length - at - size
    if (size === 2) this.dv.setUint16(at, len)
    else this.dv.setUint32(at, len)
    return len
  }

  /** A view of the written bytes (shares memory with the writer until it grows again). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }
}

/**
 * Join byte arrays: the array itself when there is one (no copy), else one copy of all.
 * `length` may be given when the caller already knows the total.
 */
export function concatBytes(parts: readonly Uint8Array[], length?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!
  let n = length ?? 0
  if (length === undefined) for (const p of parts) n += p.length
  return copyPrefix(parts, n)
}

/** A new array with the first `n` bytes of `parts` (at most their total length). */
export function copyPrefix(parts: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    if (off >= n) break
    const take = Math.min(p.length, n - off)
    out.set(take === p.length ? p : p.subarray(0, take), off)
    off += take
  }
  return out
}
