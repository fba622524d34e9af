// @ts-check
// Query/Retrieve SCP over an in-memory store: C-STORE adds instances, C-FIND searches them,
// C-MOVE sends them to a known AE, C-GET sends them back (PS3.4 Annex C, as SCP).
//
//   npm run build && node examples/qr-scp.mjs [PORT] [AE-TITLE] [DEST-AE=HOST:PORT]...  (Ctrl-C stops)
//
// The matching rules (wildcards, ranges, UID lists, hierarchical levels) come from the library's
// query helpers; this file only keeps the instances.
import { pathToFileURL } from 'node:url'
import {
  decodeDataset, encodeFileMetaHeader, hierarchicalFind, queryRetrieveSopClass, selectForRetrieve, Server, Status, StatusError,
  validateIdentifier,
} from 'dimse'

/** @typedef {import('dimse').Dataset} Dataset */
/** @typedef {{ sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, attributes: Dataset, file: Uint8Array }} Stored */

/**
 * Start the SCP; resolves once it listens. Stop it with `server.close()`.
 * @param {{ port?: number, host?: string, aeTitle?: string, peers?: Record<string, { host: string, port: number }>, log?: (line: string) => void }} options
 * @returns {Promise<{ server: import('dimse').Server, instances: Map<string, Stored> }>}
 */
export async function main({ port = 0, host = '127.0.0.1', aeTitle = 'QR-SCP', peers = {}, log = console.log }) {
  /** @type {Map<string, Stored>} */
  const instances = new Map()
  const attributes = () => [...instances.values()].map((i) => i.attributes)

  /** The information model (Patient Root, Study Root, ...) of a Q/R SOP class. */
  const modelOf = (/** @type {string} */ sopClassUid) => {
    const info = queryRetrieveSopClass(sopClassUid)
    if (!info) throw new StatusError(Status.SopClassNotSupported)
    return info.model
  }

  /** C-MOVE and C-GET: the stored instances the identifier selects, as sub-operations to send. */
  const retrieve = (/** @type {import('dimse').RetrieveRequest} */ rq) => {
    const model = modelOf(rq.sopClassUid)
    const check = validateIdentifier(rq.identifier, model, { operation: rq.destination === undefined ? 'GET' : 'MOVE' })
    if (!check.valid) throw new StatusError(check.status ?? Status.IdentifierDoesNotMatchSopClass, check.problems[0]?.message)
    const selected = new Set(selectForRetrieve(rq.identifier, attributes(), model))
    return [...instances.values()]
      .filter((i) => selected.has(i.attributes))
      .map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: i.transferSyntaxUid, file: async () => i.file }))
  }

  const server = new Server({
    aeTitle,
    peers, // C-MOVE destinations by AE title; an unknown one is answered with 0xA801
    handlers: {
      store: async (rq) => {
        const data = await rq.bytes()
        const header = encodeFileMetaHeader({ sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid })
        const file = new Uint8Array(header.length + data.length)
        file.set(header)
        file.set(data, header.length)
        // Index the attributes before Pixel Data; elements decode lazily from `data`.
        const { dataset } = decodeDataset(data, rq.transferSyntaxUid, { stopBeforeTag: 0x7fe00010 })
        instances.set(rq.sopInstanceUid, { sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid, attributes: dataset, file })
        return Status.Success
      },
      // C-FIND: a generator of response identifiers; the server sends each as a pending response.
      find: function* (rq) {
        const { validation, responses } = hierarchicalFind(rq.identifier, attributes(), modelOf(rq.sopClassUid))
        if (!validation.valid) throw new StatusError(validation.status ?? Status.IdentifierDoesNotMatchSopClass, validation.problems[0]?.message)
        for (const r of responses) {
          if (rq.signal.aborted) return // C-CANCEL received
          yield r
        }
      },
      move: retrieve,
      get: retrieve,
    },
  })
  server.on('operation', (e) => log(`${e.operation} from ${e.callingAeTitle}: status 0x${e.status.toString(16).padStart(4, '0')}`))
  await server.listen(port, host)
  const a = server.address()
  log(`${aeTitle} listening on ${a.host}:${a.port}`)
  return { server, instances }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [port = '11112', aeTitle, ...peerArgs] = process.argv.slice(2)
  /** @type {Record<string, { host: string, port: number }>} */
  const peers = {}
  for (const p of peerArgs) {
    const m = /^([^=]+)=(.+):(\d+)$/.exec(p)
    if (!m) {
      console.error(`qr-scp: bad peer ${p} (expected AE=HOST:PORT)`)
      process.exit(2)
    }
    peers[m[1] ?? ''] = { host: m[2] ?? '', port: Number(m[3]) }
  }
  main({ port: Number(port), ...(aeTitle ? { aeTitle } : {}), peers }).then(
    ({ server }) => process.once('SIGINT', () => void server.close({ abort: true })),
    (/** @type {Error} */ err) => {
      console.error(`qr-scp: ${err.message}`)
      process.exitCode = 1
    },
  )
}
