// Differential test of C-FIND matching against a real peer: DCMTK's dcmqrscp indexes the
// synthetic samples, findscu asks it a set of queries, and hierarchicalFind must return the same
// entities over the same datasets. Skipped (with a note) when DCMTK is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freePort, peerEnv, peersAvailable, waitForPort } from '../../helpers/process.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeSampleInstances, encodeSample } from '../../../src/samples/index.js'
import { decodeFile, Dataset, DataElement } from '../../../src/dataset/index.js'
import type { VR } from '../../../src/dataset/index.js'
import { hierarchicalFind, StudyRootModel, PatientRootModel, QueryTags as T } from '../../../src/services/query/index.js'
import type { QueryRetrieveModel } from '../../../src/services/query/index.js'

const available = peersAvailable('query-dcmqrscp', [['dcmqrscp', '--version'], ['findscu', '--version'], ['dcmqridx', '--version']], { skipped: 'the C-FIND differential test' })

const env = peerEnv
const samples = makeSampleInstances({ count: 30, seed: 'qr', sizeKb: 2 })
const datasets = samples.map((s) => s.dataset)

describe.skipIf(!available)('C-FIND matching agrees with dcmqrscp', () => {
  let dir = ''
  let port = 0
  let scp: ChildProcess | undefined
  let n = 0
  let scpLog = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-qr-'))
    const db = join(dir, 'db')
    mkdirSync(db)
    const files: string[] = []
    for (const [i, s] of samples.entries()) {
      const f = join(dir, `in${i}.dcm`)
      writeFileSync(f, encodeSample(s))
      files.push(f)
    }
    const idx = spawnSync('dcmqridx', [db, ...files], { encoding: 'utf8', env })
    expect(idx.status, idx.stderr).toBe(0)
    port = await freePort()
    writeFileSync(
      join(dir, 'qr.cfg'),
      [
        `NetworkTCPPort = ${port}`,
        'MaxPDUSize = 16384',
        'MaxAssociations = 4',
        'HostTable BEGIN',
        'HostTable END',
        'VendorTable BEGIN',
        'VendorTable END',
        'AETable BEGIN',
        `QRSCP ${db} RW (200, 1024mb) ANY`,
        'AETable END',
        '',
      ].join('\n'),
    )
    scp = spawn('dcmqrscp', ['-c', join(dir, 'qr.cfg')], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    scp.stderr!.setEncoding('utf8').on('data', (d: string) => { scpLog += d })
    scp.on('exit', (code) => { scpLog += `\n[dcmqrscp exited with ${code}]` })
    await waitForPort(port, 10_000, 'dcmqrscp')
  })

  afterAll(() => {
    if (scp?.pid !== undefined) scp.kill('SIGTERM')
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  /** Run findscu with the keys; return the decoded response identifiers. */
  function findscu(root: '-S' | '-P', keys: string[], name = ''): Dataset[] {
    const out = join(dir, `rsp${n++}`)
    mkdirSync(out)
    const args = [root, '-aet', 'DIMSE', '-aec', 'QRSCP', '-X', '-od', out, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)]
    const r = spawnSync('findscu', args, { encoding: 'utf8', env, timeout: 20_000 })
    expect(r.status, `${name}: ${r.stderr}\n${scpLog}`).toBe(0)
    return readdirSync(out).sort().map((f) => decodeFile(readFileSync(join(out, f))).dataset)
  }

  /** The same query through hierarchicalFind. */
  function ours(model: QueryRetrieveModel, keys: [number, VR, string[]][]): Dataset[] {
    const q = new Dataset()
    for (const [t, vr, v] of keys) q.set(DataElement.fromValue(t, vr, v))
    const { validation, responses } = hierarchicalFind(q, datasets, model)
    expect(validation.problems).toEqual([])
    return [...responses]
  }

  const ids = (rs: Dataset[], t: number) => rs.map((r) => r.string(t) ?? '').sort()
  const studyOf = (i: number) => samples.filter((s) => s.modality !== 'SR')[i]!
  const studyDates = [...new Set(datasets.map((d) => d.string(T.StudyDate)!))].sort()
  const midDate = studyDates[Math.floor(studyDates.length / 2)]!
  const k = (tag: string, value = '') => (value === '' ? tag : `${tag}=${value}`)

  type Case = { name: string; root: '-S' | '-P'; model: QueryRetrieveModel; level: string; keys: [string, number, VR, string][]; unique: number }
  const cases: () => Case[] = () => [
    { name: 'wild card on PN', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['PatientName', T.PatientName, 'PN', 'Synth*']] },
    { name: 'wild card ? on LO', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['PatientID', T.PatientID, 'LO', 'DIMSE-00?']] },
    { name: 'no match', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['PatientID', T.PatientID, 'LO', 'nobody']] },
    { name: 'date range -b', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyDate', T.StudyDate, 'DA', `-${midDate}`]] },
    { name: 'date range a-', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyDate', T.StudyDate, 'DA', `${midDate}-`]] },
    { name: 'date range a-b', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyDate', T.StudyDate, 'DA', `${studyDates[1]}-${studyDates[3]}`]] },
    { name: 'time range', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyTime', T.StudyTime, 'TM', '-1200']] },
    { name: 'single value SH', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['AccessionNumber', T.AccessionNumber, 'SH', 'ACC00003']] },
    { name: 'list of UIDs', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyInstanceUID', T.StudyInstanceUID, 'UI', `${studyOf(0).studyInstanceUid}\\${samples[samples.length - 1]!.studyInstanceUid}`]] },
    { name: 'series of a study by modality', root: '-S', model: StudyRootModel, level: 'SERIES', unique: T.SeriesInstanceUID, keys: [['StudyInstanceUID', T.StudyInstanceUID, 'UI', studyOf(0).studyInstanceUid], ['Modality', T.Modality, 'CS', 'CT']] },
    { name: 'all series of a study', root: '-S', model: StudyRootModel, level: 'SERIES', unique: T.SeriesInstanceUID, keys: [['StudyInstanceUID', T.StudyInstanceUID, 'UI', studyOf(0).studyInstanceUid], ['SeriesInstanceUID', T.SeriesInstanceUID, 'UI', '']] },
    { name: 'image by instance number', root: '-S', model: StudyRootModel, level: 'IMAGE', unique: T.SOPInstanceUID, keys: [['StudyInstanceUID', T.StudyInstanceUID, 'UI', studyOf(0).studyInstanceUid], ['SeriesInstanceUID', T.SeriesInstanceUID, 'UI', studyOf(0).seriesInstanceUid], ['InstanceNumber', T.InstanceNumber, 'IS', '2']] },
    { name: 'PN literal matching is case-sensitive', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['PatientName', T.PatientName, 'PN', 'synth*']] },
    { name: 'time range a-b', root: '-S', model: StudyRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['StudyTime', T.StudyTime, 'TM', '0900-1430']] },
    { name: 'image level: list of SOP Instance UIDs', root: '-S', model: StudyRootModel, level: 'IMAGE', unique: T.SOPInstanceUID, keys: [['StudyInstanceUID', T.StudyInstanceUID, 'UI', studyOf(0).studyInstanceUid], ['SeriesInstanceUID', T.SeriesInstanceUID, 'UI', studyOf(0).seriesInstanceUid], ['SOPInstanceUID', T.SOPInstanceUID, 'UI', `${studyOf(0).sopInstanceUid}\\${studyOf(2).sopInstanceUid}\\1.2.3`]] },
    { name: 'patient root: series level', root: '-P', model: PatientRootModel, level: 'SERIES', unique: T.SeriesInstanceUID, keys: [['PatientID', T.PatientID, 'LO', studyOf(0).patientId], ['StudyInstanceUID', T.StudyInstanceUID, 'UI', studyOf(0).studyInstanceUid], ['SeriesNumber', T.SeriesNumber, 'IS', '1']] },
    { name: 'patient root: patients by name', root: '-P', model: PatientRootModel, level: 'PATIENT', unique: T.PatientID, keys: [['PatientName', T.PatientName, 'PN', '*^T*']] },
    { name: 'patient root: studies of a patient', root: '-P', model: PatientRootModel, level: 'STUDY', unique: T.StudyInstanceUID, keys: [['PatientID', T.PatientID, 'LO', 'DIMSE-002'], ['StudyDate', T.StudyDate, 'DA', '']] },
  ]

  it('every query returns the same entities', () => {
    let nonEmpty = 0
    for (const c of cases()) {
      const uniqueKw = c.unique === T.StudyInstanceUID ? 'StudyInstanceUID' : c.unique === T.SeriesInstanceUID ? 'SeriesInstanceUID' : c.unique === T.SOPInstanceUID ? 'SOPInstanceUID' : 'PatientID'
      const dcmtkKeys = [k('QueryRetrieveLevel', c.level), ...c.keys.map(([kw, , , v]) => k(kw, v))]
      if (!c.keys.some(([kw]) => kw === uniqueKw)) dcmtkKeys.push(k(uniqueKw))
      const theirRsp = findscu(c.root, dcmtkKeys, c.name)
      const theirs = ids(theirRsp, c.unique)
      const ourKeys: [number, VR, string[]][] = [[T.QueryRetrieveLevel, 'CS', [c.level]], ...c.keys.map(([, t, vr, v]): [number, VR, string[]] => [t, vr, v === '' ? [] : v.split('\\')])]
      if (!c.keys.some(([, t]) => t === c.unique)) ourKeys.push([c.unique, c.unique === T.PatientID ? 'LO' : 'UI', []])
      const myRsp = ours(c.model, ourKeys)
      const mine = ids(myRsp, c.unique)
      // same response keys (C.4.1.1.3.2); dcmqrscp adds Retrieve AE Title itself
      const shape = (r: Dataset) => r.elements().map((e) => e.tag).filter((t) => t !== T.RetrieveAETitle && t !== T.SpecificCharacterSet)
      if (theirRsp.length > 0) expect(shape(myRsp[0]!), c.name).toEqual(shape(theirRsp[0]!))
      // and the same values, entity by entity
      const values = (r: Dataset) => shape(r).map((t) => [t, r.strings(t)])
      for (const r of myRsp) {
        const other = theirRsp.find((x) => x.string(c.unique) === r.string(c.unique))!
        expect(values(r), c.name).toEqual(values(other))
      }
      expect(mine, c.name).toEqual(theirs)
      if (theirs.length > 0) nonEmpty++
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(10) // the comparison is not vacuous
  })
})
