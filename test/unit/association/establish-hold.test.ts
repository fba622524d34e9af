/**
 * PDUs that arrive together with, or in the same synchronous delivery as, the A-ASSOCIATE-AC
 * are held until the code after `await Association.request()` has attached its listeners; PDUs
 * that arrive later are handled at once.
 */
import { describe, expect, test } from 'vitest'
import { Association, createMemoryTransportPair, type AcceptorPolicy } from '../../../src/association/index.js'
import type { PDataTfPdu } from '../../../src/pdu/types.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'
const policy: AcceptorPolicy = { aeTitle: 'SCP', contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] }
const rqOptions = {
  callingAeTitle: 'SCU',
  calledAeTitle: 'SCP',
  presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
}
const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('inbox hold at establishment', () => {
  test('a P-DATA-TF delivered in the same run as the A-ASSOCIATE-AC reaches a listener attached after the await', async () => {
    const [a, b] = createMemoryTransportPair()
    // The acceptor sends a P-DATA-TF as soon as it is established: the memory transport then
    // delivers the AC and the P-DATA-TF to the requestor in one loop, without a microtask between.
    void Association.accept(b, policy).then((acc) => acc.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array([1, 2]) }]))
    const req = await Association.request({ transport: a, ...rqOptions })
    const got: PDataTfPdu[] = []
    req.on('pdata', (p) => got.push(p))
    for (let i = 0; i < 100 && got.length === 0; i++) await tick()
    expect(got).toHaveLength(1)
    expect([...got[0]!.pdvs[0]!.data]).toEqual([1, 2])
    await req.release()
  })

  test('a P-DATA-TF arriving in a later turn is handled when it arrives', async () => {
    const [a, b] = createMemoryTransportPair()
    const accepted = Association.accept(b, policy)
    const req = await Association.request({ transport: a, ...rqOptions })
    const acc = await accepted
    const got: number[] = []
    req.on('pdata', (p) => got.push(p.pdvs[0]!.data[0]!))
    await tick(10)
    await acc.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array([9]) }])
    for (let i = 0; i < 100 && got.length === 0; i++) await tick()
    expect(got).toEqual([9])
    await req.release()
  })
})
