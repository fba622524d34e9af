// Properties of C-FIND attribute matching (PS3.4 C.2.2.2).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Dataset, DataElement } from '../../src/dataset/element.js'
import type { VR } from '../../src/dataset/vr.js'
import { matchElement, matchIdentifier, matchWildcard, buildResponse, QueryTags as T } from '../../src/services/query/index.js'

const text = fc.string({ unit: fc.constantFrom('a', 'B', 'z', ' ', '^', '=', '.', '*', '?', '-', 'é', '山', '1') , maxLength: 12 })
const plain = fc.string({ unit: fc.constantFrom('a', 'b', 'C', '1', '.', '^', ' '), maxLength: 10 })

// an independent oracle for wild cards: classic recursive glob over code points
function glob(p: string[], s: string[]): boolean {
  if (p.length === 0) return s.length === 0
  if (p[0] === '*') return glob(p.slice(1), s) || (s.length > 0 && glob(p, s.slice(1)))
  if (s.length === 0) return false
  return (p[0] === '?' || p[0] === s[0]) && glob(p.slice(1), s.slice(1))
}

const day = fc.integer({ min: 0, max: 60000 }).map((n) => {
  const d = new Date(Date.UTC(1900, 0, 1) + n * 86400000)
  return d.toISOString().slice(0, 10).replace(/-/g, '')
})
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(
  ([h, m, s]) => [h, m, s].map((x) => String(x).padStart(2, '0')).join(''),
)
const uid = fc.array(fc.integer({ min: 0, max: 99999 }), { minLength: 2, maxLength: 6 }).map((a) => '1.' + a.join('.'))

const WILDCARD_VRS: VR[] = ['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']

describe('matching properties', () => {
  it('universal matching: an empty key matches any value and an absent attribute (C.2.2.2.3)', () => {
    fc.assert(
      fc.property(fc.constantFrom<VR>('LO', 'PN', 'CS', 'DA', 'TM', 'UI', 'IS', 'SH'), fc.option(text), (vr, v) => {
        const key = DataElement.fromValue(0x00100020, vr, [])
        const cand = v === null ? undefined : DataElement.fromValue(0x00100020, vr, [v])
        return matchElement(key, cand)
      }),
    )
  })

  it('"*" matches every value, and an absent attribute (C.2.2.2.4 note 1)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WILDCARD_VRS), fc.option(text), (vr, v) => {
        const key = DataElement.fromValue(0x00100020, vr, ['*'])
        const cand = v === null ? undefined : DataElement.fromValue(0x00100020, vr, [v])
        return matchElement(key, cand)
      }),
    )
  })

  it('wild card matching agrees with an independent glob oracle (C.2.2.2.4)', () => {
    const pat = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.', '山'), maxLength: 8 })
    const val = fc.string({ unit: fc.constantFrom('a', 'b', '.', '山', '*'), maxLength: 8 })
    fc.assert(fc.property(pat, val, (p, s) => matchWildcard(p, s) === glob([...p], [...s])))
  })

  it('a query built from the candidate’s own values always matches', () => {
    const entry = fc.oneof(
      fc.record({ tag: fc.constant(T.PatientName), vr: fc.constant<VR>('PN'), v: text }),
      fc.record({ tag: fc.constant(T.PatientID), vr: fc.constant<VR>('LO'), v: text }),
      fc.record({ tag: fc.constant(T.Modality), vr: fc.constant<VR>('CS'), v: plain }),
      fc.record({ tag: fc.constant(T.AccessionNumber), vr: fc.constant<VR>('SH'), v: text }),
      fc.record({ tag: fc.constant(T.StudyDate), vr: fc.constant<VR>('DA'), v: day }),
      fc.record({ tag: fc.constant(T.StudyTime), vr: fc.constant<VR>('TM'), v: time }),
      fc.record({ tag: fc.constant(T.StudyInstanceUID), vr: fc.constant<VR>('UI'), v: uid }),
      fc.record({ tag: fc.constant(T.SeriesNumber), vr: fc.constant<VR>('IS'), v: fc.integer({ min: -999, max: 99999 }).map(String) }),
    )
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.boolean(), fc.boolean(), (entries, insensitive, combined) => {
        const cand = new Dataset()
        for (const e of entries) cand.set(DataElement.fromValue(e.tag, e.vr, [e.v]))
        const query = new Dataset()
        for (const e of cand) query.set(e)
        // extra candidate attributes never prevent a match
        cand.set(DataElement.fromValue(T.StudyDescription, 'LO', ['extra']))
        return matchIdentifier(query, cand, { personNameMatching: insensitive ? 'insensitive' : 'literal', combinedDateTime: combined })
      }),
    )
  })

  it('DA range a-b matches d iff a <= d <= b; -b iff d <= b; a- iff a <= d (C.2.2.2.5)', () => {
    fc.assert(
      fc.property(day, day, day, (a, b, d) => {
        const cand = DataElement.fromValue(T.StudyDate, 'DA', [d])
        const m = (k: string) => matchElement(DataElement.fromValue(T.StudyDate, 'DA', [k]), cand)
        expect(m(`${a}-${b}`)).toBe(a <= d && d <= b)
        expect(m(`-${b}`)).toBe(d <= b)
        expect(m(`${a}-`)).toBe(a <= d)
      }),
    )
  })

  it('TM range a-b matches t iff a <= t <= b at full precision (C.2.2.2.5)', () => {
    fc.assert(
      fc.property(time, time, time, (a, b, t) => {
        const k = DataElement.fromValue(T.StudyTime, 'TM', [`${a}-${b}`])
        return matchElement(k, DataElement.fromValue(T.StudyTime, 'TM', [t])) === (a <= t && t <= b)
      }),
    )
  })

  it('list of UID matching: matches iff the candidate UID is in the list (C.2.2.2.2)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(uid, { minLength: 1, maxLength: 5 }), uid, (list, u) => {
        const k = DataElement.fromValue(T.SOPInstanceUID, 'UI', list)
        return matchElement(k, DataElement.fromValue(T.SOPInstanceUID, 'UI', [u])) === list.includes(u)
      }),
    )
  })

  it('a response holds the query keys plus level and charset, nothing else (no model)', () => {
    const tags = fc.uniqueArray(fc.constantFrom(T.PatientName, T.PatientID, T.StudyDate, T.Modality, T.StudyInstanceUID, T.SeriesNumber), { maxLength: 6 })
    fc.assert(
      fc.property(tags, tags, (qTags, cTags) => {
        const vrOf: Record<number, VR> = { [T.PatientName]: 'PN', [T.PatientID]: 'LO', [T.StudyDate]: 'DA', [T.Modality]: 'CS', [T.StudyInstanceUID]: 'UI', [T.SeriesNumber]: 'IS' }
        const q = new Dataset()
        q.set(DataElement.fromValue(T.QueryRetrieveLevel, 'CS', ['STUDY']))
        for (const t of qTags) q.set(DataElement.fromValue(t, vrOf[t]!, []))
        const c = new Dataset()
        for (const t of cTags) c.set(DataElement.fromValue(t, vrOf[t]!, vrOf[t] === 'IS' ? [1] : ['1']))
        const r = buildResponse(q, c)
        expect(r.elements().map((e) => e.tag)).toEqual([T.QueryRetrieveLevel, ...qTags].sort((x, y) => x - y))
        for (const t of qTags) expect(r.get(t)!.vr).toBe(vrOf[t])
      }),
    )
  })
})
