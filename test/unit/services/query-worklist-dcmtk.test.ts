// Differential test of worklist matching (PS3.4 K.6, sequence matching C.2.2.2.6) against
// DCMTK's wlmscpfs: the same worklist items are served by wlmscpfs and matched by
// matchIdentifier; findscu -W asks both the same queries. Skipped when DCMTK is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freePort, peerEnv, peersAvailable, startServer } from '../../helpers/process.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeFile, encodeFile, Dataset, DataElement } from '../../../src/dataset/index.js'
import type { ElementValue, VR } from '../../../src/dataset/index.js'
import { matchIdentifier, worklistFind, QueryTags as T } from '../../../src/services/query/index.js'
import type { MatchOptions } from '../../../src/services/query/index.js'

const available = peersAvailable('query-worklist-dcmtk', [['wlmscpfs', '--version'], ['findscu', '--version']], { skipped: 'the worklist differential test' })

const env = peerEnv
type Row = [tag: number, vr: VR, value: ElementValue]
const ds = (...rows: Row[]) => {
  const d = new Dataset()
  for (const [t, vr, v] of rows) d.set(DataElement.fromValue(t, vr, v))
  return d
}

// five scheduled procedure steps on two stations, three days, two modalities
const spec: [id: string, name: string, aet: string, modality: string, date: string, time: string, physician: string][] = [
  ['WL1', 'Doe^Jane', 'CT_ROOM1', 'CT', '20240110', '083000', 'House^Greg'],
  ['WL2', 'Doe^John', 'CT_ROOM1', 'CT', '20240110', '140000', 'House^Greg'],
  ['WL3', 'Roe^Rita', 'MR_ROOM1', 'MR', '20240110', '100000', 'Grey^Meredith'],
  ['WL4', 'Poe^Edgar', 'CT_ROOM1', 'CT', '20240111', '090000', 'Grey^Meredith'],
  ['WL5', 'Doe^Jim', 'MR_ROOM1', 'MR', '20240112', '160000', 'House^Greg'],
]
const items = spec.map(([id, name, aet, modality, date, time, physician]) =>
  ds(
    [T.SpecificCharacterSet, 'CS', ['ISO_IR 100']],
    [T.AccessionNumber, 'SH', [`A${id}`]],
    [T.ReferringPhysicianName, 'PN', ['Ref^Rick']],
    [T.PatientName, 'PN', [name]],
    [T.PatientID, 'LO', [id]],
    [T.PatientBirthDate, 'DA', ['19700101']],
    [T.PatientSex, 'CS', ['O']],
    [T.StudyInstanceUID, 'UI', [`1.2.826.0.1.3680043.10.1.${id.slice(2)}`]],
    [T.RequestedProcedureDescription, 'LO', ['Synthetic exam']],
    [T.ScheduledProcedureStepSequence, 'SQ', [ds(
      [T.Modality, 'CS', [modality]],
      [T.ScheduledStationAETitle, 'AE', [aet]],
      [T.ScheduledProcedureStepStartDate, 'DA', [date]],
      [T.ScheduledProcedureStepStartTime, 'TM', [time]],
      [T.ScheduledPerformingPhysicianName, 'PN', [physician]],
      [T.ScheduledProcedureStepDescription, 'LO', ['Step']],
      [T.ScheduledProcedureStepID, 'SH', [`S${id}`]],
    )]],
    [T.RequestedProcedureID, 'SH', [`R${id}`]],
    [T.RequestedProcedurePriority, 'SH', ['ROUTINE']],
  ),
)

describe.skipIf(!available)('worklist matching agrees with wlmscpfs', () => {
  let dir = ''
  let port = 0
  let scp: ChildProcess | undefined
  let n = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-wl-'))
    const ae = join(dir, 'data', 'WLSCP')
    mkdirSync(ae, { recursive: true })
    writeFileSync(join(ae, 'lockfile'), '')
    items.forEach((item, i) => writeFileSync(join(ae, `item${i + 1}.wl`), encodeFile(item)))
    port = await freePort()
    scp = await startServer('wlmscpfs', ['-dfp', join(dir, 'data'), '-dfr', String(port)], port)
  })
  afterAll(() => {
    if (scp?.pid !== undefined) scp.kill('SIGTERM')
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  function findscu(keys: string[]): Dataset[] {
    const out = join(dir, `rsp${n++}`)
    mkdirSync(out)
    const args = ['-W', '-aet', 'DIMSE', '-aec', 'WLSCP', '-X', '-od', out, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)]
    const r = spawnSync('findscu', args, { encoding: 'utf8', env, timeout: 20_000 })
    expect(r.status, r.stderr).toBe(0)
    return readdirSync(out).sort().map((f) => decodeFile(readFileSync(join(out, f))).dataset)
  }

  const SPS = 'ScheduledProcedureStepSequence[0]'
  // [name, top-level keys, SPS item keys]; every query also asks for PatientID and the SPS station AE
  const cases: [string, [string, number, VR, string][], [string, number, VR, string][], MatchOptions?][] = [
    ['station AE', [], [['ScheduledStationAETitle', T.ScheduledStationAETitle, 'AE', 'CT_ROOM1']]],
    ['modality and date', [], [['Modality', T.Modality, 'CS', 'MR'], ['ScheduledProcedureStepStartDate', T.ScheduledProcedureStepStartDate, 'DA', '20240110']]],
    ['date range', [], [['ScheduledProcedureStepStartDate', T.ScheduledProcedureStepStartDate, 'DA', '20240110-20240111']]],
    ['open date range', [], [['ScheduledProcedureStepStartDate', T.ScheduledProcedureStepStartDate, 'DA', '20240111-']]],
    ['time range', [], [['ScheduledProcedureStepStartTime', T.ScheduledProcedureStepStartTime, 'TM', '0800-1200']]],
    ['physician wild card', [], [['ScheduledPerformingPhysicianName', T.ScheduledPerformingPhysicianName, 'PN', 'House*']]],
    ['patient name wild card', [['PatientName', T.PatientName, 'PN', 'Doe^J*']], []],
    ['patient id and modality', [['PatientID', T.PatientID, 'LO', 'WL4']], [['Modality', T.Modality, 'CS', 'CT']]],
    // wlmscpfs matches SPS start date and time as one date-time (C.2.2.2.5.1)
    ['combined date-time range', [], [['ScheduledProcedureStepStartDate', T.ScheduledProcedureStepStartDate, 'DA', '20240110-20240111'], ['ScheduledProcedureStepStartTime', T.ScheduledProcedureStepStartTime, 'TM', '1200-0930']], { combinedDateTime: true }],
    ['accession number', [['AccessionNumber', T.AccessionNumber, 'SH', 'AWL3']], []],
    ['no match', [['PatientName', T.PatientName, 'PN', 'Nobody']], []],
  ]

  it('every query returns the same worklist items', () => {
    let nonEmpty = 0
    for (const [name, top, sps, options] of cases) {
      const keys = [
        ...top.map(([kw, , , v]) => `${kw}=${v}`),
        ...(top.some(([kw]) => kw === 'PatientID') ? [] : ['PatientID']),
        ...sps.map(([kw, , , v]) => `${SPS}.${kw}=${v}`),
        ...(sps.some(([kw]) => kw === 'ScheduledStationAETitle') ? [] : [`${SPS}.ScheduledStationAETitle`]),
      ]
      const theirRsp = findscu(keys)
      const theirs = theirRsp.map((r) => r.string(T.PatientID) ?? '').sort()

      const item = new Dataset()
      for (const [, t, vr, v] of sps) item.set(DataElement.fromValue(t, vr, [v]))
      if (!item.has(T.ScheduledStationAETitle)) item.set(DataElement.fromValue(T.ScheduledStationAETitle, 'AE', []))
      const q = new Dataset()
      for (const [, t, vr, v] of top) q.set(DataElement.fromValue(t, vr, [v]))
      if (!q.has(T.PatientID)) q.set(DataElement.fromValue(T.PatientID, 'LO', []))
      q.set(DataElement.fromValue(T.ScheduledProcedureStepSequence, 'SQ', [item]))
      const myRsp = [...worklistFind(q, items, options)]
      const mine = myRsp.map((r) => r.string(T.PatientID) ?? '').sort()
      // the response identifiers hold the same keys (C.4.1.1.3.2), Specific Character Set aside
      const shape = (r: Dataset) => ({
        top: r.elements().map((e) => e.tag).filter((t) => t !== T.SpecificCharacterSet),
        sps: r.items(T.ScheduledProcedureStepSequence).map((i) => i.elements().map((e) => e.tag)),
      })
      if (theirRsp.length > 0) expect(shape(myRsp[0]!), name).toEqual(shape(theirRsp[0]!))
      expect(mine, name).toEqual(theirs)
      if (theirs.length > 0) nonEmpty++
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(8)
  })

  it('known DCMTK deviation: wlmscpfs has no wild cards on Patient ID, which C.2.2.2.4 allows for LO', () => {
    // dcmwlm/libsrc/wlfsim.cc PatientIdsMatch() does case-sensitive single value matching only
    expect(findscu(['PatientID=WL?']).length).toBe(0)
    const q = new Dataset().set(DataElement.fromValue(T.PatientID, 'LO', ['WL?']))
    expect(items.filter((c) => matchIdentifier(q, c)).map((c) => c.string(T.PatientID))).toEqual(['WL1', 'WL2', 'WL3', 'WL4', 'WL5'])
  })
})
