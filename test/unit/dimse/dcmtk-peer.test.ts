// Real-peer check of the DIMSE layer: our command sets and PDV fragmentation against DCMTK's
// storescp. The association is driven by a minimal test-only Upper Layer client written here from
// PS3.8 §9.3 (A-ASSOCIATE-RQ/AC, P-DATA-TF, A-RELEASE), so this test depends on nothing but
// src/dimse. Skips (with a note) when DCMTK or the corpus is missing.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CommandField, MessageIdAllocator, PdvAssembler, cEchoRq, cStoreRq, encodeCommand, fragmentDatasetStream, fragmentMessage,
  isSuccess,
} from '../../../src/dimse/index.js'
import type { AssembledMessage } from '../../../src/dimse/index.js'
import { TestPeer, associateRq, pDataTf, parseAc } from './ul-client.js'
import { CORPUS_DIR } from '../../helpers/corpus.js'
import { freePort, peersAvailable, startServer } from '../../helpers/process.js'

const CORPUS = `${CORPUS_DIR}/files`
const haveDcmtk = peersAvailable('dcmtk-peer', [['storescp', '--version']], { skipped: 'the DCMTK checks' })
const haveCorpus = existsSync(CORPUS)
if (!haveCorpus) console.warn('dcmtk-peer.test: corpus absent, skipping the C-STORE checks')

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'

/** The dataset after a Part 10 header, with the meta information we need (PS3.10 §7.1). */
function readPart10(path: string): { dataset: Uint8Array; sopClass: string; sopInstance: string; ts: string } {
  const f = readFileSync(path)
  if (f.toString('latin1', 128, 132) !== 'DICM') throw new Error('not Part 10')
  const meta: Record<number, string> = {}
  let p = 132
  let end = Infinity
  while (p < end) {
    const tag = (f.readUInt16LE(p) << 16) | f.readUInt16LE(p + 2)
    if (tag >>> 16 !== 0x0002) break
    const vr = f.toString('latin1', p + 4, p + 6)
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr)
    const len = long ? f.readUInt32LE(p + 8) : f.readUInt16LE(p + 6)
    const v = p + (long ? 12 : 8)
    if (tag === 0x00020000) end = v + 4 + f.readUInt32LE(v)
    meta[tag] = f.toString('latin1', v, v + len).replace(/[\0 ]+$/, '')
    p = v + len
  }
  return { dataset: new Uint8Array(f.buffer, f.byteOffset + p, f.length - p), sopClass: meta[0x00020002]!, sopInstance: meta[0x00020003]!, ts: meta[0x00020010]! }
}

describe.skipIf(!haveDcmtk)('DIMSE messages against DCMTK storescp', () => {
  let proc: ChildProcess | undefined
  let port = 0
  let dir = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-storescp-'))
    port = await freePort()
    const debug = process.env.DIMSE_DEBUG !== undefined
    proc = await startServer('storescp', [...(debug ? ['-d'] : []), '-aet', 'STORESCP', '+B', '-od', dir, '-pdu', '16384', String(port)], port, {
      stdio: debug ? ['ignore', 'inherit', 'inherit'] : 'ignore',
    })
  })

  afterAll(() => {
    proc?.kill()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  async function associate(contexts: Array<{ id: number; abstract: string; ts: string }>) {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    await new Promise<void>((r, j) => { socket.once('connect', () => r()); socket.once('error', j) })
    const peer = new TestPeer(socket)
    socket.write(associateRq(contexts, 32768))
    const ac = await peer.pdu()
    expect(ac.type).toBe(0x02)
    const got: AssembledMessage[] = []
    const assembler = new PdvAssembler({ onMessage: (m) => got.push(m) })
    const send = (command: Uint8Array, dataset: Uint8Array | undefined, contextId: number, maxPdu: number): void => {
      socket.cork()
      for (const pdu of fragmentMessage(contextId, command, dataset, maxPdu)) socket.write(pDataTf(pdu))
      socket.uncork()
    }
    const release = async (): Promise<void> => {
      socket.write(new Uint8Array([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]))
      expect((await peer.pdu()).type).toBe(0x06)
      socket.destroy()
    }
    return { peer, ac: parseAc(ac.body), assembler, got, send, release }
  }

  // DCMTK 3.6.7 aborts ("DIMSE_parseCmdObject: Missing CommandField") on command sets cut at odd
  // offsets, which the standard allows; dimse keeps fragments even, so odd maxima work here too.
  it('answers C-ECHO-RQs sent at the peer maximum and in command fragments down to 2 bytes', async () => {
    const a = await associate([{ id: 1, abstract: VERIFICATION, ts: IMPLICIT_LE }])
    expect(a.ac.accepted.get(1)).toBe(IMPLICIT_LE)
    expect(a.ac.maxPdu).toBe(16384)
    const ids = new MessageIdAllocator(65535)
    for (const max of [a.ac.maxPdu, 100, 21, 13, 8]) {
      const messageId = ids.next()
      a.send(encodeCommand(cEchoRq({ messageId })), undefined, 1, max)
      const rsp = await a.peer.message(a.assembler, a.got)
      expect(rsp.contextId).toBe(1)
      expect(rsp.command).toStrictEqual({ commandField: CommandField.CEchoRsp, hasDataset: false, affectedSopClassUid: VERIFICATION, messageIdBeingRespondedTo: messageId, status: 0 })
    }
    // DCMTK, like decodeCommand, does not rely on the Command Group Length value
    const wrong = encodeCommand(cEchoRq({ messageId: 4242 }))
    new DataView(wrong.buffer).setUint32(8, 9999, true)
    a.send(wrong, undefined, 1, a.ac.maxPdu)
    const rsp = await a.peer.message(a.assembler, a.got)
    expect(rsp.command).toMatchObject({ commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: 4242, status: 0 })
    await a.release()
  })

  it.skipIf(!haveCorpus)('stores instances fragmented to the peer maximum and to small PDUs, byte for byte', async () => {
    const files = ['dcmjs-dimse__sr.dcm', 'fo-dicom__CT-MONO2-16-ankle.dcm', 'pydicom__CT_small.dcm'].map((f) => readPart10(join(CORPUS, f)))
    const contexts = files.map((f, i) => ({ id: 2 * i + 1, abstract: f.sopClass, ts: f.ts }))
    const a = await associate(contexts)
    const ids = new MessageIdAllocator()
    for (const [i, f] of files.entries()) {
      expect(a.ac.accepted.get(2 * i + 1)).toBe(f.ts)
      // At the peer's own maximum, each full P-DATA-TF has a length field of exactly maxPdu
      // (fragments of maxPdu - 6 bytes): storescp accepting them confirms the PS3.8 D.1 reading
      // (DCMTK itself is more conservative: it logs "Max Send PDV: 32756" for a peer max of 32768).
      for (const max of [a.ac.maxPdu, 1000, 77]) {
        const messageId = ids.next()
        const rq = cStoreRq({ messageId, affectedSopClassUid: f.sopClass, affectedSopInstanceUid: f.sopInstance })
        a.send(encodeCommand(rq), f.dataset, 2 * i + 1, max)
        const rsp = await a.peer.message(a.assembler, a.got)
        expect(rsp.command).toMatchObject({ commandField: CommandField.CStoreRsp, messageIdBeingRespondedTo: messageId, affectedSopInstanceUid: f.sopInstance })
        expect(isSuccess((rsp.command as { status: number }).status)).toBe(true)
      }
    }
    // the same instances streamed in odd-sized chunks (fragments cut at odd offsets of the dataset)
    for (const [i, f] of files.entries()) {
      const messageId = ids.next()
      const rq = cStoreRq({ messageId, affectedSopClassUid: f.sopClass, affectedSopInstanceUid: f.sopInstance })
      const chunks: Uint8Array[] = []
      for (let off = 0; off < f.dataset.length; off += 333) chunks.push(f.dataset.subarray(off, off + 333))
      for (const pdu of fragmentMessage(2 * i + 1, encodeCommand(rq), undefined, a.ac.maxPdu)) a.peer.socket.write(pDataTf(pdu))
      for await (const pdu of fragmentDatasetStream(2 * i + 1, chunks, 1000)) a.peer.socket.write(pDataTf(pdu))
      const rsp = await a.peer.message(a.assembler, a.got)
      expect(rsp.command).toMatchObject({ commandField: CommandField.CStoreRsp, messageIdBeingRespondedTo: messageId, status: 0 })
    }
    await a.release()
    // storescp in bit-preserving mode (+B) wrote the received dataset bytes as they came (last copy
    // wins): they must equal what we sent
    const stored = readdirSync(dir)
    for (const f of files) {
      const name = stored.find((s) => s.endsWith(f.sopInstance))
      expect(name, `stored file for ${f.sopInstance}`).toBeDefined()
      const back = readPart10(join(dir, name!))
      expect(back.ts).toBe(f.ts)
      expect(Buffer.from(back.dataset).equals(Buffer.from(f.dataset))).toBe(true)
    }
  })
})
