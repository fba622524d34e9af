// dcmjs-dimse side of the network benchmark (the nearest JavaScript peer), run as its own
// process by bench/net.mjs.
//   node bench/net-dcmjs.mjs scp FIND_MATCHES       SCP: echo, store (kept in memory, as its
//                                                   default writable does), find yields N matches;
//                                                   prints "BENCH-PORT N"
//   node bench/net-dcmjs.mjs store PORT FILE...      one association, a C-STORE per file
//   node bench/net-dcmjs.mjs echo PORT COUNT [WARMUP]         COUNT sequential associations with one C-ECHO
//   node bench/net-dcmjs.mjs find PORT               one study-level C-FIND; counts the responses
// Client modes print one JSON line: { n, ms }.
import dimse from 'dcmjs-dimse'
import { timeSequential } from './net-lib.mjs'

const { Client, Server, Scp, Dataset } = dimse
const { CEchoRequest, CFindRequest, CStoreRequest } = dimse.requests
const { CEchoResponse, CFindResponse, CStoreResponse } = dimse.responses
const { Status, PresentationContextResult, TransferSyntax } = dimse.constants

const [mode, ...args] = process.argv.slice(2)
// Its logger is on by default; logging every PDU would measure the console, not the library.
dimse.log.setLevel("error")

/** One association with the given requests; resolves when the client reports 'closed'. */
function send(port, requests) {
  return new Promise((resolve, reject) => {
    const client = new Client()
    for (const r of requests) client.addRequest(r)
    client.on('networkError', reject)
    client.on('closed', resolve)
    // Its default PDU timeout (60 s) is shorter than it needs to take in a 200 MiB instance.
    client.send('127.0.0.1', port, 'DCMJSSCU', 'ANY-SCP', { pduTimeout: 600_000, associationTimeout: 600_000 })
  })
}

if (mode === 'scp') {
  const n = Number(args[0] ?? 1000)
  const matches = Array.from(
    { length: n },
    (_, i) =>
      new Dataset({
        SpecificCharacterSet: 'ISO_IR 100',
        StudyDate: '20240102',
        QueryRetrieveLevel: 'STUDY',
        AccessionNumber: `A${i + 1}`,
        PatientName: `DOE^JOHN${i + 1}`,
        PatientID: `PID${i + 1}`,
        StudyInstanceUID: `1.2.826.0.1.3680043.10.1.${i + 1}`,
        StudyDescription: 'CHEST CT',
      }),
  )
  class BenchScp extends Scp {
    associationRequested(association) {
      this.association = association
      association.setMaxPduLength(262144)
      for (const c of association.getPresentationContexts()) {
        const ctx = association.getPresentationContext(c.id)
        const ts = ctx.getTransferSyntaxUids()
        const pick = ts.find((t) => t === TransferSyntax.ExplicitVRLittleEndian) ?? ts.find((t) => t === TransferSyntax.ImplicitVRLittleEndian)
        if (pick) ctx.setResult(PresentationContextResult.Accept, pick)
        else ctx.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported)
      }
      this.sendAssociationAccept()
    }
    cEchoRequest(request, callback) {
      const r = CEchoResponse.fromRequest(request)
      r.setStatus(Status.Success)
      callback(r)
    }
    cStoreRequest(request, callback) {
      const r = CStoreResponse.fromRequest(request)
      r.setStatus(Status.Success)
      callback(r)
    }
    cFindRequest(request, callback) {
      const out = matches.map((m) => {
        const r = CFindResponse.fromRequest(request)
        r.setDataset(m)
        r.setStatus(Status.Pending)
        return r
      })
      const last = CFindResponse.fromRequest(request)
      last.setStatus(Status.Success)
      out.push(last)
      callback(out)
    }
    associationReleaseRequested() {
      this.sendAssociationReleaseResponse()
    }
  }
  const server = new Server(BenchScp)
  server.on('networkError', () => undefined)
  server.on('listening', () => process.stdout.write(`BENCH-PORT ${server.server.address().port}\n`))
  server.listen(0, { pduTimeout: 600_000, associationTimeout: 600_000 })
  process.on('SIGTERM', () => {
    server.close()
    process.exit(0)
  })
} else if (mode === 'store') {
  const port = Number(args[0])
  const files = args.slice(1)
  const t0 = performance.now()
  let ok = 0
  const requests = files.map((f) => {
    const rq = new CStoreRequest(f)
    rq.on('response', (r) => {
      if (r.getStatus() === Status.Success) ok++
    })
    return rq
  })
  await send(port, requests)
  if (ok !== files.length) throw new Error(`stored ${ok} of ${files.length}`)
  process.stdout.write(`${JSON.stringify({ n: ok, ms: performance.now() - t0 })}\n`)
} else if (mode === 'echo') {
  // echo PORT COUNT [WARMUP]: WARMUP untimed associations first, then COUNT timed ones.
  const port = Number(args[0])
  const count = Number(args[1] ?? 100)
  const warmup = Number(args[2] ?? 0)
  const once = async () => {
    let ok = false
    const rq = new CEchoRequest()
    rq.on('response', (r) => (ok = r.getStatus() === Status.Success))
    await send(port, [rq])
    if (!ok) throw new Error('echo failed')
  }
  await timeSequential(once, count, warmup)
} else if (mode === 'find') {
  const port = Number(args[0])
  const t0 = performance.now()
  let n = 0
  let final = -1
  const rq = CFindRequest.createStudyFindRequest({ PatientID: '', PatientName: '', StudyInstanceUID: '' })
  rq.on('response', (r) => {
    if (r.getStatus() === Status.Pending && r.hasDataset()) n++
    else final = r.getStatus()
  })
  await send(port, [rq])
  if (final !== Status.Success) throw new Error(`find final status ${final}`)
  process.stdout.write(`${JSON.stringify({ n, ms: performance.now() - t0 })}\n`)
} else {
  process.stderr.write(`unknown mode ${mode}\n`)
  process.exit(2)
}
