// @ts-check
// C-ECHO SCU: ask a DICOM peer whether it is there (Verification Service Class, PS3.4 Annex A).
//
//   npm run build && node examples/echo-scu.mjs [HOST] [PORT] [CALLED-AE]
//
// Outside this repository, install the package and keep `from 'dimse'` as it is.
import { pathToFileURL } from 'node:url'
import { Client, statusCategory, verificationContext } from 'dimse'

/**
 * Open an association proposing Verification only, send one C-ECHO-RQ, release.
 * @param {{ host: string, port: number, calledAeTitle?: string, log?: (line: string) => void }} options
 * @returns {Promise<number>} the status of the C-ECHO-RSP (0x0000 is Success)
 */
export async function main({ host, port, calledAeTitle = 'ANY-SCP', log = console.log }) {
  const client = new Client({ aeTitle: 'ECHO-SCU' })
  const assoc = await client.associate({ host, port, calledAeTitle, presentationContexts: [verificationContext()] })
  try {
    const started = performance.now()
    const { status } = await assoc.echo()
    const ms = (performance.now() - started).toFixed(1)
    log(`C-ECHO ${calledAeTitle}@${host}:${port}: ${statusCategory(status)} (0x${status.toString(16).padStart(4, '0')}) in ${ms} ms`)
    return status
  } finally {
    // A-RELEASE; abort if the peer does not answer the release properly.
    await assoc.release().catch(() => assoc.abort())
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [host = '127.0.0.1', port = '11112', calledAeTitle] = process.argv.slice(2)
  main({ host, port: Number(port), ...(calledAeTitle ? { calledAeTitle } : {}) }).then(
    (status) => (process.exitCode = status === 0 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`echo-scu: ${err.message}`)
      process.exitCode = 1
    },
  )
}
