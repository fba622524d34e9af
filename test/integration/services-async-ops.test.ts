/**
 * The asynchronous operations window (PS3.7 D.3.3.3) on the SCU side: with the default window
 * (1 outstanding operation, nothing negotiated) concurrent requests are sent one after another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Server, queryContexts, verificationContext } from '../../src/services/index.js'
import { Dataset } from '../../src/dataset/index.js'

describe('asynchronous operations window on the SCU side', () => {
  let server: Server
  let active = 0
  let maxActive = 0
  beforeAll(async () => {
    server = new Server({
      aeTitle: 'WINDOW',
      handlers: {
        async *find() {
          active++
          maxActive = Math.max(maxActive, active)
          try {
            await new Promise((r) => setTimeout(r, 30))
            const d = new Dataset()
            d.set('QueryRetrieveLevel', 'CS', ['STUDY'])
            d.set('StudyInstanceUID', 'UI', ['1.2.3'])
            yield d
          } finally {
            active--
          }
        },
      },
    })
    await server.listen(0, '127.0.0.1')
  })
  afterAll(() => server.close({ abort: true }))

  it('runs concurrent finds one at a time when the window is 1/1, in order, and all complete', async () => {
    const a = await new Client({ aeTitle: 'SCU' }).associate({
      host: '127.0.0.1',
      port: server.address().port,
      calledAeTitle: 'WINDOW',
      presentationContexts: [verificationContext(), ...queryContexts('study', ['find'])],
    })
    expect(a.association.asyncOps).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 })
    const q = new Dataset()
    q.set('QueryRetrieveLevel', 'CS', ['STUDY'])
    q.set('StudyInstanceUID', 'UI', [])
    const order: number[] = []
    const run = async (i: number) => {
      const op = a.find('study', q)
      let n = 0
      for await (const _ of op) n++
      order.push(i)
      return { n, status: (await op.result).status }
    }
    const results = await Promise.all([run(1), run(2), run(3), a.echo().then((r) => ({ n: 0, status: r.status }))])
    expect(results.map((r) => r.status)).toEqual([0, 0, 0, 0])
    expect(results.slice(0, 3).map((r) => r.n)).toEqual([1, 1, 1])
    expect(maxActive).toBe(1)
    expect(order).toEqual([1, 2, 3])
    await a.release()
  })
})
