/**
 * A request the SCP cannot decode but can identify (Command Field and Message ID readable) is
 * answered with a failure status instead of an A-ABORT: 0x0211 Unrecognized Operation for an
 * unknown Command Field, 0x0212 Mistyped Argument for a known request with a missing required
 * field. The association goes on (a following C-ECHO is answered). A test-only Upper Layer
 * client sends hand-built command sets; responses are read with a test-only element parser.
 */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Server } from '../../src/services/index.js'
import { associateRq, pDataTf, parseAc, TestPeer } from '../unit/dimse/ul-client.js'
import { commandSet, el, ui, us } from '../unit/dimse/helpers.js'

const VERIFICATION = '1.2.840.10008.1.1'
const CT = '1.2.840.10008.5.1.4.1.1.2'
const IMPLICIT = '1.2.840.10008.1.2'

/** Command elements (implicit VR LE, group 0000) by element number: US values and raw text. */
function parseCommand(bytes: Uint8Array): Map<number, { us?: number; text: string }> {
  const out = new Map<number, { us?: number; text: string }>()
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let p = 0; p + 8 <= bytes.length;) {
    const element = dv.getUint16(p + 2, true)
    const len = dv.getUint32(p + 4, true)
    const v = bytes.subarray(p + 8, p + 8 + len)
    out.set(element, { ...(len === 2 ? { us: dv.getUint16(p + 8, true) } : {}), text: new TextDecoder().decode(v).trim() })
    p += 8 + len
  }
  return out
}

/** Read P-DATA-TF PDUs until one command set is complete; returns its bytes. */
async function readCommand(peer: TestPeer): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for (;;) {
    const { type, body } = await peer.pdu()
    if (type !== 0x04) throw new Error(`expected P-DATA-TF, got PDU type 0x${type.toString(16)}`)
    for (let p = 0; p < body.length;) {
      const len = body.readUInt32BE(p)
      const mch = body[p + 5]!
      if (mch & 1) parts.push(body.subarray(p + 6, p + 4 + len))
      if ((mch & 3) === 3) return new Uint8Array(Buffer.concat(parts))
      p += 4 + len
    }
  }
}

describe('SCP answers undecodable but identifiable requests', () => {
  let server: Server
  let port: number
  const errors: Error[] = []
  beforeAll(async () => {
    server = new Server({ aeTitle: 'UNDEC', handlers: { store: () => 0 } })
    server.on('error', (e) => errors.push(e))
    await server.listen(0, '127.0.0.1')
    port = server.address().port
  })
  afterAll(async () => {
    await server.close({ abort: true })
  })

  async function connect(): Promise<TestPeer> {
    const socket = net.connect(port, '127.0.0.1')
    await new Promise<void>((r) => socket.once('connect', () => r()))
    const peer = new TestPeer(socket)
    socket.write(associateRq([{ id: 1, abstract: VERIFICATION, ts: IMPLICIT }, { id: 3, abstract: CT, ts: IMPLICIT }], 16384, 'UNDEC'))
    const ac = await peer.pdu()
    expect(ac.type).toBe(0x02)
    expect(parseAc(ac.body).accepted.get(1)).toBe(IMPLICIT)
    return peer
  }

  const echo = (id: number): Uint8Array =>
    pDataTf({ type: 0x04, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: commandSet(el(0x00000002, ui(VERIFICATION)), el(0x00000100, us(0x0030)), el(0x00000110, us(id)), el(0x00000800, us(0x0101))) }] } as never)

  it('unknown Command Field → 0x0211 on the same context, response field = request | 0x8000; then C-ECHO works', async () => {
    const peer = await connect()
    const unknown = commandSet(el(0x00000002, ui(VERIFICATION)), el(0x00000100, us(0x0055)), el(0x00000110, us(7)), el(0x00000800, us(0x0101)))
    peer.socket.write(pDataTf({ type: 0x04, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: unknown }] } as never))
    const rsp = parseCommand(await readCommand(peer))
    expect(rsp.get(0x0100)?.us).toBe(0x8055)
    expect(rsp.get(0x0120)?.us).toBe(7)
    expect(rsp.get(0x0800)?.us).toBe(0x0101)
    expect(rsp.get(0x0900)?.us).toBe(0x0211)
    expect(rsp.get(0x0902)?.text).toMatch(/unknown command field/)
    // Group length matches the bytes that follow it.
    peer.socket.write(echo(8))
    const e = parseCommand(await readCommand(peer))
    expect(e.get(0x0100)?.us).toBe(0x8030)
    expect(e.get(0x0120)?.us).toBe(8)
    expect(e.get(0x0900)?.us).toBe(0)
    peer.socket.destroy()
  })

  it('C-STORE-RQ without Affected SOP Instance UID, with a dataset → 0x0212; its dataset is skipped; then C-ECHO works', async () => {
    const peer = await connect()
    const bad = commandSet(el(0x00000002, ui(CT)), el(0x00000100, us(0x0001)), el(0x00000110, us(21)), el(0x00000700, us(0)), el(0x00000800, us(0x0000)))
    peer.socket.write(pDataTf({
      type: 0x04,
      pdvs: [
        { contextId: 3, isCommand: true, isLast: true, data: bad },
        { contextId: 3, isCommand: false, isLast: false, data: new Uint8Array(64) },
        { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(32) },
      ],
    } as never))
    const rsp = parseCommand(await readCommand(peer))
    expect(rsp.get(0x0100)?.us).toBe(0x8001)
    expect(rsp.get(0x0120)?.us).toBe(21)
    expect(rsp.get(0x0900)?.us).toBe(0x0212)
    peer.socket.write(echo(22))
    const e = parseCommand(await readCommand(peer))
    expect(e.get(0x0120)?.us).toBe(22)
    expect(e.get(0x0900)?.us).toBe(0)
    peer.socket.destroy()
  })

  it('a command set without a Message ID cannot be answered: A-ABORT', async () => {
    const peer = await connect()
    const bad = commandSet(el(0x00000002, ui(VERIFICATION)), el(0x00000100, us(0x0055)), el(0x00000800, us(0x0101)))
    peer.socket.write(pDataTf({ type: 0x04, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: bad }] } as never))
    const pdu = await peer.pdu()
    expect(pdu.type).toBe(0x07)
    peer.socket.destroy()
  })
})
