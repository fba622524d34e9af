/**
 * Registers a `node:zlib` raw-deflate codec for the Deflated transfer syntax (PS3.5 §A.5).
 * The package root registers it with `setDeflateCodec`.
 * @module
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { DeflateCodec } from '../dataset/deflate.js'
import { DicomParseError } from '../errors.js'

/** The node:zlib raw-deflate codec. */
export const nodeDeflateCodec: DeflateCodec = {
  inflateRaw(bytes: Uint8Array, maxOutputLength?: number): Uint8Array {
    try {
      return maxOutputLength === undefined ? inflateRawSync(bytes) : inflateRawSync(bytes, { maxOutputLength })
    } catch (e) {
      throw new DicomParseError(`deflated data cannot be inflated (${(e as Error).message})`, 0, '', { cause: e })
    }
  },
  deflateRaw(bytes: Uint8Array): Uint8Array {
    return deflateRawSync(bytes)
  },
}
