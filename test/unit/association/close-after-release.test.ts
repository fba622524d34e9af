/**
 * How the requestor closes the connection after A-RELEASE-RP (PS3.8 Table 9-7, AR-3): over plain
 * TCP at once (nothing more can come), over TLS with end(), which sends the close_notify alert,
 * so that TLS peers see an orderly close rather than a truncated stream.
 */
import { describe, expect, test } from 'vitest'
import { Association, createMemoryTransportPair, type AcceptorPolicy } from '../../../src/association/index.js'
import type { Transport } from '../../../src/transport/index.js'

const VERIFICATION = '1.2.840.10008.1.1'
const IMPLICIT = '1.2.840.10008.1.2'
const policy: AcceptorPolicy = { aeTitle: 'SCP', contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] }

/** The transport, with its end()/destroy() calls recorded, claiming to be TLS or not. */
function recorded(t: Transport, secure: boolean): { transport: Transport; calls: string[] } {
  const calls: string[] = []
  const transport = new Proxy(t, {
    get(target, key) {
      if (key === 'secure') return secure
      if (key === 'end' || key === 'destroy') {
        return (...args: unknown[]) => {
          calls.push(key)
          return (target[key] as (...a: unknown[]) => void).apply(target, args)
        }
      }
      const v: unknown = Reflect.get(target, key)
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { transport, calls }
}

async function releaseOver(secure: boolean): Promise<string[]> {
  const [a, b] = createMemoryTransportPair()
  const { transport, calls } = recorded(a, secure)
  const acc = Association.accept(b, policy)
  const req = await Association.request({
    transport,
    callingAeTitle: 'SCU',
    calledAeTitle: 'SCP',
    presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
  })
  await acc
  await req.release()
  return calls
}

describe('requestor close after A-RELEASE-RP', () => {
  test('plain transport: dropped at once', async () => {
    const calls = await releaseOver(false)
    expect(calls[0]).toBe('destroy')
    expect(calls).not.toContain('end')
  })

  test('TLS transport: ended gracefully (close_notify), not dropped', async () => {
    const calls = await releaseOver(true)
    expect(calls[0]).toBe('end')
  })
})
