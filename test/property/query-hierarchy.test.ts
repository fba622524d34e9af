// Properties of hierarchical find over the synthetic samples (PS3.4 C.4.1.3.1).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Dataset, DataElement } from '../../src/dataset/element.js'
import { makeSampleInstances } from '../../src/samples/index.js'
import { hierarchicalFind, PatientRootModel, StudyRootModel, QueryTags as T } from '../../src/services/query/index.js'
import type { QueryRetrieveLevel, QueryRetrieveModel } from '../../src/services/query/index.js'

const pool = makeSampleInstances({ count: 40, seed: 'prop', sizeKb: 1 })
const uniqueOf: Record<QueryRetrieveLevel, number> = {
  PATIENT: T.PatientID,
  STUDY: T.StudyInstanceUID,
  SERIES: T.SeriesInstanceUID,
  IMAGE: T.SOPInstanceUID,
}

describe('hierarchicalFind properties', () => {
  it('a universal query at a level returns each entity of that level once', () => {
    const cases: [QueryRetrieveModel, QueryRetrieveLevel][] = [
      [PatientRootModel, 'PATIENT'],
      [StudyRootModel, 'STUDY'],
    ]
    fc.assert(
      fc.property(fc.subarray(pool), fc.constantFrom(...cases), (subset, [model, level]) => {
        const q = new Dataset()
        q.set(DataElement.fromValue(T.QueryRetrieveLevel, 'CS', [level]))
        q.set(DataElement.fromValue(uniqueOf[level], level === 'PATIENT' ? 'LO' : 'UI', []))
        const got = [...hierarchicalFind(q, subset.map((s) => s.dataset), model).responses].map((r) => r.string(uniqueOf[level]))
        const want = new Set(subset.map((s) => (level === 'PATIENT' ? s.patientId : s.studyInstanceUid)))
        expect(new Set(got)).toEqual(want)
        expect(got).toHaveLength(want.size)
      }),
    )
  })

  it('series-level responses of one study are exactly its series, with the study UID returned', () => {
    fc.assert(
      fc.property(fc.subarray(pool, { minLength: 1 }), fc.nat(), (subset, pick) => {
        const study = subset[pick % subset.length]!.studyInstanceUid
        const q = new Dataset()
        q.set(DataElement.fromValue(T.QueryRetrieveLevel, 'CS', ['SERIES']))
        q.set(DataElement.fromValue(T.StudyInstanceUID, 'UI', [study]))
        q.set(DataElement.fromValue(T.SeriesInstanceUID, 'UI', []))
        q.set(DataElement.fromValue(T.NumberOfSeriesRelatedInstances, 'IS', []))
        const rs = [...hierarchicalFind(q, subset.map((s) => s.dataset), StudyRootModel).responses]
        const inStudy = subset.filter((s) => s.studyInstanceUid === study)
        expect(new Set(rs.map((r) => r.string(T.SeriesInstanceUID)))).toEqual(new Set(inStudy.map((s) => s.seriesInstanceUid)))
        for (const r of rs) {
          expect(r.string(T.StudyInstanceUID)).toBe(study)
          const n = inStudy.filter((s) => s.seriesInstanceUid === r.string(T.SeriesInstanceUID)).length
          expect(r.number(T.NumberOfSeriesRelatedInstances)).toBe(n)
        }
      }),
    )
  })

  it('a Patient ID key selects exactly the studies of that patient', () => {
    fc.assert(
      fc.property(fc.subarray(pool), fc.constantFrom('DIMSE-001', 'DIMSE-002', 'DIMSE-003', 'DIMSE-009'), (subset, pid) => {
        const q = new Dataset()
        q.set(DataElement.fromValue(T.QueryRetrieveLevel, 'CS', ['STUDY']))
        q.set(DataElement.fromValue(T.PatientID, 'LO', [pid]))
        q.set(DataElement.fromValue(T.StudyInstanceUID, 'UI', []))
        const got = new Set([...hierarchicalFind(q, subset.map((s) => s.dataset), StudyRootModel).responses].map((r) => r.string(T.StudyInstanceUID)))
        expect(got).toEqual(new Set(subset.filter((s) => s.patientId === pid).map((s) => s.studyInstanceUid)))
      }),
    )
  })
})
