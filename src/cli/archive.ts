/**
 * The archive behind `dimse serve`: Part 10 files in a folder, an in-memory index of their
 * header attributes rebuilt from the files at start, and the storage, find and retrieve
 * handlers over it. Built only from the public API.
 * @module
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  datasetFromJson, DatasetStreamDecoder, decodeDataset, decodeFile, encodeDataset, TransferSyntax, type Dataset, type DicomJsonModel,
} from '../dataset/index.js'
import { StatusError } from '../errors.js'
import { Status } from '../dimse/index.js'
import {
  hierarchicalFind, queryRetrieveSopClass, selectForRetrieve, validateIdentifier,
  type FindRequest, type RetrieveItem, type RetrieveRequest, type StoreHandler,
} from '../services/index.js'
import { copyPrefix } from '../internal/bytes.js'
import { nodeDeflateCodec } from '../node/deflate.js'
import { readPart10Header, safeName, writeInstance } from './files.js'

const PIXEL_DATA = 0x7fe00010
const SCHEDULED_PROCEDURE_STEP_SEQUENCE = 0x00400100

/** One stored instance. */
export interface ArchiveEntry {
  path: string
  sopClassUid: string
  sopInstanceUid: string
  transferSyntaxUid: string
  /** The attributes before Pixel Data, detached from any I/O buffer. */
  attributes: Dataset
}

/** Copy a dataset out of the buffers it views (so that a small header does not pin a large chunk). */
function detach(ds: Dataset): Dataset {
  const ts = TransferSyntax.ExplicitVRLittleEndian
  return decodeDataset(encodeDataset(ds, ts), ts).dataset
}

/** A folder of Part 10 files with an index. */
export class FileArchive {
  readonly dir: string
  readonly entries = new Map<string, ArchiveEntry>()

  constructor(dir: string) {
    this.dir = dir
  }

  /** Index every Part 10 file under the folder; returns the files that could not be read. */
  async load(): Promise<{ indexed: number; skipped: string[] }> {
    const skipped: string[] = []
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = join(d, e.name)
        if (e.isDirectory()) await walk(p)
        else if (e.isFile() && !e.name.endsWith('.part')) {
          try {
            this.#add(await readEntry(p))
          } catch {
            skipped.push(p)
          }
        }
      }
    }
    await walk(this.dir)
    return { indexed: this.entries.size, skipped }
  }

  #add(e: ArchiveEntry): void {
    this.entries.set(e.sopInstanceUid, e)
  }

  /** C-STORE: stream to a temporary file, index the header on the way, rename when complete. */
  readonly store: StoreHandler = async (rq) => {
    // The chunks are views of the received PDUs (no copy). Deflated data cannot be decoded as a
    // stream: its chunks are kept and decoded once written, instead of reading back the file
    // just written. Otherwise the chunks are kept until the decoder has found the end of the
    // header (Pixel Data, usually inside the first chunk).
    const deflated = rq.transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian
    const held: Uint8Array[] = []
    const decoder = deflated ? undefined : new DatasetStreamDecoder({ transferSyntaxUid: rq.transferSyntaxUid, stopBeforeTag: PIXEL_DATA })
    const path = join(this.dir, `${safeName(rq.sopInstanceUid)}.dcm`)
    let parseError: unknown
    try {
      await writeInstance(path, rq, (chunk) => {
        if (!decoder) held.push(chunk)
        else if (parseError === undefined && !decoder.stopped) {
          held.push(chunk)
          try {
            decoder.push(chunk)
          } catch (e) {
            parseError = e
          }
        }
      })
    } catch (e) {
      // Disk full or over quota: A700 Refused: Out of Resources (PS3.4 B.2.3).
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new StatusError(Status.OutOfResources, `storage full (${code})`)
      throw e
    }
    let attributes: Dataset
    if (!decoder) {
      const inflate = (b: Uint8Array): Uint8Array => nodeDeflateCodec.inflateRaw(b)
      attributes = detach(decodeDataset(Buffer.concat(held), rq.transferSyntaxUid, { stopBeforeTag: PIXEL_DATA, inflate }).dataset)
    } else if (parseError !== undefined) {
      // Data the stream decoder refused: index from the file just written (lenient whole decode).
      attributes = (await readEntry(path)).attributes
    } else {
      // Decoded again from a copy of just the header bytes (what the stream decoder consumed):
      // the index then holds a few KiB per instance, not the received chunks its values would
      // otherwise view. The stream decoder decodes as decodeDataset does.
      decoder.end()
      attributes = decodeDataset(copyPrefix(held, decoder.position), rq.transferSyntaxUid, { stopBeforeTag: PIXEL_DATA }).dataset
    }
    this.#add({ path, sopClassUid: rq.sopClassUid, sopInstanceUid: rq.sopInstanceUid, transferSyntaxUid: rq.transferSyntaxUid, attributes })
    return Status.Success
  }

  /** C-FIND over the index (hierarchical search, PS3.4 C.4.1.3.1). */
  async *find(rq: FindRequest): AsyncGenerator<Dataset> {
    const info = queryRetrieveSopClass(rq.sopClassUid)
    if (!info) return // Modality Worklist: this archive has no scheduled procedure steps
    const { validation, responses } = hierarchicalFind(rq.identifier, this.#attributes(), info.model)
    if (!validation.valid) throw new StatusError(validation.status ?? Status.IdentifierDoesNotMatchSopClass, validation.problems[0]?.message)
    for (const r of responses) {
      if (rq.signal.aborted) return
      yield r
    }
  }

  /** C-MOVE / C-GET: the instances the identifier selects. */
  retrieve = (rq: RetrieveRequest): RetrieveItem[] => {
    const info = queryRetrieveSopClass(rq.sopClassUid)
    if (!info) throw new StatusError(Status.SopClassNotSupported)
    const v = validateIdentifier(rq.identifier, info.model, { operation: info.operation })
    const fatal = v.problems.find((p) => p.reason !== 'key-not-allowed')
    if (fatal) throw new StatusError(Status.IdentifierDoesNotMatchSopClass, fatal.message)
    const selected = new Set(selectForRetrieve(rq.identifier, this.#attributes(), info.model))
    const out: RetrieveItem[] = []
    for (const e of this.entries.values()) {
      if (!selected.has(e.attributes)) continue
      out.push({ sopClassUid: e.sopClassUid, sopInstanceUid: e.sopInstanceUid, transferSyntaxUid: e.transferSyntaxUid, file: () => readFile(e.path) })
    }
    return out
  }

  *#attributes(): Generator<Dataset> {
    for (const e of this.entries.values()) yield e.attributes
  }
}

/** Read the header of a stored file into an index entry. */
export async function readEntry(path: string): Promise<ArchiveEntry> {
  const h = await readPart10Header(path, PIXEL_DATA, 512 * 1024)
  return { path, sopClassUid: h.sopClassUid, sopInstanceUid: h.sopInstanceUid, transferSyntaxUid: h.file.transferSyntaxUid, attributes: detach(h.file.dataset) }
}

/**
 * Modality Worklist items for `dimse serve --worklist DIR`: every `*.json` file (one DICOM JSON
 * Model object, PS3.18 F.2, or an array of them) and every other file that reads as a Part 10
 * file or a bare explicit VR little endian dataset. Returns the items and the files skipped.
 */
export async function loadWorklist(dir: string): Promise<{ items: Dataset[]; skipped: string[] }> {
  const items: Dataset[] = []
  const skipped: string[] = []
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort()
  for (const name of names) {
    const p = join(dir, name)
    try {
      const bytes = await readFile(p)
      const found: Dataset[] = []
      if (name.toLowerCase().endsWith('.json')) {
        const json: unknown = JSON.parse(new TextDecoder().decode(bytes))
        for (const m of Array.isArray(json) ? json : [json]) found.push(datasetFromJson(m as DicomJsonModel))
      } else {
        found.push(decodeFile(bytes, { inflate: (x) => nodeDeflateCodec.inflateRaw(x) }).dataset)
      }
      // A worklist item has a Scheduled Procedure Step Sequence (PS3.4 Table K.6-1); anything
      // else (a stray file the lenient reader happens to parse) is not one.
      if (found.some((d) => !d.get(SCHEDULED_PROCEDURE_STEP_SEQUENCE)?.items?.length)) throw new Error('not a worklist item')
      items.push(...found)
    } catch {
      skipped.push(p)
    }
  }
  return { items, skipped }
}
