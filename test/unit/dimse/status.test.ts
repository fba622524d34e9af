import { describe, expect, it } from 'vitest'
import {
  Status, isFailure, isPending, isSuccess, isWarning, serviceOfCommandField, statusCategory, statusDescription,
} from '../../../src/dimse/index.js'

describe('statusCategory (PS3.7 Annex C)', () => {
  it.each([
    [0x0000, 'Success'],
    [0xff00, 'Pending'],
    [0xff01, 'Pending'],
    [0xfe00, 'Cancel'],
    [0x0001, 'Warning'],
    [0x0107, 'Warning'],
    [0x0116, 'Warning'],
    [0xb000, 'Warning'],
    [0xb006, 'Warning'],
    [0xb007, 'Warning'],
    [0xbfff, 'Warning'],
    [0xa700, 'Failure'],
    [0xa7ff, 'Failure'],
    [0xa701, 'Failure'],
    [0xa702, 'Failure'],
    [0xa801, 'Failure'],
    [0xa900, 'Failure'],
    [0xa9ab, 'Failure'],
    [0xc000, 'Failure'],
    [0xcfff, 'Failure'],
    [0x0110, 'Failure'],
    [0x0111, 'Failure'],
    [0x0112, 'Failure'],
    [0x0117, 'Failure'],
    [0x0118, 'Failure'],
    [0x0119, 'Failure'],
    [0x0120, 'Failure'],
    [0x0121, 'Failure'],
    [0x0122, 'Failure'],
    [0x0124, 'Failure'],
    [0x0210, 'Failure'],
    [0x0211, 'Failure'],
    [0x0212, 'Failure'],
    [0x0213, 'Failure'],
    [0x1234, 'Failure'], // unknown codes are not successes
  ])('0x%s → %s', (code, category) => {
    expect(statusCategory(code)).toBe(category)
  })

  it('predicates agree with the category', () => {
    for (let code = 0; code <= 0xffff; code += 0x37) {
      const c = statusCategory(code)
      expect(isSuccess(code)).toBe(c === 'Success')
      expect(isPending(code)).toBe(c === 'Pending')
      expect(isWarning(code)).toBe(c === 'Warning')
      expect(isFailure(code)).toBe(c === 'Failure')
    }
  })

  it('names the codes as the standard does', () => {
    expect(Status.Success).toBe(0x0000)
    expect(Status.Pending).toBe(0xff00)
    expect(Status.PendingOptionalKeysNotSupported).toBe(0xff01)
    expect(Status.Cancel).toBe(0xfe00)
    expect(Status.ProcessingFailure).toBe(0x0110)
    expect(Status.DuplicateSopInstance).toBe(0x0111)
    expect(Status.NoSuchSopInstance).toBe(0x0112)
    expect(Status.SopClassNotSupported).toBe(0x0122)
    expect(Status.NotAuthorized).toBe(0x0124)
    expect(Status.ResourceLimitation).toBe(0x0213)
    expect(Status.MoveDestinationUnknown).toBe(0xa801)
    expect(Status.OutOfResources).toBe(0xa700)
    expect(Status.IdentifierDoesNotMatchSopClass).toBe(0xa900)
    expect(Status.UnableToProcess).toBe(0xc000)
    expect(Status.CoercionOfDataElements).toBe(0xb000)
    expect(Status.ElementsDiscarded).toBe(0xb006)
    expect(Status.DataSetDoesNotMatchSopClassWarning).toBe(0xb007)
  })
})

describe('statusDescription', () => {
  it('uses the service-specific meaning first', () => {
    expect(statusDescription(0xb000, 'C-STORE')).toBe('Coercion of data elements')
    expect(statusDescription(0xb000, 'C-MOVE')).toMatch(/Sub-operations complete/)
    expect(statusDescription(0xfe00, 'C-FIND')).toMatch(/cancel/)
    expect(statusDescription(0xa801, 'C-MOVE')).toMatch(/move destination unknown/)
  })
  it('falls back to the general table and to ranges', () => {
    expect(statusDescription(0x0111)).toBe('Duplicate SOP Instance')
    expect(statusDescription(0x0122, 'N-SET')).toBe('SOP Class not supported')
    expect(statusDescription(0xa7ab, 'C-STORE')).toMatch(/out of resources/)
    expect(statusDescription(0xa912, 'C-STORE')).toMatch(/does not match SOP Class/)
    expect(statusDescription(0xc123, 'C-FIND')).toBe('Unable to process')
    expect(statusDescription(0xc123, 'C-STORE')).toMatch(/cannot understand/)
    expect(statusDescription(0x1234)).toBe('Failure 0x1234')
  })
  it('maps command fields to services', () => {
    expect(serviceOfCommandField(0x8001)).toBe('C-STORE')
    expect(serviceOfCommandField(0x0021)).toBe('C-MOVE')
    expect(serviceOfCommandField(0x8150)).toBe('N-DELETE')
    expect(serviceOfCommandField(0x0fff)).toBeUndefined()
  })
})
