/**
 * `dimse dump FILE`: a readable listing of a DICOM file in the manner of DCMTK's dcmdump, or its
 * DICOM JSON Model (PS3.18 Annex F) with `--json`.
 * @module
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { decodeFile } from '../dataset/part10.js'
import type { DecodedFile } from '../dataset/part10.js'
import { DataElement, Dataset } from '../dataset/element.js'
import type { EncapsulatedPixelData } from '../dataset/element.js'
import { datasetToJson, stringifyDicomJson } from '../dataset/json.js'
import type { DicomJsonModel } from '../dataset/json.js'
import { lookupPrivate, lookupTag } from '../dataset/dictionary.js'
import { lookupUid } from '../dataset/uids.js'
import { formatTag, isPrivateTag, tagGroup } from '../dataset/tag.js'
import { VR_INFO } from '../dataset/vr.js'
import { decodeAscii } from '../dataset/values.js'
import { nodeDeflateCodec } from '../node/deflate.js'
import { CliError } from './io.js'
import type { CliCommand, CliIo } from './io.js'

/** All of standard input. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const c of process.stdin) chunks.push(c as Uint8Array)
  return Buffer.concat(chunks)
}

/**
 * Read and decode a DICOM file (`-` reads standard input); failures become a {@link CliError}
 * `FILE: message`.
 */
export async function readDicomFile(path: string): Promise<DecodedFile> {
  let bytes: Uint8Array
  try {
    bytes = path === '-' ? await readStdin() : await readFile(path)
  } catch (e) {
    throw new CliError(`${path}: ${fsMessage(e)}`)
  }
  if (bytes.length === 0) throw new CliError(`${path}: empty file`)
  try {
    return decodeFile(bytes, { inflate: (b) => nodeDeflateCodec.inflateRaw(b) })
  } catch (e) {
    throw new CliError(`${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

function fsMessage(e: unknown): string {
  const code = (e as { code?: string }).code
  switch (code) {
    case 'ENOENT': return 'no such file'
    case 'EISDIR': return 'is a directory'
    case 'EACCES': case 'EPERM': return 'permission denied'
    default: return e instanceof Error ? e.message : String(e)
  }
}

/** Options of {@link decodedFileToJson}. */
export interface FileJsonOptions {
  /** Include the File Meta Information group (0002). Default false, as dcm2json. */
  meta?: boolean
}

/**
 * The DICOM JSON Model of a decoded file, as `dimse dump --json` prints it: the dataset without
 * group 0002 (unless `meta`), binary values as InlineBinary, group lengths left out (F.2.2).
 * Write it with `stringifyDicomJson` to get the attributes in ascending tag order.
 */
export function decodedFileToJson(file: DecodedFile, options: FileJsonOptions = {}): DicomJsonModel {
  const data = datasetToJson(file.dataset)
  const out: DicomJsonModel = {}
  if (options.meta) Object.assign(out, datasetToJson(file.meta))
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith('0002') && !options.meta) continue
    if (!(k in out)) out[k] = v
  }
  return out
}

/** Options of {@link formatDump}. */
export interface DumpOptions {
  /** Longest value text before it is shortened with `...` (default 64; 0 = never shorten). */
  maxValueLength?: number
}

const COMMENT_COLUMN = 52

/** A dcmdump-like listing of a decoded file: meta group, then the dataset, items indented. */
export function formatDump(file: DecodedFile, options: DumpOptions = {}): string {
  const max = options.maxValueLength ?? 64
  const lines: string[] = []
  lines.push(file.hasPreamble ? '# Dicom-File-Format (preamble and DICM prefix)' : '# DICOM data without preamble')
  lines.push('')
  lines.push('# File Meta Information')
  if (file.meta.size === 0) lines.push('# (none)')
  dumpDataset(file.meta, 0, lines, max)
  lines.push('')
  const tsName = lookupUid(file.transferSyntaxUid)?.keyword
  lines.push(`# Dataset (Transfer Syntax ${file.transferSyntaxUid}${tsName ? ` = ${tsName}` : ''})`)
  dumpDataset(file.dataset, 0, lines, max)
  return lines.join('\n') + '\n'
}

function line(indent: number, left: string, length: string, vm: string | number, name: string): string {
  const l = '  '.repeat(indent) + left
  return `${l.padEnd(COMMENT_COLUMN)} # ${length.padStart(4)}, ${vm} ${name}`
}

/** What dcmdump calls an element missing from the dictionary. */
const UNKNOWN = 'Unknown Tag & Data'

function elementName(ds: Dataset, el: DataElement): string {
  const t = el.tag
  if (isPrivateTag(t) && (t & 0xffff) >= 0x1000) {
    const creatorTag = ((tagGroup(t) << 16) | ((t & 0xff00) >>> 8)) >>> 0
    const creator = ds.string(creatorTag)
    const e = creator !== undefined ? lookupPrivate(creator, t) : undefined
    return e?.keyword || UNKNOWN
  }
  return lookupTag(t)?.keyword || UNKNOWN
}

function dumpDataset(ds: Dataset, indent: number, lines: string[], max: number): void {
  for (const el of ds) {
    const name = elementName(ds, el)
    const tag = formatTag(el.tag)
    if (el.vr === 'SQ') {
      const items = el.items
      lines.push(line(indent, `${tag} SQ (Sequence, ${items.length} item${items.length === 1 ? '' : 's'})`, '-', 1, name))
      items.forEach((item, i) => {
        lines.push(line(indent + 1, `(FFFE,E000) na (Item #${i + 1}, ${item.size} element${item.size === 1 ? '' : 's'})`, '-', 1, 'Item'))
        dumpDataset(item, indent + 2, lines, max)
        lines.push(line(indent + 1, '(FFFE,E00D) na (ItemDelimitationItem)', '0', 0, 'ItemDelimitationItem'))
      })
      lines.push(line(indent, '(FFFE,E0DD) na (SequenceDelimitationItem)', '0', 0, 'SequenceDelimitationItem'))
      continue
    }
    const value = el.value
    if (isEncapsulated(value)) {
      const parts = [value.offsetTable, ...value.fragments]
      lines.push(line(indent, `${tag} ${el.vr} (PixelSequence, ${parts.length} items)`, 'u/l', 1, name))
      parts.forEach((p, i) => {
        lines.push(line(indent + 1, `(FFFE,E000) pi ${shorten(hexBytes(p, max), max) || '(no value available)'}`, String(p.length), 1, i === 0 ? 'BasicOffsetTable' : `Fragment #${i}`))
      })
      lines.push(line(indent, '(FFFE,E0DD) na (SequenceDelimitationItem)', '0', 0, 'SequenceDelimitationItem'))
      continue
    }
    const { text, vm } = formatValue(el, max)
    const length = el.raw?.length ?? safeLength(el)
    lines.push(line(indent, `${tag} ${el.vr} ${text}`, String(length), vm, name))
  }
}

function isEncapsulated(v: unknown): v is EncapsulatedPixelData {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'fragments' in v
}

function safeLength(el: DataElement): string {
  try {
    const n = el.bytes().length
    return String(n + (n & 1))
  } catch {
    return '?'
  }
}

function shorten(s: string, max: number): string {
  return max > 0 && s.length > max ? `${s.substring(0, max)}...` : s
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0')

function hexBytes(b: Uint8Array, max: number): string {
  const n = max > 0 ? Math.min(b.length, Math.ceil(max / 3) + 1) : b.length
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(hex2(b[i]!))
  return parts.join('\\')
}

/** The value as dcmdump shows it: strings in brackets, numbers and hex words separated by `\`. */
function formatValue(el: DataElement, max: number): { text: string; vm: number } {
  const info = VR_INFO[el.vr]
  const none = '(no value available)'
  switch (info.kind) {
    case 'text':
    case 'ascii':
    case 'number-string': {
      const strings = info.kind === 'number-string' && el.raw !== undefined ? rawStrings(el.raw) : el.strings
      if (strings.length === 0) return { text: none, vm: 0 }
      if (el.vr === 'UI' && strings.length === 1) {
        // a registered UID also shows its PS3.6 keyword (dcmdump shows only the keyword)
        const known = lookupUid(strings[0]!)?.keyword
        if (known) return { text: `[${strings[0]}] =${known}`, vm: 1 }
      }
      // a single value of padding only counts as no value (VM 0), as dcmdump counts it
      const vm = strings.length === 1 && strings[0] === '' ? 0 : strings.length
      return { text: `[${shorten(strings.join('\\'), max)}]`, vm }
    }
    case 'binary-number':
    case 'bigint': {
      const nums = el.value as (number | bigint)[]
      if (nums.length === 0) return { text: none, vm: 0 }
      return { text: shorten(joinLimited(nums, (x) => String(x), max), max), vm: nums.length }
    }
    case 'tag': {
      const tags = el.value as number[]
      if (tags.length === 0) return { text: none, vm: 0 }
      return { text: shorten(joinLimited(tags, formatTag, max), max), vm: tags.length }
    }
    case 'bulk': {
      const v = el.value as ArrayLike<number | bigint> & { length: number }
      // binary VRs have VM 1 whatever their length (PS3.5 §6.4), empty or not
      if (v.length === 0 && (el.raw?.length ?? 0) === 0) return { text: none, vm: 1 }
      const size = info.size
      let text: string
      if (el.vr === 'OF' || el.vr === 'OD') text = joinLimited(Array.from(v as ArrayLike<number>), (x) => String(x), max)
      else if (size <= 1) text = hexBytes(el.raw ?? (v as Uint8Array), max)
      else text = joinLimited(Array.from(v as ArrayLike<number | bigint>), (x) => x.toString(16).padStart(size * 2, '0'), max)
      return { text: shorten(text, max), vm: 1 }
    }
    case 'sequence':
      return { text: '', vm: 1 }
  }
}

function joinLimited<T>(xs: readonly T[], f: (x: T) => string, max: number): string {
  if (max <= 0) return xs.map(f).join('\\')
  let s = ''
  for (let i = 0; i < xs.length; i++) {
    s += (i > 0 ? '\\' : '') + f(xs[i]!)
    if (s.length > max) break
  }
  return s
}

function rawStrings(raw: Uint8Array): string[] {
  if (raw.length === 0) return []
  return decodeAscii(raw).split('\\').map((s) => s.replace(/^[ \0]+|[ \0]+$/g, ''))
}

const USAGE = `usage: dimse dump [options] FILE...

Print the elements of DICOM files (File Meta Information and dataset), one per line, in the
manner of dcmdump: tag, VR, value, then "# length, VM keyword". Items of sequences are indented.
FILE - reads standard input.

options:
      --json        print the DICOM JSON Model (PS3.18 Annex F) instead, pretty-printed;
                    binary values as InlineBinary (base64)
      --meta        with --json: include the File Meta Information group (0002)
      --full        do not shorten long values in the listing
  -q, --quiet       do not print decoding warnings on stderr
  -h, --help        show this help
`

/** The `dump` command. */
export const dumpCommand: CliCommand = {
  name: 'dump',
  summary: 'print a DICOM file as a listing (like dcmdump) or as DICOM JSON (--json)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    let parsed
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: 'boolean' },
          meta: { type: 'boolean' },
          full: { type: 'boolean' },
          quiet: { type: 'boolean', short: 'q' },
          help: { type: 'boolean', short: 'h' },
        },
      })
    } catch (e) {
      throw new CliError(`dump: ${(e as Error).message.split('\n')[0]}`, 2)
    }
    const { values, positionals } = parsed
    if (values.help) {
      io.stdout(USAGE)
      return 0
    }
    if (positionals.length === 0) throw new CliError('dump: no FILE given (see dimse dump --help)', 2)
    if (values.meta && !values.json) throw new CliError('dump: --meta goes with --json', 2)
    let status = 0
    for (const path of positionals) {
      let file: DecodedFile
      try {
        file = await readDicomFile(path)
      } catch (e) {
        if (!(e instanceof CliError)) throw e
        io.stderr(`dimse: ${e.message}\n`)
        status = 1
        continue
      }
      if (!values.quiet) for (const w of file.warnings) io.stderr(`dimse: ${path}: warning: ${w}\n`)
      if (values.json) {
        let text: string
        try {
          text = stringifyDicomJson(decodedFileToJson(file, { meta: values.meta === true }), 2)
        } catch (e) {
          io.stderr(`dimse: ${path}: ${e instanceof Error ? e.message : String(e)}\n`)
          status = 1
          continue
        }
        io.stdout(text + '\n')
      } else {
        if (positionals.length > 1) io.stdout(`# ${path}\n`)
        io.stdout(formatDump(file, { maxValueLength: values.full ? 0 : 64 }))
      }
    }
    return status
  },
}
