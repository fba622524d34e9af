// @ts-check
// Storage SCP: accept C-ECHO and C-STORE, and write each instance to a folder as a Part 10 file
// (Storage Service Class as SCP, PS3.4 B.2.2).
//
//   npm run build && node examples/storage-scp.mjs [PORT] [OUT-DIR] [AE-TITLE]     (Ctrl-C stops)
//
// The dataset is streamed to disk as it arrives: a large instance is never held in memory.
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { encodeFileMetaHeader, Server, Status } from 'dimse'

/**
 * Start the SCP; resolves once it listens. Stop it with `server.close()`.
 * @param {{ port?: number, host?: string, aeTitle?: string, dir: string, log?: (line: string) => void }} options
 * @returns {Promise<import('dimse').Server>}
 */
export async function main({ port = 0, host = '127.0.0.1', aeTitle = 'STORE-SCP', dir, log = console.log }) {
  await mkdir(dir, { recursive: true })
  const server = new Server({
    aeTitle,
    handlers: {
      // One handler per request kind; C-ECHO is answered with Success by default.
      store: async (rq) => {
        const path = join(dir, `${rq.sopInstanceUid}.dcm`)
        const tmp = `${path}.part`
        const out = createWriteStream(tmp)
        try {
          out.write(encodeFileMetaHeader({ sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid, sourceAeTitle: rq.callingAeTitle }))
          for await (const chunk of rq.data) if (!out.write(chunk)) await once(out, 'drain')
          out.end()
          await finished(out)
          await rename(tmp, path)
        } catch (e) {
          out.destroy()
          await rm(tmp, { force: true })
          throw e // answered as 0x0110 Processing Failure with the message as Error Comment
        }
        return Status.Success
      },
    },
  })
  // Notifications (not answers) are events: one line per completed operation.
  server.on('operation', (e) => log(`${e.operation} from ${e.callingAeTitle}: status 0x${e.status.toString(16).padStart(4, '0')} ${e.detail ?? ''}`))
  await server.listen(port, host)
  const a = server.address()
  log(`${aeTitle} listening on ${a.host}:${a.port}, storing into ${dir}`)
  return server
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [port = '11112', dir = 'received', aeTitle] = process.argv.slice(2)
  main({ port: Number(port), dir, ...(aeTitle ? { aeTitle } : {}) }).then(
    (server) => process.once('SIGINT', () => void server.close({ abort: true })),
    (/** @type {Error} */ err) => {
      console.error(`storage-scp: ${err.message}`)
      process.exitCode = 1
    },
  )
}
