// @ts-check
// C-GET SCU: retrieve a study over the same association and write it as Part 10 files
// (Study Root Query/Retrieve, PS3.4 C.4.3).
//
//   npm run build && node examples/get-scu.mjs HOST PORT CALLED-AE STUDY-INSTANCE-UID OUT-DIR
//
// The SCP sends the instances back as C-STORE sub-operations on our association, so we propose
// the storage SOP classes with the SCP role (role selection, PS3.7 D.3.3.4) and handle them.
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import {
  Client, COMMON_STORAGE_SOP_CLASSES, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, encodeFileMetaHeader, makeIdentifier, queryContexts,
  Status, statusCategory, storageContexts,
} from 'dimse'

/**
 * @param {{ host: string, port: number, calledAeTitle?: string, studyInstanceUid: string, outDir: string, log?: (line: string) => void }} options
 * @returns {Promise<{ status: number, completed: number, failed: number, files: string[] }>}
 */
export async function main({ host, port, calledAeTitle = 'ANY-SCP', studyInstanceUid, outDir, log = console.log }) {
  await mkdir(outDir, { recursive: true })
  const storage = storageContexts(COMMON_STORAGE_SOP_CLASSES, DEFAULT_PROPOSED_TRANSFER_SYNTAXES, { scpRole: true })
  // At most 128 presentation contexts per association (PS3.8 9.3.2.2: odd IDs 1-255).
  const presentationContexts = [...queryContexts('study', ['get']), ...storage].slice(0, 128)
  /** @type {string[]} */
  const files = []
  const assoc = await new Client({ aeTitle: 'GET-SCU' }).associate({
    host,
    port,
    calledAeTitle,
    presentationContexts,
    // Each C-STORE sub-operation: stream the dataset to disk behind a File Meta header.
    onStore: async (rq) => {
      const path = join(outDir, `${rq.sopInstanceUid}.dcm`)
      const out = createWriteStream(path)
      out.write(encodeFileMetaHeader({ sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid }))
      for await (const chunk of rq.data) if (!out.write(chunk)) await once(out, 'drain')
      out.end()
      await finished(out)
      files.push(path)
      return Status.Success
    },
  })
  try {
    const op = assoc.get('study', makeIdentifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: studyInstanceUid }))
    for await (const p of op) log(`pending: remaining ${p.remaining ?? '?'}, completed ${p.completed ?? 0}`)
    const r = await op.result
    log(`C-GET: ${statusCategory(r.status)}, completed ${r.completed ?? 0}, failed ${r.failed ?? 0}; ${files.length} files in ${outDir}`)
    return { status: r.status, completed: r.completed ?? 0, failed: r.failed ?? 0, files }
  } finally {
    await assoc.release().catch(() => assoc.abort())
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [host, port, calledAeTitle, studyInstanceUid, outDir] = process.argv.slice(2)
  if (!host || !port || !calledAeTitle || !studyInstanceUid || !outDir) {
    console.error('usage: node examples/get-scu.mjs HOST PORT CALLED-AE STUDY-INSTANCE-UID OUT-DIR')
    process.exit(2)
  }
  main({ host, port: Number(port), calledAeTitle, studyInstanceUid, outDir }).then(
    ({ status }) => (process.exitCode = status === 0 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`get-scu: ${err.message}`)
      process.exitCode = 1
    },
  )
}
