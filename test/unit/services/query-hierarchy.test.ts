// Information models (PS3.4 C.6, K.6), identifier validation (C.4.1.2.1, C.4.2.2.1), response
// building (C.4.1.1.3.2) and an in-memory hierarchical find.
import { describe, expect, it } from 'vitest'
import { Dataset, DataElement } from '../../../src/dataset/element.js'
import type { ElementValue } from '../../../src/dataset/element.js'
import type { VR } from '../../../src/dataset/vr.js'
import {
  PatientRootModel,
  StudyRootModel,
  PatientStudyOnlyModel,
  ModalityWorklistModel,
  QueryTags as T,
  queryRetrieveSopClass,
  levelOfKey,
  validateIdentifier,
  buildResponse,
  collapseToLevel,
  hierarchicalFind,
  selectForRetrieve,
  matchIdentifier,
} from '../../../src/services/query/index.js'

const num = (a: number, b: number) => a - b
type Row = [tag: number, vr: VR, value: ElementValue]
function ds(...rows: Row[]): Dataset {
  const d = new Dataset()
  for (const [t, vr, v] of rows) d.set(DataElement.fromValue(t, vr, v))
  return d
}

describe('information models (PS3.4 C.6)', () => {
  it('SOP Class UIDs of FIND/MOVE/GET per model (PS3.4 Table C.6-... / B.5-1)', () => {
    expect([PatientRootModel.find, PatientRootModel.move, PatientRootModel.get]).toEqual([
      '1.2.840.10008.5.1.4.1.2.1.1', '1.2.840.10008.5.1.4.1.2.1.2', '1.2.840.10008.5.1.4.1.2.1.3',
    ])
    expect([StudyRootModel.find, StudyRootModel.move, StudyRootModel.get]).toEqual([
      '1.2.840.10008.5.1.4.1.2.2.1', '1.2.840.10008.5.1.4.1.2.2.2', '1.2.840.10008.5.1.4.1.2.2.3',
    ])
    expect([PatientStudyOnlyModel.find, PatientStudyOnlyModel.move, PatientStudyOnlyModel.get]).toEqual([
      '1.2.840.10008.5.1.4.1.2.3.1', '1.2.840.10008.5.1.4.1.2.3.2', '1.2.840.10008.5.1.4.1.2.3.3',
    ])
    expect(ModalityWorklistModel.find).toBe('1.2.840.10008.5.1.4.31')
    expect(queryRetrieveSopClass('1.2.840.10008.5.1.4.1.2.2.2')).toEqual({ model: StudyRootModel, operation: 'MOVE' })
    expect(queryRetrieveSopClass('1.2.840.10008.1.1')).toBeUndefined()
  })
  it('levels and unique keys (C.6.1.1, C.6.2.1)', () => {
    const u = (m: typeof PatientRootModel) => m.levels.map((d) => [d.level, d.uniqueKey.tag])
    expect(u(PatientRootModel)).toEqual([
      ['PATIENT', 0x00100020], ['STUDY', 0x0020000d], ['SERIES', 0x0020000e], ['IMAGE', 0x00080018],
    ])
    expect(u(StudyRootModel)).toEqual([['STUDY', 0x0020000d], ['SERIES', 0x0020000e], ['IMAGE', 0x00080018]])
    expect(u(PatientStudyOnlyModel)).toEqual([['PATIENT', 0x00100020], ['STUDY', 0x0020000d]])
    expect(PatientStudyOnlyModel.retired).toBe(true)
  })
  it('required keys (Tables C.6-1..C.6-5)', () => {
    const req = (m: typeof PatientRootModel, lv: string) =>
      m.levels.find((d) => d.level === lv)!.keys.filter((x) => x.matching === 'R').map((x) => x.tag).sort(num)
    expect(req(PatientRootModel, 'PATIENT')).toEqual([0x00100010])
    expect(req(PatientRootModel, 'STUDY')).toEqual([0x00080020, 0x00080030, 0x00080050, 0x00200010].sort(num))
    expect(req(StudyRootModel, 'STUDY')).toEqual([0x00080020, 0x00080030, 0x00080050, 0x00100010, 0x00100020, 0x00200010].sort(num))
    expect(req(PatientRootModel, 'SERIES')).toEqual([0x00080060, 0x00200011])
    expect(req(PatientRootModel, 'IMAGE')).toEqual([0x00200013])
  })
  it('every key has exactly one unique key per level and tags agree with QueryTags', () => {
    for (const m of [PatientRootModel, StudyRootModel, PatientStudyOnlyModel]) {
      for (const d of m.levels) {
        expect(d.keys.filter((x) => x.matching === 'U')).toHaveLength(1)
        for (const key of d.keys) expect((T as Record<string, number>)[key.keyword]).toBe(key.tag)
      }
    }
  })
  it('levelOfKey', () => {
    expect(levelOfKey(PatientRootModel, T.PatientName)).toBe('PATIENT')
    expect(levelOfKey(StudyRootModel, T.PatientName)).toBe('STUDY')
    expect(levelOfKey(StudyRootModel, T.Modality)).toBe('SERIES')
    expect(levelOfKey(StudyRootModel, 0x00091010)).toBeUndefined()
  })
  it('worklist keys include the Scheduled Procedure Step Sequence with its item keys (Table K.6-1)', () => {
    const sps = ModalityWorklistModel.keys.find((x) => x.tag === 0x00400100)!
    expect(sps.vr).toBe('SQ')
    const items = sps.items!.filter((x) => x.matching === 'R').map((x) => x.tag).sort(num)
    expect(items).toEqual([0x00400001, 0x00400002, 0x00400003, 0x00080060, 0x00400006].sort(num))
  })
})

describe('validateIdentifier (C.4.1.2.1 hierarchical search)', () => {
  const lvl = (l: string): Row => [T.QueryRetrieveLevel, 'CS', [l]]
  it('a study-level Study Root query with return keys is valid', () => {
    const v = validateIdentifier(ds(lvl('STUDY'), [T.PatientName, 'PN', ['Doe*']], [T.StudyInstanceUID, 'UI', []]), StudyRootModel)
    expect(v).toMatchObject({ valid: true, level: 'STUDY', problems: [], status: undefined })
  })
  it('missing level → A900', () => {
    const v = validateIdentifier(ds([T.PatientID, 'LO', ['1']]), StudyRootModel)
    expect(v.valid).toBe(false)
    expect(v.status).toBe(0xa900)
    expect(v.problems[0]!.reason).toBe('missing-level')
  })
  it('a level the model lacks (PATIENT in Study Root)', () => {
    expect(validateIdentifier(ds(lvl('PATIENT')), StudyRootModel).problems[0]!.reason).toBe('unknown-level')
  })
  it('series level needs a single Study Instance UID', () => {
    expect(validateIdentifier(ds(lvl('SERIES')), StudyRootModel).problems.map((p) => p.reason)).toEqual(['missing-unique-key'])
    const list = ds(lvl('SERIES'), [T.StudyInstanceUID, 'UI', ['1.2', '1.3']])
    expect(validateIdentifier(list, StudyRootModel).problems.map((p) => p.reason)).toEqual(['unique-key-not-single'])
    expect(validateIdentifier(ds(lvl('SERIES'), [T.StudyInstanceUID, 'UI', ['1.2']]), StudyRootModel).valid).toBe(true)
  })
  it('image level in Patient Root needs Patient ID, Study and Series UIDs', () => {
    const v = validateIdentifier(ds(lvl('IMAGE'), [T.PatientID, 'LO', ['P*']], [T.StudyInstanceUID, 'UI', ['1']]), PatientRootModel)
    expect(v.problems.map((p) => [p.reason, p.tag])).toEqual([
      ['unique-key-not-single', T.PatientID],
      ['missing-unique-key', T.SeriesInstanceUID],
    ])
  })
  it('relational search lifts the unique-key rule (C.4.1.2.2)', () => {
    expect(validateIdentifier(ds(lvl('SERIES'), [T.Modality, 'CS', ['CT']]), StudyRootModel, { relational: true }).valid).toBe(true)
  })
  it('keys below the level are not allowed', () => {
    const v = validateIdentifier(ds(lvl('STUDY'), [T.Modality, 'CS', ['CT']]), StudyRootModel)
    expect(v.problems.map((p) => p.reason)).toEqual(['key-below-level'])
  })
  it('non-unique keys above the level only warn', () => {
    const v = validateIdentifier(ds(lvl('SERIES'), [T.StudyInstanceUID, 'UI', ['1']], [T.StudyDate, 'DA', []]), StudyRootModel)
    expect(v.valid).toBe(true)
    expect(v.warnings.map((p) => p.tag)).toEqual([T.StudyDate])
  })
  it('C-MOVE: unique key at the level (list allowed), nothing else (C.4.2.2.1)', () => {
    const ok = ds(lvl('STUDY'), [T.StudyInstanceUID, 'UI', ['1.2', '1.3']])
    expect(validateIdentifier(ok, StudyRootModel, { operation: 'MOVE' }).valid).toBe(true)
    const extra = ds(lvl('STUDY'), [T.StudyInstanceUID, 'UI', ['1.2']], [T.PatientName, 'PN', ['X']])
    expect(validateIdentifier(extra, StudyRootModel, { operation: 'MOVE' }).problems.map((p) => p.reason)).toEqual(['key-not-allowed'])
    const none = ds(lvl('STUDY'), [T.StudyInstanceUID, 'UI', []])
    expect(validateIdentifier(none, StudyRootModel, { operation: 'GET' }).problems.map((p) => p.reason)).toEqual(['missing-unique-key'])
  })
})

// a small store: 2 patients, 3 studies, 4 series, 7 instances
function instance(p: string, st: string, se: string, sop: string, modality: string, date: string): Dataset {
  return ds(
    [T.SpecificCharacterSet, 'CS', ['ISO_IR 100']],
    [T.SOPClassUID, 'UI', [modality === 'SR' ? '1.2.840.10008.5.1.4.1.1.88.22' : '1.2.840.10008.5.1.4.1.1.2']],
    [T.SOPInstanceUID, 'UI', [sop]],
    [T.StudyDate, 'DA', [date]],
    [T.Modality, 'CS', [modality]],
    [T.PatientName, 'PN', [`Name^${p}`]],
    [T.PatientID, 'LO', [p]],
    [T.StudyInstanceUID, 'UI', [st]],
    [T.SeriesInstanceUID, 'UI', [se]],
    [T.InstanceNumber, 'IS', [Number(sop.split('.').pop())]],
  )
}
const store = [
  instance('P1', '1.1', '1.1.1', '1.1.1.1', 'CT', '20240101'),
  instance('P1', '1.1', '1.1.1', '1.1.1.2', 'CT', '20240101'),
  instance('P1', '1.1', '1.1.2', '1.1.2.1', 'SR', '20240101'),
  instance('P1', '1.2', '1.2.1', '1.2.1.1', 'MR', '20240301'),
  instance('P2', '2.1', '2.1.1', '2.1.1.1', 'CT', '20231231'),
  instance('P2', '2.1', '2.1.1', '2.1.1.2', 'CT', '20231231'),
  instance('P2', '2.1', '2.1.1', '2.1.1.3', 'CT', '20231231'),
]

describe('collapseToLevel', () => {
  it('groups instances into studies with counts and modalities', () => {
    const studies = collapseToLevel(store, StudyRootModel, 'STUDY')
    expect(studies.map((s) => [s.string(T.StudyInstanceUID), s.strings(T.ModalitiesInStudy), s.number(T.NumberOfStudyRelatedSeries), s.number(T.NumberOfStudyRelatedInstances)])).toEqual([
      ['1.1', ['CT', 'SR'], 2, 3],
      ['1.2', ['MR'], 1, 1],
      ['2.1', ['CT'], 1, 3],
    ])
  })
  it('patients and series', () => {
    expect(collapseToLevel(store, PatientRootModel, 'PATIENT').map((p) => [p.number(T.NumberOfPatientRelatedStudies), p.number(T.NumberOfPatientRelatedInstances)])).toEqual([[2, 4], [1, 3]])
    expect(collapseToLevel(store, StudyRootModel, 'SERIES').map((s) => s.number(T.NumberOfSeriesRelatedInstances))).toEqual([2, 1, 1, 3])
  })
})

describe('buildResponse (C.4.1.1.3.2)', () => {
  it('holds exactly the query keys with the match values, plus level, charset and higher unique keys', () => {
    const q = ds([T.QueryRetrieveLevel, 'CS', ['SERIES']], [T.StudyInstanceUID, 'UI', ['1.1']], [T.Modality, 'CS', []], [T.SeriesDescription, 'LO', []])
    const r = buildResponse(q, store[0]!, 'SERIES', PatientRootModel)
    expect(r.elements().map((e) => e.tag)).toEqual([
      T.SpecificCharacterSet, T.QueryRetrieveLevel, T.Modality, T.SeriesDescription, T.PatientID, T.StudyInstanceUID,
    ])
    expect(r.string(T.Modality)).toBe('CT')
    expect(r.string(T.PatientID)).toBe('P1') // unique key of the level above in Patient Root
    expect(r.get(T.SeriesDescription)!.vr).toBe('LO')
    expect(r.strings(T.SeriesDescription)).toEqual([]) // zero length: the match has none
    expect(r.has(T.SeriesInstanceUID)).toBe(false) // not asked for at its own level
    expect(r.has(T.SOPInstanceUID)).toBe(false)
  })
  it('drops a query Specific Character Set the match does not have', () => {
    const q = ds([T.SpecificCharacterSet, 'CS', ['ISO_IR 192']], [T.PatientID, 'LO', []])
    const r = buildResponse(q, ds([T.PatientID, 'LO', ['X']]))
    expect(r.has(T.SpecificCharacterSet)).toBe(false)
  })
  it('sequence return keys: matching items reduced to the item keys (C.2.2.2.6)', () => {
    const item = (v: string, m: string) => ds([T.CodeValue, 'SH', [v]], [T.CodingSchemeDesignator, 'SH', ['L']], [T.CodeMeaning, 'LO', [m]])
    const match = ds([T.ProcedureCodeSequence, 'SQ', [item('A', 'alpha'), item('B', 'beta')]])
    const q = ds([T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['B']], [T.CodeMeaning, 'LO', []])]])
    const r = buildResponse(q, match)
    const items = r.items(T.ProcedureCodeSequence)
    expect(items).toHaveLength(1)
    expect(items[0]!.elements().map((e) => e.tag)).toEqual([T.CodeValue, T.CodeMeaning])
    expect(items[0]!.string(T.CodeMeaning)).toBe('beta')
    const all = buildResponse(ds([T.ProcedureCodeSequence, 'SQ', []]), match)
    expect(all.items(T.ProcedureCodeSequence)).toHaveLength(2)
    expect(all.items(T.ProcedureCodeSequence)[0]!.size).toBe(3)
  })
})

describe('hierarchicalFind', () => {
  it('study-level find with a date range and wildcard name', () => {
    const q = ds(
      [T.QueryRetrieveLevel, 'CS', ['STUDY']],
      [T.StudyDate, 'DA', ['20240101-']],
      [T.PatientName, 'PN', ['Name^P*']],
      [T.StudyInstanceUID, 'UI', []],
      [T.ModalitiesInStudy, 'CS', []],
      [T.NumberOfStudyRelatedInstances, 'IS', []],
    )
    const { validation, responses } = hierarchicalFind(q, store, StudyRootModel)
    expect(validation.valid).toBe(true)
    const out = [...responses].map((r) => [r.string(T.StudyInstanceUID), r.strings(T.ModalitiesInStudy).join('\\'), r.number(T.NumberOfStudyRelatedInstances)])
    expect(out).toEqual([['1.1', 'CT\\SR', 3], ['1.2', 'MR', 1]])
  })
  it('matching on Modalities in Study selects studies holding that modality', () => {
    const q = ds([T.QueryRetrieveLevel, 'CS', ['STUDY']], [T.ModalitiesInStudy, 'CS', ['SR']], [T.StudyInstanceUID, 'UI', []])
    expect([...hierarchicalFind(q, store, StudyRootModel).responses].map((r) => r.string(T.StudyInstanceUID))).toEqual(['1.1'])
  })
  it('image-level find within one series', () => {
    const q = ds(
      [T.QueryRetrieveLevel, 'CS', ['IMAGE']],
      [T.StudyInstanceUID, 'UI', ['2.1']],
      [T.SeriesInstanceUID, 'UI', ['2.1.1']],
      [T.SOPInstanceUID, 'UI', []],
      [T.InstanceNumber, 'IS', ['2']],
    )
    const rs = [...hierarchicalFind(q, store, StudyRootModel).responses]
    expect(rs.map((r) => r.string(T.SOPInstanceUID))).toEqual(['2.1.1.2'])
  })
  it('an invalid identifier yields no responses and status A900', () => {
    const q = ds([T.QueryRetrieveLevel, 'CS', ['SERIES']], [T.Modality, 'CS', ['CT']])
    const { validation, responses } = hierarchicalFind(q, store, StudyRootModel)
    expect(validation.status).toBe(0xa900)
    expect([...responses]).toEqual([])
  })
  it('responses are lazy', () => {
    let n = 0
    function* counted() { for (const s of store) { n++; yield s } }
    const q = ds([T.QueryRetrieveLevel, 'CS', ['IMAGE']], [T.StudyInstanceUID, 'UI', ['1.1']], [T.SeriesInstanceUID, 'UI', ['1.1.1']])
    const it = hierarchicalFind(q, counted(), StudyRootModel, { collapse: false }).responses
    expect(n).toBe(0)
    it.next()
    expect(n).toBe(1)
  })
})

describe('selectForRetrieve (C.4.2.2.1)', () => {
  it('selects the instances of a list of studies', () => {
    const q = ds([T.QueryRetrieveLevel, 'CS', ['STUDY']], [T.StudyInstanceUID, 'UI', ['1.2', '2.1']])
    expect(selectForRetrieve(q, store, StudyRootModel).map((d) => d.string(T.SOPInstanceUID))).toEqual(['1.2.1.1', '2.1.1.1', '2.1.1.2', '2.1.1.3'])
  })
  it('selects one series in Patient Root', () => {
    const q = ds([T.QueryRetrieveLevel, 'CS', ['SERIES']], [T.PatientID, 'LO', ['P1']], [T.StudyInstanceUID, 'UI', ['1.1']], [T.SeriesInstanceUID, 'UI', ['1.1.2']])
    expect(selectForRetrieve(q, store, PatientRootModel).map((d) => d.string(T.SOPInstanceUID))).toEqual(['1.1.2.1'])
  })
})

describe('Modality Worklist matching (K.6)', () => {
  const wl = (aet: string, date: string, modality: string) =>
    ds(
      [T.PatientName, 'PN', ['Doe^Jane']],
      [T.PatientID, 'LO', ['W1']],
      [T.ScheduledProcedureStepSequence, 'SQ', [ds(
        [T.Modality, 'CS', [modality]],
        [T.ScheduledStationAETitle, 'AE', [aet]],
        [T.ScheduledProcedureStepStartDate, 'DA', [date]],
        [T.ScheduledProcedureStepStartTime, 'TM', ['0930']],
      )]],
    )
  const items = [wl('CT1', '20240110', 'CT'), wl('MR1', '20240110', 'MR'), wl('CT1', '20240111', 'CT')]
  it('matches on SPS station AE and date inside the sequence', () => {
    const q = ds(
      [T.PatientName, 'PN', []],
      [T.ScheduledProcedureStepSequence, 'SQ', [ds(
        [T.ScheduledStationAETitle, 'AE', ['CT1']],
        [T.ScheduledProcedureStepStartDate, 'DA', ['20240110']],
        [T.Modality, 'CS', []],
      )]],
    )
    const hits = items.filter((c) => matchIdentifier(q, c))
    expect(hits).toHaveLength(1)
    const r = buildResponse(q, hits[0]!)
    const sps = r.items(T.ScheduledProcedureStepSequence)[0]!
    expect(sps.elements().map((e) => e.tag)).toEqual([T.Modality, T.ScheduledStationAETitle, T.ScheduledProcedureStepStartDate])
    expect(sps.string(T.Modality)).toBe('CT')
  })
})
