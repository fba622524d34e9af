#!/usr/bin/env node
/** The `dimse` command line: see `dimse --help` and src/cli/main.ts. */
import { main } from './cli/main.js'

// `dimse dump --json big.dcm | head`: the reader went away; stop quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`dimse: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 1
  },
)
