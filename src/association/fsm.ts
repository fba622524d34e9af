/**
 * The DICOM Upper Layer state machine of PS3.8 §9.2 as data: states (Table 9-1 / §9.2.1), events
 * (Table 9-2), actions (Tables 9-6..9-9) and the state transition table (Table 9-10).
 *
 * Pure: `step()` decides, it never performs I/O. `Association` executes the returned effects.
 * @see https://dicom.nema.org/medical/dicom/current/output/chtml/part08/sect_9.2.html
 * @module
 */

/** The 13 states of the Upper Layer protocol machine (PS3.8 §9.2.1). */
export const STATES = {
  Sta1: 'Idle',
  Sta2: 'Transport connection open (awaiting A-ASSOCIATE-RQ PDU)',
  Sta3: 'Awaiting local A-ASSOCIATE response primitive (from local user)',
  Sta4: 'Awaiting transport connection opening to complete (from local transport service)',
  Sta5: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU',
  Sta6: 'Association established and ready for data transfer',
  Sta7: 'Awaiting A-RELEASE-RP PDU',
  Sta8: 'Awaiting local A-RELEASE response primitive (from local user)',
  Sta9: 'Release collision requestor side; awaiting A-RELEASE response primitive (from local user)',
  Sta10: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  Sta11: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  Sta12: 'Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)',
  Sta13: 'Awaiting transport connection close indication (association no longer exists)',
} as const
/** A state name, `'Sta1'` .. `'Sta13'`. */
export type FsmState = keyof typeof STATES

/** The 19 events of the Upper Layer protocol machine (PS3.8 Table 9-2). */
export const EVENTS = {
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connection confirm (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU (received on transport connection)',
  Evt4: 'A-ASSOCIATE-RJ PDU (received on transport connection)',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU (received on transport connection)',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU (received on transport connection)',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU (received on transport connection)',
  Evt13: 'A-RELEASE-RP PDU (received on transport connection)',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU (received on transport connection)',
  Evt17: 'Transport connection closed indication (local transport service)',
  Evt18: 'ARTIM timer expired (association reject/release timer)',
  Evt19: 'Unrecognized or invalid PDU received',
} as const
/** An event name, `'Evt1'` .. `'Evt19'`. */
export type FsmEvent = keyof typeof EVENTS

/** The actions of PS3.8 Tables 9-6 (AE), 9-7 (DT), 9-8 (AR) and 9-9 (AA). */
export const ACTIONS = {
  'AE-1': 'Issue TRANSPORT CONNECT request primitive to local transport service; next state Sta4',
  'AE-2': 'Send A-ASSOCIATE-RQ PDU; next state Sta5',
  'AE-3': 'Issue A-ASSOCIATE confirmation (accept) primitive; next state Sta6',
  'AE-4': 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection; next state Sta1',
  'AE-5': 'Issue transport connection response primitive; start ARTIM timer; next state Sta2',
  'AE-6':
    'Stop ARTIM timer; if the A-ASSOCIATE-RQ is acceptable by the service provider issue A-ASSOCIATE indication primitive (next state Sta3), otherwise send A-ASSOCIATE-RJ PDU and start ARTIM timer (next state Sta13)',
  'AE-7': 'Send A-ASSOCIATE-AC PDU; next state Sta6',
  'AE-8': 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer; next state Sta13',
  'DT-1': 'Send P-DATA-TF PDU; next state Sta6',
  'DT-2': 'Issue P-DATA indication primitive; next state Sta6',
  'AR-1': 'Send A-RELEASE-RQ PDU; next state Sta7',
  'AR-2': 'Issue A-RELEASE indication primitive; next state Sta8',
  'AR-3': 'Issue A-RELEASE confirmation primitive and close transport connection; next state Sta1',
  'AR-4': 'Send A-RELEASE-RP PDU and start ARTIM timer; next state Sta13',
  'AR-5': 'Stop ARTIM timer; next state Sta1',
  'AR-6': 'Issue P-DATA indication; next state Sta7',
  'AR-7': 'Send P-DATA-TF PDU; next state Sta8',
  'AR-8': 'Issue A-RELEASE indication (release collision); next state Sta9 if association-requestor, else Sta10',
  'AR-9': 'Send A-RELEASE-RP PDU; next state Sta11',
  'AR-10': 'Issue A-RELEASE confirmation primitive; next state Sta12',
  'AA-1': 'Send A-ABORT PDU (service-user source) and start (or restart) ARTIM timer; next state Sta13',
  'AA-2': 'Stop ARTIM timer if running; close transport connection; next state Sta1',
  'AA-3':
    'Issue A-ABORT indication (service-user initiated) or A-P-ABORT indication (service-provider initiated) and close transport connection; next state Sta1',
  'AA-4': 'Issue A-P-ABORT indication primitive; next state Sta1',
  'AA-5': 'Stop ARTIM timer; next state Sta1',
  'AA-6': 'Ignore PDU; next state Sta13',
  'AA-7': 'Send A-ABORT PDU; next state Sta13',
  'AA-8': 'Send A-ABORT PDU (service-provider source), issue A-P-ABORT indication and start ARTIM timer; next state Sta13',
} as const
/** An action name, e.g. `'AE-2'`, `'AA-8'`. */
export type FsmActionName = keyof typeof ACTIONS

type Row = Partial<Record<FsmEvent, FsmActionName>>

/** Fill every state of `states` with `action` for one event. */
function same(states: readonly FsmState[], action: FsmActionName): Partial<Record<FsmState, FsmActionName>> {
  const out: Partial<Record<FsmState, FsmActionName>> = {}
  for (const s of states) out[s] = action
  return out
}

const S6to12: readonly FsmState[] = ['Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12']

/** Table 9-10 column by column (event → state → action); turned into TRANSITIONS below. */
const BY_EVENT: Record<FsmEvent, Partial<Record<FsmState, FsmActionName>>> = {
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AE-3', ...same(S6to12, 'AA-8'), Sta13: 'AA-6' },
  Evt4: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AE-4', ...same(S6to12, 'AA-8'), Sta13: 'AA-6' },
  Evt5: { Sta1: 'AE-5' },
  Evt6: { Sta2: 'AE-6', Sta3: 'AA-8', Sta5: 'AA-8', ...same(S6to12, 'AA-8'), Sta13: 'AA-7' },
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...same(S6to12, 'AA-8'), Sta6: 'DT-2', Sta7: 'AR-6', Sta13: 'AA-6' },
  Evt11: { Sta6: 'AR-1' },
  Evt12: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...same(S6to12, 'AA-8'), Sta6: 'AR-2', Sta7: 'AR-8', Sta13: 'AA-6' },
  Evt13: {
    Sta2: 'AA-1',
    Sta3: 'AA-8',
    Sta5: 'AA-8',
    ...same(S6to12, 'AA-8'),
    Sta7: 'AR-3',
    Sta10: 'AR-10',
    Sta11: 'AR-3',
    Sta13: 'AA-6',
  },
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: { Sta3: 'AA-1', Sta4: 'AA-2', Sta5: 'AA-1', ...same(S6to12, 'AA-1') },
  Evt16: { Sta2: 'AA-2', Sta3: 'AA-3', Sta5: 'AA-3', ...same(S6to12, 'AA-3'), Sta13: 'AA-2' },
  Evt17: { Sta2: 'AA-5', Sta3: 'AA-4', Sta4: 'AA-4', Sta5: 'AA-4', ...same(S6to12, 'AA-4'), Sta13: 'AR-5' },
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...same(S6to12, 'AA-8'), Sta13: 'AA-7' },
}

function buildTransitions(): Readonly<Record<FsmState, Readonly<Row>>> {
  const out = {} as Record<FsmState, Row>
  for (const s of Object.keys(STATES) as FsmState[]) out[s] = {}
  for (const e of Object.keys(BY_EVENT) as FsmEvent[]) {
    const col = BY_EVENT[e]
    for (const s of Object.keys(col) as FsmState[]) out[s][e] = col[s]
  }
  for (const s of Object.keys(out) as FsmState[]) Object.freeze(out[s])
  return Object.freeze(out)
}

/**
 * PS3.8 Table 9-10: `TRANSITIONS[state][event]` is the action to take, or `undefined` for an
 * empty cell (the event cannot happen in that state: for a local primitive it is a usage error).
 */
export const TRANSITIONS: Readonly<Record<FsmState, Readonly<Partial<Record<FsmEvent, FsmActionName>>>>> = buildTransitions()

/** PDUs an action may ask to send. */
export type FsmPduKind = 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC' | 'A-ASSOCIATE-RJ' | 'P-DATA-TF' | 'A-RELEASE-RQ' | 'A-RELEASE-RP' | 'A-ABORT'

/** Primitives an action may ask to indicate (or confirm) to the local user. */
export type FsmPrimitive =
  | 'A-ASSOCIATE-indication'
  | 'A-ASSOCIATE-confirm-accept'
  | 'A-ASSOCIATE-confirm-reject'
  | 'P-DATA-indication'
  | 'A-RELEASE-indication'
  | 'A-RELEASE-confirm'
  | 'A-ABORT-indication'
  | 'A-P-ABORT-indication'

/** A description of one effect an action asks for; the FSM never performs it itself. */
export type FsmEffect =
  | { kind: 'connect' }
  | { kind: 'acceptTransport' }
  | { kind: 'send'; pdu: FsmPduKind; abortSource?: 'service-user' | 'service-provider' }
  | { kind: 'indicate'; primitive: FsmPrimitive }
  | { kind: 'startArtim' }
  | { kind: 'stopArtim' }
  | { kind: 'closeTransport' }
  | { kind: 'ignore' }

/** Facts `step()` needs to resolve the actions whose outcome depends on context. */
export interface StepContext {
  /** AR-8: whether the local side is the association-requestor (Sta9) or acceptor (Sta10). */
  isRequestor?: boolean
  /** AE-6: whether the received A-ASSOCIATE-RQ is acceptable by the service provider (default true). */
  associateRqAcceptable?: boolean
  /** AA-3: whether the received A-ABORT came from the service user (source 0) or the provider (2). */
  abortFromServiceUser?: boolean
}

/** The result of one transition. */
export interface StepResult {
  action: FsmActionName
  next: FsmState
  /** The effects in order: a shared, frozen list for most actions (read it, do not change it). */
  effects: readonly FsmEffect[]
}

const send = (pdu: FsmPduKind, abortSource?: 'service-user' | 'service-provider'): FsmEffect =>
  abortSource ? { kind: 'send', pdu, abortSource } : { kind: 'send', pdu }
const indicate = (primitive: FsmPrimitive): FsmEffect => ({ kind: 'indicate', primitive })
const START: FsmEffect = { kind: 'startArtim' }
const STOP: FsmEffect = { kind: 'stopArtim' }
const CLOSE: FsmEffect = { kind: 'closeTransport' }

type ActionResult = { next: FsmState; effects: readonly FsmEffect[] }

type ContextualAction = 'AE-6' | 'AR-8' | 'AA-3'
const isContextual = (a: FsmActionName): a is ContextualAction => a === 'AE-6' || a === 'AR-8' || a === 'AA-3'

/**
 * The results of the actions whose outcome does not depend on the step context, built once:
 * a transition allocates nothing but its {@link StepResult}. Shared and frozen: `step()` hands
 * these lists out as they are, `performAction()` returns copies.
 */
const FIXED: Record<Exclude<FsmActionName, ContextualAction>, ActionResult> = {
  'AE-1': { next: 'Sta4', effects: [{ kind: 'connect' }] },
  'AE-2': { next: 'Sta5', effects: [send('A-ASSOCIATE-RQ')] },
  'AE-3': { next: 'Sta6', effects: [indicate('A-ASSOCIATE-confirm-accept')] },
  'AE-4': { next: 'Sta1', effects: [indicate('A-ASSOCIATE-confirm-reject'), CLOSE] },
  'AE-5': { next: 'Sta2', effects: [{ kind: 'acceptTransport' }, START] },
  'AE-7': { next: 'Sta6', effects: [send('A-ASSOCIATE-AC')] },
  'AE-8': { next: 'Sta13', effects: [send('A-ASSOCIATE-RJ'), START] },
  'DT-1': { next: 'Sta6', effects: [send('P-DATA-TF')] },
  'DT-2': { next: 'Sta6', effects: [indicate('P-DATA-indication')] },
  'AR-1': { next: 'Sta7', effects: [send('A-RELEASE-RQ')] },
  'AR-2': { next: 'Sta8', effects: [indicate('A-RELEASE-indication')] },
  'AR-3': { next: 'Sta1', effects: [indicate('A-RELEASE-confirm'), CLOSE] },
  'AR-4': { next: 'Sta13', effects: [send('A-RELEASE-RP'), START] },
  'AR-5': { next: 'Sta1', effects: [STOP] },
  'AR-6': { next: 'Sta7', effects: [indicate('P-DATA-indication')] },
  'AR-7': { next: 'Sta8', effects: [send('P-DATA-TF')] },
  'AR-9': { next: 'Sta11', effects: [send('A-RELEASE-RP')] },
  'AR-10': { next: 'Sta12', effects: [indicate('A-RELEASE-confirm')] },
  'AA-1': { next: 'Sta13', effects: [send('A-ABORT', 'service-user'), START] },
  'AA-2': { next: 'Sta1', effects: [STOP, CLOSE] },
  'AA-4': { next: 'Sta1', effects: [indicate('A-P-ABORT-indication')] },
  'AA-5': { next: 'Sta1', effects: [STOP] },
  'AA-6': { next: 'Sta13', effects: [{ kind: 'ignore' }] },
  'AA-7': { next: 'Sta13', effects: [send('A-ABORT', 'service-provider')] },
  'AA-8': { next: 'Sta13', effects: [send('A-ABORT', 'service-provider'), indicate('A-P-ABORT-indication'), START] },
}
for (const r of Object.values(FIXED)) {
  for (const e of r.effects) Object.freeze(e)
  Object.freeze(r.effects)
}

/**
 * Resolve an action to its next state and effects (PS3.8 Tables 9-6..9-9).
 * Exported so that a conformance checker can look at one action alone.
 */
export function performAction(action: FsmActionName, ctx: StepContext = {}): { next: FsmState; effects: FsmEffect[] } {
  const r = resultOf(action, ctx)
  return { next: r.next, effects: [...r.effects] }
}

/** The result of `action`: shared for most actions (see {@link FIXED}), built for the others. */
function resultOf(action: FsmActionName, ctx: StepContext): ActionResult {
  return isContextual(action) ? contextual(action, ctx) : FIXED[action]
}

/** The actions whose outcome depends on the context (AE-6, AR-8, AA-3). */
function contextual(action: ContextualAction, ctx: StepContext): ActionResult {
  switch (action) {
    case 'AE-6':
      return ctx.associateRqAcceptable === false
        ? { next: 'Sta13', effects: [STOP, send('A-ASSOCIATE-RJ'), START] }
        : { next: 'Sta3', effects: [STOP, indicate('A-ASSOCIATE-indication')] }
    case 'AR-8':
      return { next: ctx.isRequestor ? 'Sta9' : 'Sta10', effects: [indicate('A-RELEASE-indication')] }
    case 'AA-3':
      return {
        next: 'Sta1',
        effects: [indicate(ctx.abortFromServiceUser === false ? 'A-P-ABORT-indication' : 'A-ABORT-indication'), CLOSE],
      }
  }
}

/**
 * One transition of the state machine: look up Table 9-10 and resolve the action.
 * Returns `undefined` when the cell is empty (the event is not valid in that state).
 */
export function step(state: FsmState, event: FsmEvent, ctx: StepContext = {}): StepResult | undefined {
  const action = TRANSITIONS[state][event]
  if (action === undefined) return undefined
  // The shared effect lists are handed out as they are here: step() is what the association runs per PDU.
  const r = resultOf(action, ctx)
  return { action, next: r.next, effects: r.effects }
}
