#!/usr/bin/env node
// Write synthetic CT, MR and SR instances (deterministic for a seed) as Part 10 files.
//
//   npm run build && node scripts/make-samples.mjs --out DIR [--count N] [--size-kb N]
//                                                 [--seed S] [--patients N] [--ts UID|implicit|explicit|big]
//
// Files go to DIR/PATnnn/STnn-<kind>/SEnn/IMnnnn.dcm (SR reports as SRnnnn.dcm).
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const lib = await import(join(here, '..', 'dist', 'samples', 'index.js')).catch((err) => {
  console.error(`make-samples: cannot load dist/samples/index.js (run "npm run build" first): ${err.message}`)
  process.exit(2)
})

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    count: { type: 'string', default: '20' },
    'size-kb': { type: 'string' },
    seed: { type: 'string', default: '1' },
    patients: { type: 'string', default: '3' },
    ts: { type: 'string', default: 'explicit' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help || !values.out) {
  console.log('usage: node scripts/make-samples.mjs --out DIR [--count N] [--size-kb N] [--seed S] [--patients N] [--ts UID|implicit|explicit|big]')
  process.exit(values.help ? 0 : 1)
}
const positive = (name, text) => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`make-samples: --${name} must be a non-negative integer, got ${text}`)
    process.exit(1)
  }
  return n
}
const TS = { implicit: '1.2.840.10008.1.2', explicit: '1.2.840.10008.1.2.1', big: '1.2.840.10008.1.2.2' }
const ts = TS[values.ts] ?? values.ts
const options = {
  seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
  count: positive('count', values.count),
  patients: positive('patients', values.patients),
}
if (values['size-kb'] !== undefined) options.sizeKb = positive('size-kb', values['size-kb'])

const out = resolve(values.out)
const samples = lib.makeSampleInstances(options)
let bytes = 0
for (const s of samples) {
  const file = join(out, s.path)
  await mkdir(dirname(file), { recursive: true })
  const data = lib.encodeSample(s, ts)
  bytes += data.length
  await writeFile(file, data)
}
const by = (k) => new Set(samples.map((s) => s[k])).size
console.log(
  `wrote ${samples.length} instances (${by('patientId')} patients, ${by('studyInstanceUid')} studies, ${by('seriesInstanceUid')} series, ` +
    `${(bytes / 1048576).toFixed(1)} MiB) to ${out}`,
)
