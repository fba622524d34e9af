/**
 * Conformance of src/association/fsm.ts to PS3.8 §9.2 Table 9-10.
 *
 * The oracle below is an independent transcription, laid out like the standard's printed table:
 * one text row per event, one column per state Sta1..Sta13, "-" for an empty cell. It is parsed
 * here and compared with TRANSITIONS cell by cell (13 × 19 = 247 cells), and used as the model of
 * a fast-check model-based test over random event sequences (collisions and aborts included).
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  ACTIONS,
  EVENTS,
  STATES,
  TRANSITIONS,
  step,
  type FsmEvent,
  type FsmState,
} from '../../src/association/fsm.js'

//            Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
const TABLE_9_10 = `
Evt1        AE-1  -     -     -     -     -     -     -     -     -     -     -     -
Evt2        -     -     -     AE-2  -     -     -     -     -     -     -     -     -
Evt3        -     AA-1  AA-8  -     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt4        -     AA-1  AA-8  -     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt5        AE-5  -     -     -     -     -     -     -     -     -     -     -     -
Evt6        -     AE-6  AA-8  -     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
Evt7        -     -     AE-7  -     -     -     -     -     -     -     -     -     -
Evt8        -     -     AE-8  -     -     -     -     -     -     -     -     -     -
Evt9        -     -     -     -     -     DT-1  -     AR-7  -     -     -     -     -
Evt10       -     AA-1  AA-8  -     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt11       -     -     -     -     -     AR-1  -     -     -     -     -     -     -
Evt12       -     AA-1  AA-8  -     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt13       -     AA-1  AA-8  -     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
Evt14       -     -     -     -     -     -     -     AR-4  AR-9  -     -     AR-4  -
Evt15       -     -     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  -
Evt16       -     AA-2  AA-3  -     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
Evt17       -     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
Evt18       -     AA-2  -     -     -     -     -     -     -     -     -     -     AA-2
Evt19       -     AA-1  AA-8  -     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
`

/** Next state of each action as PS3.8 Tables 9-6..9-9 word it ("?" = depends, see below). */
const NEXT_STATE_TEXT = `
AE-1 Sta4 | AE-2 Sta5 | AE-3 Sta6 | AE-4 Sta1 | AE-5 Sta2 | AE-6 ? | AE-7 Sta6 | AE-8 Sta13
DT-1 Sta6 | DT-2 Sta6
AR-1 Sta7 | AR-2 Sta8 | AR-3 Sta1 | AR-4 Sta13 | AR-5 Sta1 | AR-6 Sta7 | AR-7 Sta8 | AR-8 ? | AR-9 Sta11 | AR-10 Sta12
AA-1 Sta13 | AA-2 Sta1 | AA-3 Sta1 | AA-4 Sta1 | AA-5 Sta1 | AA-6 Sta13 | AA-7 Sta13 | AA-8 Sta13
`

const STATE_NAMES = Array.from({ length: 13 }, (_, i) => `Sta${i + 1}` as FsmState)
const EVENT_NAMES = Array.from({ length: 19 }, (_, i) => `Evt${i + 1}` as FsmEvent)

function parseTable(): Map<string, string | undefined> {
  const cells = new Map<string, string | undefined>()
  const rows = TABLE_9_10.trim().split('\n')
  expect(rows).toHaveLength(19)
  for (const row of rows) {
    const [evt, ...cols] = row.trim().split(/\s+/)
    expect(cols, row).toHaveLength(13)
    cols.forEach((c, i) => cells.set(`${evt}/Sta${i + 1}`, c === '-' ? undefined : c))
  }
  return cells
}
const ORACLE = parseTable()
const oracle = (s: FsmState, e: FsmEvent): string | undefined => ORACLE.get(`${e}/${s}`)

const NEXT = new Map<string, string>()
for (const part of NEXT_STATE_TEXT.trim().split(/[|\n]/)) {
  const [a, n] = part.trim().split(/\s+/)
  NEXT.set(a!, n!)
}
function expectedNext(action: string, isRequestor: boolean, acceptable: boolean): FsmState {
  const n = NEXT.get(action)!
  if (n !== '?') return n as FsmState
  if (action === 'AE-6') return acceptable ? 'Sta3' : 'Sta13'
  return isRequestor ? 'Sta9' : 'Sta10' // AR-8
}

describe('PS3.8 Table 9-10', () => {
  test('the tables name 13 states, 19 events and 28 actions', () => {
    expect(Object.keys(STATES)).toEqual(STATE_NAMES)
    expect(Object.keys(EVENTS)).toEqual(EVENT_NAMES)
    expect(Object.keys(ACTIONS).sort()).toEqual([...NEXT.keys()].sort())
  })

  for (const s of STATE_NAMES) {
    test(`all 19 cells of ${s}`, () => {
      for (const e of EVENT_NAMES) {
        expect(TRANSITIONS[s][e], `${s} ${e}`).toBe(oracle(s, e))
        const r = step(s, e)
        if (oracle(s, e) === undefined) expect(r, `${s} ${e}`).toBeUndefined()
        else {
          expect(r!.action).toBe(oracle(s, e))
          expect(r!.next, `${s} ${e}`).toBe(expectedNext(oracle(s, e)!, false, true))
        }
      }
    })
  }

  test('conditional actions: AE-6 (acceptable or not) and AR-8 (release collision, by role)', () => {
    expect(step('Sta2', 'Evt6', { associateRqAcceptable: true })!.next).toBe('Sta3')
    const rj = step('Sta2', 'Evt6', { associateRqAcceptable: false })!
    expect(rj.next).toBe('Sta13')
    expect(rj.effects).toEqual([{ kind: 'stopArtim' }, { kind: 'send', pdu: 'A-ASSOCIATE-RJ' }, { kind: 'startArtim' }])
    expect(step('Sta7', 'Evt12', { isRequestor: true })!.next).toBe('Sta9')
    expect(step('Sta7', 'Evt12', { isRequestor: false })!.next).toBe('Sta10')
  })

  test('abort effects: AA-8 sends a provider A-ABORT and indicates A-P-ABORT; AA-1 a user A-ABORT', () => {
    expect(step('Sta6', 'Evt19')!.effects).toEqual([
      { kind: 'send', pdu: 'A-ABORT', abortSource: 'service-provider' },
      { kind: 'indicate', primitive: 'A-P-ABORT-indication' },
      { kind: 'startArtim' },
    ])
    expect(step('Sta6', 'Evt15')!.effects).toEqual([{ kind: 'send', pdu: 'A-ABORT', abortSource: 'service-user' }, { kind: 'startArtim' }])
    expect(step('Sta6', 'Evt16', { abortFromServiceUser: false })!.effects[0]).toEqual({ kind: 'indicate', primitive: 'A-P-ABORT-indication' })
    expect(step('Sta6', 'Evt16', { abortFromServiceUser: true })!.effects[0]).toEqual({ kind: 'indicate', primitive: 'A-ABORT-indication' })
  })
})

// ------------------------------------------------------------------------------------------
// Model-based: random event sequences, the oracle table as the model.

interface Model {
  state: FsmState
  isRequestor: boolean
}
interface Real {
  state: FsmState
  artim: boolean
}

class EventCommand implements fc.Command<Model, Real> {
  constructor(
    readonly event: FsmEvent,
    readonly acceptable: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return oracle(m.state, this.event) !== undefined
  }
  run(m: Model, r: Real): void {
    const from = r.state
    const res = step(from, this.event, { isRequestor: m.isRequestor, associateRqAcceptable: this.acceptable })
    const action = oracle(m.state, this.event)!
    expect(res, `${from} ${this.event}`).toBeDefined()
    expect(res!.action).toBe(action)
    const next = expectedNext(action, m.isRequestor, this.acceptable)
    expect(res!.next, `${from} ${this.event} ${action}`).toBe(next)
    for (const eff of res!.effects) {
      if (eff.kind === 'startArtim') r.artim = true
      if (eff.kind === 'stopArtim') r.artim = false
    }
    // Invariants across actions (PS3.8 §9.1.5, §9.2): ARTIM runs exactly in Sta2 and Sta13.
    expect(r.artim, `ARTIM after ${from} ${this.event} → ${next}`).toBe(next === 'Sta2' || next === 'Sta13')
    // Reaching Idle from a connected state closes the transport unless the transport already closed (Evt17).
    if (next === 'Sta1' && from !== 'Sta1' && this.event !== 'Evt17')
      expect(res!.effects.some((e) => e.kind === 'closeTransport'), `${from} ${this.event}`).toBe(true)
    // A P-DATA request is only ever sent while data transfer is allowed.
    if (res!.effects.some((e) => e.kind === 'send' && e.pdu === 'P-DATA-TF')) expect(from === 'Sta6' || from === 'Sta8', `P-DATA sent from ${from}`).toBe(true)
    r.state = next
    m.state = next
  }
  toString(): string {
    return `${this.event}${this.event === 'Evt6' ? (this.acceptable ? '(ok)' : '(rj)') : ''}`
  }
}

/** Bias toward the events that drive collisions and aborts. */
const eventArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<FsmEvent>(...EVENT_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom<FsmEvent>('Evt11', 'Evt12', 'Evt13', 'Evt14') },
  { weight: 1, arbitrary: fc.constantFrom<FsmEvent>('Evt15', 'Evt16', 'Evt17', 'Evt19') },
)
const commandArb = fc.tuple(eventArb, fc.boolean()).map(([e, ok]) => new EventCommand(e, ok))

describe('model-based event sequences', () => {
  test('random sequences from Idle (requestor and acceptor) follow Table 9-10', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.commands([commandArb], { maxCommands: 60 }), (isRequestor, cmds) => {
        fc.modelRun(() => ({ model: { state: 'Sta1' as FsmState, isRequestor }, real: { state: 'Sta1' as FsmState, artim: false } }), cmds)
      }),
      { numRuns: 500 },
    )
  })

  test('both sides of a release collision end in Idle (Sta9→Sta11→Sta1, Sta10→Sta12→Sta13→Sta1)', () => {
    const run = (isRequestor: boolean, events: FsmEvent[]): FsmState[] => {
      let s: FsmState = 'Sta6'
      const seen: FsmState[] = []
      for (const e of events) {
        s = step(s, e, { isRequestor })!.next
        seen.push(s)
      }
      return seen
    }
    // requestor: A-RELEASE rq, RQ PDU arrives, local response, RP PDU arrives
    expect(run(true, ['Evt11', 'Evt12', 'Evt14', 'Evt13'])).toEqual(['Sta7', 'Sta9', 'Sta11', 'Sta1'])
    // acceptor: A-RELEASE rq, RQ PDU arrives, RP PDU arrives, local response, transport closes
    expect(run(false, ['Evt11', 'Evt12', 'Evt13', 'Evt14', 'Evt17'])).toEqual(['Sta7', 'Sta10', 'Sta12', 'Sta13', 'Sta1'])
  })
})
