/**
 * DIMSE-N over loopback TCP: the Server's generic `nService` handler against the client's
 * N-CREATE / N-SET / N-GET / N-DELETE / N-ACTION, and an N-EVENT-REPORT from the SCP to the
 * SCU on the same association (Storage Commitment, push model, PS3.4 Annex J). The client API
 * also against DCMTK's print SCP (dcmprscp).
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Server, type ClientAssociation, type NRequest, type NResult } from '../../src/services/index.js'
import { Dataset, TransferSyntax, generateUid } from '../../src/dataset/index.js'
import { CommandField, Status, type NEventReportRq } from '../../src/dimse/index.js'
import { dcmprscpAvailable, startDcmprscp } from '../helpers/process.js'

const MPPS = '1.2.840.10008.3.1.2.3.3' // Modality Performed Procedure Step SOP Class
const COMMITMENT = '1.2.840.10008.1.20.1' // Storage Commitment Push Model SOP Class
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1' // its well-known instance
const CT = '1.2.840.10008.5.1.4.1.1.2'
const TS = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]

describe('N-services over loopback', () => {
  const managed = new Map<string, Dataset>()
  const seen: { field: number; order: string }[] = []
  const log: string[] = []
  let server: Server
  let port: number

  function handle(rq: NRequest): NResult {
    const c = rq.command
    switch (c.commandField) {
      case CommandField.NCreateRq: {
        const uid = c.affectedSopInstanceUid ?? generateUid()
        if (managed.has(uid)) return { status: 0x0111 } // Duplicate SOP instance
        managed.set(uid, rq.dataset ?? new Dataset())
        return { status: Status.Success, affectedSopInstanceUid: uid, ...(rq.dataset ? { dataset: rq.dataset } : {}) }
      }
      case CommandField.NSetRq: {
        const ds = managed.get(c.requestedSopInstanceUid)
        if (!ds) return { status: 0x0112 }
        for (const e of rq.dataset ?? new Dataset()) ds.set(e)
        return { status: Status.Success }
      }
      case CommandField.NGetRq: {
        const ds = managed.get(c.requestedSopInstanceUid)
        if (!ds) return { status: 0x0112, errorComment: 'no such instance' }
        const out = new Dataset()
        for (const e of ds) if (!c.attributeIdentifierList || c.attributeIdentifierList.includes(e.tag)) out.set(e)
        return { status: Status.Success, dataset: out }
      }
      case CommandField.NDeleteRq:
        return { status: managed.delete(c.requestedSopInstanceUid) ? Status.Success : 0x0112 }
      case CommandField.NActionRq: {
        if (c.requestedSopClassUid !== COMMITMENT || c.actionTypeId !== 1) return { status: 0x0123 } // No such action
        const info = rq.dataset!
        // PS3.4 J.3.3: the result comes as N-EVENT-REPORT (event 1: all committed), after the N-ACTION-RSP.
        const result = new Dataset()
        result.set('TransactionUID', 'UI', [info.string('TransactionUID')!])
        result.set('ReferencedSOPSequence', 'SQ', info.get(0x00081199)!.items!)
        log.push('action handled')
        rq.eventReport({ eventTypeId: 1, dataset: result }).then(
          (r) => log.push(`report answered ${r.status}`),
          (e: Error) => log.push(`report failed ${e.message}`),
        )
        return { status: Status.Success }
      }
      default:
        throw new Error(`unexpected ${c.commandField}`)
    }
  }

  beforeAll(async () => {
    server = new Server({
      aeTitle: 'NSCP',
      handlers: {
        nService: (rq) => {
          seen.push({ field: rq.command.commandField, order: rq.context.abstractSyntax })
          if (rq.dataset?.string('PatientID') === 'THROW') throw new Error('handler exploded')
          return handle(rq)
        },
      },
      nSopClasses: [MPPS, COMMITMENT],
    })
    await server.listen(0, '127.0.0.1')
    port = server.address().port
  })
  afterAll(async () => {
    await server.close({ abort: true })
  })

  const open = (extra: Partial<Parameters<Client['associate']>[0]> = {}): Promise<ClientAssociation> =>
    new Client({ aeTitle: 'NSCU' }).associate({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'NSCP',
      presentationContexts: [{ abstractSyntax: MPPS, transferSyntaxes: TS }, { abstractSyntax: COMMITMENT, transferSyntaxes: TS }],
      ...extra,
    })

  it('N-CREATE (SCP assigns the UID), N-SET, N-GET (all and selected attributes), N-DELETE, then N-GET 0112', async () => {
    const a = await open()
    const attrs = new Dataset()
    attrs.set('PatientID', 'LO', ['P-1'])
    attrs.set('PerformedProcedureStepStatus', 'CS', ['IN PROGRESS'])
    attrs.set('Modality', 'CS', ['CT'])
    const created = await a.nCreate(MPPS, attrs)
    expect(created.status).toBe(0)
    const uid = created.response.affectedSopInstanceUid as string
    expect(uid).toMatch(/^[0-9.]+$/)
    expect(managed.get(uid)?.string('PatientID')).toBe('P-1')
    expect(created.dataset?.string('PerformedProcedureStepStatus')).toBe('IN PROGRESS')

    const mod = new Dataset()
    mod.set('PerformedProcedureStepStatus', 'CS', ['COMPLETED'])
    const set = await a.nSet(MPPS, uid, mod)
    expect(set.status).toBe(0)
    expect(set.response.affectedSopInstanceUid).toBe(uid)

    const all = await a.nGet(MPPS, uid)
    expect(all.status).toBe(0)
    expect(all.dataset?.string('PerformedProcedureStepStatus')).toBe('COMPLETED')
    expect(all.dataset?.string('Modality')).toBe('CT')
    const some = await a.nGet(MPPS, uid, { attributes: [0x00400252] })
    expect([...some.dataset!].map((e) => e.tag)).toEqual([0x00400252])

    expect((await a.nDelete(MPPS, uid)).status).toBe(0)
    const gone = await a.nGet(MPPS, uid)
    expect(gone.status).toBe(0x0112)
    expect(gone.errorComment).toBe('no such instance')
    expect(gone.dataset).toBeUndefined()
    await a.release()
  })

  it('a throwing nService handler answers 0110 with the message; the association goes on', async () => {
    const a = await open()
    const ds = new Dataset()
    ds.set('PatientID', 'LO', ['THROW'])
    const r = await a.nCreate(MPPS, ds)
    expect(r.status).toBe(0x0110)
    expect(r.errorComment).toBe('handler exploded')
    const ok = new Dataset()
    ok.set('PatientID', 'LO', ['FINE'])
    expect((await a.nCreate(MPPS, ok)).status).toBe(0)
    await a.release()
  })

  it('Storage Commitment push model: N-ACTION, then N-EVENT-REPORT from the SCP on the same association', async () => {
    const reports: { command: NEventReportRq; dataset: Dataset | undefined }[] = []
    let gotReport!: () => void
    const reported = new Promise<void>((r) => (gotReport = r))
    const a = await open({
      onEventReport: (command, dataset) => {
        reports.push({ command, dataset })
        gotReport()
        return Status.Success
      },
    })
    const transaction = generateUid()
    const info = new Dataset()
    info.set('TransactionUID', 'UI', [transaction])
    const refs = [1, 2].map(() => {
      const item = new Dataset()
      item.set('ReferencedSOPClassUID', 'UI', [CT])
      item.set('ReferencedSOPInstanceUID', 'UI', [generateUid()])
      return item
    })
    info.set('ReferencedSOPSequence', 'SQ', refs)
    const action = await a.nAction(COMMITMENT, COMMITMENT_INSTANCE, 1, info)
    expect(action.status).toBe(0)
    expect(action.response.commandField).toBe(CommandField.NActionRsp)
    await reported
    expect(reports).toHaveLength(1)
    const { command, dataset } = reports[0]!
    expect(command.eventTypeId).toBe(1)
    expect(command.affectedSopClassUid).toBe(COMMITMENT)
    expect(command.affectedSopInstanceUid).toBe(COMMITMENT_INSTANCE)
    expect(dataset?.string('TransactionUID')).toBe(transaction)
    expect(dataset?.get(0x00081199)?.items?.map((i) => i.string('ReferencedSOPInstanceUID'))).toEqual(refs.map((i) => i.string('ReferencedSOPInstanceUID')))
    for (let i = 0; i < 50 && log.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    expect(log).toEqual(['action handled', 'report answered 0'])
    // Unknown action type → 0123 No such action.
    expect((await a.nAction(COMMITMENT, COMMITMENT_INSTANCE, 9)).status).toBe(0x0123)
    await a.release()
  })

  it('N-EVENT-REPORT to an SCU without onEventReport is answered 0211 (unrecognized operation)', async () => {
    log.length = 0
    const a = await open()
    const info = new Dataset()
    info.set('TransactionUID', 'UI', [generateUid()])
    info.set('ReferencedSOPSequence', 'SQ', [])
    expect((await a.nAction(COMMITMENT, COMMITMENT_INSTANCE, 1, info)).status).toBe(0)
    for (let i = 0; i < 100 && log.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    expect(log).toEqual(['action handled', 'report answered 529'])
    await a.release()
  })
})

// ---------------------------------------------------------------------------------------------
// The same client API against a real DIMSE-N SCP: DCMTK's print SCP (dcmprscp), on the Basic
// Grayscale Print Management Meta SOP Class (PS3.4 H.3.1): N-GET of the printer, N-CREATE /
// N-SET / N-DELETE of a Basic Film Session.
const haveDcmprscp = dcmprscpAvailable('services-nservices', 'the DCMTK part')
const GRAYSCALE_PRINT_META = '1.2.840.10008.5.1.1.9'
const PRINTER_CLASS = '1.2.840.10008.5.1.1.16'
const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17'
const FILM_SESSION_CLASS = '1.2.840.10008.5.1.1.1'

describe.skipIf(!haveDcmprscp)('ClientAssociation N-operations against DCMTK dcmprscp', () => {
  let proc: ChildProcess | undefined
  let port = 0
  let dir = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-nsvc-dcmprscp-'))
    const started = await startDcmprscp(dir)
    proc = started.proc
    port = started.port
  })
  afterAll(() => {
    proc?.kill()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('nGet (printer), nCreate / nSet / nDelete (film session) through the meta SOP class context', async () => {
    const a = await new Client({ aeTitle: 'NSCU' }).associate({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'IHEFULL',
      presentationContexts: [{ abstractSyntax: GRAYSCALE_PRINT_META, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }],
      dimseTimeoutMs: 10_000,
    })
    const meta = { abstractSyntax: GRAYSCALE_PRINT_META }
    const printer = await a.nGet(PRINTER_CLASS, PRINTER_INSTANCE, meta)
    expect(printer.status).toBe(0)
    expect(printer.dataset?.string('PrinterStatus')).toMatch(/NORMAL|WARNING|FAILURE/)

    const session = new Dataset()
    session.set('NumberOfCopies', 'IS', [1])
    const created = await a.nCreate(FILM_SESSION_CLASS, session, meta)
    expect(created.status).toBe(0)
    const uid = created.response.affectedSopInstanceUid as string
    expect(uid).toMatch(/^[0-9.]+$/)

    const mod = new Dataset()
    mod.set('NumberOfCopies', 'IS', [2])
    const set = await a.nSet(FILM_SESSION_CLASS, uid, mod, meta)
    expect(set.status).toBe(0)

    expect((await a.nDelete(FILM_SESSION_CLASS, uid, meta)).status).toBe(0)
    const again = await a.nDelete(FILM_SESSION_CLASS, uid, meta)
    expect(again.status).not.toBe(0)
    expect(again.response.commandField).toBe(CommandField.NDeleteRsp)
    await a.release()
  })
})
