// @ts-check
// C-STORE SCU: send Part 10 files to a storage SCP (Storage Service Class, PS3.4 Annex B).
//
//   npm run build && node examples/store-scu.mjs HOST PORT CALLED-AE FILE-OR-FOLDER...
//
// Each file goes in its own transfer syntax when the SCP accepts it; uncompressed data is
// converted to another uncompressed syntax otherwise (the library picks the context).
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Client, contextsForInstances, decodeFile, statusCategory } from 'dimse'

/**
 * @param {{ host: string, port: number, calledAeTitle?: string, paths: string[], log?: (line: string) => void }} options
 * @returns {Promise<{ stored: number, failed: number }>}
 */
export async function main({ host, port, calledAeTitle = 'ANY-SCP', paths, log = console.log }) {
  // Read every file and look at its File Meta Information to know what to propose.
  const files = []
  for (const path of await listFiles(paths)) {
    const bytes = await readFile(path)
    const { meta, transferSyntaxUid } = decodeFile(bytes, { stopBeforeTag: 0x7fe00010 })
    files.push({ path, bytes, sopClassUid: meta.string(0x00020002) ?? '', transferSyntaxUid })
  }
  // One context per SOP class (explicit + implicit VR LE) plus one per other transfer syntax.
  const presentationContexts = contextsForInstances(files)
  const assoc = await new Client({ aeTitle: 'STORE-SCU' }).associate({ host, port, calledAeTitle, presentationContexts })
  let stored = 0
  let failed = 0
  try {
    for (const f of files) {
      // Status is data: a failure status resolves; only an abort or a protocol error throws.
      const { status, errorComment } = await assoc.store({ file: f.bytes })
      if (statusCategory(status) === 'Failure') {
        failed++
        log(`${f.path}: failed, status 0x${status.toString(16)} ${errorComment ?? ''}`)
      } else stored++
    }
  } finally {
    await assoc.release().catch(() => assoc.abort())
  }
  log(`stored ${stored}, failed ${failed}`)
  return { stored, failed }
}

/**
 * Files given, and every file in the folders given (recursively), sorted.
 * @param {string[]} paths
 * @returns {Promise<string[]>}
 */
async function listFiles(paths) {
  const out = []
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      for (const e of await readdir(p, { recursive: true, withFileTypes: true })) if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name))
    } else out.push(p)
  }
  return out.sort()
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [host, port, calledAeTitle, ...paths] = process.argv.slice(2)
  if (!host || !port || !calledAeTitle || paths.length === 0) {
    console.error('usage: node examples/store-scu.mjs HOST PORT CALLED-AE FILE-OR-FOLDER...')
    process.exit(2)
  }
  main({ host, port: Number(port), calledAeTitle, paths }).then(
    ({ failed }) => (process.exitCode = failed === 0 ? 0 : 1),
    (/** @type {Error} */ err) => {
      console.error(`store-scu: ${err.message}`)
      process.exitCode = 1
    },
  )
}
