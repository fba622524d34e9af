/**
 * The services run on Node: make sure the Deflated transfer syntax has a codec (node:zlib)
 * unless the application registered its own.
 * @module
 */
import { getDeflateCodec, setDeflateCodec } from '../dataset/deflate.js'
import { nodeDeflateCodec } from '../node/deflate.js'

/** Register node:zlib for deflate when no codec is registered yet. */
export function ensureNodeCodecs(): void {
  if (getDeflateCodec() === undefined) setDeflateCodec(nodeDeflateCodec)
}
