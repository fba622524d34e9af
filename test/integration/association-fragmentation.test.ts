/**
 * Properties of message fragmentation over a real association (in-memory pair): for any peer
 * maximum PDU length and any command/dataset sizes and chunkings, the PDVs that arrive
 * (a) reassemble to the bytes sent, (b) carry command fragments before dataset fragments,
 * (c) set the "last" bit exactly on the final fragment of each (PS3.8 Annex E.2), and
 * (d) never exceed the peer's maximum (PDU length field ≤ max, PS3.8 Annex D.1).
 * Also: a throwing event listener aborts only its own association.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Association, createMemoryTransportPair, type AcceptorPolicy } from '../../src/association/index.js'
import { PduType, type Pdv } from '../../src/pdu/types.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'

async function pair(maxPduLength: number): Promise<[Association, Association]> {
  const policy: AcceptorPolicy = { contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }], maxPduLength }
  const [a, b] = createMemoryTransportPair()
  const acc = Association.accept(b, policy)
  const req = await Association.request({
    transport: a,
    callingAeTitle: 'A',
    calledAeTitle: 'B',
    presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
  })
  return [req, await acc]
}

describe('fragmentation properties', () => {
  test('any sizes, any chunking: reassembly, order, last bits, size limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 16, max: 3000 }),
        fc.integer({ min: 0, max: 9000 }),
        fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
        async (peerMax, cmdLen, dsLen, streamed, chunkSizes) => {
          const [req, scp] = await pair(peerMax)
          const command = Uint8Array.from({ length: Math.max(1, cmdLen) }, (_, i) => (i * 31 + 7) & 0xff)
          const dataset = dsLen === undefined ? undefined : Uint8Array.from({ length: dsLen }, (_, i) => (i * 17 + 3) & 0xff)
          const pdvs: Pdv[] = []
          const pduLengths: number[] = []
          scp.on('pdu', (e) => {
            if (e.pdu.type === PduType.PDataTf) pduLengths.push(e.length - 6)
          })
          const done = new Promise<void>((resolve) =>
            scp.on('pdata', (pdu) => {
              for (const p of pdu.pdvs) {
                pdvs.push({ ...p, data: new Uint8Array(p.data) })
                if (p.isLast && (dataset === undefined ? p.isCommand : !p.isCommand)) resolve()
              }
            }),
          )
          let body: Uint8Array | AsyncIterable<Uint8Array> | undefined = dataset
          if (dataset && streamed) {
            body = (async function* () {
              let o = 0
              for (let i = 0; o < dataset.length; i++) {
                const n = chunkSizes[i % chunkSizes.length]!
                yield dataset.subarray(o, Math.min(dataset.length, o + n))
                o += n
              }
            })()
          }
          await req.sendMessage(1, command, body)
          await done
          const cmdPdvs = pdvs.filter((p) => p.isCommand)
          const dsPdvs = pdvs.filter((p) => !p.isCommand)
          const join = (xs: Pdv[]): number[] => xs.flatMap((x) => [...x.data])
          expect(join(cmdPdvs)).toEqual([...command])
          // (b) every command PDV comes before every dataset PDV
          expect(pdvs.slice(0, cmdPdvs.length).every((p) => p.isCommand)).toBe(true)
          // (c) exactly one last bit per part, on the final fragment
          expect(cmdPdvs.map((p) => p.isLast)).toEqual(cmdPdvs.map((_, i) => i === cmdPdvs.length - 1))
          if (dataset) {
            expect(join(dsPdvs)).toEqual([...dataset])
            expect(dsPdvs.map((p) => p.isLast)).toEqual(dsPdvs.map((_, i) => i === dsPdvs.length - 1))
          } else expect(dsPdvs).toEqual([])
          // (d) every PDU's length field within the peer's maximum
          expect(Math.max(...pduLengths)).toBeLessThanOrEqual(peerMax)
          req.abort()
        },
      ),
      { numRuns: 40 },
    )
  }, 60000)

  test('a throwing pdata listener aborts that association only; the process survives', async () => {
    const [req, scp] = await pair(16384)
    scp.on('pdata', () => {
      throw new Error('handler bug')
    })
    const aborted = new Promise<Error>((r) => scp.once('aborted', (e) => r(e)))
    const peerAborted = new Promise<Error>((r) => req.once('aborted', (e) => r(e)))
    await req.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array(4) }])
    expect(((await aborted).cause as Error).message).toBe('handler bug')
    await peerAborted
    // another association is unaffected
    const [r2, s2] = await pair(16384)
    const got = new Promise<number>((r) => s2.once('pdata', (p) => r(p.pdvs.length)))
    await r2.sendPData([{ contextId: 1, isCommand: true, isLast: true, data: new Uint8Array(4) }])
    expect(await got).toBe(1)
    await r2.release()
  })
})
