import { describe, expect, it } from 'vitest'
import {
  CommandField, MessageIdAllocator, Priority, Status, cCancelRq, cEchoRq, cFindRsp, cMoveRsp, cStoreRq,
  decodeCommand, encodeCommand, nActionRq, nGetRsp, responseCommandField, responseFor,
} from '../../../src/dimse/index.js'
import { DicomError } from '../../../src/errors.js'
import { loadHex } from './helpers.js'

describe('message builders', () => {
  it('cEchoRq defaults to the Verification SOP class and matches DCMTK byte for byte', () => {
    expect(encodeCommand(cEchoRq({ messageId: 1 }))).toEqual(loadHex('c-echo-rq.hex'))
  })
  it('cStoreRq announces a dataset and defaults to MEDIUM priority', () => {
    const m = cStoreRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.88.11', affectedSopInstanceUid: '1.2.276.0.7230010.3.1.4.1787205428.166.1117461927.34' })
    expect(m).toMatchObject({ commandField: CommandField.CStoreRq, hasDataset: true, priority: Priority.Medium })
    expect(encodeCommand(m)).toEqual(loadHex('c-store-rq.hex'))
  })
  it('cFindRsp carries an identifier when pending, not when final', () => {
    expect(cFindRsp({ messageIdBeingRespondedTo: 1, status: Status.Pending }).hasDataset).toBe(true)
    expect(cFindRsp({ messageIdBeingRespondedTo: 1, status: Status.PendingOptionalKeysNotSupported }).hasDataset).toBe(true)
    expect(cFindRsp({ messageIdBeingRespondedTo: 1 }).hasDataset).toBe(false)
    expect(cFindRsp({ messageIdBeingRespondedTo: 1, status: Status.Cancel }).hasDataset).toBe(false)
  })
  it('cMoveRsp matches the DCMTK pending response', () => {
    const m = cMoveRsp({
      messageIdBeingRespondedTo: 1, status: Status.Pending, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2',
      numberOfRemainingSuboperations: 0, numberOfCompletedSuboperations: 1, numberOfFailedSuboperations: 0, numberOfWarningSuboperations: 0,
    })
    expect(encodeCommand(m)).toEqual(loadHex('c-move-rsp-pending.hex'))
  })
  it('cCancelRq and nActionRq build valid commands', () => {
    expect(decodeCommand(encodeCommand(cCancelRq({ messageIdBeingRespondedTo: 9 })))).toStrictEqual({ commandField: 0x0fff, hasDataset: false, messageIdBeingRespondedTo: 9 })
    const a = nActionRq({ messageId: 2, requestedSopClassUid: '1.2.3', requestedSopInstanceUid: '1.2.3.4', actionTypeId: 1, hasDataset: false })
    expect(decodeCommand(encodeCommand(a))).toStrictEqual(a)
    expect(nGetRsp({ messageIdBeingRespondedTo: 1 }).hasDataset).toBe(true)
    expect(nGetRsp({ messageIdBeingRespondedTo: 1, status: Status.NoSuchSopInstance }).hasDataset).toBe(false)
  })
})

describe('responseFor', () => {
  it('echoes message ID and the affected SOP class and instance', () => {
    const rq = decodeCommand(loadHex('c-store-rq.hex'))
    if (rq.commandField !== CommandField.CStoreRq) throw new Error('fixture')
    const rsp = responseFor(rq, Status.Success)
    expect(encodeCommand(rsp)).toEqual(loadHex('c-store-rsp.hex'))
  })
  it('turns requested UIDs into affected ones for N-services', () => {
    const rq = nActionRq({ messageId: 4, requestedSopClassUid: '1.2.3', requestedSopInstanceUid: '1.2.3.4', actionTypeId: 2 })
    expect(responseFor(rq, 0)).toStrictEqual({
      commandField: CommandField.NActionRsp, messageIdBeingRespondedTo: 4, status: 0, hasDataset: false,
      affectedSopClassUid: '1.2.3', affectedSopInstanceUid: '1.2.3.4', actionTypeId: 2,
    })
  })
  it('has no response for C-CANCEL-RQ', () => {
    expect(() => responseFor(cCancelRq({ messageIdBeingRespondedTo: 1 }), 0)).toThrow(DicomError)
    expect(responseCommandField(0x0fff)).toBeUndefined()
    expect(responseCommandField(0x0030)).toBe(0x8030)
  })
})

describe('MessageIdAllocator', () => {
  it('counts 1..65535 and wraps to 1, never 0', () => {
    const a = new MessageIdAllocator(65534)
    expect([a.next(), a.next(), a.next(), a.next()]).toEqual([65534, 65535, 1, 2])
  })
  it('skips IDs in use', () => {
    const a = new MessageIdAllocator()
    const used = new Set([1, 2, 4])
    expect(a.next((id) => used.has(id))).toBe(3)
    expect(a.next((id) => used.has(id))).toBe(5)
  })
  it('throws when every ID is in use, and on a bad start', () => {
    expect(() => new MessageIdAllocator().next(() => true)).toThrow(DicomError)
    expect(() => new MessageIdAllocator(0)).toThrow(DicomError)
  })
})
