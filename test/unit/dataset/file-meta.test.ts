/**
 * encodeFileMetaHeader (PS3.10 §7.1): the header bytes against a test-only builder of the
 * explicit VR little endian layout, and header + dataset read back as a file by us and by DCMTK.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Dataset } from '../../../src/dataset/element.js'
import { encodeFileMetaHeader } from '../../../src/dataset/file-meta.js'
import { decodeFile } from '../../../src/dataset/part10.js'
import { encodeDataset } from '../../../src/dataset/encode.js'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../../src/version.js'

/** One explicit VR little endian element (PS3.5 §7.1.2), value padded to even length with `pad`. */
function el(group: number, elem: number, vr: string, value: number[] | string, pad = 0x20): number[] {
  const v = typeof value === 'string' ? [...value].map((c) => c.charCodeAt(0)) : [...value]
  if (v.length % 2) v.push(pad)
  const out = [group & 0xff, group >> 8, elem & 0xff, elem >> 8, vr.charCodeAt(0), vr.charCodeAt(1)]
  if (vr === 'OB') out.push(0, 0, v.length & 0xff, (v.length >> 8) & 0xff, (v.length >> 16) & 0xff, v.length >>> 24)
  else out.push(v.length & 0xff, v.length >> 8)
  return [...out, ...v]
}

function expectedHeader(sopClass: string, sopInstance: string, ts: string, aet?: string): Uint8Array {
  const group = [
    ...el(2, 0x0001, 'OB', [0, 1]),
    ...el(2, 0x0002, 'UI', sopClass, 0),
    ...el(2, 0x0003, 'UI', sopInstance, 0),
    ...el(2, 0x0010, 'UI', ts, 0),
    ...el(2, 0x0012, 'UI', IMPLEMENTATION_CLASS_UID, 0),
    ...el(2, 0x0013, 'SH', IMPLEMENTATION_VERSION_NAME),
    ...(aet === undefined ? [] : el(2, 0x0016, 'AE', aet)),
  ]
  const n = group.length
  return new Uint8Array([...new Array<number>(128).fill(0), 0x44, 0x49, 0x43, 0x4d, ...el(2, 0, 'UL', [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]), ...group])
}

const CT = '1.2.840.10008.5.1.4.1.1.2'
const INSTANCE = '1.2.3.4.5.6.7'

describe('encodeFileMetaHeader', () => {
  it('writes preamble, DICM, (0002,0000) and the meta group as PS3.10 §7.1 lays them out', () => {
    const h = encodeFileMetaHeader({ sopClassUid: CT, sopInstanceUid: INSTANCE, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian })
    expect(h).toEqual(expectedHeader(CT, INSTANCE, TransferSyntax.ImplicitVRLittleEndian))
  })

  it('adds (0002,0016) Source AE Title when given', () => {
    const h = encodeFileMetaHeader({ sopClassUid: CT, sopInstanceUid: INSTANCE, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, sourceAeTitle: 'STORESCU' })
    expect(h).toEqual(expectedHeader(CT, INSTANCE, TransferSyntax.ExplicitVRLittleEndian, 'STORESCU'))
  })

  it('followed by the dataset bytes, is a file that we and DCMTK read', () => {
    const ds = new Dataset()
    ds.set(0x00080016, 'UI', [CT])
    ds.set(0x00080018, 'UI', [INSTANCE])
    ds.set(0x00100010, 'PN', ['Doe^Jane'])
    const ts = TransferSyntax.ImplicitVRLittleEndian
    const header = encodeFileMetaHeader({ sopClassUid: CT, sopInstanceUid: INSTANCE, transferSyntaxUid: ts, sourceAeTitle: 'ME' })
    const body = encodeDataset(ds, ts)
    const file = new Uint8Array(header.length + body.length)
    file.set(header)
    file.set(body, header.length)
    const f = decodeFile(file)
    expect(f.warnings).toEqual([])
    expect(f.transferSyntaxUid).toBe(ts)
    expect(f.meta.string(0x00020016)).toBe('ME')
    expect(f.dataset.string(0x00100010)).toBe('Doe^Jane')

    let dump: string
    try {
      execFileSync('dcmdump', ['--version'], { stdio: 'ignore' })
    } catch {
      console.log('dcmdump not found: DCMTK check skipped')
      return
    }
    const dir = mkdtempSync(join(tmpdir(), 'file-meta-'))
    try {
      writeFileSync(join(dir, 'x.dcm'), file)
      dump = execFileSync('dcmdump', ['-q', join(dir, 'x.dcm')], { encoding: 'utf8' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(dump).toMatch(/\(0002,0000\) UL \d+/)
    expect(dump).toContain(`(0002,0010) UI =LittleEndianImplicit`)
    expect(dump).toContain('(0002,0016) AE [ME]')
    expect(dump).toContain('(0010,0010) PN [Doe^Jane]')
  })
})
