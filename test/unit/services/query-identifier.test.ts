// makeIdentifier: SCU-side identifiers from keywords.
import { describe, expect, it } from 'vitest'
import { makeIdentifier, QueryTags as T, validateIdentifier, StudyRootModel, matchKindOf } from '../../../src/services/query/index.js'
import { DicomError } from '../../../src/errors.js'
import { encodeDataset } from '../../../src/dataset/index.js'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peersAvailable } from '../../helpers/process.js'

const hasDcmdump = peersAvailable('query-identifier', [['dcmdump', '--version']], { skipped: 'the DCMTK read-back of identifiers' })

describe('makeIdentifier', () => {
  it('builds keys with the VRs of the model tables and keeps matching syntax verbatim', () => {
    const q = makeIdentifier({
      QueryRetrieveLevel: 'STUDY',
      PatientName: 'Doe*',
      StudyDate: '20240101-',
      StudyInstanceUID: '1.2.3\\1.2.4',
      ModalitiesInStudy: '',
      NumberOfStudyRelatedInstances: null,
    })
    expect(q.elements().map((e) => [e.tag, e.vr])).toEqual([
      [T.StudyDate, 'DA'],
      [T.QueryRetrieveLevel, 'CS'],
      [T.ModalitiesInStudy, 'CS'],
      [T.PatientName, 'PN'],
      [T.StudyInstanceUID, 'UI'],
      [T.NumberOfStudyRelatedInstances, 'IS'],
    ])
    expect(q.strings(T.StudyInstanceUID)).toEqual(['1.2.3', '1.2.4'])
    expect(matchKindOf(q.get(T.StudyInstanceUID)!)).toBe('list-of-uid')
    expect(matchKindOf(q.get(T.StudyDate)!)).toBe('range')
    expect(matchKindOf(q.get(T.PatientName)!)).toBe('wildcard')
    expect(matchKindOf(q.get(T.ModalitiesInStudy)!)).toBe('universal')
    expect(validateIdentifier(q, StudyRootModel).valid).toBe(true)
  })
  it('sequences: items, and [] for the whole sequence', () => {
    const q = makeIdentifier({
      PatientName: '',
      ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationAETitle: 'CT1', ScheduledProcedureStepStartDate: '20240110' }],
      ProcedureCodeSequence: [],
    })
    const sps = q.items(T.ScheduledProcedureStepSequence)
    expect(sps).toHaveLength(1)
    expect(sps[0]!.get(T.ScheduledStationAETitle)!.vr).toBe('AE')
    expect(sps[0]!.string(T.Modality)).toBe('CT')
    expect(q.items(T.ProcedureCodeSequence)).toEqual([])
  })
  it('keywords outside the model tables come from the dictionary; tags are accepted', () => {
    const q = makeIdentifier({ InstitutionName: 'X*', '(0018,0015)': 'CHEST', Rows: 512 })
    expect(q.get(0x00080080)!.vr).toBe('LO')
    expect(q.get(0x00180015)!.vr).toBe('CS')
    expect(q.get(T.Rows)!.value).toEqual([512])
  })
  it('a charset adds Specific Character Set', () => {
    const q = makeIdentifier({ PatientName: 'Müller*' }, { charset: ['ISO_IR 192'] })
    expect(q.strings(T.SpecificCharacterSet)).toEqual(['ISO_IR 192'])
    expect(q.context.charset).toEqual(['ISO_IR 192'])
  })
  it('rejects unknown keywords and wrong shapes with ERR_INVALID_ARGUMENT', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e instanceof DicomError ? e.code : 'other'
      }
      return 'none'
    }
    expect(code(() => makeIdentifier({ NoSuchKeyword: 'x' }))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => makeIdentifier({ ProcedureCodeSequence: 'x' }))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => makeIdentifier({ PatientName: [{ CodeValue: 'x' }] }))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => makeIdentifier({ Rows: 'abc' }))).toBe('ERR_INVALID_ARGUMENT')
  })

  it.skipIf(!hasDcmdump)('DCMTK reads an encoded identifier as meant (implicit VR LE, as on the wire)', () => {
    const q = makeIdentifier({
      QueryRetrieveLevel: 'STUDY',
      PatientName: 'Yamada^*',
      StudyDate: '20240101-20240131',
      StudyInstanceUID: '',
      ScheduledProcedureStepSequence: [{ Modality: 'MR' }],
    }, { charset: ['ISO_IR 192'] })
    const dir = mkdtempSync(join(tmpdir(), 'dimse-id-'))
    try {
      const f = join(dir, 'q.dcm')
      writeFileSync(f, encodeDataset(q, '1.2.840.10008.1.2'))
      const r2 = spawnSync('dcmdump', ['-f', '-ti', f], { encoding: 'utf8' })
      expect(r2.status).toBe(0)
      expect(r2.stderr).toBe('')
      expect(r2.stdout).toContain('(0008,0052) CS [STUDY]')
      expect(r2.stdout).toContain('(0008,0020) DA [20240101-20240131]')
      expect(r2.stdout).toContain('(0010,0010) PN [Yamada^*]')
      expect(r2.stdout).toMatch(/\(0020,000d\) UI \(no value available\)/)
      expect(r2.stdout).toMatch(/\(0008,0060\) CS \[MR\]/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
