/**
 * A throwaway PKI for the TLS tests (needs the openssl command).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Write a CA (ca.key, ca.pem) and a server and a client key and certificate signed by it
 * (server.key/.pem, client.key/.pem; SAN IP 127.0.0.1 and DNS localhost, one day) into `dir`,
 * a new temporary folder unless given (the caller removes it). Returns `dir`.
 */
export function makePki(dir: string = mkdtempSync(join(tmpdir(), 'dimse-pki-'))): string {
  const o = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  }
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=dimse test CA')
  for (const who of ['server', 'client']) {
    o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'SCU'}`)
    writeFileSync(join(dir, `${who}.ext`), `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=${who === 'server' ? 'serverAuth' : 'clientAuth'}\n`)
    o('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`)
  }
  return dir
}
