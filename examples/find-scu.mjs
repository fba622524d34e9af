// @ts-check
// C-FIND SCU: list the studies of matching patients (Study Root Query/Retrieve, PS3.4 Annex C).
//
//   npm run build && node examples/find-scu.mjs HOST PORT CALLED-AE [PATIENT-NAME-PATTERN]
//
// The pattern may use * and ? (wildcard matching, PS3.4 C.2.2.2.4), e.g. 'Synthetic*'.
import { pathToFileURL } from 'node:url'
import { Client, makeIdentifier, queryContexts, statusCategory } from 'dimse'

/**
 * @typedef {{ patientName: string, patientId: string, studyDate: string, studyDescription: string, studyInstanceUid: string }} StudyRow
 */

/**
 * @param {{ host: string, port: number, calledAeTitle?: string, patientName?: string, log?: (line: string) => void }} options
 * @returns {Promise<{ status: number, studies: StudyRow[] }>}
 */
export async function main({ host, port, calledAeTitle = 'ANY-SCP', patientName = '*', log = console.log }) {
  // Matching keys carry a value; return keys are empty (universal matching, PS3.4 C.2.2.2.3).
  const query = makeIdentifier({
    QueryRetrieveLevel: 'STUDY',
    PatientName: patientName,
    PatientID: '',
    StudyDate: '',
    StudyDescription: '',
    StudyInstanceUID: '',
  })
  const assoc = await new Client({ aeTitle: 'FIND-SCU' }).associate({ host, port, calledAeTitle, presentationContexts: queryContexts('study', ['find']) })
  /** @type {StudyRow[]} */
  const studies = []
  try {
    const op = assoc.find('study', query)
    // Each pending response carries one match; `break` here would send C-CANCEL-RQ.
    for await (const { identifier } of op) {
      const row = {
        patientName: identifier.string('PatientName') ?? '',
        patientId: identifier.string('PatientID') ?? '',
        studyDate: identifier.string('StudyDate') ?? '',
        studyDescription: identifier.string('StudyDescription') ?? '',
        studyInstanceUid: identifier.string('StudyInstanceUID') ?? '',
      }
      studies.push(row)
      log(`${row.patientName}  ${row.patientId}  ${row.studyDate}  ${row.studyDescription}  ${row.studyInstanceUid}`)
    }
    const { status, errorComment } = await op.result
    log(`${studies.length} studies; final status ${statusCategory(status)}${errorComment ? `: ${errorComment}` : ''}`)
    return { status, studies }
  } finally {
    await assoc.release().catch(() => assoc.abort())
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [host, port, calledAeTitle, patientName] = process.argv.slice(2)
  if (!host || !port || !calledAeTitle) {
    console.error('usage: node examples/find-scu.mjs HOST PORT CALLED-AE [PATIENT-NAME-PATTERN]')
    process.exit(2)
  }
  main({ host, port: Number(port), calledAeTitle, ...(patientName ? { patientName } : {}) }).then(
    ({ status }) => (process.exitCode = status === 0 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`find-scu: ${err.message}`)
      process.exitCode = 1
    },
  )
}
