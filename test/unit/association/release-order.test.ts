/**
 * A-RELEASE-RQ never lands inside a message that is still being written (PS3.8 §7.2 with
 * Table 9-10: once the acceptor has an A-RELEASE-RQ, a P-DATA-TF from the requestor is Evt10 in
 * Sta8, an unexpected PDU that aborts). The acceptor is paused so that the requestor's writes
 * back up (memory transport, small high-water mark) while release() is called.
 */
import { describe, expect, test } from 'vitest'
import { Association, createMemoryTransportPair, type AcceptorPolicy } from '../../../src/association/index.js'
import { PduType } from '../../../src/pdu/types.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'
const policy: AcceptorPolicy = { aeTitle: 'SCP', maxPduLength: 4096, contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] }

async function pair(acseMs = 3000): Promise<[Association, Association]> {
  const [a, b] = createMemoryTransportPair({ highWaterMark: 2048 })
  const acc = Association.accept(b, policy, { timeouts: { acseMs: 3000 } })
  const req = await Association.request({
    transport: a,
    callingAeTitle: 'SCU',
    calledAeTitle: 'SCP',
    presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
    timeouts: { acseMs },
  })
  return [req, await acc]
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('release() waits for the messages being written', () => {
  test('every P-DATA-TF of a pending message reaches the peer before the A-RELEASE-RQ', async () => {
    const [req, acc] = await pair()
    const received: { type: number; lastData: boolean }[] = []
    acc.on('pdu', (e) => {
      if (e.direction !== 'received') return
      const lastData = e.pdu.type === PduType.PDataTf && e.pdu.pdvs.some((p) => !p.isCommand && p.isLast)
      received.push({ type: e.pdu.type, lastData })
    })
    acc.on('pdata', () => undefined)
    acc.pause()
    const ctx = req.acceptedContexts[0]!.id
    const dataset = new Uint8Array(64 * 1024).fill(7) // 17 PDUs at 4 KiB: writes wait for the paused peer
    const sent = req.sendMessage(ctx, new Uint8Array(64), dataset)
    const released = req.release()
    await tick(20)
    expect(req.state).toBe('Sta6') // still writing the message: no A-RELEASE-RQ yet
    acc.resume()
    await sent
    await released
    const types = received.map((r) => r.type)
    const rq = types.indexOf(PduType.ReleaseRq)
    expect(rq).toBeGreaterThan(0)
    expect(types.slice(0, rq).every((t) => t === PduType.PDataTf)).toBe(true)
    expect(received[rq - 1]!.lastData).toBe(true) // the dataset's last fragment came just before
    expect(types.slice(rq + 1)).toEqual([])
    expect(acc.abortError).toBeUndefined()
    expect(req.abortError).toBeUndefined()
  })

  test('without pending messages the A-RELEASE-RQ goes out at once', async () => {
    const [req] = await pair()
    const p = req.release()
    expect(req.state).toBe('Sta7')
    await p
  })

  test('a message queued after release() is refused, the release completes', async () => {
    const [req, acc] = await pair()
    acc.on('pdata', () => undefined)
    acc.pause()
    const ctx = req.acceptedContexts[0]!.id
    const first = req.sendMessage(ctx, new Uint8Array(64), new Uint8Array(32 * 1024))
    const released = req.release()
    const late = req.sendMessage(ctx, new Uint8Array(64))
    acc.resume()
    await first
    await expect(late).rejects.toMatchObject({ code: 'ERR_ASSOC_CLOSED' })
    await released
  })

  test('an abort while release() waits rejects it and sends no A-RELEASE-RQ', async () => {
    const [req, acc] = await pair()
    const seen: number[] = []
    acc.on('pdu', (e) => e.direction === 'received' && seen.push(e.pdu.type))
    acc.on('pdata', () => undefined)
    acc.pause()
    const ctx = req.acceptedContexts[0]!.id
    const sent = req.sendMessage(ctx, new Uint8Array(64), new Uint8Array(64 * 1024))
    sent.catch(() => undefined)
    const released = req.release()
    await tick(10)
    req.abort()
    await expect(released).rejects.toMatchObject({ code: 'ERR_ASSOC_ABORTED' })
    acc.resume()
    await tick(20)
    expect(seen).not.toContain(PduType.ReleaseRq)
  })

  test('a peer that stops reading while release() waits: the ACSE timeout still ends it', async () => {
    const [req, acc] = await pair(200)
    acc.on('pdata', () => undefined)
    acc.pause() // and never resumed: the message can never be written in full
    const ctx = req.acceptedContexts[0]!.id
    const sent = req.sendMessage(ctx, new Uint8Array(64), new Uint8Array(64 * 1024))
    sent.catch(() => undefined)
    const released = req.release()
    const outcome = await Promise.race([
      released.then(
        () => 'released',
        (e: unknown) => e,
      ),
      tick(2000).then(() => 'still pending'),
    ])
    // ACSE timeout → A-ABORT (as when an A-RELEASE-RP does not come): aborted, the timeout as cause
    expect(outcome).toMatchObject({ code: 'ERR_ASSOC_ABORTED', cause: { code: 'ERR_TIMEOUT', timer: 'acse' } })
    expect(req.isEstablished).toBe(false)
    acc.abort()
  })

  test('a slow peer that keeps reading is not cut off by the timer of a waiting release()', async () => {
    // ACSE timeout 500 ms, a little let through every 100 ms: longer than the timeout in all,
    // never idle that long (with 400 ms to spare for a loaded CI machine).
    const [req, acc] = await pair(500)
    acc.on('pdata', () => undefined)
    acc.pause()
    const ctx = req.acceptedContexts[0]!.id
    const sent = req.sendMessage(ctx, new Uint8Array(64), new Uint8Array(64 * 1024))
    const released = req.release()
    const started = Date.now()
    while (req.state === 'Sta6' && Date.now() - started < 6000) {
      await tick(100)
      acc.resume()
      await new Promise((r) => setImmediate(r))
      acc.pause()
    }
    acc.resume()
    await sent
    await released
    expect(Date.now() - started).toBeGreaterThan(500)
    expect(req.abortError).toBeUndefined()
  })
})
