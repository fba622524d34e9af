// C-FIND attribute matching, rule by rule (PS3.4 C.2.2.2). Each table row cites the clause it checks.
import { describe, expect, it } from 'vitest'
import { Dataset, DataElement, DEFAULT_CONTEXT } from '../../../src/dataset/element.js'
import type { ElementValue } from '../../../src/dataset/element.js'
import type { VR } from '../../../src/dataset/vr.js'
import {
  matchIdentifier,
  matchElement,
  matchKindOf,
  matchWildcard,
  parseRange,
  normalizeDateTime,
  QueryTags as T,
} from '../../../src/services/query/index.js'
import type { MatchOptions } from '../../../src/services/query/index.js'

type Row = [tag: number, vr: VR, value: ElementValue]
function ds(...rows: Row[]): Dataset {
  const d = new Dataset()
  for (const [t, vr, v] of rows) d.set(DataElement.fromValue(t, vr, v))
  return d
}
const el = (t: number, vr: VR, v: ElementValue) => DataElement.fromValue(t, vr, v)
/** An element as it arrives on the wire: raw ASCII bytes, decoded lazily. */
const raw = (t: number, vr: VR, text: string) => DataElement.fromBytes(t, vr, new TextEncoder().encode(text), DEFAULT_CONTEXT)

interface Case {
  clause: string
  name: string
  vr: VR
  tag: number
  key: string[]
  value: string[] | undefined
  expected: boolean
  options?: MatchOptions
}

const cases: Case[] = [
  // C.2.2.2.1 single value matching
  { clause: 'C.2.2.2.1', name: 'exact LO', vr: 'LO', tag: T.PatientID, key: ['P123'], value: ['P123'], expected: true },
  { clause: 'C.2.2.2.1', name: 'LO differs', vr: 'LO', tag: T.PatientID, key: ['P123'], value: ['P124'], expected: false },
  { clause: 'C.2.2.2.1', name: 'CS is case-sensitive', vr: 'CS', tag: T.Modality, key: ['CT'], value: ['ct'], expected: false },
  { clause: 'C.2.2.2.1', name: 'SH is case-sensitive', vr: 'SH', tag: T.AccessionNumber, key: ['abc'], value: ['ABC'], expected: false },
  { clause: 'C.2.2.2.1', name: 'PN literal is case-sensitive by default', vr: 'PN', tag: T.PatientName, key: ['doe^john'], value: ['Doe^John'], expected: false },
  { clause: 'C.2.2.2.1', name: 'PN insensitive option ignores case', vr: 'PN', tag: T.PatientName, key: ['doe^john'], value: ['Doe^John'], expected: true, options: { personNameMatching: 'insensitive' } },
  { clause: 'C.2.2.2.1', name: 'PN insensitive option ignores accents', vr: 'PN', tag: T.PatientName, key: ['Muller^Jose'], value: ['Müller^José'], expected: true, options: { personNameMatching: 'insensitive' } },
  { clause: 'C.2.2.2.1', name: 'PN literal keeps accents significant', vr: 'PN', tag: T.PatientName, key: ['Muller^Jose'], value: ['Müller^José'], expected: false },
  { clause: 'PS3.5 6.2.1', name: 'PN trailing component delimiters are insignificant', vr: 'PN', tag: T.PatientName, key: ['Doe^John'], value: ['Doe^John^^^'], expected: true },
  { clause: 'C.2.2.2.1 (SCP choice)', name: 'PN key without "=" matches a component group', vr: 'PN', tag: T.PatientName, key: ['Yamada^Tarou'], value: ['Yamada^Tarou=山田^太郎=やまだ^たろう'], expected: true },
  { clause: 'C.2.2.2.1', name: 'DA single value', vr: 'DA', tag: T.StudyDate, key: ['20240105'], value: ['20240105'], expected: true },
  { clause: 'C.2.2.2.1', name: 'DA single value differs', vr: 'DA', tag: T.StudyDate, key: ['20240105'], value: ['20240106'], expected: false },
  { clause: 'C.2.2.2.1', name: 'TM at the precision of the key', vr: 'TM', tag: T.StudyTime, key: ['1030'], value: ['103015.25'], expected: true },
  { clause: 'C.2.2.2.1', name: 'TM outside the key minute', vr: 'TM', tag: T.StudyTime, key: ['1030'], value: ['103100'], expected: false },
  { clause: 'C.2.2.2.1.1', name: 'IS compared numerically', vr: 'IS', tag: T.SeriesNumber, key: ['7'], value: ['007'], expected: true },
  { clause: 'C.2.2.2.1', name: 'any candidate value matches (multi-valued candidate)', vr: 'CS', tag: T.ModalitiesInStudy, key: ['SR'], value: ['CT', 'SR'], expected: true },
  // C.2.2.2.2 list of UID matching
  { clause: 'C.2.2.2.2', name: 'UID in list', vr: 'UI', tag: T.StudyInstanceUID, key: ['1.2.3', '1.2.4', '1.2.5'], value: ['1.2.4'], expected: true },
  { clause: 'C.2.2.2.2', name: 'UID not in list', vr: 'UI', tag: T.StudyInstanceUID, key: ['1.2.3', '1.2.5'], value: ['1.2.4'], expected: false },
  { clause: 'C.2.2.2.1', name: 'single UID exact', vr: 'UI', tag: T.SOPInstanceUID, key: ['1.2.3'], value: ['1.2.3'], expected: true },
  { clause: 'C.2.2.2.4', name: 'no wild cards on UI', vr: 'UI', tag: T.SOPInstanceUID, key: ['1.2.*'], value: ['1.2.3'], expected: false },
  // C.2.2.2.3 universal matching
  { clause: 'C.2.2.2.3', name: 'empty key matches a value', vr: 'LO', tag: T.PatientID, key: [], value: ['X'], expected: true },
  { clause: 'C.2.2.2.3', name: 'empty key matches an absent attribute', vr: 'LO', tag: T.PatientID, key: [], value: undefined, expected: true },
  { clause: 'C.2.2.2.3', name: 'empty UI key matches', vr: 'UI', tag: T.StudyInstanceUID, key: [], value: ['1.2'], expected: true },
  // C.2.2.2.4 wild card matching
  { clause: 'C.2.2.2.4', name: '* prefix', vr: 'PN', tag: T.PatientName, key: ['Doe*'], value: ['Doe^John'], expected: true },
  { clause: 'C.2.2.2.4', name: '* matches zero characters', vr: 'LO', tag: T.StudyDescription, key: ['CT*'], value: ['CT'], expected: true },
  { clause: 'C.2.2.2.4', name: '? matches exactly one character', vr: 'SH', tag: T.AccessionNumber, key: ['A?C'], value: ['ABC'], expected: true },
  { clause: 'C.2.2.2.4', name: '? does not match zero characters', vr: 'SH', tag: T.AccessionNumber, key: ['A?C'], value: ['AC'], expected: false },
  { clause: 'C.2.2.2.4', name: '? matches one non-ASCII character', vr: 'LO', tag: T.StudyDescription, key: ['?'], value: ['山'], expected: true },
  { clause: 'C.2.2.2.4', name: 'wild cards are case-sensitive except PN', vr: 'CS', tag: T.BodyPartExamined, key: ['CHEST*'], value: ['chest'], expected: false },
  { clause: 'C.2.2.2.4', name: 'hyphen in a wild card pattern is literal', vr: 'LO', tag: T.StudyDescription, key: ['A-*'], value: ['A-B'], expected: true },
  { clause: 'C.2.2.2.4', name: 'regex characters are literal', vr: 'LO', tag: T.StudyDescription, key: ['a.c*'], value: ['abc'], expected: false },
  { clause: 'C.2.2.2.4 note 1', name: '"*" is universal: matches absent', vr: 'PN', tag: T.PatientName, key: ['*'], value: undefined, expected: true },
  { clause: 'C.2.2.2.4', name: 'wild card needs a value', vr: 'LO', tag: T.StudyDescription, key: ['a*'], value: undefined, expected: false },
  { clause: 'C.2.2.2.4', name: 'no wild cards on DA', vr: 'DA', tag: T.StudyDate, key: ['2024*'], value: ['20240101'], expected: false },
  { clause: 'C.2.2.2.4', name: 'no wild cards on IS', vr: 'IS', tag: T.SeriesNumber, key: ['1*'], value: ['12'], expected: false },
  // C.2.2.2.5 range matching
  { clause: 'C.2.2.2.5', name: 'DA a-b inside', vr: 'DA', tag: T.StudyDate, key: ['20240101-20240131'], value: ['20240115'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DA a-b inclusive lower', vr: 'DA', tag: T.StudyDate, key: ['20240101-20240131'], value: ['20240101'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DA a-b inclusive upper', vr: 'DA', tag: T.StudyDate, key: ['20240101-20240131'], value: ['20240131'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DA a-b outside', vr: 'DA', tag: T.StudyDate, key: ['20240101-20240131'], value: ['20240201'], expected: false },
  { clause: 'C.2.2.2.5', name: 'DA -b', vr: 'DA', tag: T.StudyDate, key: ['-20240131'], value: ['19991231'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DA -b excludes later', vr: 'DA', tag: T.StudyDate, key: ['-20240131'], value: ['20240201'], expected: false },
  { clause: 'C.2.2.2.5', name: 'DA a-', vr: 'DA', tag: T.StudyDate, key: ['20240101-'], value: ['20300101'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DA a- excludes earlier', vr: 'DA', tag: T.StudyDate, key: ['20240101-'], value: ['20231231'], expected: false },
  { clause: 'C.2.2.2.5', name: 'TM range with precision: upper bound covers its minute', vr: 'TM', tag: T.StudyTime, key: ['0800-1030'], value: ['103059.999'], expected: true },
  { clause: 'C.2.2.2.5', name: 'TM range outside', vr: 'TM', tag: T.StudyTime, key: ['0800-1030'], value: ['1031'], expected: false },
  { clause: 'C.2.2.2.5', name: 'DT range', vr: 'DT', tag: 0x0040a120, key: ['20240101120000-20240101130000'], value: ['20240101123000.5'], expected: true },
  { clause: 'C.2.2.2.5', name: 'DT range outside', vr: 'DT', tag: 0x0040a120, key: ['20240101120000-20240101130000'], value: ['20240101130001'], expected: false },
  { clause: 'C.2.2.2.5', name: 'DT with offset is a single value, not a range', vr: 'DT', tag: 0x0040a120, key: ['20240101120000-0500'], value: ['20240101120000-0500'], expected: true },
  { clause: 'C.2.2.2.5', name: 'range needs a value', vr: 'DA', tag: T.StudyDate, key: ['20240101-'], value: undefined, expected: false },
  { clause: 'C.2.2.2.5', name: 'range against an empty value', vr: 'DA', tag: T.StudyDate, key: ['20240101-'], value: [], expected: false },
  // C.2.2.2.8 empty value matching (negotiated)
  { clause: 'C.2.2.2.8', name: '"" matches absent when negotiated', vr: 'LO', tag: T.StudyDescription, key: ['""'], value: undefined, expected: true, options: { emptyValueMatching: true } },
  { clause: 'C.2.2.2.8', name: '"" matches empty when negotiated', vr: 'LO', tag: T.StudyDescription, key: ['""'], value: [], expected: true, options: { emptyValueMatching: true } },
  { clause: 'C.2.2.2.8', name: '"" does not match a value when negotiated', vr: 'LO', tag: T.StudyDescription, key: ['""'], value: ['x'], expected: false, options: { emptyValueMatching: true } },
  { clause: 'C.2.2.2.8', name: '"" is a literal without negotiation', vr: 'LO', tag: T.StudyDescription, key: ['""'], value: undefined, expected: false },
  // a non-universal key against an absent or empty candidate attribute
  { clause: 'C.2.2.2.1', name: 'single value vs absent', vr: 'LO', tag: T.PatientID, key: ['X'], value: undefined, expected: false },
  { clause: 'C.2.2.2.1', name: 'single value vs empty', vr: 'LO', tag: T.PatientID, key: ['X'], value: [], expected: false },
]

describe('matchElement: PS3.4 C.2.2.2 rules', () => {
  it.each(cases)('$clause $name', (c) => {
    const key = el(c.tag, c.vr, c.key)
    const cand = c.value === undefined ? undefined : el(c.tag, c.vr, c.value)
    expect(matchElement(key, cand, c.options)).toBe(c.expected)
    // the same through matchIdentifier
    const q = ds([c.tag, c.vr, c.key])
    const candidate = c.value === undefined ? ds() : ds([c.tag, c.vr, c.value])
    expect(matchIdentifier(q, candidate, c.options)).toBe(c.expected)
  })
})

describe('matchKindOf', () => {
  const kinds: [VR, string[], string][] = [
    ['LO', [], 'universal'],
    ['PN', ['*'], 'universal'],
    ['PN', ['Do*'], 'wildcard'],
    ['CS', ['C?'], 'wildcard'],
    ['UI', ['1.2', '1.3'], 'list-of-uid'],
    ['UI', ['1.2'], 'single'],
    ['DA', ['20200101-'], 'range'],
    ['TM', ['-1200'], 'range'],
    ['DA', ['20200101'], 'single'],
    ['DA', ['2020*'], 'single'],
  ]
  it.each(kinds)('%s %j → %s', (vr, v, kind) => {
    expect(matchKindOf(el(0x00100020, vr, v))).toBe(kind)
  })
  it('an empty sequence key, and one with an empty item, is universal (C.2.2.2.6)', () => {
    expect(matchKindOf(el(T.ProcedureCodeSequence, 'SQ', []))).toBe('universal')
    expect(matchKindOf(el(T.ProcedureCodeSequence, 'SQ', [new Dataset()]))).toBe('universal')
    expect(matchKindOf(el(T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['X']])]))).toBe('sequence')
  })
})

describe('keys read from bytes', () => {
  it('an IS key "*" from the wire is not a number and not a wild card', () => {
    expect(matchElement(raw(T.SeriesNumber, 'IS', '*'), el(T.SeriesNumber, 'IS', [3]))).toBe(false)
  })
  it('an IS key with padding matches numerically', () => {
    expect(matchElement(raw(T.SeriesNumber, 'IS', '+3 '), el(T.SeriesNumber, 'IS', [3]))).toBe(true)
  })
  it('a UID list with trailing NUL padding', () => {
    expect(matchElement(raw(T.StudyInstanceUID, 'UI', '1.2.3\\1.2.40\0'), raw(T.StudyInstanceUID, 'UI', '1.2.40\0'))).toBe(true)
  })
  it('a zero-length key from the wire is universal', () => {
    expect(matchElement(raw(T.PatientName, 'PN', ''), undefined)).toBe(true)
  })
  it('a key of spaces only is universal (padding is insignificant)', () => {
    expect(matchElement(raw(T.PatientID, 'LO', '  '), undefined)).toBe(true)
  })
})

describe('Specific Character Set: values are compared as decoded text (C.2.2.2)', () => {
  const latin1 = { littleEndian: true, charset: ['ISO_IR 100'] as const }
  const utf8 = { littleEndian: true, charset: ['ISO_IR 192'] as const }
  it('a UTF-8 query matches a Latin-1 candidate with the same characters', () => {
    const key = DataElement.fromBytes(T.PatientName, 'PN', new TextEncoder().encode('Müller^J*'), utf8)
    const cand = DataElement.fromBytes(T.PatientName, 'PN', new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x5e, 0x4a, 0xf6, 0x72, 0x67]), latin1)
    expect(matchElement(key, cand)).toBe(true)
    // the same bytes read in the wrong character set are other characters
    const wrong = DataElement.fromBytes(T.PatientName, 'PN', new TextEncoder().encode('Müller^J*'), latin1)
    expect(matchElement(wrong, cand)).toBe(false)
  })
})

describe('C.2.2.2.6 sequence matching', () => {
  const code = (value: string, scheme: string) => ds([T.CodeValue, 'SH', [value]], [T.CodingSchemeDesignator, 'SH', [scheme]])
  const candidate = ds([T.ProcedureCodeSequence, 'SQ', [code('A1', 'L'), code('B2', 'DCM')]])
  it('matches when one candidate item matches all item keys', () => {
    const q = ds([T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['B2']], [T.CodingSchemeDesignator, 'SH', ['DCM']])]])
    expect(matchIdentifier(q, candidate)).toBe(true)
  })
  it('does not match when the keys are satisfied by different items', () => {
    const q = ds([T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['A1']], [T.CodingSchemeDesignator, 'SH', ['DCM']])]])
    expect(matchIdentifier(q, candidate)).toBe(false)
  })
  it('wild cards inside items', () => {
    const q = ds([T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['B*']])]])
    expect(matchIdentifier(q, candidate)).toBe(true)
  })
  it('a zero-item key matches any candidate, also one without the sequence', () => {
    expect(matchIdentifier(ds([T.ProcedureCodeSequence, 'SQ', []]), ds())).toBe(true)
  })
  it('a non-universal item key does not match an absent sequence', () => {
    const q = ds([T.ProcedureCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', ['A1']])]])
    expect(matchIdentifier(q, ds())).toBe(false)
  })
  it('recursive sequence matching (worklist SPS with protocol codes)', () => {
    const sps = ds(
      [T.Modality, 'CS', ['MR']],
      [T.ScheduledProtocolCodeSequence, 'SQ', [code('P1', 'L')]],
    )
    const cand = ds([T.ScheduledProcedureStepSequence, 'SQ', [sps]])
    const q = (v: string) => ds([T.ScheduledProcedureStepSequence, 'SQ', [ds([T.ScheduledProtocolCodeSequence, 'SQ', [ds([T.CodeValue, 'SH', [v]])]])]])
    expect(matchIdentifier(q('P1'), cand)).toBe(true)
    expect(matchIdentifier(q('P2'), cand)).toBe(false)
  })
})

describe('identifier-level rules', () => {
  const cand = ds([T.SpecificCharacterSet, 'CS', ['ISO_IR 100']], [T.PatientID, 'LO', ['P1']], [T.Modality, 'CS', ['CT']])
  it('Specific Character Set and Query/Retrieve Level are never matched (C.2.2.2)', () => {
    const q = ds([T.SpecificCharacterSet, 'CS', ['ISO_IR 192']], [T.QueryRetrieveLevel, 'CS', ['STUDY']], [T.PatientID, 'LO', ['P1']])
    expect(matchIdentifier(q, cand)).toBe(true)
  })
  it('all keys must match (logical AND)', () => {
    expect(matchIdentifier(ds([T.PatientID, 'LO', ['P1']], [T.Modality, 'CS', ['MR']]), cand)).toBe(false)
    expect(matchIdentifier(ds([T.PatientID, 'LO', ['P1']], [T.Modality, 'CS', ['CT']]), cand)).toBe(true)
  })
  it('ignoreTags option skips keys', () => {
    const q = ds([T.Modality, 'CS', ['MR']])
    expect(matchIdentifier(q, cand, { ignoreTags: new Set([T.Modality]) })).toBe(true)
  })
})

describe('C.2.2.2.5.1 combined date-time range matching', () => {
  const study = (d: string, t?: string) => (t === undefined ? ds([T.StudyDate, 'DA', [d]]) : ds([T.StudyDate, 'DA', [d]], [T.StudyTime, 'TM', [t]]))
  const q = ds([T.StudyDate, 'DA', ['20060705-20060707']], [T.StudyTime, 'TM', ['1000-1800']])
  it('independent matching (default) requires each of date and time in range', () => {
    expect(matchIdentifier(q, study('20060706', '0900'))).toBe(false)
  })
  it('combined matching spans from date1 time1 to date2 time2', () => {
    const o = { combinedDateTime: true }
    expect(matchIdentifier(q, study('20060706', '0900'), o)).toBe(true)
    expect(matchIdentifier(q, study('20060705', '0959'), o)).toBe(false)
    expect(matchIdentifier(q, study('20060705', '1000'), o)).toBe(true)
    expect(matchIdentifier(q, study('20060707', '1800'), o)).toBe(true)
    expect(matchIdentifier(q, study('20060707', '1801'), o)).toBe(false)
    expect(matchIdentifier(q, study('20060708', '0000'), o)).toBe(false)
  })
  it('a candidate without a time matches on its date', () => {
    expect(matchIdentifier(q, study('20060707'), { combinedDateTime: true })).toBe(true)
  })
})

describe('helpers', () => {
  it('matchWildcard', () => {
    expect(matchWildcard('*', '')).toBe(true)
    expect(matchWildcard('a*b*c', 'aXXbYYc')).toBe(true)
    expect(matchWildcard('a*b*c', 'aXXbYY')).toBe(false)
    expect(matchWildcard('(*)', '(x)')).toBe(true)
    expect(matchWildcard('a\nb', 'a\nb')).toBe(true)
  })
  it('parseRange pads bounds at the precision given', () => {
    expect(parseRange('TM', '10-11')).toEqual({ lower: '100000000000', upper: '115959999999' })
    expect(parseRange('DA', '-20200101')).toEqual({ upper: '20200101' })
    expect(parseRange('DT', '2020-2021')).toEqual({ lower: '20200101000000000000', upper: '20211231235959999999' })
    expect(parseRange('DA', '20200101')).toBeUndefined()
    expect(parseRange('LO', 'a-b')).toBeUndefined()
  })
  it('normalizeDateTime accepts the ACR-NEMA date and colon time forms', () => {
    expect(normalizeDateTime('DA', '2020.01.31')).toBe('20200131')
    expect(normalizeDateTime('TM', '10:30:15')).toBe('103015000000')
    expect(normalizeDateTime('TM', '1030', 'high')).toBe('103059999999')
    expect(normalizeDateTime('DA', '2020013')).toBeUndefined()
  })
})
