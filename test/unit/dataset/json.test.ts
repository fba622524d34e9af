import { describe, expect, it } from 'vitest'
import { DataElement, Dataset } from '../../../src/dataset/element.js'
import { base64Decode, base64Encode, datasetFromJson, datasetToJson, stringifyDicomJson } from '../../../src/dataset/json.js'
import type { DicomJsonModel } from '../../../src/dataset/json.js'
import { DicomError } from '../../../src/errors.js'

const LE = { littleEndian: true, charset: [] as string[] }
const BE = { littleEndian: false, charset: [] as string[] }
const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)))

describe('base64 (RFC 4648 §10 test vectors)', () => {
  const vectors: [string, string][] = [
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ]
  it.each(vectors)('%j <-> %j', (plain, b64) => {
    expect(base64Encode(ascii(plain))).toBe(b64)
    expect([...base64Decode(b64)]).toEqual([...ascii(plain)])
  })
  it('agrees with Node Buffer on all byte values and across chunk boundaries', () => {
    const big = new Uint8Array(3 * 8192 + 7).map((_, i) => (i * 37 + 11) & 0xff)
    expect(base64Encode(big)).toBe(Buffer.from(big).toString('base64'))
    expect(Buffer.from(base64Decode(Buffer.from(big).toString('base64'))).equals(Buffer.from(big))).toBe(true)
  })
  it('accepts missing padding and whitespace, rejects other characters', () => {
    expect([...base64Decode('Zm8')]).toEqual([...ascii('fo')])
    expect([...base64Decode('Zm9v\nYmFy')]).toEqual([...ascii('foobar')])
    expect(() => base64Decode('Zm9v!')).toThrow(DicomError)
    expect(() => base64Decode('Z')).toThrow(DicomError)
  })
})

describe('datasetToJson (PS3.18 F.2)', () => {
  it('keys are uppercase hex tags in ascending order, group lengths dropped', () => {
    const ds = new Dataset()
    ds.set(0x7fe00010, 'OW', new Uint16Array([1]))
    ds.set(0x00100010, 'PN', ['Doe^John'])
    ds.set(0x00090010, 'LO', ['ACME'])
    ds.set(0x00080000, 'UL', [10])
    ds.set(0x0008000a, 'US', [2])
    const json = datasetToJson(ds)
    expect(Object.keys(json)).toEqual(['0008000A', '00090010', '00100010', '7FE00010'])
    expect(Object.keys(datasetToJson(ds, { includeGroupLength: true }))[0]).toBe('00080000')
  })

  it('encodes each VR family as Table F.2.3-1 says', () => {
    const ds = new Dataset()
    ds.set(0x00080060, 'CS', ['CT'])
    ds.set(0x00080008, 'CS', ['ORIGINAL', '', 'AXIAL'])
    ds.set(0x00180050, 'DS', [2.5])
    ds.set(0x00200013, 'IS', [7, NaN])
    ds.set(0x00280010, 'US', [512])
    ds.set(0x00189219, 'SS', [-3])
    ds.set(0x00186020, 'SL', [-70000])
    ds.set(0x00189305, 'FD', [0.1])
    ds.set(0x00189306, 'FL', [Math.fround(0.1)])
    ds.set(0x00209165, 'AT', [0x00100020, 0x7fe00010])
    ds.set(0x00101010, 'AS', [])
    const json = datasetToJson(ds)
    expect(json).toEqual({
      '00080008': { vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] },
      '00080060': { vr: 'CS', Value: ['CT'] },
      '00101010': { vr: 'AS' },
      '00180050': { vr: 'DS', Value: [2.5] },
      '00186020': { vr: 'SL', Value: [-70000] },
      '00189219': { vr: 'SS', Value: [-3] },
      '00189305': { vr: 'FD', Value: [0.1] },
      '00189306': { vr: 'FL', Value: [0.1] },
      '00200013': { vr: 'IS', Value: [7, null] },
      '00209165': { vr: 'AT', Value: ['00100020', '7FE00010'] },
      '00280010': { vr: 'US', Value: [512] },
    } satisfies DicomJsonModel)
  })

  it('keeps DS/IS text verbatim when it is not a number (F.2.3 allows String)', () => {
    const ds = new Dataset()
    ds.set(DataElement.fromBytes(0x00280008, 'IS', ascii('1A'), LE))
    ds.set(DataElement.fromBytes(0x00180050, 'DS', ascii(' 0.312500\\127.'), LE))
    const json = datasetToJson(ds)
    expect(json['00280008']).toEqual({ vr: 'IS', Value: ['1A'] })
    expect(json['00180050']).toEqual({ vr: 'DS', Value: [0.3125, 127] })
  })

  it('SV/UV are Numbers when safe integers, else Strings (F.2.3 note)', () => {
    const ds = new Dataset()
    ds.set(0x00081161, 'UV', [5n, 2n ** 64n - 1n])
    ds.set(0x00081162, 'SV', [-(2n ** 63n), -42n])
    const json = datasetToJson(ds)
    expect(json['00081161']).toEqual({ vr: 'UV', Value: [5, '18446744073709551615'] })
    expect(json['00081162']).toEqual({ vr: 'SV', Value: ['-9223372036854775808', -42] })
  })

  it('PN values are objects of component groups; empty groups omitted (F.2.2)', () => {
    const ds = new Dataset()
    ds.set(0x00100010, 'PN', ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Wang^XiaoDong=王^小東', '=Ideo', '', '^^^^', 'Doe^^^=^'])
    expect(datasetToJson(ds)['00100010']).toEqual({
      vr: 'PN',
      Value: [
        { Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' },
        { Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' },
        { Ideographic: 'Ideo' },
        null,
        null, // only delimiters: no non-empty component (PS3.5 6.2.1)
        { Alphabetic: 'Doe^^^' },
      ],
    })
  })

  it('binary VRs are InlineBinary of the little-endian bytes (F.2.7)', () => {
    const ds = new Dataset()
    // OW 0x0102, 0x0304 stored big endian: bytes 01 02 03 04 -> little endian 02 01 04 03
    ds.set(DataElement.fromBytes(0x00283006, 'OW', new Uint8Array([1, 2, 3, 4]), BE))
    ds.set(DataElement.fromBytes(0x00420011, 'OB', new Uint8Array([0xfb, 0xff]), BE))
    ds.set(0x00660016, 'OF', new Float32Array([1]))
    ds.set(0x00091001, 'UN', new Uint8Array([]))
    const json = datasetToJson(ds)
    expect(json['00283006']).toEqual({ vr: 'OW', InlineBinary: 'AgEEAw==' })
    expect(json['00420011']).toEqual({ vr: 'OB', InlineBinary: '+/8=' })
    expect(json['00660016']).toEqual({ vr: 'OF', InlineBinary: 'AACAPw==' }) // 1.0f = 00 00 80 3F
    expect(json['00091001']).toEqual({ vr: 'UN' })
  })

  it('keeps odd-length raw bytes exactly', () => {
    const ds = new Dataset()
    ds.set(DataElement.fromBytes(0x7fe00010, 'OW', new Uint8Array([1, 2, 3]), LE))
    expect(datasetToJson(ds)['7FE00010']).toEqual({ vr: 'OW', InlineBinary: 'AQID' })
  })

  it('encapsulated pixel data is InlineBinary of its items (PS3.5 A.4)', () => {
    const ds = new Dataset()
    ds.set(0x7fe00010, 'OB', { offsetTable: new Uint8Array(0), fragments: [new Uint8Array([0xff, 0xd8]), new Uint8Array([0xff, 0xd9])] })
    const expected = new Uint8Array([
      0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0,
      0xfe, 0xff, 0x00, 0xe0, 2, 0, 0, 0, 0xff, 0xd8,
      0xfe, 0xff, 0x00, 0xe0, 2, 0, 0, 0, 0xff, 0xd9,
    ])
    const json = datasetToJson(ds)
    expect(json['7FE00010']).toEqual({ vr: 'OB', InlineBinary: Buffer.from(expected).toString('base64') })
    const back = datasetFromJson(json).get(0x7fe00010)!.value
    expect(back).toEqual({ offsetTable: new Uint8Array(0), fragments: [new Uint8Array([0xff, 0xd8]), new Uint8Array([0xff, 0xd9])] })
    // native pixel data is not mistaken for items
    const native = datasetFromJson({ '7FE00010': { vr: 'OB', InlineBinary: 'AQID' } }).get(0x7fe00010)!
    expect([...(native.value as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('sequences: items are objects, empty items {}, empty sequence has no Value', () => {
    const item = new Dataset()
    item.set(0x00081150, 'UI', ['1.2.840.10008.5.1.4.1.1.2'])
    const ds = new Dataset()
    ds.set(0x00081140, 'SQ', [item, new Dataset()])
    ds.set(0x00081115, 'SQ', [])
    expect(datasetToJson(ds)).toEqual({
      '00081115': { vr: 'SQ' },
      '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] } }, {}] },
    })
  })

  it('bulkDataUri hook replaces values and gets the path', () => {
    const item = new Dataset()
    item.set(0x00283006, 'OW', new Uint16Array(4))
    const ds = new Dataset()
    ds.set(0x00283010, 'SQ', [item])
    ds.set(0x00100010, 'PN', ['X'])
    const paths: string[] = []
    const json = datasetToJson(ds, {
      bulkDataUri: (el, path) => {
        paths.push(path)
        return el.vr === 'OW' ? `http://x/${path}` : undefined
      },
    })
    expect(paths).toEqual(['00283010[0].00283006'])
    expect(json['00283010']!.Value![0]).toEqual({ '00283006': { vr: 'OW', BulkDataURI: 'http://x/00283010[0].00283006' } })
  })
})

describe('datasetFromJson', () => {
  // The example of PS3.18 F.4 (abridged)
  const example: DicomJsonModel = {
    '0020000D': { vr: 'UI', Value: ['1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }] },
    '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
    '00200013': { vr: 'IS', Value: [1] },
    '00280010': { vr: 'US', Value: [512] },
    '00091002': { vr: 'UN', InlineBinary: 'z0x9c8v7' },
    '0040A730': { vr: 'SQ', Value: [{ '0040A160': { vr: 'UT', Value: ['text'] } }] },
  }
  it('reads the values back', () => {
    const ds = datasetFromJson(example)
    expect(ds.string(0x0020000d)).toBe('1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873')
    expect(ds.strings(0x00100010)).toEqual(['Wang^XiaoDong=王^小東'])
    expect(ds.number(0x00200013)).toBe(1)
    expect(ds.number(0x00280010)).toBe(512)
    expect([...(ds.get(0x00091002)!.value as Uint8Array)]).toEqual([0xcf, 0x4c, 0x7d, 0x73, 0xcb, 0xfb])
    expect(ds.items(0x0040a730)[0]!.string(0x0040a160)).toBe('text')
    expect(ds.context.charset).toEqual(['ISO_IR 192'])
    expect(ds.elements().map((e) => e.tag)).toEqual([0x00080005, 0x00091002, 0x00100010, 0x0020000d, 0x00200013, 0x00280010, 0x0040a730])
  })
  it('is the inverse of datasetToJson on the example', () => {
    expect(datasetToJson(datasetFromJson(example))).toEqual(Object.fromEntries(Object.entries(example).sort(([a], [b]) => (a < b ? -1 : 1))))
  })
  it('resolves BulkDataURI through the hook, else leaves the element out', () => {
    const json: DicomJsonModel = { '7FE00010': { vr: 'OW', BulkDataURI: 'http://x/px' } }
    expect(datasetFromJson(json).has(0x7fe00010)).toBe(false)
    const ds = datasetFromJson(json, { bulkData: (uri) => (uri === 'http://x/px' ? new Uint8Array([1, 0, 2, 0]) : undefined) })
    expect([...(ds.get(0x7fe00010)!.value as Uint16Array)]).toEqual([1, 2])
  })
  it('rejects malformed JSON with ERR_DATASET_VALUE and the path', () => {
    const cases: unknown[] = [
      { '0010001': { vr: 'PN' } },
      { '00100010': { vr: 'XX' } },
      { '00100010': 'Doe' },
      { '00280010': { vr: 'US', Value: ['512'] } },
      { '00209165': { vr: 'AT', Value: ['0010'] } },
      { '7FE00010': { vr: 'OW', Value: [1] } },
      { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A', Nickname: 'B' }] } },
      { '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [3] } }] } },
      { '00100010': { vr: 'PN', Value: ['x'], InlineBinary: 'AA==' } },
    ]
    for (const c of cases) {
      let err: unknown
      try {
        datasetFromJson(c as DicomJsonModel)
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(c)).toBeInstanceOf(DicomError)
      expect((err as DicomError).code).toBe('ERR_DATASET_VALUE')
    }
    expect(() => datasetFromJson({ '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [3] } }] } } as unknown as DicomJsonModel)).toThrow(
      /00081140\[0\]\.00081150\[0\]/,
    )
  })
  it('accepts non-finite FL/FD as strings and 64-bit integers as strings', () => {
    const ds = datasetFromJson({
      '00189306': { vr: 'FL', Value: ['NaN', 'Infinity'] },
      '00081161': { vr: 'UV', Value: ['18446744073709551615', 3] },
    })
    expect(ds.get(0x00189306)!.value).toEqual([NaN, Infinity])
    expect(ds.get(0x00081161)!.value).toEqual([2n ** 64n - 1n, 3n])
  })
})

describe('stringifyDicomJson', () => {
  const model: DicomJsonModel = {
    '20500020': { vr: 'CS', Value: ['IDENTITY'] },
    '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
    '00100010': { vr: 'PN', Value: [{ Phonetic: 'p', Alphabetic: 'Doe^John' }, null] },
    '00081140': { vr: 'SQ', Value: [{ '30060010': { vr: 'UI', Value: ['1.2'] }, '00081150': { vr: 'UI', Value: ['1.3'] } }, {}] },
    '7FE00010': { InlineBinary: 'AQID', vr: 'OB' },
    '00091001': { vr: 'UN' },
  }
  it('writes attributes in ascending tag order at every level (F.2.2), even all-digit keys', () => {
    // JavaScript puts index-like keys first; the text must not
    expect(Object.keys(model)[0]).toBe('20500020')
    const text = stringifyDicomJson(model)
    const keys = [...text.matchAll(/"([0-9A-F]{8})":/g)].map((m) => m[1])
    expect(keys).toEqual(['00080005', '00081140', '00081150', '30060010', '00091001', '00100010', '20500020', '7FE00010'])
    expect(text.indexOf('"vr":"OB"')).toBeLessThan(text.indexOf('"InlineBinary"'))
    expect(text.indexOf('"Alphabetic"')).toBeLessThan(text.indexOf('"Phonetic"'))
  })
  it('is the same JSON as JSON.stringify, with the same indentation', () => {
    for (const space of [0, 2, 4]) {
      const text = stringifyDicomJson(model, space)
      expect(JSON.parse(text)).toEqual(model)
      const plain: DicomJsonModel = {
        '00080005': model['00080005']!,
        '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.3'] }, '00081155': { vr: 'UI', Value: ['1.4'] } }, {}] },
        '00091001': model['00091001']!,
        '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A', Ideographic: 'I' }, null] },
      }
      // same text as JSON.stringify where JavaScript's own key order is already the F.2.2 order
      expect(stringifyDicomJson(plain, space)).toBe(JSON.stringify(plain, null, space))
    }
  })
})
