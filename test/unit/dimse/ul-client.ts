// Test-only DICOM Upper Layer client, written from PS3.8 §9.3 (A-ASSOCIATE-RQ/AC, P-DATA-TF,
// A-RELEASE): just enough to drive a real peer with src/dimse alone.
import net from 'node:net'
import type { AssembledMessage, PdvAssembler } from '../../../src/dimse/index.js'
import type { PDataTfPdu } from '../../../src/pdu/types.js'

const be16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff]
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))
const item = (type: number, body: number[]): number[] => [type, 0, ...be16(body.length), ...body]
const aet = (s: string): number[] => ascii(s.padEnd(16, ' '))

export function associateRq(contexts: Array<{ id: number; abstract: string; ts: string }>, maxPdu: number, calledAe = 'STORESCP'): Uint8Array {
  const body = [
    ...be16(1), 0, 0, ...aet(calledAe), ...aet('DIMSETEST'), ...new Array<number>(32).fill(0),
    ...item(0x10, ascii('1.2.840.10008.3.1.1.1')),
    ...contexts.flatMap((c) => item(0x20, [c.id, 0, 0, 0, ...item(0x30, ascii(c.abstract)), ...item(0x40, ascii(c.ts))])),
    ...item(0x50, [...item(0x51, be32(maxPdu)), ...item(0x52, ascii('1.2.3.4'))]),
  ]
  return new Uint8Array([0x01, 0, ...be32(body.length), ...body])
}

export function pDataTf(pdu: PDataTfPdu): Uint8Array {
  const len = pdu.pdvs.reduce((n, p) => n + 6 + p.data.length, 0)
  const out = new Uint8Array(6 + len)
  const dv = new DataView(out.buffer)
  out[0] = 0x04
  dv.setUint32(2, len)
  let o = 6
  for (const p of pdu.pdvs) {
    dv.setUint32(o, 2 + p.data.length)
    out[o + 4] = p.contextId
    out[o + 5] = (p.isCommand ? 1 : 0) | (p.isLast ? 2 : 0)
    out.set(p.data, o + 6)
    o += 6 + p.data.length
  }
  return out
}

/** A socket plus a PDU reader. */
export class TestPeer {
  #buf = Buffer.alloc(0)
  #waiters: Array<() => void> = []
  #closed = false
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d])
      this.#wake()
    })
    socket.on('close', () => {
      this.#closed = true
      this.#wake()
    })
  }
  #wake(): void {
    for (const w of this.#waiters.splice(0)) w()
  }
  async pdu(): Promise<{ type: number; body: Buffer }> {
    for (;;) {
      if (this.#buf.length >= 6) {
        const len = this.#buf.readUInt32BE(2)
        if (this.#buf.length >= 6 + len) {
          const pdu = { type: this.#buf[0]!, body: this.#buf.subarray(6, 6 + len) }
          this.#buf = this.#buf.subarray(6 + len)
          return pdu
        }
      }
      if (this.#closed) throw new Error('connection closed')
      await new Promise<void>((r) => this.#waiters.push(r))
    }
  }
  /** Read P-DATA-TF PDUs into the assembler until it has produced a message. */
  async message(assembler: PdvAssembler, got: AssembledMessage[]): Promise<AssembledMessage> {
    const before = got.length
    while (got.length === before) {
      const { type, body } = await this.pdu()
      if (type !== 0x04) throw new Error(`expected P-DATA-TF, got PDU type ${type}`)
      for (let p = 0; p < body.length;) {
        const len = body.readUInt32BE(p)
        const mch = body[p + 5]!
        assembler.push({ contextId: body[p + 4]!, isCommand: (mch & 1) === 1, isLast: (mch & 2) === 2, data: body.subarray(p + 6, p + 4 + len) })
        p += 4 + len
      }
    }
    return got[before]!
  }
}

/** Accepted context ids and the peer's Maximum Length Received, from an A-ASSOCIATE-AC body. */
export function parseAc(body: Buffer): { accepted: Map<number, string>; maxPdu: number } {
  const accepted = new Map<number, string>()
  let maxPdu = 0
  for (let p = 68; p + 4 <= body.length;) {
    const type = body[p]!
    const len = body.readUInt16BE(p + 2)
    const v = body.subarray(p + 4, p + 4 + len)
    if (type === 0x21 && v[2] === 0) accepted.set(v[0]!, v.subarray(8, 8 + v.readUInt16BE(6)).toString('latin1'))
    if (type === 0x50) {
      for (let q = 0; q + 4 <= v.length;) {
        const sl = v.readUInt16BE(q + 2)
        if (v[q] === 0x51) maxPdu = v.readUInt32BE(q + 4)
        q += 4 + sl
      }
    }
    p += 4 + len
  }
  return { accepted, maxPdu }
}
