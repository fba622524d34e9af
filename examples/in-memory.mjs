// @ts-check
// Client and Server without sockets: an association over an in-memory transport pair, for tests,
// simulations, or tunnelling DICOM over something other than TCP.
//
//   npm run build && node examples/in-memory.mjs
//
// The same state machine, negotiation and DIMSE code run as over TCP; only the transport differs.
import { pathToFileURL } from 'node:url'
import {
  Association, Client, createMemoryTransportPair, Dataset, generateUid, makeIdentifier, queryContexts, SopClass, Server, Status,
  StatusError, storageContexts, verificationContext, hierarchicalFind, StudyRootModel,
} from 'dimse'

/**
 * Store one instance built in memory, then find it again, all over a memory transport.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ echo: number, store: number, found: string[] }>}
 */
export async function main({ log = console.log } = {}) {
  /** @type {Dataset[]} */
  const stored = []
  const server = new Server({
    aeTitle: 'MEM-SCP',
    handlers: {
      store: async (rq) => {
        stored.push(await rq.dataset())
        return Status.Success
      },
      find: (rq) => {
        const { validation, responses } = hierarchicalFind(rq.identifier, stored, StudyRootModel)
        if (!validation.valid) throw new StatusError(validation.status ?? Status.IdentifierDoesNotMatchSopClass, validation.problems[0]?.message)
        return responses
      },
    },
  })

  // Two connected ends: the server accepts on one, the client requests on the other.
  const [clientEnd, serverEnd] = createMemoryTransportPair()
  const accepted = Association.accept(serverEnd, server.policy()).then((assoc) => server.serve(assoc))
  const assoc = await new Client({ aeTitle: 'MEM-SCU' }).associate({
    transport: clientEnd,
    calledAeTitle: 'MEM-SCP',
    presentationContexts: [verificationContext(), ...storageContexts([SopClass.SecondaryCaptureImageStorage]), ...queryContexts('study', ['find'])],
  })
  await accepted

  try {
    const echo = (await assoc.echo()).status

    // A minimal Secondary Capture instance (no pixel data: enough to be stored and found).
    const ds = new Dataset()
    ds.set('SOPClassUID', 'UI', [SopClass.SecondaryCaptureImageStorage])
    ds.set('SOPInstanceUID', 'UI', [generateUid()])
    ds.set('StudyInstanceUID', 'UI', [generateUid()])
    ds.set('SeriesInstanceUID', 'UI', [generateUid()])
    ds.set('PatientID', 'LO', ['MEM-001'])
    ds.set('PatientName', 'PN', ['Memory^Test'])
    ds.set('Modality', 'CS', ['OT'])
    const store = (await assoc.store({ dataset: ds })).status

    /** @type {string[]} */
    const found = []
    for await (const { identifier } of assoc.find('study', makeIdentifier({ QueryRetrieveLevel: 'STUDY', PatientID: 'MEM-*', StudyInstanceUID: '' }))) {
      found.push(identifier.string('StudyInstanceUID') ?? '')
    }
    log(`echo 0x${echo.toString(16).padStart(4, '0')}, store 0x${store.toString(16).padStart(4, '0')}, found ${found.length} study: ${found.join(', ')}`)
    return { echo, store, found }
  } finally {
    await assoc.release()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (r) => (process.exitCode = r.echo === 0 && r.store === 0 && r.found.length === 1 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`in-memory: ${err.message}`)
      process.exitCode = 1
    },
  )
}
