/**
 * FileArchive.store (behind `dimse serve`): a received instance is written as a Part 10 file and
 * indexed (attributes before Pixel Data), including Deflated Explicit VR Little Endian data,
 * which the streaming decoder cannot index on the way.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Dataset, decodeFile, encodeDataset, TransferSyntax } from '../../../src/dataset/index.js'
import { FileArchive } from '../../../src/cli/archive.js'
import type { StoreRequest } from '../../../src/services/index.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT = TransferSyntax.ExplicitVRLittleEndian
const DEFLATED = TransferSyntax.DeflatedExplicitVRLittleEndian

function dataset(uid: string, pixelBytes: number): Dataset {
  const ds = new Dataset()
  ds.set(0x00080016, 'UI', [CT])
  ds.set(0x00080018, 'UI', [uid])
  ds.set(0x00100010, 'PN', ['Deflated^Test'])
  ds.set(0x00100020, 'LO', ['PID-7'])
  // Random bytes do not compress: the deflated stream stays about as large as the pixels.
  ds.set(0x7fe00010, 'OB', new Uint8Array(randomBytes(pixelBytes)))
  return ds
}

/** A StoreRequest as the archive sees it, its data arriving in chunks of `chunk` bytes. */
function request(uid: string, transferSyntaxUid: string, body: Uint8Array, chunk: number): StoreRequest {
  async function* data(): AsyncGenerator<Uint8Array> {
    for (let o = 0; o < body.length; o += chunk) yield body.subarray(o, Math.min(o + chunk, body.length))
  }
  return { sopClassUid: CT, sopInstanceUid: uid, transferSyntaxUid, callingAeTitle: 'TESTSCU', data: data() } as unknown as StoreRequest
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dimse-archive-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('FileArchive.store', () => {
  for (const [name, pixels] of [['small', 10_000], ['larger than the read-ahead and the small-write limits', 1_500_000]] as const) {
    it(`indexes a deflated instance (${name}) and writes it as received`, async () => {
      const archive = new FileArchive(dir)
      const uid = `1.2.3.${pixels}`
      const plain = encodeDataset(dataset(uid, pixels), EXPLICIT)
      const body = deflateRawSync(plain)
      expect(await archive.store(request(uid, DEFLATED, body, 16_372))).toBe(0)
      const e = archive.entries.get(uid)!
      expect(e).toMatchObject({ sopClassUid: CT, sopInstanceUid: uid, transferSyntaxUid: DEFLATED })
      expect(e.attributes.string(0x00100010)).toBe('Deflated^Test')
      expect(e.attributes.string(0x00100020)).toBe('PID-7')
      expect(e.attributes.get(0x7fe00010)).toBeUndefined()
      // The file holds the deflated bytes as they came, after a meta header naming the syntax.
      const file = readFileSync(e.path)
      const f = decodeFile(file, { inflate: (b) => inflateRawSync(b), stopBeforeTag: 0x7fe00010 })
      expect(f.transferSyntaxUid).toBe(DEFLATED)
      expect(Buffer.from(file.subarray(f.datasetOffset)).equals(Buffer.from(body))).toBe(true)
    })
  }

  it('indexes an explicit VR instance while streaming it', async () => {
    const archive = new FileArchive(dir)
    const uid = '1.2.3.99'
    const body = encodeDataset(dataset(uid, 50_000), EXPLICIT)
    expect(await archive.store(request(uid, EXPLICIT, body, 4_096))).toBe(0)
    const e = archive.entries.get(uid)!
    expect(e.transferSyntaxUid).toBe(EXPLICIT)
    expect(e.attributes.string(0x00100010)).toBe('Deflated^Test')
    expect(e.attributes.get(0x7fe00010)).toBeUndefined()
  })

  it('keeps a copy of just the header in the index, whether it arrived in one chunk or many', async () => {
    for (const chunk of [7, 4_096, 1_000_000]) {
      const archive = new FileArchive(dir)
      const uid = `1.2.3.100.${chunk}`
      const body = encodeDataset(dataset(uid, 50_000), EXPLICIT)
      expect(await archive.store(request(uid, EXPLICIT, body, chunk))).toBe(0)
      const e = archive.entries.get(uid)!
      expect(e.attributes.string(0x00080018)).toBe(uid)
      expect(e.attributes.string(0x00100020)).toBe('PID-7')
      expect(e.attributes.get(0x7fe00010)).toBeUndefined()
      // The values view a buffer of the header's size, not the received data (50 KB of pixels).
      const raw = e.attributes.get(0x00100020)!.raw!
      expect(raw.buffer).not.toBe(body.buffer)
      expect(raw.buffer.byteLength).toBeLessThan(1024)
    }
  })
})
