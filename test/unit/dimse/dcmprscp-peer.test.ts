// Real-peer check of the DIMSE-N messages: DCMTK's print SCP (dcmprscp) answers our N-GET,
// N-CREATE and N-DELETE requests, and we decode its responses. Driven by the test-only Upper
// Layer client in ul-client.ts; skips (with a note) when dcmprscp or its sample config is absent.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CommandField, PdvAssembler, Status, encodeCommand, fragmentMessage, nCreateRq, nDeleteRq, nGetRq,
} from '../../../src/dimse/index.js'
import type { AssembledMessage, DimseMessage } from '../../../src/dimse/index.js'
import { TestPeer, associateRq, pDataTf, parseAc } from './ul-client.js'
import { dcmprscpAvailable, startDcmprscp } from '../../helpers/process.js'

const have = dcmprscpAvailable('dcmprscp-peer')

const IMPLICIT_LE = '1.2.840.10008.1.2'
const GRAYSCALE_PRINT_META = '1.2.840.10008.5.1.1.9' // PS3.4 H.3.1
const PRINTER_CLASS = '1.2.840.10008.5.1.1.16'
const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17' // well-known Printer SOP Instance (PS3.4 H.4.6)
const FILM_SESSION_CLASS = '1.2.840.10008.5.1.1.1'

/** The tags of an Implicit VR LE command set, read here without the decoder under test. */
function elementTags(b: Uint8Array): string[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const out: string[] = []
  for (let p = 0; p + 8 <= b.length; p += 8 + dv.getUint32(p + 4, true)) {
    out.push(`${dv.getUint16(p, true).toString(16).padStart(4, '0')},${dv.getUint16(p + 2, true).toString(16).padStart(4, '0')}`)
  }
  return out
}

describe.skipIf(!have)('DIMSE-N messages against DCMTK dcmprscp', () => {
  let proc: ChildProcess | undefined
  let port = 0
  let dir = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-dcmprscp-'))
    const started = await startDcmprscp(dir)
    proc = started.proc
    port = started.port
    expect(started.cfg).toContain(`Port = ${port}`)
  })

  afterAll(() => {
    proc?.kill()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('answers N-GET (printer), N-CREATE and N-DELETE (film session)', async () => {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    await new Promise<void>((r, j) => { socket.once('connect', () => r()); socket.once('error', j) })
    const peer = new TestPeer(socket)
    socket.write(associateRq([{ id: 1, abstract: GRAYSCALE_PRINT_META, ts: IMPLICIT_LE }], 32768, 'IHEFULL'))
    const ac = await peer.pdu()
    expect(ac.type).toBe(0x02)
    const { accepted, maxPdu } = parseAc(ac.body)
    expect(accepted.get(1)).toBe(IMPLICIT_LE)
    const got: AssembledMessage[] = []
    const assembler = new PdvAssembler({ onMessage: (m) => got.push(m) })
    const exchange = async (msg: DimseMessage): Promise<AssembledMessage> => {
      for (const pdu of fragmentMessage(1, encodeCommand(msg), undefined, maxPdu)) socket.write(pDataTf(pdu))
      return peer.message(assembler, got)
    }

    const printer = await exchange(nGetRq({ messageId: 1, requestedSopClassUid: PRINTER_CLASS, requestedSopInstanceUid: PRINTER_INSTANCE }))
    // DCMTK leaves out the optional Affected SOP Class/Instance UIDs of the response
    expect(printer.command).toStrictEqual({
      commandField: CommandField.NGetRsp, messageIdBeingRespondedTo: 1, status: Status.Success, hasDataset: true,
    })
    expect(elementTags(printer.commandBytes)).toEqual(['0000,0000', '0000,0100', '0000,0120', '0000,0800', '0000,0900'])
    expect(printer.dataset!.length).toBeGreaterThan(0) // the printer's attributes (Printer Status ...)

    const created = await exchange(nCreateRq({ messageId: 2, affectedSopClassUid: FILM_SESSION_CLASS, hasDataset: false }))
    expect(created.command).toMatchObject({ commandField: CommandField.NCreateRsp, messageIdBeingRespondedTo: 2, status: Status.Success })
    const sessionUid = (created.command as { affectedSopInstanceUid?: string }).affectedSopInstanceUid
    expect(sessionUid).toMatch(/^[0-9.]+$/) // the SCP assigned the instance UID

    const deleted = await exchange(nDeleteRq({ messageId: 3, requestedSopClassUid: FILM_SESSION_CLASS, requestedSopInstanceUid: sessionUid! }))
    expect(deleted.command).toMatchObject({ commandField: CommandField.NDeleteRsp, messageIdBeingRespondedTo: 3, status: Status.Success })

    // deleting it again: the SCP answers with a failure status, not an abort
    const again = await exchange(nDeleteRq({ messageId: 4, requestedSopClassUid: FILM_SESSION_CLASS, requestedSopInstanceUid: sessionUid! }))
    expect(again.command.commandField).toBe(CommandField.NDeleteRsp)
    expect((again.command as { status: number }).status).not.toBe(Status.Success)

    socket.write(new Uint8Array([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]))
    expect((await peer.pdu()).type).toBe(0x06)
    socket.destroy()
  })
})
