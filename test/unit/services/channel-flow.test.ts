/**
 * DimseChannel flow control of streamed C-STORE datasets: reading from the association pauses
 * once `highWaterBytes` of chunks wait for a slow consumer and resumes once it has caught up,
 * and every byte still arrives in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, DimseChannel, storageContexts, supportedContexts } from '../../../src/services/index.js'
import { listen, type AcceptorPolicy, type Association, type AssociationListener } from '../../../src/association/index.js'
import { CommandField, responseFor, type CStoreRq } from '../../../src/dimse/index.js'
import { TransferSyntax } from '../../../src/dataset/index.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const HIGH_BYTES = 64 * 1024

describe('DimseChannel highWaterBytes', () => {
  let listener: AssociationListener
  let pauses = 0
  let resumes = 0
  let received: Uint8Array | undefined
  beforeAll(async () => {
    const policy: AcceptorPolicy = { aeTitle: 'FLOW', contexts: supportedContexts({ storage: true }) }
    listener = await listen({ host: '127.0.0.1', port: 0, policy }, (assoc: Association) => {
      const pause = assoc.pause.bind(assoc)
      const resume = assoc.resume.bind(assoc)
      assoc.pause = () => {
        pauses++
        pause()
      }
      assoc.resume = () => {
        resumes++
        resume()
      }
      // A chunk count limit that is never reached here: only the byte limit can pause.
      const channel: DimseChannel = new DimseChannel(assoc, {
        highWaterMark: 100_000,
        highWaterBytes: HIGH_BYTES,
        onRequest: (r) => {
          if (r.command.commandField !== CommandField.CStoreRq) return
          void (async () => {
            // A slow consumer: nothing is read for a while, then everything (copied: the chunks
            // are views of socket buffers).
            await new Promise((resolve) => setTimeout(resolve, 200))
            const parts: Uint8Array[] = []
            for await (const c of r.stream ?? []) parts.push(new Uint8Array(c))
            received = Buffer.concat(parts)
            await channel.send(r.context.id, responseFor(r.command as CStoreRq, 0))
          })()
        },
      })
    })
  })
  afterAll(async () => {
    await listener?.close({ abort: true })
  })

  it('pauses when the waiting bytes pass the limit, resumes, and loses nothing', async () => {
    const body = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 31 + (i >> 11)) & 0xff)
    const a = await new Client({ aeTitle: 'FLOW-SCU' }).associate({
      host: '127.0.0.1',
      port: listener.address().port,
      calledAeTitle: 'FLOW',
      presentationContexts: storageContexts([CT], [TransferSyntax.ExplicitVRLittleEndian]),
    })
    try {
      const r = await a.store({ sopClassUid: CT, sopInstanceUid: '1.2.3.4', transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, body })
      expect(r.status).toBe(0)
    } finally {
      await a.release().catch(() => a.abort())
    }
    expect(pauses).toBeGreaterThan(0)
    expect(resumes).toBeGreaterThan(0)
    expect(received && Buffer.compare(received, body)).toBe(0)
  }, 20_000)
})
