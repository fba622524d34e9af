// DCMTK's dcmdump as an independent reader of our command-set encoder, for every message type
// (including the N-* messages, for which there are no captures): each encoded command set is
// written to a file and read back by `dcmdump -f -ti` (data set, Implicit VR Little Endian, no
// meta header); every element it lists must be the one we meant, with DCMTK's dictionary VR.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeCommand } from '../../../src/dimse/index.js'
import type { DimseMessage } from '../../../src/dimse/index.js'
import { anyMessage, messageArbitraries } from '../../property/dimse-arbitraries.js'
import { peersAvailable } from '../../helpers/process.js'

const haveDcmdump = peersAvailable('dcmdump-oracle', [['dcmdump', '--version']])

/** Our field names → (tag, DCMTK dictionary keyword, VR), transcribed from PS3.7 Table E.1-1. */
const FIELDS: Record<string, [string, string, string]> = {
  affectedSopClassUid: ['0000,0002', 'AffectedSOPClassUID', 'UI'],
  requestedSopClassUid: ['0000,0003', 'RequestedSOPClassUID', 'UI'],
  messageId: ['0000,0110', 'MessageID', 'US'],
  messageIdBeingRespondedTo: ['0000,0120', 'MessageIDBeingRespondedTo', 'US'],
  moveDestination: ['0000,0600', 'MoveDestination', 'AE'],
  priority: ['0000,0700', 'Priority', 'US'],
  status: ['0000,0900', 'Status', 'US'],
  offendingElement: ['0000,0901', 'OffendingElement', 'AT'],
  errorComment: ['0000,0902', 'ErrorComment', 'LO'],
  errorId: ['0000,0903', 'ErrorID', 'US'],
  affectedSopInstanceUid: ['0000,1000', 'AffectedSOPInstanceUID', 'UI'],
  requestedSopInstanceUid: ['0000,1001', 'RequestedSOPInstanceUID', 'UI'],
  eventTypeId: ['0000,1002', 'EventTypeID', 'US'],
  attributeIdentifierList: ['0000,1005', 'AttributeIdentifierList', 'AT'],
  actionTypeId: ['0000,1008', 'ActionTypeID', 'US'],
  numberOfRemainingSuboperations: ['0000,1020', 'NumberOfRemainingSuboperations', 'US'],
  numberOfCompletedSuboperations: ['0000,1021', 'NumberOfCompletedSuboperations', 'US'],
  numberOfFailedSuboperations: ['0000,1022', 'NumberOfFailedSuboperations', 'US'],
  numberOfWarningSuboperations: ['0000,1023', 'NumberOfWarningSuboperations', 'US'],
  moveOriginatorApplicationEntityTitle: ['0000,1030', 'MoveOriginatorApplicationEntityTitle', 'AE'],
  moveOriginatorMessageId: ['0000,1031', 'MoveOriginatorMessageID', 'US'],
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0')
const fmtTag = (t: number): string => `(${hex4(t >>> 16)},${hex4(t & 0xffff)})`

/** What dcmdump should print for a message: lines "(gggg,eeee) VR value keyword", sorted by tag. */
function expectedLines(m: DimseMessage, length: number): string[] {
  const rows: Array<[string, string, string, string]> = [
    ['0000,0000', 'UL', String(length - 12), 'CommandGroupLength'],
    ['0000,0100', 'US', String(m.commandField), 'CommandField'],
    ['0000,0800', 'US', m.hasDataset ? '1' : '257', 'CommandDataSetType'],
  ]
  for (const [key, value] of Object.entries(m)) {
    const f = FIELDS[key]
    if (f === undefined || value === undefined) continue
    const [tag, keyword, vr] = f
    let text: string
    if (vr === 'US') text = String(value)
    else if (vr === 'AT') text = (value as number[]).length === 0 ? '(no value available)' : (value as number[]).map(fmtTag).join('\\')
    else text = `[${String(value)}]`
    rows.push([tag, vr, text, keyword])
  }
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([t, vr, v, k]) => `(${t}) ${vr} ${v} ${k}`)
}

/** Parse dcmdump's output of several files into one list of normalised lines per file. */
function parseDump(out: string): string[][] {
  const files: string[][] = []
  for (const line of out.split('\n')) {
    if (line.startsWith('# dcmdump (')) files.push([])
    const m = /^\((\w{4},\w{4})\) (\w\w) (.*?)\s+#\s*(\d+),\s*(\d+) (\w+)$/.exec(line)
    if (m) files[files.length - 1]!.push(`(${m[1]}) ${m[2]} ${m[3]} ${m[6]}`)
  }
  return files
}

describe.skipIf(!haveDcmdump)('command sets read back by DCMTK dcmdump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-dcmdump-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('every message type, with every optional field, and 300 random messages', () => {
    // one sample per message type with every optional field (fc.sample of records with all keys
    // is not guaranteed, so filter on the key count), plus random ones
    const full: DimseMessage[] = Object.values(messageArbitraries).map((arb) => {
      const samples = fc.sample(arb, { numRuns: 400, seed: 42 })
      return samples.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a))
    })
    const random = fc.sample(anyMessage, { numRuns: 300, seed: 7 })
    const messages = [...full, ...random]
    const paths = messages.map((m, i) => {
      const p = join(dir, `m${i}.bin`)
      writeFileSync(p, encodeCommand(m))
      return p
    })
    const r = spawnSync('dcmdump', ['-f', '-ti', '-Un', '+L', '+F', '-q', ...paths], { encoding: 'utf8', maxBuffer: 64 << 20 })
    expect(r.stderr).toBe('')
    const dumps = parseDump(r.stdout)
    expect(dumps).toHaveLength(messages.length)
    messages.forEach((m, i) => {
      const length = encodeCommand(m).length
      expect(dumps[i], JSON.stringify(m)).toEqual(expectedLines(m, length))
    })
    // the full samples really cover the optional fields
    expect(full.map((m) => Object.keys(m).length).reduce((a, b) => a + b)).toBeGreaterThan(23 * 5)
  })
})
