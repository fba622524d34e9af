import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatDA, formatDT, formatTM, parseDA, parseDT, parseTM } from '../../../src/dataset/datetime.js'

// Expected values are written from PS3.5 Table 6.2-1 (DA, TM, DT), not from the formatter.
describe('DA', () => {
  it('parses YYYYMMDD and the ACR-NEMA YYYY.MM.DD form', () => {
    expect(parseDA('19930822')?.toISOString()).toBe('1993-08-22T00:00:00.000Z')
    expect(parseDA('1993.08.22')?.toISOString()).toBe('1993-08-22T00:00:00.000Z')
  })
  it('refuses impossible dates and other text', () => {
    for (const bad of ['19930230', '20231301', '2023011', '2023-01-01', '', 'abcdefgh', '20230100']) expect(parseDA(bad), bad).toBeUndefined()
    expect(parseDA('20240229')).toBeDefined()
    expect(parseDA('20230229')).toBeUndefined()
  })
  it('formats a Date', () => expect(formatDA(new Date(Date.UTC(2001, 0, 9)))).toBe('20010109'))
})

describe('TM', () => {
  it('parses every allowed precision', () => {
    expect(parseTM('07')).toEqual({ hours: 7, minutes: 0, seconds: 0, microseconds: 0 })
    expect(parseTM('1010')).toEqual({ hours: 10, minutes: 10, seconds: 0, microseconds: 0 })
    expect(parseTM('070907.0705')).toEqual({ hours: 7, minutes: 9, seconds: 7, microseconds: 70500 })
    expect(parseTM('235960')).toEqual({ hours: 23, minutes: 59, seconds: 60, microseconds: 0 }) // leap second
    expect(parseTM('07:09:07')).toEqual({ hours: 7, minutes: 9, seconds: 7, microseconds: 0 }) // ACR-NEMA
  })
  it('refuses out-of-range parts', () => {
    for (const bad of ['24', '2360', '235961', '1', '070907.1234567', 'ab']) expect(parseTM(bad), bad).toBeUndefined()
  })
  it('formats with the fraction digits needed or asked for', () => {
    expect(formatTM({ hours: 7, minutes: 9, seconds: 7, microseconds: 70500 })).toBe('070907.0705')
    expect(formatTM({ hours: 7, minutes: 9, seconds: 7, microseconds: 0 })).toBe('070907')
    expect(formatTM({ hours: 7, minutes: 9, seconds: 7, microseconds: 123456 }, 3)).toBe('070907.123')
  })
  it('round-trips', () => {
    fc.assert(fc.property(fc.record({ hours: fc.integer({ min: 0, max: 23 }), minutes: fc.integer({ min: 0, max: 59 }), seconds: fc.integer({ min: 0, max: 59 }), microseconds: fc.integer({ min: 0, max: 999999 }) }), (t) => {
      expect(parseTM(formatTM(t))).toEqual(t)
    }))
  })
})

describe('DT', () => {
  it('parses partial values and offsets', () => {
    expect(parseDT('2008')?.date.toISOString()).toBe('2008-01-01T00:00:00.000Z')
    expect(parseDT('20080708')?.date.toISOString()).toBe('2008-07-08T00:00:00.000Z')
    const v = parseDT('20080708101112.123456+0130')!
    expect(v.offsetMinutes).toBe(90)
    expect(v.date.toISOString()).toBe('2008-07-08T08:41:12.123Z')
    expect(v.extraMicroseconds).toBe(456)
    expect(parseDT('20080708101112-0500')?.date.toISOString()).toBe('2008-07-08T15:11:12.000Z')
  })
  it('refuses invalid values', () => {
    for (const bad of ['200813', '20080230', '2008070825', '20080708101112+1500', '2008-07-08']) expect(parseDT(bad), bad).toBeUndefined()
  })
  it('formats UTC and offset forms that parse back to the same instant', () => {
    const d = new Date(Date.UTC(2020, 1, 29, 23, 30, 5, 250))
    expect(formatDT(d)).toBe('20200229233005.250')
    expect(formatDT(d, 60)).toBe('20200301003005.250+0100')
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(1000, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), fc.integer({ min: -720, max: 840 }), (date, off) => {
      expect(parseDT(formatDT(date, off))?.date.getTime()).toBe(date.getTime())
    }))
  })
})
