import { describe, expect, it } from 'vitest'
import {
  DimseError, DimseProtocolError, MIN_MAX_PDU_LENGTH, PdvAssembler, cEchoRq, cStoreRq, encodeCommand, fragmentBytes,
  fragmentDatasetStream, fragmentMessage, maxFragmentLength, messageControlHeader,
} from '../../../src/dimse/index.js'
import type { AssembledMessage, DatasetSink } from '../../../src/dimse/index.js'
import type { PDataTfPdu, Pdv } from '../../../src/pdu/types.js'
import { DicomError } from '../../../src/errors.js'
import { loadHex } from './helpers.js'

const STORE = encodeCommand(cStoreRq({ messageId: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.7', affectedSopInstanceUid: '1.2.3.4.5' }))
const ECHO = loadHex('c-echo-rq.hex')

/** The variable-field length of a P-DATA-TF, computed from PS3.8 §9.3.5 (not by the code under test). */
function variableFieldLength(pdu: PDataTfPdu): number {
  return pdu.pdvs.reduce((n, pdv) => n + 4 + 1 + 1 + pdv.data.length, 0)
}

function dataset(n: number): Uint8Array {
  const d = new Uint8Array(n)
  for (let i = 0; i < n; i++) d[i] = (i * 31 + 7) & 0xff
  return d
}

describe('message control header (PS3.8 Annex E.2)', () => {
  it('sets bit 0 for command and bit 1 for last', () => {
    expect(messageControlHeader(false, false)).toBe(0x00)
    expect(messageControlHeader(true, false)).toBe(0x01)
    expect(messageControlHeader(false, true)).toBe(0x02)
    expect(messageControlHeader(true, true)).toBe(0x03)
  })
})

describe('fragmentMessage', () => {
  it('cuts a dataset to maxPduLength - 6 per PDV, one PDV per PDU, views only', () => {
    const ds = dataset(40_000)
    const pdus = [...fragmentMessage(5, STORE, ds, 16_384)]
    expect(pdus.map((p) => p.pdvs.length)).toEqual([1, 1, 1, 1])
    const pdvs = pdus.map((p) => p.pdvs[0]!)
    expect(pdvs.map((p) => [p.contextId, p.isCommand, p.isLast, p.data.length])).toEqual([
      [5, true, true, STORE.length],
      [5, false, false, 16_378],
      [5, false, false, 16_378],
      [5, false, true, 40_000 - 2 * 16_378],
    ])
    for (const p of pdus) expect(variableFieldLength(p)).toBeLessThanOrEqual(16_384)
    expect(variableFieldLength(pdus[1]!)).toBe(16_384)
    // views of the caller's buffers, not copies
    expect(pdvs[0]!.data.buffer).toBe(STORE.buffer)
    for (const p of pdvs.slice(1)) expect(p.data.buffer).toBe(ds.buffer)
    expect(pdvs[2]!.data.byteOffset).toBe(16_378)
  })

  it('cuts the command too when the peer max is tiny', () => {
    const pdus = [...fragmentMessage(1, ECHO, undefined, MIN_MAX_PDU_LENGTH)]
    expect(MIN_MAX_PDU_LENGTH).toBe(8)
    expect(pdus).toHaveLength(ECHO.length / 2)
    expect(pdus.every((p) => p.pdvs[0]!.isCommand && p.pdvs[0]!.data.length === 2)).toBe(true)
    expect(pdus.map((p) => p.pdvs[0]!.isLast).lastIndexOf(true)).toBe(ECHO.length / 2 - 1)
    expect(pdus.filter((p) => p.pdvs[0]!.isLast)).toHaveLength(1)
  })

  it('treats 0 as no limit and sends an empty dataset as one empty last PDV', () => {
    const pdus = [...fragmentMessage(3, STORE, new Uint8Array(0), 0)]
    expect(pdus.map((p) => [p.pdvs[0]!.isCommand, p.pdvs[0]!.isLast, p.pdvs[0]!.data.length])).toEqual([[true, true, STORE.length], [false, true, 0]])
    expect([...fragmentMessage(3, STORE, dataset(100_000), 0)]).toHaveLength(2)
  })

  it('rejects a maximum too small for any data, and bad context IDs', () => {
    expect(() => [...fragmentMessage(1, ECHO, undefined, 7)]).toThrow(DicomError)
    expect(() => maxFragmentLength(-1)).toThrow(DicomError)
    expect(() => maxFragmentLength(1.5)).toThrow(DicomError)
    expect(maxFragmentLength(8)).toBe(2)
    // kept even (DCMTK 3.6.7 cannot parse command sets cut at odd offsets)
    expect(maxFragmentLength(16_385)).toBe(16_378)
    expect(maxFragmentLength(0xffffffff)).toBe(0xfffffff8)
    expect(maxFragmentLength(0)).toBe(0xfffffff8)
    for (const id of [0, 2, 256, 1.5]) expect(() => [...fragmentMessage(id, ECHO, undefined, 100)]).toThrow(DicomError)
  })
})

describe('fragmentDatasetStream', () => {
  async function collect(chunks: Uint8Array[], max: number): Promise<Pdv[]> {
    const out: Pdv[] = []
    for await (const pdu of fragmentDatasetStream(7, chunks, max)) out.push(...pdu.pdvs)
    return out
  }
  it('sends the chunks in order with the last bit only on the final fragment', async () => {
    const all = dataset(1000)
    const chunks = [all.subarray(0, 10), all.subarray(10, 10), all.subarray(10, 500), all.subarray(500)]
    const pdvs = await collect(chunks, 207)
    expect(pdvs.every((p) => !p.isCommand && p.contextId === 7 && p.data.length <= 200)).toBe(true)
    expect(pdvs.map((p) => p.isLast)).toEqual(pdvs.map((_, i) => i === pdvs.length - 1))
    expect(Buffer.concat(pdvs.map((p) => p.data))).toEqual(Buffer.from(all))
  })
  it('keeps every fragment even when chunks have odd sizes, copying only at odd boundaries', async () => {
    const all = dataset(2000)
    const sizes = [1, 1, 333, 7, 2, 1, 500, 155, 1000]
    const chunks: Uint8Array[] = []
    let off = 0
    for (const n of sizes) {
      chunks.push(all.subarray(off, off + n))
      off += n
    }
    expect(off).toBe(2000)
    const pdvs = await collect(chunks, 106) // fragments of at most 100
    expect(pdvs.every((p) => p.data.length % 2 === 0 && p.data.length <= 100 && p.data.length > 0)).toBe(true)
    expect(Buffer.concat(pdvs.map((p) => p.data))).toEqual(Buffer.from(all))
    expect(pdvs.map((p) => p.isLast)).toEqual(pdvs.map((_, i) => i === pdvs.length - 1))
    // fragments that lie inside one chunk are views of it, not copies
    expect(pdvs.some((p) => p.data.buffer === all.buffer)).toBe(true)
  })

  it('ends with one odd byte only when the whole dataset is odd', async () => {
    const pdvs = await collect([dataset(3), dataset(4)], 106)
    expect(pdvs.map((p) => p.data.length)).toEqual([2, 4, 1])
  })

  it('sends one empty last fragment for an empty stream', async () => {
    const pdvs = await collect([], 100)
    expect(pdvs).toEqual([{ contextId: 7, isCommand: false, isLast: true, data: new Uint8Array(0) }])
  })
})

describe('PdvAssembler', () => {
  function assembler(stream?: (sink: DatasetSink | undefined) => DatasetSink | undefined) {
    const messages: AssembledMessage[] = []
    const a = new PdvAssembler({
      onMessage: (m) => messages.push(m),
      streamDataset: stream ? () => stream(undefined) : undefined,
      maxCommandLength: 1024,
      maxDatasetLength: 50_000,
    })
    return { a, messages }
  }

  it('puts fragmented messages back together, back to back', () => {
    const { a, messages } = assembler()
    const ds = dataset(40_000)
    for (const pdu of fragmentMessage(5, STORE, ds, 100)) a.pushPdu(pdu)
    for (const pdu of fragmentMessage(1, ECHO, undefined, 20)) a.pushPdu(pdu)
    expect(messages).toHaveLength(2)
    expect(messages[0]!.contextId).toBe(5)
    expect(messages[0]!.command).toMatchObject({ commandField: 0x0001, messageId: 3, affectedSopInstanceUid: '1.2.3.4.5' })
    expect(messages[0]!.commandBytes).toEqual(STORE)
    expect(messages[0]!.dataset).toEqual(ds)
    expect(messages[1]!.command).toStrictEqual({ commandField: 0x0030, hasDataset: false, messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1' })
    expect(messages[1]!.dataset).toBeUndefined()
    expect(a.inProgress).toBe(false)
  })

  it('hands out a single-fragment command and dataset as views', () => {
    const { a, messages } = assembler()
    const ds = dataset(100)
    for (const pdu of fragmentMessage(5, STORE, ds, 0)) a.pushPdu(pdu)
    expect(messages[0]!.commandBytes.buffer).toBe(STORE.buffer)
    expect(messages[0]!.commandBytes).toEqual(STORE)
    expect(messages[0]!.dataset!.buffer).toBe(ds.buffer)
    expect(messages[0]!.dataset).toEqual(ds)
  })

  it('accepts several PDVs in one P-DATA-TF', () => {
    const { a, messages } = assembler()
    const pdvs = [...fragmentMessage(3, STORE, dataset(300), 106)].flatMap((p) => p.pdvs)
    a.pushPdu({ type: 0x04, pdvs })
    expect(messages).toHaveLength(1)
    expect(messages[0]!.dataset).toEqual(dataset(300))
  })

  it('streams dataset fragments to a sink without collecting them', () => {
    const chunks: Array<[number, boolean]> = []
    const commands: number[] = []
    const messages: AssembledMessage[] = []
    const a = new PdvAssembler({
      onMessage: (m) => messages.push(m),
      streamDataset: (cmd, contextId) => {
        commands.push(cmd.commandField, contextId)
        return { onDatasetChunk: (c, last) => chunks.push([c.length, last]) }
      },
      maxDatasetLength: 10, // not applied to streamed datasets
    })
    for (const pdu of fragmentMessage(9, STORE, dataset(2500), 1006)) a.pushPdu(pdu)
    expect(commands).toEqual([0x0001, 9])
    expect(chunks).toEqual([[1000, false], [1000, false], [500, true]])
    expect(messages).toHaveLength(0)
    // a command-only message still goes to onMessage
    for (const pdu of fragmentMessage(1, ECHO, undefined, 1006)) a.pushPdu(pdu)
    expect(messages).toHaveLength(1)
  })

  const cmd = (contextId: number, data: Uint8Array, isLast = true): Pdv => ({ contextId, isCommand: true, isLast, data })
  const dat = (contextId: number, data: Uint8Array, isLast = true): Pdv => ({ contextId, isCommand: false, isLast, data })
  const violations: Array<[string, Pdv[]]> = [
    ['a dataset fragment first', [dat(1, dataset(4))]],
    ['a context change inside the command', [cmd(1, STORE.subarray(0, 10), false), cmd(3, STORE.subarray(10))]],
    ['a dataset fragment before the last command fragment', [cmd(1, STORE.subarray(0, 10), false), dat(1, dataset(4))]],
    ['a new command before the dataset ended', [cmd(1, STORE), dat(1, dataset(4), false), cmd(1, ECHO)]],
    ['a new command instead of the announced dataset', [cmd(1, STORE), cmd(1, ECHO)]],
    ['a context change inside the dataset', [cmd(1, STORE), dat(1, dataset(4), false), dat(3, dataset(4))]],
    ['a command over the limit', [cmd(1, dataset(1000), false), cmd(1, dataset(1000))]],
    ['a dataset over the limit', [cmd(1, STORE), dat(1, dataset(30_000), false), dat(1, dataset(30_000))]],
  ]
  it.each(violations)('throws DimseProtocolError on %s', (_name, pdvs) => {
    const { a } = assembler()
    let error: unknown
    try {
      for (const p of pdvs) a.push(p)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DimseProtocolError)
    expect((error as DimseProtocolError).code).toBe('ERR_DIMSE')
  })

  it('rejects a message on a context that was not accepted, when told which are', () => {
    const messages: AssembledMessage[] = []
    const a = new PdvAssembler({ onMessage: (m) => messages.push(m), isAcceptedContext: (id) => id === 1 })
    a.push(cmd(1, ECHO))
    expect(messages).toHaveLength(1)
    expect(() => a.push(cmd(3, ECHO))).toThrow(DimseProtocolError)
  })

  it('throws DimseError for an undecodable command set and can be reset', () => {
    const { a, messages } = assembler()
    expect(() => a.push(cmd(1, new Uint8Array([1, 2, 3])))).toThrow(DimseError)
    a.push(cmd(1, STORE.subarray(0, 5), false))
    expect(a.inProgress).toBe(true)
    a.reset()
    expect(a.inProgress).toBe(false)
    a.push(cmd(1, ECHO))
    expect(messages).toHaveLength(1)
  })
})

describe('fragmentBytes', () => {
  it('yields views covering the input exactly', () => {
    const d = dataset(10)
    const out = [...fragmentBytes(1, d, false, 10)]
    expect(out.map((p) => [p.data.byteOffset, p.data.length, p.isLast])).toEqual([[0, 4, false], [4, 4, false], [8, 2, true]])
  })
})
