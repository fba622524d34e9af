// @ts-check
// C-MOVE SCU: ask an SCP to send a study to another AE (Study Root Query/Retrieve, PS3.4 C.4.2).
//
//   npm run build && node examples/move-scu.mjs HOST PORT CALLED-AE DESTINATION-AE STUDY-INSTANCE-UID
//
// The SCP opens its own association to DESTINATION-AE, so it must know that AE's address.
import { pathToFileURL } from 'node:url'
import { Client, makeIdentifier, queryContexts, statusCategory } from 'dimse'

/**
 * @param {{ host: string, port: number, calledAeTitle?: string, destination: string, studyInstanceUid: string, log?: (line: string) => void }} options
 * @returns {Promise<{ status: number, completed: number, failed: number, warning: number }>}
 */
export async function main({ host, port, calledAeTitle = 'ANY-SCP', destination, studyInstanceUid, log = console.log }) {
  // A retrieve identifier holds the unique keys down to the level (PS3.4 C.4.2.1.4).
  const query = makeIdentifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: studyInstanceUid })
  const assoc = await new Client({ aeTitle: 'MOVE-SCU' }).associate({ host, port, calledAeTitle, presentationContexts: queryContexts('study', ['move']) })
  try {
    const op = assoc.move('study', query, { destination })
    // Pending responses report progress (the SCP may send none for small moves).
    for await (const p of op) log(`pending: remaining ${p.remaining ?? '?'}, completed ${p.completed ?? 0}, failed ${p.failed ?? 0}`)
    const r = await op.result
    const summary = { status: r.status, completed: r.completed ?? 0, failed: r.failed ?? 0, warning: r.warning ?? 0 }
    log(`C-MOVE to ${destination}: ${statusCategory(r.status)}, completed ${summary.completed}, failed ${summary.failed}, warning ${summary.warning}`)
    return summary
  } finally {
    await assoc.release().catch(() => assoc.abort())
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [host, port, calledAeTitle, destination, studyInstanceUid] = process.argv.slice(2)
  if (!host || !port || !calledAeTitle || !destination || !studyInstanceUid) {
    console.error('usage: node examples/move-scu.mjs HOST PORT CALLED-AE DESTINATION-AE STUDY-INSTANCE-UID')
    process.exit(2)
  }
  main({ host, port: Number(port), calledAeTitle, destination, studyInstanceUid }).then(
    ({ status }) => (process.exitCode = status === 0 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`move-scu: ${err.message}`)
      process.exitCode = 1
    },
  )
}
