// fast-check arbitraries for DIMSE messages. The field lists are transcribed from PS3.7 §9.3 and
// §10.3 (plus the Annex C status fields on responses) independently of src/dimse/command.ts.
import fc from 'fast-check'
import type { DimseMessage } from '../../src/dimse/index.js'

const us = fc.integer({ min: 0, max: 0xffff })
const uid = fc
  .array(fc.oneof(fc.constant('0'), fc.integer({ min: 1, max: 99_999_999 }).map(String)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join('.'))
  .filter((s) => s.length <= 64)
const aeChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_- !#'.split(''))
const ae = fc
  .array(aeChar, { minLength: 1, maxLength: 16 })
  .map((a) => a.join('').trim())
  .filter((s) => s.length > 0)
const lo = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x5c).map((c) => String.fromCharCode(c)), { minLength: 1, maxLength: 64 })
  .map((a) => a.join('').replace(/ +$/, ''))
  .filter((s) => s.length > 0)
const tags = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 6 })

type Arbs = Record<string, fc.Arbitrary<unknown>>
const rspOptional: Arbs = {
  affectedSopClassUid: uid, affectedSopInstanceUid: uid, offendingElement: tags, errorComment: lo, errorId: us,
  attributeIdentifierList: tags,
}
const subops: Arbs = {
  numberOfRemainingSuboperations: us, numberOfCompletedSuboperations: us, numberOfFailedSuboperations: us,
  numberOfWarningSuboperations: us,
}

function msg(commandField: number, required: Arbs, optional: Arbs = {}): fc.Arbitrary<DimseMessage> {
  const model: Arbs = { ...required, ...optional, hasDataset: fc.boolean() }
  const requiredKeys: string[] = [...Object.keys(required), 'hasDataset']
  return fc
    .record(model, { requiredKeys })
    .map((r) => ({ commandField, ...r }) as unknown as DimseMessage)
}
const rq = (commandField: number, required: Arbs, optional: Arbs = {}) => msg(commandField, { messageId: us, ...required }, optional)
const rsp = (commandField: number, optional: Arbs = {}) =>
  msg(commandField, { messageIdBeingRespondedTo: us, status: us }, { ...rspOptional, ...optional })

/** One arbitrary per command field of PS3.7 Annex E. */
export const messageArbitraries: Record<string, fc.Arbitrary<DimseMessage>> = {
  'C-STORE-RQ': rq(0x0001, { affectedSopClassUid: uid, affectedSopInstanceUid: uid, priority: fc.constantFrom(0, 1, 2) }, { moveOriginatorApplicationEntityTitle: ae, moveOriginatorMessageId: us }),
  'C-STORE-RSP': rsp(0x8001),
  'C-GET-RQ': rq(0x0010, { affectedSopClassUid: uid, priority: fc.constantFrom(0, 1, 2) }),
  'C-GET-RSP': rsp(0x8010, subops),
  'C-FIND-RQ': rq(0x0020, { affectedSopClassUid: uid, priority: fc.constantFrom(0, 1, 2) }),
  'C-FIND-RSP': rsp(0x8020),
  'C-MOVE-RQ': rq(0x0021, { affectedSopClassUid: uid, priority: fc.constantFrom(0, 1, 2), moveDestination: ae }),
  'C-MOVE-RSP': rsp(0x8021, subops),
  'C-ECHO-RQ': rq(0x0030, { affectedSopClassUid: uid }),
  'C-ECHO-RSP': rsp(0x8030),
  'C-CANCEL-RQ': msg(0x0fff, { messageIdBeingRespondedTo: us }),
  'N-EVENT-REPORT-RQ': rq(0x0100, { affectedSopClassUid: uid, affectedSopInstanceUid: uid, eventTypeId: us }),
  'N-EVENT-REPORT-RSP': rsp(0x8100, { eventTypeId: us }),
  'N-GET-RQ': rq(0x0110, { requestedSopClassUid: uid, requestedSopInstanceUid: uid }, { attributeIdentifierList: tags }),
  'N-GET-RSP': rsp(0x8110),
  'N-SET-RQ': rq(0x0120, { requestedSopClassUid: uid, requestedSopInstanceUid: uid }),
  'N-SET-RSP': rsp(0x8120),
  'N-ACTION-RQ': rq(0x0130, { requestedSopClassUid: uid, requestedSopInstanceUid: uid, actionTypeId: us }),
  'N-ACTION-RSP': rsp(0x8130, { actionTypeId: us }),
  'N-CREATE-RQ': rq(0x0140, { affectedSopClassUid: uid }, { affectedSopInstanceUid: uid }),
  'N-CREATE-RSP': rsp(0x8140),
  'N-DELETE-RQ': rq(0x0150, { requestedSopClassUid: uid, requestedSopInstanceUid: uid }),
  'N-DELETE-RSP': rsp(0x8150),
}

/** Any DIMSE message. */
export const anyMessage: fc.Arbitrary<DimseMessage> = fc.oneof(...Object.values(messageArbitraries))
