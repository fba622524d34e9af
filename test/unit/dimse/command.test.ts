import { describe, expect, it } from 'vitest'
import {
  CommandField, CommandTag, DimseError, Priority, commandFieldName, decodeCommand, encodeCommand,
  isKnownCommandField, isResponse,
} from '../../../src/dimse/index.js'
import type { DimseMessage } from '../../../src/dimse/index.js'
import { DicomError } from '../../../src/errors.js'
import { ae, commandSet, el, loadHex, ui, us } from './helpers.js'

const VERIFICATION = '1.2.840.10008.1.1'
const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11'
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1'
const STUDY_MOVE = '1.2.840.10008.5.1.4.1.2.2.2'
const SR_INSTANCE = '1.2.276.0.7230010.3.1.4.1787205428.166.1117461927.34'

// Expected meanings, transcribed from the dcmdump output in each fixture's header.
const FIXTURES: Array<[string, DimseMessage]> = [
  ['c-echo-rq.hex', { commandField: CommandField.CEchoRq, hasDataset: false, affectedSopClassUid: VERIFICATION, messageId: 1 }],
  ['c-echo-rsp.hex', { commandField: CommandField.CEchoRsp, hasDataset: false, affectedSopClassUid: VERIFICATION, messageIdBeingRespondedTo: 1, status: 0 }],
  ['c-store-rq.hex', {
    commandField: CommandField.CStoreRq, hasDataset: true, affectedSopClassUid: BASIC_TEXT_SR, messageId: 1,
    priority: Priority.Medium, affectedSopInstanceUid: SR_INSTANCE,
  }],
  ['c-store-rq-move-suboperation.hex', {
    commandField: CommandField.CStoreRq, hasDataset: true, affectedSopClassUid: BASIC_TEXT_SR, messageId: 1,
    priority: Priority.Medium, affectedSopInstanceUid: SR_INSTANCE, moveOriginatorApplicationEntityTitle: 'MOVESCU',
    moveOriginatorMessageId: 1,
  }],
  ['c-store-rsp.hex', {
    commandField: CommandField.CStoreRsp, hasDataset: false, affectedSopClassUid: BASIC_TEXT_SR, messageIdBeingRespondedTo: 1,
    status: 0, affectedSopInstanceUid: SR_INSTANCE,
  }],
  ['c-find-rq.hex', { commandField: CommandField.CFindRq, hasDataset: true, affectedSopClassUid: STUDY_FIND, messageId: 1, priority: 0 }],
  ['c-find-rsp-pending.hex', { commandField: CommandField.CFindRsp, hasDataset: true, affectedSopClassUid: STUDY_FIND, messageIdBeingRespondedTo: 1, status: 0xff00 }],
  ['c-find-rsp-success.hex', { commandField: CommandField.CFindRsp, hasDataset: false, affectedSopClassUid: STUDY_FIND, messageIdBeingRespondedTo: 1, status: 0 }],
  ['c-move-rq.hex', {
    commandField: CommandField.CMoveRq, hasDataset: true, affectedSopClassUid: STUDY_MOVE, messageId: 1, priority: 0,
    moveDestination: 'STORESCP',
  }],
  ['c-move-rsp-pending.hex', {
    commandField: CommandField.CMoveRsp, hasDataset: false, affectedSopClassUid: STUDY_MOVE, messageIdBeingRespondedTo: 1,
    status: 0xff00, numberOfRemainingSuboperations: 0, numberOfCompletedSuboperations: 1, numberOfFailedSuboperations: 0,
    numberOfWarningSuboperations: 0,
  }],
  ['c-move-rsp-success.hex', {
    commandField: CommandField.CMoveRsp, hasDataset: false, affectedSopClassUid: STUDY_MOVE, messageIdBeingRespondedTo: 1,
    status: 0, numberOfCompletedSuboperations: 1, numberOfFailedSuboperations: 0, numberOfWarningSuboperations: 0,
  }],
]

describe('command set codec against DCMTK captures', () => {
  for (const [file, expected] of FIXTURES) {
    it(`decodes ${file}`, () => {
      expect(decodeCommand(loadHex(file))).toStrictEqual(expected)
    })
    it(`encodes ${file} byte for byte`, () => {
      expect(encodeCommand(expected)).toEqual(loadHex(file))
    })
  }
})

describe('encodeCommand', () => {
  it('pads an odd-length UID with NUL and an odd-length AE title with a space (PS3.5 §6.2)', () => {
    const bytes = encodeCommand({
      commandField: CommandField.CMoveRq, hasDataset: true, messageId: 7, priority: Priority.High,
      affectedSopClassUid: '1.2.3', moveDestination: 'ABC',
    })
    const expected = commandSet(
      el(CommandTag.AffectedSopClassUid, ui('1.2.3')),
      el(CommandTag.CommandField, us(0x0021)),
      el(CommandTag.MessageId, us(7)),
      el(CommandTag.MoveDestination, ae('ABC')),
      el(CommandTag.Priority, us(1)),
      el(CommandTag.CommandDataSetType, us(0x0001)),
    )
    expect(bytes).toEqual(expected)
    expect(bytes[8 + 4 + 8 + 5]).toBe(0x00) // UID pad byte
  })

  it('writes OffendingElement, ErrorComment, ErrorID and AttributeIdentifierList', () => {
    const bytes = encodeCommand({
      commandField: CommandField.NSetRsp, hasDataset: false, messageIdBeingRespondedTo: 3, status: 0x0106,
      affectedSopClassUid: '1.2.840.10008.5.1.1.1', affectedSopInstanceUid: '1.2.3.4',
      offendingElement: [0x00100010, 0x00100020], errorComment: 'bad name', errorId: 42,
      attributeIdentifierList: [0x7fe00010],
    })
    const expected = commandSet(
      el(CommandTag.AffectedSopClassUid, ui('1.2.840.10008.5.1.1.1')),
      el(CommandTag.CommandField, us(0x8120)),
      el(CommandTag.MessageIdBeingRespondedTo, us(3)),
      el(CommandTag.CommandDataSetType, us(0x0101)),
      el(CommandTag.Status, us(0x0106)),
      el(CommandTag.OffendingElement, { at: [0x00100010, 0x00100020] }),
      el(CommandTag.ErrorComment, ae('bad name')),
      el(CommandTag.ErrorId, us(42)),
      el(CommandTag.AffectedSopInstanceUid, ui('1.2.3.4')),
      el(CommandTag.AttributeIdentifierList, { at: [0x7fe00010] }),
    )
    expect(bytes).toEqual(expected)
  })

  it('leaves out fields the message type does not carry', () => {
    const msg = { commandField: CommandField.CEchoRq, hasDataset: false, messageId: 1, affectedSopClassUid: VERIFICATION, moveDestination: 'X' }
    expect(encodeCommand(msg as DimseMessage)).toEqual(loadHex('c-echo-rq.hex'))
  })

  it.each([
    ['missing required field', { commandField: CommandField.CStoreRq, hasDataset: true, messageId: 1, priority: 0, affectedSopClassUid: '1.2' }],
    ['message ID out of range', { commandField: CommandField.CEchoRq, hasDataset: false, messageId: 65536, affectedSopClassUid: '1.2' }],
    ['non-integer status', { commandField: CommandField.CEchoRsp, hasDataset: false, messageIdBeingRespondedTo: 1, status: 1.5 }],
    ['UID with letters', { commandField: CommandField.CEchoRq, hasDataset: false, messageId: 1, affectedSopClassUid: '1.2.a' }],
    ['UID longer than 64', { commandField: CommandField.CEchoRq, hasDataset: false, messageId: 1, affectedSopClassUid: '1.'.repeat(33) + '1' }],
    ['AE title longer than 16', { commandField: CommandField.CMoveRq, hasDataset: true, messageId: 1, priority: 0, affectedSopClassUid: '1.2', moveDestination: 'A'.repeat(17) }],
    ['AE title with backslash', { commandField: CommandField.CMoveRq, hasDataset: true, messageId: 1, priority: 0, affectedSopClassUid: '1.2', moveDestination: 'A\\B' }],
    ['blank AE title', { commandField: CommandField.CMoveRq, hasDataset: true, messageId: 1, priority: 0, affectedSopClassUid: '1.2', moveDestination: '   ' }],
    ['non-ASCII error comment', { commandField: CommandField.CEchoRsp, hasDataset: false, messageIdBeingRespondedTo: 1, status: 0x0110, errorComment: 'é' }],
    ['unknown command field', { commandField: 0x0042, hasDataset: false }],
  ])('rejects %s with ERR_INVALID_ARGUMENT', (_name, msg) => {
    try {
      encodeCommand(msg as unknown as DimseMessage)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DicomError)
      expect((e as DicomError).code).toBe('ERR_INVALID_ARGUMENT')
    }
  })
})

describe('decodeCommand on hand-built command sets', () => {
  it('decodes every N-* request built by the test builder', () => {
    const b = commandSet(
      el(CommandTag.RequestedSopClassUid, ui('1.2.840.10008.5.1.1.40')),
      el(CommandTag.CommandField, us(0x0130)),
      el(CommandTag.MessageId, us(9)),
      el(CommandTag.CommandDataSetType, us(0x0102)), // any value but 0x0101 means "present"
      el(CommandTag.RequestedSopInstanceUid, ui('1.2.3.45')),
      el(CommandTag.ActionTypeId, us(1)),
    )
    expect(decodeCommand(b)).toStrictEqual({
      commandField: CommandField.NActionRq, hasDataset: true, requestedSopClassUid: '1.2.840.10008.5.1.1.40',
      messageId: 9, requestedSopInstanceUid: '1.2.3.45', actionTypeId: 1,
    })
  })

  it('skips retired command elements and tolerates a missing group length and priority', () => {
    const b = new Uint8Array([
      ...el(0x00000002, ui(STUDY_FIND)),
      ...el(0x00000100, us(0x0020)),
      ...el(0x00000110, us(5)),
      ...el(0x00000800, us(0x0001)),
      ...el(0x00004000, { str: 'RETIRED DIALOG', pad: 0x20 }), // (0000,4000) Dialog Receiver, LT, retired
    ])
    expect(decodeCommand(b)).toStrictEqual({ commandField: CommandField.CFindRq, hasDataset: true, affectedSopClassUid: STUDY_FIND, messageId: 5, priority: Priority.Medium })
  })

  it('trims a space-padded UID and a leading/trailing-space AE title', () => {
    const b = commandSet(
      el(CommandTag.AffectedSopClassUid, ae('1.2.3')),
      el(CommandTag.CommandField, us(0x0021)),
      el(CommandTag.MessageId, us(1)),
      el(CommandTag.MoveDestination, { str: ' DEST   ', pad: 0x20 }),
      el(CommandTag.Priority, us(2)),
      el(CommandTag.CommandDataSetType, us(1)),
    )
    expect(decodeCommand(b)).toMatchObject({ affectedSopClassUid: '1.2.3', moveDestination: 'DEST', priority: Priority.Low })
  })

  const echo = (): number[][] => [
    el(CommandTag.AffectedSopClassUid, ui(VERIFICATION)),
    el(CommandTag.CommandField, us(0x0030)),
    el(CommandTag.MessageId, us(1)),
    el(CommandTag.CommandDataSetType, us(0x0101)),
  ]
  const cases: Array<[string, Uint8Array, number]> = [
    ['truncated element header', new Uint8Array([...echo().flat(), 0, 0, 0]), 56],
    ['value longer than the data', (() => { const b = commandSet(...echo()); b[62] = 9; return b })(), 58],
    ['element outside group 0000', new Uint8Array([...echo().flat(), 0x08, 0, 0x16, 0, 0, 0, 0, 0]), 56],
    ['bytes after the last element', new Uint8Array([...commandSet(...echo()), 0, 0, 0]), 68],
    ['group length of 2 bytes', new Uint8Array([...el(0, { raw: [0, 0] }), ...echo().flat()]), 0],
    ['elements out of order', new Uint8Array([...el(0x00000110, us(1)), ...el(0x00000100, us(0x30))]), 10],
    ['duplicate element', new Uint8Array([...el(0x00000100, us(0x30)), ...el(0x00000100, us(0x30))]), 10],
    ['US with 4 bytes', new Uint8Array([...el(0x00000100, us(0x30)), ...el(0x00000110, { ul: 1 })]), 10],
    ['command field with 1 byte', new Uint8Array(el(0x00000100, { raw: [0x30] })), 0],
    ['AT with 6 bytes', new Uint8Array(el(0x00000901, { raw: [1, 2, 3, 4, 5, 6] })), 0],
    ['no command field', commandSet(el(CommandTag.MessageId, us(1))), -1],
    ['unknown command field', commandSet(el(CommandTag.CommandField, us(0x0031)), el(CommandTag.CommandDataSetType, us(0x0101))), -1],
    ['no data set type', commandSet(el(CommandTag.AffectedSopClassUid, ui(VERIFICATION)), el(CommandTag.CommandField, us(0x0030)), el(CommandTag.MessageId, us(1))), -1],
    ['missing message ID', commandSet(el(CommandTag.AffectedSopClassUid, ui(VERIFICATION)), el(CommandTag.CommandField, us(0x0030)), el(CommandTag.CommandDataSetType, us(0x0101))), -1],
    ['empty required UID', commandSet(el(CommandTag.AffectedSopClassUid, ui('')), el(CommandTag.CommandField, us(0x0030)), el(CommandTag.MessageId, us(1)), el(CommandTag.CommandDataSetType, us(0x0101))), -1],
    ['UID value of 100 bytes', commandSet(el(CommandTag.AffectedSopClassUid, ui('1'.repeat(100))), el(CommandTag.CommandField, us(0x0030))), 12],
  ]
  it.each(cases)('rejects %s with DimseError', (_name, bytes, offset) => {
    try {
      decodeCommand(bytes)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DimseError)
      expect((e as DimseError).code).toBe('ERR_DIMSE')
      if (offset >= 0) expect((e as DimseError).offset).toBe(offset)
      else expect((e as DimseError).offset).toBe(-1)
    }
  })

  it('accepts an overlong Error Comment from a peer (text only) but not an overlong AE title', () => {
    const base = [
      el(CommandTag.AffectedSopClassUid, ui(VERIFICATION)),
      el(CommandTag.CommandField, us(0x8030)),
      el(CommandTag.MessageIdBeingRespondedTo, us(1)),
      el(CommandTag.CommandDataSetType, us(0x0101)),
      el(CommandTag.Status, us(0x0110)),
    ]
    const b = commandSet(...base, el(CommandTag.ErrorComment, { raw: [...new Array<number>(99).fill(0x78), 0xe9] }))
    expect(decodeCommand(b)).toMatchObject({ status: 0x0110, errorComment: 'x'.repeat(99) + '\u00e9' })
    const bad = commandSet(el(CommandTag.CommandField, us(0x0021)), el(CommandTag.MoveDestination, ae('A'.repeat(18))))
    expect(() => decodeCommand(bad)).toThrow(DimseError)
  })

  it('reports the command field and message ID of a request it cannot decode', () => {
    const b = commandSet(el(CommandTag.CommandField, us(0x0031)), el(CommandTag.MessageId, us(77)), el(CommandTag.CommandDataSetType, us(0x0101)))
    try {
      decodeCommand(b)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DimseError)
      expect((e as DimseError).commandField).toBe(0x0031)
      expect((e as DimseError).messageId).toBe(77)
    }
    try {
      decodeCommand(new Uint8Array(el(CommandTag.CommandField, { raw: [1] })))
      expect.unreachable()
    } catch (e) {
      expect((e as DimseError).commandField).toBeUndefined()
      expect((e as DimseError).messageId).toBeUndefined()
    }
  })

  it('does not rely on the group length value', () => {
    const b = loadHex('c-echo-rq.hex')
    b[8] = 0x99
    expect(decodeCommand(b)).toMatchObject({ commandField: CommandField.CEchoRq, messageId: 1 })
  })

  it('reads from a view with a non-zero byteOffset', () => {
    const raw = loadHex('c-echo-rq.hex')
    const padded = new Uint8Array(raw.length + 3)
    padded.set(raw, 3)
    expect(decodeCommand(padded.subarray(3))).toStrictEqual(decodeCommand(raw))
  })
})

describe('command field helpers', () => {
  it('names and classifies command fields', () => {
    expect(commandFieldName(0x8021)).toBe('C-MOVE-RSP')
    expect(commandFieldName(0x0fff)).toBe('C-CANCEL-RQ')
    expect(commandFieldName(0x1234)).toBe('0x1234')
    expect(isResponse(CommandField.NGetRsp)).toBe(true)
    expect(isResponse(CommandField.CCancelRq)).toBe(false)
    expect(isKnownCommandField(0x0150)).toBe(true)
    expect(isKnownCommandField(0x0031)).toBe(false)
    // PS3.7 Annex E values
    expect(Object.values(CommandField).sort((a, b) => a - b).map((v) => v.toString(16))).toEqual([
      '1', '10', '20', '21', '30', '100', '110', '120', '130', '140', '150', 'fff',
      '8001', '8010', '8020', '8021', '8030', '8100', '8110', '8120', '8130', '8140', '8150',
    ])
  })
})
