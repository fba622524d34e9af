#!/usr/bin/env node
/** The `dimse` command line: see `dimse --help` and src/cli/main.ts. */
import { main } from './cli/main.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`dimse: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 1
  },
)
