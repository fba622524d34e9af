/**
 * CLI helpers of the store path: the synchronous Part 10 header reader (`dimse store`'s scan)
 * and the minor-collection pacing of memory.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Dataset, encodeDataset, encodeFile, TransferSyntax } from '../../../src/dataset/index.js'
import { readPart10Header, readPart10HeaderSync } from '../../../src/cli/files.js'
import { gcEvery, runtimeGc } from '../../../src/cli/memory.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT = TransferSyntax.ExplicitVRLittleEndian

function dataset(uid: string, padding = 0): Dataset {
  const ds = new Dataset()
  ds.set(0x00080016, 'UI', [CT])
  ds.set(0x00080018, 'UI', [uid])
  ds.set(0x00100010, 'PN', ['Test^Header'])
  // A bulk element after group 0008 (a private tag without creator: only its size matters here).
  if (padding > 0) ds.set(0x00091010, 'OB', new Uint8Array(padding))
  return ds
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dimse-hdr-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('readPart10HeaderSync', () => {
  it('reads the identity from the File Meta Information alone when it is complete', () => {
    const p = join(dir, 'meta.dcm')
    const bytes = encodeFile(dataset('1.2.3.4', 100_000), { transferSyntaxUid: EXPLICIT })
    writeFileSync(p, bytes)
    const h = readPart10HeaderSync(p, 0x00090000, 256 * 1024)
    expect(h).toMatchObject({ size: bytes.length, sopClassUid: CT, sopInstanceUid: '1.2.3.4' })
    expect(h.file.transferSyntaxUid).toBe(EXPLICIT)
    // The offset agrees with the asynchronous reader that decodes the dataset.
    return readPart10Header(p, 0x00090000, 256 * 1024).then((a) => {
      expect(h.file.datasetOffset).toBe(a.file.datasetOffset)
      expect(h.file.datasetOffset).toBeGreaterThan(132)
    })
  })

  it('falls back to the dataset when there is no File Meta Information', () => {
    const p = join(dir, 'bare.dcm')
    writeFileSync(p, encodeDataset(dataset('1.2.3.5', 50_000), EXPLICIT))
    const h = readPart10HeaderSync(p, 0x00090000, 256 * 1024)
    expect(h).toMatchObject({ sopClassUid: CT, sopInstanceUid: '1.2.3.5' })
    expect(h.file.datasetOffset).toBe(0)
  })

  it('reads past the 8 KiB probe when the meta does not fit in it', () => {
    const p = join(dir, 'bigmeta.dcm')
    // A long Private Information (0002,0102) makes the meta group exceed the 8 KiB probe.
    const meta = new Dataset()
    meta.set(0x00020100, 'UI', ['1.2.3.99'])
    meta.set(0x00020102, 'OB', new Uint8Array(12_000).fill(0x41))
    const big = encodeFile(dataset('1.2.3.6'), { transferSyntaxUid: EXPLICIT, meta })
    writeFileSync(p, big)
    const h = readPart10HeaderSync(p, 0x00090000, 256 * 1024)
    expect(h.sopInstanceUid).toBe('1.2.3.6')
    expect(h.file.datasetOffset).toBeGreaterThan(12_000)
    expect(big.subarray(h.file.datasetOffset, h.file.datasetOffset + 2)).toEqual(new Uint8Array([0x08, 0x00]))
  })

  it('throws for a file with no SOP identity', () => {
    const p = join(dir, 'none.dcm')
    const ds = new Dataset()
    ds.set(0x00100010, 'PN', ['No^Identity'])
    writeFileSync(p, encodeDataset(ds, EXPLICIT))
    expect(() => readPart10HeaderSync(p, 0x00090000, 256 * 1024)).toThrow(/SOP/)
  })
})

describe('gcEvery', () => {
  it('asks for a minor collection each time the given number of bytes has passed', () => {
    const calls: unknown[] = []
    const note = gcEvery(100, (o) => void calls.push(o))
    note(60)
    expect(calls).toHaveLength(0)
    note(60)
    expect(calls).toEqual([{ type: 'minor' }])
    note(99)
    expect(calls).toHaveLength(1)
    note(1)
    expect(calls).toHaveLength(2)
  })

  it('is a no-op without a collector or with a non-positive interval', () => {
    expect(() => gcEvery(100, undefined)(1e9)).not.toThrow()
    const calls: unknown[] = []
    gcEvery(0, () => void calls.push(1))(1e9)
    expect(calls).toHaveLength(0)
  })

  it('finds the runtime collector (V8) and it runs', () => {
    const gc = runtimeGc()
    expect(typeof gc).toBe('function')
    expect(() => gc!({ type: 'minor' })).not.toThrow()
    expect(runtimeGc()).toBe(gc)
  })
})

describe('ReadBufferPool (dimse store)', () => {
  it('hands a returned buffer out again when it is large enough, else a new one of 64 KiB steps', async () => {
    const { ReadBufferPool } = await import('../../../src/cli/store.js')
    const pool = new ReadBufferPool(2, 1 << 20)
    const a = pool.take(100_000)
    expect(a.length).toBe(131_072)
    pool.give(a)
    expect(pool.take(50_000)).toBe(a)
    pool.give(a)
    const b = pool.take(200_000)
    expect(b).not.toBe(a)
    expect(pool.take(10)).toBe(a)
  })

  it('keeps at most maxBuffers buffers and maxBytes bytes', async () => {
    const { ReadBufferPool } = await import('../../../src/cli/store.js')
    const pool = new ReadBufferPool(2, 200_000)
    const [x, y, z] = [pool.take(65_536), pool.take(65_536), pool.take(65_536)]
    pool.give(x)
    pool.give(y)
    pool.give(z) // over maxBuffers: dropped
    const got = [pool.take(1), pool.take(1), pool.take(1)]
    expect(got.filter((b) => b === z)).toHaveLength(0)
    expect(got.filter((b) => b === x || b === y)).toHaveLength(2)
    const big = new ReadBufferPool(4, 100_000)
    const p = big.take(65_536)
    const q = big.take(65_536)
    big.give(p)
    big.give(q) // 131,072 > 100,000: dropped
    expect(big.take(1)).toBe(p)
    expect(big.take(1)).not.toBe(q)
  })
})
