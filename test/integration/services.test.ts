import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Server, storageContexts, verificationContext, queryContexts, type ClientAssociation } from '../../src/services/index.js'
import { Dataset, DataElement, decodeDataset, SopClass, TransferSyntax, generateUid } from '../../src/dataset/index.js'
import { Status } from '../../src/dimse/index.js'

function ct(patientId: string, study: string, series: string, n: number): Dataset {
  const ds = new Dataset()
  ds.set('SOPClassUID', 'UI', [SopClass.CTImageStorage])
  ds.set('SOPInstanceUID', 'UI', [generateUid()])
  ds.set('PatientName', 'PN', [`Test^${patientId}`])
  ds.set('PatientID', 'LO', [patientId])
  ds.set('StudyInstanceUID', 'UI', [study])
  ds.set('SeriesInstanceUID', 'UI', [series])
  ds.set('Modality', 'CS', ['CT'])
  ds.set('InstanceNumber', 'IS', [n])
  ds.set('PixelData', 'OW', new Uint16Array(64 * 64).fill(n))
  return ds
}

describe('Client and Server over loopback TCP', () => {
  const stored = new Map<string, Dataset>()
  let server: Server
  let port: number
  beforeAll(async () => {
    server = new Server({
      aeTitle: 'TEST-SCP',
      handlers: {
        store: async (rq) => {
          const ds = await rq.dataset()
          stored.set(rq.sopInstanceUid, ds)
          return Status.Success
        },
        async *find(rq) {
          for (const ds of stored.values()) {
            const pid = rq.identifier.string('PatientID')
            if (pid && ds.string('PatientID') !== pid) continue
            const out = new Dataset()
            out.set('QueryRetrieveLevel', 'CS', ['IMAGE'])
            out.set('PatientID', 'LO', [ds.string('PatientID')!])
            out.set('SOPInstanceUID', 'UI', [ds.string('SOPInstanceUID')!])
            yield out
          }
        },
        get: (rq) =>
          [...stored.values()]
            .filter((d) => d.string('PatientID') === rq.identifier.string('PatientID'))
            .map((d) => ({
              sopClassUid: d.string('SOPClassUID')!,
              sopInstanceUid: d.string('SOPInstanceUID')!,
              file: async () => (await import('../../src/dataset/index.js')).encodeFile(d),
            })),
      },
    })
    await server.listen(0, '127.0.0.1')
    port = server.address().port
  })
  afterAll(async () => {
    await server.close({ abort: true })
  })

  async function open(extra: Parameters<Client['associate']>[0]['presentationContexts'] = []): Promise<ClientAssociation> {
    return new Client({ aeTitle: 'TEST-SCU' }).associate({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'TEST-SCP',
      presentationContexts: [verificationContext(), ...storageContexts([SopClass.CTImageStorage]), ...queryContexts('study', ['find', 'get']), ...extra],
    })
  }

  it('echo, store, find, get', async () => {
    const a = await open(storageContexts([SopClass.CTImageStorage], [TransferSyntax.ExplicitVRLittleEndian], { scpRole: true }))
    expect((await a.echo()).status).toBe(0)
    const study = generateUid()
    const series = generateUid()
    for (let i = 1; i <= 3; i++) expect((await a.store({ dataset: ct('P1', study, series, i) })).status).toBe(0)
    expect((await a.store({ dataset: ct('P2', study, series, 9) })).status).toBe(0)
    const q = new Dataset()
    q.set('QueryRetrieveLevel', 'CS', ['IMAGE'])
    q.set('PatientID', 'LO', ['P1'])
    q.set('SOPInstanceUID', 'UI', [])
    const matches = []
    const op = a.find('study', q)
    for await (const m of op) matches.push(m.identifier.string('SOPInstanceUID'))
    expect(matches).toHaveLength(3)
    expect((await op.result).status).toBe(0)

    const received: string[] = []
    const g = a.get('study', q, {
      onStore: async (rq) => {
        const ds = await rq.dataset()
        received.push(ds.string('SOPInstanceUID')!)
        return 0
      },
    })
    const progress = []
    for await (const p of g) progress.push(p)
    const res = await g.result
    expect(res.status).toBe(0)
    expect(res.completed).toBe(3)
    expect(received.sort()).toEqual(matches.sort())
    await a.release()
  })
})
