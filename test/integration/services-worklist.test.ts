/**
 * `dimse serve --worklist DIR` (Modality Worklist C-FIND SCP, PS3.4 K) against DCMTK's
 * findscu -W, with DCMTK's own worklist SCP (wlmscpfs) serving the same items as the oracle:
 * the same query to both must give the same responses (compared as dcm2json output). Items
 * are given to our server partly as DICOM JSON files, partly as Part 10 files.
 * Fails (not skips) in CI when DCMTK is missing.
 */
import { spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Dataset, datasetToJson, encodeFile, stringifyDicomJson } from '../../src/dataset/index.js'
import { startServe, type RunningServe } from '../../src/cli/serve.js'
import { freePort, peerEnv, peersAvailable, runCommand, startServer } from '../helpers/process.js'

const available = peersAvailable('services-worklist', [['wlmscpfs', '--version'], ['findscu', '--version'], ['dcm2json', '--version']])
const env = peerEnv

const run = (cmd: string, args: string[]) => runCommand(cmd, args, 30_000, env)

function item(id: string, name: string, station: string, modality: string, date: string, time: string): Dataset {
  const ds = new Dataset()
  ds.set('SpecificCharacterSet', 'CS', ['ISO_IR 100'])
  ds.set('AccessionNumber', 'SH', [`A${id}`])
  ds.set('ReferringPhysicianName', 'PN', ['Ref^Rick'])
  ds.set('PatientName', 'PN', [name])
  ds.set('PatientID', 'LO', [id])
  ds.set('PatientBirthDate', 'DA', ['19700101'])
  ds.set('PatientSex', 'CS', ['O'])
  ds.set('StudyInstanceUID', 'UI', [`1.2.826.0.1.3680043.10.7.${id.slice(2)}`])
  ds.set('RequestedProcedureDescription', 'LO', ['Synthetic exam'])
  const sps = new Dataset()
  sps.set('Modality', 'CS', [modality])
  sps.set('ScheduledStationAETitle', 'AE', [station])
  sps.set('ScheduledProcedureStepStartDate', 'DA', [date])
  sps.set('ScheduledProcedureStepStartTime', 'TM', [time])
  sps.set('ScheduledPerformingPhysicianName', 'PN', ['House^Greg'])
  sps.set('ScheduledProcedureStepDescription', 'LO', ['Step'])
  sps.set('ScheduledProcedureStepID', 'SH', [`S${id}`])
  ds.set('ScheduledProcedureStepSequence', 'SQ', [sps])
  ds.set('RequestedProcedureID', 'SH', [`R${id}`])
  return ds
}

const items = [
  item('WL1', 'Doe^Jane', 'CT_ROOM1', 'CT', '20240110', '083000'),
  item('WL2', 'Doe^John', 'CT_ROOM1', 'CT', '20240110', '140000'),
  item('WL3', 'Roe^Rita', 'MR_ROOM1', 'MR', '20240110', '100000'),
  item('WL4', 'Poe^Edgar', 'CT_ROOM1', 'CT', '20240111', '090000'),
  item('WL5', 'Müller^Jürgen', 'MR_ROOM1', 'MR', '20240112', '160000'),
]

describe.skipIf(!available)('dimse serve --worklist against findscu -W (wlmscpfs as oracle)', () => {
  let dir: string
  let ours: RunningServe
  let theirPort: number
  let wlm: ChildProcess | undefined
  let n = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dimse-serve-wl-'))
    const wl = join(dir, 'worklist')
    mkdirSync(wl)
    // Three items as DICOM JSON (two in one array file, one alone), two as Part 10 files.
    writeFileSync(join(wl, 'a.json'), stringifyDicomJson(datasetToJson(items[0]!)))
    writeFileSync(join(wl, 'b.json'), `[${stringifyDicomJson(datasetToJson(items[1]!))},${stringifyDicomJson(datasetToJson(items[2]!))}]`)
    writeFileSync(join(wl, 'c.wl'), encodeFile(items[3]!))
    writeFileSync(join(wl, 'd.dcm'), encodeFile(items[4]!))
    writeFileSync(join(wl, 'notes.txt'), 'not a worklist item')
    const out: string[] = []
    ours = await startServe(['--storage', join(dir, 'archive'), '--port', '0', '--aet', 'WLSCP', '--worklist', wl], { stdout: (t) => void out.push(t), stderr: () => undefined })
    expect(out.join('')).toMatch(/5 worklist items, 1 unreadable/)

    const ae = join(dir, 'wlmdata', 'WLSCP')
    mkdirSync(ae, { recursive: true })
    writeFileSync(join(ae, 'lockfile'), '')
    items.forEach((it, i) => writeFileSync(join(ae, `item${i + 1}.wl`), encodeFile(it)))
    theirPort = await freePort()
    wlm = await startServer('wlmscpfs', ['-dfp', join(dir, 'wlmdata'), '-dfr', String(theirPort)], theirPort)
  }, 30_000)

  afterAll(async () => {
    wlm?.kill('SIGTERM')
    await ours?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /**
   * findscu -W against a port; each response as DCMTK's JSON (values decoded to Unicode, so that
   * the character set they travelled in does not matter), ordered by Patient ID. Specific
   * Character Set itself is left out of the comparison: wlmscpfs returns it only when asked,
   * ours always gives the one the values are in (DICOM JSON items are held as ISO_IR 192), and
   * dcm2json refuses a response with extended characters that lacks it.
   */
  async function query(port: number, keys: string[]): Promise<unknown[]> {
    const out = join(dir, `rsp${n++}`)
    mkdirSync(out)
    const r = await run('findscu', ['-W', '-aec', 'WLSCP', '-X', '-od', out, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)])
    expect(r.status, r.out).toBe(0)
    return readdirSync(out)
      .map((f) => {
        // wlmscpfs leaves Specific Character Set out of its responses: put back the one its items use.
        if (port === theirPort) expect(spawnSync('dcmodify', ['-nb', '-i', '(0008,0005)=ISO_IR 100', join(out, f)], { env }).status).toBe(0)
        const j = spawnSync('dcm2json', [join(out, f)], { encoding: 'utf8', env })
        expect(j.status, `${port === theirPort ? 'wlmscpfs' : 'ours'}: ${j.stderr}`).toBe(0)
        const json = JSON.parse(j.stdout) as Record<string, { Value?: unknown[] }>
        delete json['00080005']
        return json
      })
      .sort((a, b) => String(a['00100020']?.Value?.[0]).localeCompare(String(b['00100020']?.Value?.[0])))
  }

  const SPS = 'ScheduledProcedureStepSequence[0]'
  const cases: [string, string[]][] = [
    ['station AE', [`${SPS}.ScheduledStationAETitle=CT_ROOM1`, 'PatientID', 'PatientName']],
    ['modality and date', [`${SPS}.Modality=MR`, `${SPS}.ScheduledProcedureStepStartDate=20240110`, 'PatientID', `${SPS}.ScheduledProcedureStepID`]],
    ['date range', [`${SPS}.ScheduledProcedureStepStartDate=20240110-20240111`, 'PatientID', 'AccessionNumber']],
    ['patient name wild card', ['PatientName=Doe^J*', 'PatientID', `${SPS}.ScheduledStationAETitle`]],
    ['non-ASCII name (ISO_IR 100)', ['SpecificCharacterSet=ISO_IR 100', 'PatientName=M*', 'PatientID', 'PatientName']],
    ['no match', ['PatientName=Nobody', 'PatientID']],
    ['everything, many return keys', ['SpecificCharacterSet', 'PatientID', 'PatientName', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'RequestedProcedureID', 'RequestedProcedureDescription', `${SPS}.Modality`, `${SPS}.ScheduledProcedureStepStartDate`, `${SPS}.ScheduledProcedureStepStartTime`, `${SPS}.ScheduledPerformingPhysicianName`]],
  ]

  for (const [name, keys] of cases) {
    it(`${name}: same responses as wlmscpfs`, async () => {
      const theirs = await query(theirPort, keys)
      const mine = await query(ours.address.port, keys)
      expect(mine).toEqual(theirs)
      if (name !== 'no match') expect(mine.length).toBeGreaterThan(0)
    })
  }
})
