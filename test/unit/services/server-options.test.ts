/**
 * Server options that shape the acceptor policy: the asynchronous operations window granted
 * (PS3.7 D.3.3.3: answered only when proposed, never above the proposal), checked over an
 * in-memory association.
 */
import { describe, expect, it } from 'vitest'
import { Association } from '../../../src/association/association.js'
import { createMemoryTransportPair } from '../../../src/transport/index.js'
import { Server, verificationContext } from '../../../src/services/index.js'

async function negotiate(server: Server, proposed?: { maxOperationsInvoked: number; maxOperationsPerformed: number }) {
  const [a, b] = createMemoryTransportPair()
  const accepted = Association.accept(b, server.policy())
  const rq = await Association.request({
    transport: a,
    callingAeTitle: 'SCU',
    calledAeTitle: 'SCP',
    presentationContexts: [verificationContext()],
    ...(proposed ? { asyncOps: proposed } : {}),
  })
  const acc = await accepted
  const out = { requestor: rq.asyncOps, acceptor: acc.asyncOps, acItem: rq.associateAc?.userInformation.asyncOps }
  await rq.release()
  return out
}

describe('Server asyncOps option', () => {
  it('is passed to the policy only when given', () => {
    const plain = new Server({ aeTitle: 'SCP', handlers: {} })
    expect(plain.policy().asyncOps).toBeUndefined()
    const windowed = new Server({ aeTitle: 'SCP', handlers: {}, asyncOps: { maxOperationsInvoked: 4, maxOperationsPerformed: 0 } })
    expect(windowed.policy().asyncOps).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 0 })
  })

  it('grants the smaller window of both sides when the requestor proposes one', async () => {
    const server = new Server({ aeTitle: 'SCP', handlers: {}, asyncOps: { maxOperationsInvoked: 4, maxOperationsPerformed: 2 } })
    const r = await negotiate(server, { maxOperationsInvoked: 8, maxOperationsPerformed: 1 })
    expect(r.acItem).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 1 })
    expect(r.requestor).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 1 })
    expect(r.acceptor).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 1 })
  })

  it('answers nothing (default 1/1) when the requestor proposes no window', async () => {
    const server = new Server({ aeTitle: 'SCP', handlers: {}, asyncOps: { maxOperationsInvoked: 4, maxOperationsPerformed: 2 } })
    const r = await negotiate(server)
    expect(r.acItem).toBeUndefined()
    expect(r.requestor).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 })
  })

  it('without the option a proposed window is not answered', async () => {
    const server = new Server({ aeTitle: 'SCP', handlers: {} })
    const r = await negotiate(server, { maxOperationsInvoked: 8, maxOperationsPerformed: 8 })
    expect(r.acItem).toBeUndefined()
    expect(r.requestor).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 })
  })
})
