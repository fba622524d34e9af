/**
 * Transports: in-memory pair semantics (order, back-pressure, end/close, destroy) and the node
 * socket adapter's connect timeout.
 */
import * as net from 'node:net'
import { afterAll, describe, expect, test } from 'vitest'
import { connect, createMemoryTransportPair } from '../../../src/transport/index.js'
import { TimeoutError } from '../../../src/errors.js'

const servers: net.Server[] = []
afterAll(() => {
  for (const s of servers) s.close()
})

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('memory transport pair', () => {
  test('delivers chunks in order, copied (the writer may reuse its buffer)', async () => {
    const [a, b] = createMemoryTransportPair()
    const got: number[] = []
    b.on('data', (c) => got.push(...c))
    const buf = new Uint8Array([1, 2, 3])
    const w = a.write([buf, new Uint8Array([4])])
    buf[0] = 99
    await w
    await a.write([new Uint8Array([5])])
    for (let i = 0; i < 200 && got.length < 5; i++) await tick()
    expect(got).toEqual([1, 2, 3, 4, 5])
  })

  test('bytes that arrive before a data listener is attached are kept, in order', async () => {
    const [a, b] = createMemoryTransportPair()
    await a.write([new Uint8Array([1, 2])])
    await tick(10) // delivered to b while nobody listens
    await a.write([new Uint8Array([3])])
    const got: number[] = []
    b.on('data', (c) => got.push(...c))
    for (let i = 0; i < 200 && got.length < 3; i++) await tick()
    expect(got).toEqual([1, 2, 3])
  })

  test('back-pressure: a write waits while the paused reader holds more than highWaterMark', async () => {
    const [a, b] = createMemoryTransportPair({ highWaterMark: 10 })
    let n = 0
    b.on('data', (c) => (n += c.length))
    b.pause()
    await a.write([new Uint8Array(8)]) // under the mark: resolves
    let done = false
    const p = a.write([new Uint8Array(8)]).then(() => (done = true))
    await tick(20)
    expect(done).toBe(false)
    expect(n).toBe(0)
    b.resume()
    await p
    expect(n).toBe(16)
  })

  test('end on both sides closes both; writes after end reject', async () => {
    const [a, b] = createMemoryTransportPair()
    const events: string[] = []
    const aClosed = new Promise<void>((r) => a.on('close', () => (events.push('a-close'), r())))
    b.on('end', () => {
      events.push('b-end')
      b.end()
    })
    const bClosed = new Promise<void>((r) => b.on('close', () => (events.push('b-close'), r())))
    a.end()
    await expect(a.write([new Uint8Array(1)])).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    await Promise.all([aClosed, bClosed])
    expect(events[0]).toBe('b-end')
    expect(events.slice(1).sort()).toEqual(['a-close', 'b-close'])
    expect(a.closed && b.closed).toBe(true)
  })

  test('destroy drops the connection: the peer sees end and close', async () => {
    const [a, b] = createMemoryTransportPair()
    const events: string[] = []
    b.on('end', () => events.push('end'))
    const closed = new Promise<void>((r) => b.on('close', () => (events.push('close'), r())))
    a.destroy()
    await closed
    expect(events).toEqual(['end', 'close'])
  })
})

describe('node socket transport', () => {
  test('connect timeout: a TLS handshake that never completes → TimeoutError("connect")', async () => {
    const silent = net.createServer(() => undefined) // accepts TCP, never speaks TLS
    servers.push(silent)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as net.AddressInfo).port
    const t0 = Date.now()
    const p = connect({ host: '127.0.0.1', port, tls: { rejectUnauthorized: false }, timeoutMs: 150 })
    await expect(p).rejects.toBeInstanceOf(TimeoutError)
    await expect(p).rejects.toMatchObject({ timer: 'connect' })
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  test('a multi-buffer write arrives as the concatenation; pause/resume of reading', async () => {
    const received: Buffer[] = []
    let peer: net.Socket | undefined
    const srv = net.createServer((s) => {
      peer = s
      s.on('data', (d) => received.push(d))
    })
    servers.push(srv)
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const t = await connect({ host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port })
    await t.write([new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array(0), new Uint8Array([4, 5])])
    for (let i = 0; i < 50 && Buffer.concat(received).length < 5; i++) await new Promise((r) => setTimeout(r, 10))
    expect([...Buffer.concat(received)]).toEqual([1, 2, 3, 4, 5])
    let got = 0
    t.on('data', (c) => (got += c.length))
    t.pause()
    peer!.write(Buffer.alloc(3))
    await new Promise((r) => setTimeout(r, 30))
    expect(got).toBe(0)
    t.resume()
    await new Promise((r) => setTimeout(r, 30))
    expect(got).toBe(3)
    const closed = new Promise<void>((r) => t.on('close', () => r()))
    t.destroy()
    await closed
    expect(t.closed).toBe(true)
  })
})
