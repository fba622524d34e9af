/**
 * step() hands out the effect lists of context-free actions as shared, frozen constants (no
 * allocation per PDU). They must not be changeable: the type says so (tsc fails on the
 * `@ts-expect-error` lines below if `effects` becomes a mutable array again), and a change at run
 * time throws instead of corrupting every later transition. performAction() returns copies.
 * Actions and effects: PS3.8 Table 9-10 and Tables 9-6..9-9.
 */
import { describe, expect, it } from 'vitest'
import { performAction, step } from '../../../src/association/fsm.js'

describe('shared FSM effect lists', () => {
  it('step() results of a fixed action are frozen and cannot be changed', () => {
    const a = step('Sta6', 'Evt11')! // AR-1: send A-RELEASE-RQ → Sta7
    expect(a.action).toBe('AR-1')
    expect(a.next).toBe('Sta7')
    expect(Object.isFrozen(a.effects)).toBe(true)
    expect(Object.isFrozen(a.effects[0])).toBe(true)
    // @ts-expect-error effects is a read-only list
    expect(() => a.effects.push({ kind: 'stopArtim' })).toThrow(TypeError)
    // @ts-expect-error effects is a read-only list
    expect(() => (a.effects[0] = { kind: 'stopArtim' })).toThrow(TypeError)
    const b = step('Sta6', 'Evt11')!
    expect(b.effects).toEqual([{ kind: 'send', pdu: 'A-RELEASE-RQ' }])
  })

  it('performAction() returns a list of its own', () => {
    const r = performAction('AR-1')
    r.effects.push({ kind: 'stopArtim' })
    expect(step('Sta6', 'Evt11')!.effects).toEqual([{ kind: 'send', pdu: 'A-RELEASE-RQ' }])
  })

  it('context-dependent actions still follow their context', () => {
    expect(step('Sta7', 'Evt12', { isRequestor: true })!.next).toBe('Sta9') // AR-8
    expect(step('Sta7', 'Evt12', { isRequestor: false })!.next).toBe('Sta10')
  })
})
