// dimse side of the network benchmark, run as its own process by bench/net.mjs.
//   node bench/net-ours.mjs scp FIND_MATCHES          synthetic SCP (echo; find yields N matches); prints "BENCH-PORT N"
//   node bench/net-ours.mjs echo PORT COUNT [CALLED] [WARMUP]   WARMUP untimed, then COUNT timed sequential associations, each C-ECHO + release
//   node bench/net-ours.mjs find PORT AE [K=V ...]     one study-root C-FIND; counts the responses
// Client modes print one JSON line: { n, ms }.
// bench/net.mjs points DIMSE_BENCH_DIST at a snapshot of dist/ so that a rebuild meanwhile cannot mix versions.
import { timeSequential } from './net-lib.mjs'

const dist = process.env.DIMSE_BENCH_DIST ?? new URL('../dist', import.meta.url).pathname
const { Client, Server, Dataset, queryContexts, verificationContext } = await import(`${dist}/index.js`)

const [mode, ...args] = process.argv.slice(2)

/** The identifier every synthetic match carries (a typical study-level answer). */
function matchIdentifier(i) {
  const d = new Dataset()
  d.set('SpecificCharacterSet', 'CS', ['ISO_IR 100'])
  d.set('StudyDate', 'DA', ['20240102'])
  d.set('QueryRetrieveLevel', 'CS', ['STUDY'])
  d.set('AccessionNumber', 'SH', [`A${i}`])
  d.set('PatientName', 'PN', [`DOE^JOHN${i}`])
  d.set('PatientID', 'LO', [`PID${i}`])
  d.set('StudyInstanceUID', 'UI', [`1.2.826.0.1.3680043.10.1.${i}`])
  d.set('StudyDescription', 'LO', ['CHEST CT'])
  return d
}

if (mode === 'scp') {
  const n = Number(args[0] ?? 1000)
  const matches = Array.from({ length: n }, (_, i) => matchIdentifier(i + 1))
  const server = new Server({
    aeTitle: 'OURSCP',
    checkCalledAeTitle: false,
    handlers: {
      echo: () => 0,
      *find() {
        yield* matches
      },
    },
  })
  await server.listen(0, '127.0.0.1')
  process.stdout.write(`BENCH-PORT ${server.address().port}\n`)
  process.on('SIGTERM', () => {
    server.close({ abort: true }).finally(() => process.exit(0))
  })
} else if (mode === 'echo') {
  // echo PORT COUNT [CALLED] [WARMUP]: WARMUP untimed associations first (JIT warm-up), then
  // COUNT timed ones; also reports the first COUNT of the cold process separately when WARMUP=0.
  const port = Number(args[0])
  const count = Number(args[1] ?? 1000)
  const warmup = Number(args[3] ?? 0)
  const client = new Client({ aeTitle: 'OURSCU' })
  const once = async () => {
    const a = await client.associate({ host: '127.0.0.1', port, calledAeTitle: args[2] || 'ANY-SCP', presentationContexts: [verificationContext()] })
    const r = await a.echo()
    if (r.status !== 0) throw new Error(`echo status ${r.status}`)
    await a.release()
  }
  await timeSequential(once, count, warmup)
} else if (mode === 'find') {
  const port = Number(args[0])
  const called = args[1] ?? 'ANY-SCP'
  const q = new Dataset()
  q.set('QueryRetrieveLevel', 'CS', ['STUDY'])
  for (const kv of args.slice(2)) {
    const [k, v] = kv.split('=')
    if (k === 'QueryRetrieveLevel') q.set(k, 'CS', [v])
    else if (k.endsWith('UID')) q.set(k, 'UI', v ? [v] : [])
    else if (k === 'PatientName') q.set(k, 'PN', v ? [v] : [])
    else q.set(k, 'LO', v ? [v] : [])
  }
  const t0 = performance.now()
  const a = await new Client({ aeTitle: 'OURSCU' }).associate({ host: '127.0.0.1', port, calledAeTitle: called, presentationContexts: queryContexts('study') })
  let n = 0
  const op = a.find('study', q)
  for await (const m of op) if (m.identifier) n++
  const r = await op.result
  if (r.status !== 0) throw new Error(`find status ${r.status}`)
  await a.release()
  process.stdout.write(`${JSON.stringify({ n, ms: performance.now() - t0 })}\n`)
} else {
  process.stderr.write(`unknown mode ${mode}\n`)
  process.exit(2)
}
