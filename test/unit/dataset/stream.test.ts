/**
 * DatasetStreamDecoder: hand-written split cases, the value sink, stopBeforeTag, and memory that
 * does not grow with the size of streamed values.
 */
import { describe, expect, it } from 'vitest'
import { DataElement, Dataset } from '../../../src/dataset/element.js'
import { encodeDataset } from '../../../src/dataset/encode.js'
import { DatasetStreamDecoder } from '../../../src/dataset/stream.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { DicomError, DicomParseError } from '../../../src/errors.js'

const EVR = TransferSyntax.ExplicitVRLittleEndian
const IVR = TransferSyntax.ImplicitVRLittleEndian

const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff]
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))

/** Explicit VR LE header of Pixel Data OW with the given length (PS3.5 §7.1.2). */
function pixelHeader(len: number): Uint8Array {
  return new Uint8Array([0xe0, 0x7f, 0x10, 0x00, ...ascii('OW'), 0, 0, ...u32(len)])
}

const head = new Uint8Array([
  ...[0x10, 0x00, 0x10, 0x00], ...ascii('PN'), ...u16(4), ...ascii('AB^C'),
  ...[0x28, 0x00, 0x10, 0x00], ...ascii('US'), ...u16(2), ...u16(512),
])

describe('DatasetStreamDecoder', () => {
  it('emits elements as they complete, whatever the chunking', () => {
    for (const size of [1, 3, 7, 12, 1000]) {
      const seen: number[] = []
      const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, onElement: (el) => seen.push(el.tag) })
      for (let i = 0; i < head.length; i += size) dec.push(head.subarray(i, i + size))
      const { dataset, warnings } = dec.end()
      expect(seen).toEqual([0x00100010, 0x00280010])
      expect(warnings).toEqual([])
      expect(dataset.string(0x00100010)).toBe('AB^C')
      expect(dataset.number(0x00280010)).toBe(512)
    }
  })

  it('an element is emitted as soon as its last byte arrives', () => {
    const seen: number[] = []
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, onElement: (el) => seen.push(el.tag) })
    dec.push(head.subarray(0, 11))
    expect(seen).toEqual([])
    dec.push(head.subarray(11, 12))
    expect(seen).toEqual([0x00100010])
  })

  it('large values go to the sink in pieces, as views of the chunks, and are not kept', () => {
    const value = new Uint8Array(10000).map((_, i) => i & 0xff)
    const data = new Uint8Array([...head, ...pixelHeader(value.length), ...value])
    const starts: [number, string, number][] = []
    const pieces: Uint8Array[] = []
    let last = 0
    const dec = new DatasetStreamDecoder({
      transferSyntaxUid: EVR,
      valueThreshold: 1024,
      onValueStart: (t, vr, len) => starts.push([t, vr, len]),
      onValueChunk: (_t, _vr, c, isLast) => {
        pieces.push(c)
        if (isLast) last++
      },
    })
    for (let i = 0; i < data.length; i += 999) dec.push(data.subarray(i, i + 999))
    const { dataset } = dec.end()
    expect(starts).toEqual([[0x7fe00010, 'OW', 10000]])
    expect(last).toBe(1)
    expect(Buffer.concat(pieces).equals(Buffer.from(value))).toBe(true)
    expect(pieces.every((p) => p.buffer === data.buffer)).toBe(true) // views, no copies
    expect(dataset.has(0x7fe00010)).toBe(false)
    expect(dataset.size).toBe(2)
  })

  it('memory does not grow with the size of a streamed value', () => {
    const total = 64 * 1024 * 1024
    const chunk = new Uint8Array(64 * 1024)
    let received = 0
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, onValueChunk: (_t, _vr, c) => (received += c.length) })
    dec.push(head)
    dec.push(pixelHeader(total))
    const buffered = () => (dec as unknown as { q: { length: number } }).q.length
    let maxBuffered = 0
    for (let sent = 0; sent < total; sent += chunk.length) {
      dec.push(chunk)
      maxBuffered = Math.max(maxBuffered, buffered())
    }
    dec.end()
    expect(received).toBe(total)
    expect(maxBuffered).toBe(0)
  })

  it('streams encapsulated pixel data as its raw value (items and delimiter)', () => {
    const ds = new Dataset()
    ds.set(0x00100010, 'PN', ['AB'])
    ds.set(0x7fe00010, 'OB', { offsetTable: new Uint8Array(0), fragments: [new Uint8Array(3000), new Uint8Array(10)] })
    const bytes = encodeDataset(ds, TransferSyntax.JPEGBaseline8Bit)
    const pieces: Uint8Array[] = []
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit, onValueChunk: (_t, _vr, c) => pieces.push(c.slice()) })
    for (let i = 0; i < bytes.length; i += 100) dec.push(bytes.subarray(i, i + 100))
    dec.end()
    const raw = Buffer.concat(pieces)
    // value = item(0) + item(3000) + item(10) + delimiter (PS3.5 §A.4)
    expect(raw.length).toBe(8 + 8 + 3000 + 8 + 10 + 8)
    expect(raw.subarray(raw.length - 8).toString('hex')).toBe('feffdde000000000')
  })

  it('encapsulated pixel data with an OW header goes to the sink as OB, with the decoder\'s warning', () => {
    const frag = [0xfe, 0xff, 0x00, 0xe0]
    const bytes = new Uint8Array([...pixelHeader(0xffffffff), ...frag, ...u32(0), ...frag, ...u32(2), 7, 8, 0xfe, 0xff, 0xdd, 0xe0, ...u32(0)])
    const vrs: string[] = []
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit, onValueStart: (_t, vr) => vrs.push(vr), onValueChunk: (_t, vr) => vrs.push(vr) })
    for (const b of bytes) dec.push(new Uint8Array([b]))
    const r = dec.end()
    expect(new Set(vrs)).toEqual(new Set(['OB']))
    expect(r.warnings).toEqual(['encapsulated pixel data with VR OW read as OB at offset 0 in (7FE0,0010)'])
    // buffered (no sink): the element itself is OB
    const whole = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit })
    whole.push(bytes)
    const w = whole.end()
    expect(w.dataset.get(0x7fe00010)!.vr).toBe('OB')
    expect(w.warnings).toHaveLength(1)
    const strict = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit, lenient: false, onValueChunk: () => undefined })
    expect(() => strict.push(bytes)).toThrow(DicomParseError)
  })

  it('a warning of an element after the first reads the same whether it arrives whole or byte by byte', () => {
    // In one chunk, the elements after the first are decoded together; one that decodes with a
    // warning must still be reported as when it is decoded alone.
    const frag = [0xfe, 0xff, 0x00, 0xe0]
    const bytes = new Uint8Array([...head, ...pixelHeader(0xffffffff), ...frag, ...u32(0), ...frag, ...u32(2), 7, 8, 0xfe, 0xff, 0xdd, 0xe0, ...u32(0)])
    const decode = (chunk: number) => {
      const dec = new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit })
      for (let i = 0; i < bytes.length; i += chunk) dec.push(bytes.subarray(i, i + chunk))
      return dec.end()
    }
    const byByte = decode(1)
    expect(byByte.warnings).toEqual([`encapsulated pixel data with VR OW read as OB at offset 0 in (7FE0,0010) (element at stream offset ${head.length})`])
    const whole = decode(bytes.length)
    expect(whole.warnings).toEqual(byByte.warnings)
    expect(whole.dataset.elements().map((e) => e.tag)).toEqual([0x00100010, 0x00280010, 0x7fe00010])
  })

  it('a stray delimiter first, then explicit VR data under an implicit syntax: same result whole or byte by byte', () => {
    // The encoding check applies to the first element after the delimiter (as decodeDataset does).
    const bytes = new Uint8Array([0xfe, 0xff, 0x0d, 0xe0, ...u32(0), ...head])
    const decode = (chunk: number) => {
      const dec = new DatasetStreamDecoder({ transferSyntaxUid: IVR })
      for (let i = 0; i < bytes.length; i += chunk) dec.push(bytes.subarray(i, i + chunk))
      return dec.end()
    }
    const byByte = decode(1)
    expect(byByte.warnings).toHaveLength(2)
    expect(byByte.dataset.string(0x00100010)).toBe('AB^C')
    const whole = decode(bytes.length)
    expect(whole.warnings).toEqual(byByte.warnings)
    expect(whole.dataset.string(0x00100010)).toBe('AB^C')
  })

  it('stopBeforeTag: push returns false and the rest is ignored', () => {
    const data = new Uint8Array([...head, ...pixelHeader(4), 1, 2, 3, 4])
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, stopBeforeTag: 0x7fe00010 })
    expect(dec.push(data.subarray(0, head.length))).toBe(true)
    expect(dec.push(data.subarray(head.length))).toBe(false)
    expect(dec.stopped).toBe(true)
    expect(dec.end().dataset.size).toBe(2)
    // position: where the element at stopBeforeTag starts, also when it all comes in one chunk
    expect(dec.position).toBe(head.length)
    const whole = new DatasetStreamDecoder({ transferSyntaxUid: EVR, stopBeforeTag: 0x7fe00010 })
    expect(whole.push(data)).toBe(false)
    expect(whole.position).toBe(head.length)
  })

  it('undefined-length sequences split anywhere', () => {
    const item = new Dataset()
    item.set(0x00080100, 'SH', ['12'])
    const ds = new Dataset()
    ds.set(0x00081115, 'SQ', [item, item])
    ds.set(0x00100010, 'PN', ['AB'])
    const bytes = encodeDataset(ds, IVR, { sequenceLength: 'undefined' })
    for (let cut = 0; cut <= bytes.length; cut++) {
      const dec = new DatasetStreamDecoder({ transferSyntaxUid: IVR, lenient: false })
      dec.push(bytes.subarray(0, cut))
      dec.push(bytes.subarray(cut))
      const r = dec.end()
      expect(r.dataset.items(0x00081115).map((i) => i.string(0x00080100))).toEqual(['12', '12'])
      expect(r.dataset.string(0x00100010)).toBe('AB')
    }
  })

  it('keepElements: false keeps nothing but still emits', () => {
    const seen: DataElement[] = []
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, keepElements: false, onElement: (el) => seen.push(el) })
    dec.push(head)
    expect(dec.end().dataset.size).toBe(0)
    expect(seen.map((e) => e.strings[0])).toEqual(['AB^C', '512'])
  })

  it('data ending inside a value: error in strict mode, warning in lenient mode', () => {
    const cut = head.subarray(0, head.length - 1)
    const strict = new DatasetStreamDecoder({ transferSyntaxUid: EVR, lenient: false })
    strict.push(cut)
    expect(() => strict.end()).toThrow(DicomParseError)
    const lenient = new DatasetStreamDecoder({ transferSyntaxUid: EVR })
    lenient.push(cut)
    const r = lenient.end()
    expect(r.warnings.join('\n')).toMatch(/goes past the end/)
    expect(r.dataset.string(0x00100010)).toBe('AB^C')

    const streamed = new DatasetStreamDecoder({ transferSyntaxUid: EVR, lenient: false, onValueChunk: () => undefined, valueThreshold: 2 })
    streamed.push(new Uint8Array([...pixelHeader(100), 1, 2]))
    expect(() => streamed.end()).toThrow(DicomParseError)
  })

  it('refuses the deflated syntax and push after end', () => {
    expect(() => new DatasetStreamDecoder({ transferSyntaxUid: TransferSyntax.DeflatedExplicitVRLittleEndian })).toThrow(DicomError)
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR })
    dec.end()
    expect(() => dec.push(head)).toThrow(DicomError)
  })

  it('a too-long buffered value is refused before it is buffered', () => {
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, maxElementLength: 100 })
    expect(() => dec.push(pixelHeader(1000))).toThrow(/exceeds the limit/)
  })

  it('elements built by the stream decoder re-encode like the source', () => {
    const ds = new Dataset()
    ds.set(DataElement.fromValue(0x00100010, 'PN', ['AB']))
    const bytes = encodeDataset(ds, EVR)
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR })
    for (const b of bytes) dec.push(new Uint8Array([b]))
    expect(Buffer.from(encodeDataset(dec.end().dataset, EVR)).equals(Buffer.from(bytes))).toBe(true)
  })
})

describe('DatasetStreamDecoder with file: true (PS3.10 §7)', () => {
  it('reads preamble and meta, then the dataset in the meta transfer syntax, for every split point', async () => {
    const { encodeFile, decodeFile } = await import('../../../src/dataset/part10.js')
    const ds = new Dataset()
    ds.set(0x00080016, 'UI', ['1.2.840.10008.5.1.4.1.1.7'])
    ds.set(0x00080018, 'UI', ['1.2.3'])
    ds.set(0x00100010, 'PN', ['AB'])
    ds.set(0x00280010, 'US', [258])
    for (const ts of [IVR, EVR, TransferSyntax.ExplicitVRBigEndian]) {
      const f = encodeFile(ds, { transferSyntaxUid: ts })
      const ref = decodeFile(f)
      for (const [body, metaSize] of [[f, ref.meta.size], [f.subarray(132), ref.meta.size], [f.subarray(ref.datasetOffset), 0]] as const) {
        for (let cut = 0; cut <= body.length; cut += 7) {
          const dec = new DatasetStreamDecoder({ file: true, lenient: false })
          dec.push(body.subarray(0, cut))
          dec.push(body.subarray(cut))
          const r = dec.end()
          expect(dec.transferSyntaxUid).toBe(ts)
          expect(r.dataset.number(0x00280010)).toBe(258)
          expect(r.dataset.string(0x00100010)).toBe('AB')
          expect(dec.meta.size).toBe(metaSize)
        }
      }
    }
  })
})

describe('DatasetStreamDecoder errors', () => {
  it('report offsets in the whole stream', () => {
    // second element has invalid VR bytes (strict mode)
    const bad = new Uint8Array([...head, 0x10, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x00])
    const dec = new DatasetStreamDecoder({ transferSyntaxUid: EVR, lenient: false })
    let err: unknown
    try {
      dec.push(bad)
      dec.end()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(DicomParseError)
    expect((err as DicomParseError).offset).toBe(head.length)
  })
})
