/**
 * The Deflated Explicit VR Little Endian transfer syntax (PS3.5 §A.5) compresses the whole
 * dataset with raw deflate (RFC 1951, no zlib or gzip header). The dataset layer has no Node
 * imports, so the codec is injected: the package root (`dimse`) registers one built on
 * `node:zlib`; browser users call {@link setDeflateCodec} with their own synchronous codec, or use
 * `decodeFileAsync`, which inflates with `DecompressionStream('deflate-raw')`.
 * @module
 */
import { DicomError } from '../errors.js'

/** A synchronous raw-deflate codec (RFC 1951, no header). */
export interface DeflateCodec {
  /**
   * Inflate; when `maxOutputLength` is given, fail (rather than allocate more) once the output
   * would exceed it.
   */
  inflateRaw(bytes: Uint8Array, maxOutputLength?: number): Uint8Array
  deflateRaw(bytes: Uint8Array): Uint8Array
}

let codec: DeflateCodec | undefined

/** Register the raw-deflate codec used for the Deflated transfer syntax. */
export function setDeflateCodec(c: DeflateCodec | undefined): void {
  codec = c
}

/** The registered raw-deflate codec, if any. */
export function getDeflateCodec(): DeflateCodec | undefined {
  return codec
}

function missing(): never {
  throw new DicomError(
    'ERR_INVALID_ARGUMENT',
    'no deflate codec registered: import "dimse" (Node) or call setDeflateCodec() to read or write the Deflated transfer syntax',
  )
}

/** Inflate with the given function or the registered codec. @internal */
export function inflateWith(bytes: Uint8Array, inflate?: (b: Uint8Array) => Uint8Array, maxOutputLength?: number): Uint8Array {
  if (inflate !== undefined) return inflate(bytes)
  if (codec === undefined) missing()
  return codec.inflateRaw(bytes, maxOutputLength)
}

/** Deflate with the given function or the registered codec. @internal */
export function deflateWith(bytes: Uint8Array, deflate?: (b: Uint8Array) => Uint8Array): Uint8Array {
  const f = deflate ?? codec?.deflateRaw
  if (f === undefined) missing()
  return f(bytes)
}

/**
 * Inflate raw-deflate bytes with the web platform's `DecompressionStream('deflate-raw')`
 * (Node ≥ 21.2 and current browsers).
 */
export async function inflateRawAsync(bytes: Uint8Array): Promise<Uint8Array> {
  const DS = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream
  if (DS === undefined) throw new DicomError('ERR_INVALID_ARGUMENT', 'DecompressionStream is not available')
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DS('deflate-raw'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}
