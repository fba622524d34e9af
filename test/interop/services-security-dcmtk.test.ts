/**
 * Security options of `dimse serve` and of the SCU commands against DCMTK:
 * - TLS (PS3.15 B.1): echoscu/storescu `+tls KEY CERT +cf CA` against `dimse serve --tls-*`;
 *   with `--tls-ca` a client without a certificate is refused;
 * - user identity (PS3.7 D.3.3.7): storescu `-usr U -pwd P` accepted (echoscu 3.6.7 lacks -usr), a wrong password or no
 *   identity at all answered with A-ASSOCIATE-RJ;
 * - our `dimse echo --tls-* --user --password` against storescp +tls (which does not check user
 *   identity) and against our own serve (which does).
 * The server runs in-process (startServe); certificates are made with openssl in a temp dir.
 * Fails (not skips) in CI when DCMTK is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeSampleInstances, encodeSample } from '../../src/samples/index.js'
import { startServe, type RunningServe } from '../../src/cli/serve.js'
import { echoCommand } from '../../src/cli/echo.js'
import type { CliIo } from '../../src/cli/io.js'
import { freePort, peerEnv, peersAvailable, runCommand } from '../helpers/process.js'
import { makePki } from '../helpers/pki.js'

const havePeers = peersAvailable('services-security-dcmtk', [['echoscu', '--version'], ['openssl', 'version']])
const env = peerEnv

const run = (cmd: string, args: string[], timeout = 30_000) => runCommand(cmd, args, timeout)

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) }
}

const children = new Set<ChildProcess>()
const servers: RunningServe[] = []

describe.skipIf(!havePeers)('dimse serve security options against DCMTK', () => {
  let tmp: string
  let pki: string
  let sample: string
  const p = (f: string): string => join(pki, f)

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dimse-security-'))
    pki = join(tmp, 'pki')
    mkdirSync(pki)
    makePki(pki)
    // A second, unrelated CA: its client certificate must not pass our mutual TLS.
    mkdirSync(join(tmp, 'other'))
    makePki(join(tmp, 'other'))
    const [s] = makeSampleInstances({ seed: 12, count: 1, sizeKb: 8 })
    sample = join(tmp, 'sample.dcm')
    writeFileSync(sample, encodeSample(s!))
  }, 60_000)

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    for (const s of servers) await s.close()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  async function serve(name: string, extra: string[]): Promise<{ port: string; storage: string; log: string[] }> {
    const io = captureIo()
    const storage = join(tmp, name)
    const s = await startServe(['--storage', storage, '--port', '0', '--aet', 'SECURE', ...extra], io)
    servers.push(s)
    return { port: String(s.address.port), storage, log: io.out }
  }

  test('mutual TLS: echoscu and storescu with a client certificate are served; without one refused', async () => {
    const { port, storage } = await serve('mtls', ['--tls-cert', p('server.pem'), '--tls-key', p('server.key'), '--tls-ca', p('ca.pem')])
    const tls = ['+tls', p('client.key'), p('client.pem'), '+cf', p('ca.pem')]
    const echo = await run('echoscu', ['-aec', 'SECURE', '-ta', '10', ...tls, '127.0.0.1', port])
    expect(echo.status, echo.out).toBe(0)
    const store = await run('storescu', ['-aec', 'SECURE', '-ta', '10', ...tls, '127.0.0.1', port, sample])
    expect(store.status, store.out).toBe(0)
    expect(readdirSync(storage).filter((f) => f.endsWith('.dcm'))).toHaveLength(1)
    // Anonymous TLS client (no certificate): the handshake fails, no association.
    const noCert = await run('echoscu', ['-aec', 'SECURE', '-ta', '10', '+tla', '+cf', p('ca.pem'), '127.0.0.1', port])
    expect(noCert.status, noCert.out).not.toBe(0)
    expect(noCert.out).toMatch(/TLS|handshake|Association Request Failed|connection/i)
    // A client certificate from another CA (the client trusts our server's CA).
    const o = (f: string): string => join(tmp, 'other', f)
    const otherCa = await run('echoscu', ['-aec', 'SECURE', '-ta', '10', '+tls', o('client.key'), o('client.pem'), '+cf', p('ca.pem'), '127.0.0.1', port])
    expect(otherCa.status, otherCa.out).not.toBe(0)
    // Plain TCP against the TLS port does not get an association either.
    const plain = await run('echoscu', ['-aec', 'SECURE', '-ta', '5', '-to', '5', '127.0.0.1', port])
    expect(plain.status, plain.out).not.toBe(0)
  }, 60_000)

  test('server-only TLS: echoscu +tls without a client certificate is served', async () => {
    const { port } = await serve('tls', ['--tls-cert', p('server.pem'), '--tls-key', p('server.key')])
    const r = await run('echoscu', ['-aec', 'SECURE', '-ta', '10', '+tla', '+cf', p('ca.pem'), '127.0.0.1', port])
    expect(r.status, r.out).toBe(0)
    // A client that does not trust our CA refuses us.
    const untrusted = await run('echoscu', ['-aec', 'SECURE', '-ta', '10', '+tla', '127.0.0.1', port])
    expect(untrusted.status, untrusted.out).not.toBe(0)
  }, 30_000)

  test('user identity: right password accepted, wrong password or none → A-ASSOCIATE-RJ', async () => {
    const { port } = await serve('uid', ['--user', 'alice', '--password', 's3cret'])
    // echoscu 3.6.7 has no user identity options: storescu carries them.
    const ok = await run('storescu', ['-aec', 'SECURE', '-usr', 'alice', '-pwd', 's3cret', '127.0.0.1', port, sample])
    expect(ok.status, ok.out).toBe(0)
    const okRsp = await run('storescu', ['-aec', 'SECURE', '-usr', 'alice', '-pwd', 's3cret', '-rsp', '127.0.0.1', port, sample])
    expect(okRsp.status, okRsp.out).toBe(0)
    const wrong = await run('storescu', ['-aec', 'SECURE', '-usr', 'alice', '-pwd', 'nope', '127.0.0.1', port, sample])
    expect(wrong.status).not.toBe(0)
    expect(wrong.out).toMatch(/Association Rejected/i)
    const otherUser = await run('storescu', ['-aec', 'SECURE', '-usr', 'mallory', '-pwd', 's3cret', '127.0.0.1', port, sample])
    expect(otherUser.status).not.toBe(0)
    expect(otherUser.out).toMatch(/Association Rejected/i)
    const none = await run('storescu', ['-aec', 'SECURE', '127.0.0.1', port, sample])
    expect(none.status).not.toBe(0)
    expect(none.out).toMatch(/Association Rejected/i)
  }, 30_000)

  test('our dimse echo --tls-* --user --password: against storescp +tls, and against our serve (TLS + identity)', async () => {
    const port = await freePort()
    const sc = spawn('storescp', ['-aet', 'STORESCP', '--ignore', '+tls', p('server.key'), p('server.pem'), '+cf', p('ca.pem'), String(port)], { env, stdio: 'ignore' })
    children.add(sc)
    const args = ['127.0.0.1', String(port), '--aec', 'STORESCP', '--tls-cert', p('client.pem'), '--tls-key', p('client.key'), '--tls-ca', p('ca.pem'), '--user', 'bob', '--password', 'pw', '--timeout', '5']
    let code = -1
    const until = Date.now() + 10_000
    for (;;) {
      const io = captureIo()
      try {
        code = await echoCommand.run(args, io)
        expect(io.out.join('')).toMatch(/C-ECHO STORESCP@127\.0\.0\.1:\d+: Success/)
        break
      } catch (e) {
        if (Date.now() > until) throw e
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    expect(code).toBe(0)
    // Without trusting the CA, our client refuses storescp's certificate.
    await expect(echoCommand.run(['127.0.0.1', String(port), '--aec', 'STORESCP', '--tls-cert', p('client.pem'), '--tls-key', p('client.key'), '--timeout', '5'], captureIo())).rejects.toThrow(/cannot associate/)

    const ours = await serve('both', ['--tls-cert', p('server.pem'), '--tls-key', p('server.key'), '--tls-ca', p('ca.pem'), '--user', 'bob', '--password', 'pw'])
    const io = captureIo()
    expect(await echoCommand.run(['127.0.0.1', ours.port, '--aec', 'SECURE', ...args.slice(4)], io)).toBe(0)
    await expect(echoCommand.run(['127.0.0.1', ours.port, '--aec', 'SECURE', ...args.slice(4, 10), '--user', 'bob', '--password', 'bad', '--timeout', '5'], captureIo())).rejects.toThrow(/reject/i)
    // And DCMTK with both TLS and identity.
    const both = await run('storescu', ['-aec', 'SECURE', '+tls', p('client.key'), p('client.pem'), '+cf', p('ca.pem'), '-usr', 'bob', '-pwd', 'pw', '127.0.0.1', ours.port, sample])
    expect(both.status, both.out).toBe(0)
  }, 60_000)
})
