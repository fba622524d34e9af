/**
 * The `dimse` command-line dispatcher: global options and one module per command.
 * @module
 */
import { IMPLEMENTATION_VERSION_NAME } from '../version.js'
import { CliError, processIo } from './io.js'
import type { CliCommand, CliIo } from './io.js'
import { dumpCommand } from './dump.js'
import { echoCommand } from './echo.js'
import { storeCommand } from './store.js'
import { findCommand } from './find.js'
import { getCommand, moveCommand } from './retrieve.js'
import { serveCommand } from './serve.js'

/** The commands, in the order `--help` lists them. Network commands are added here. */
export const COMMANDS: readonly CliCommand[] = [echoCommand, storeCommand, findCommand, moveCommand, getCommand, serveCommand, dumpCommand]

/** The version printed by `dimse --version` (the package version). */
export const CLI_VERSION = IMPLEMENTATION_VERSION_NAME.replace(/^DIMSE_/, '')

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    'usage: dimse <command> [options] [arguments]',
    '',
    'DICOM networking and files from the command line.',
    '',
    'commands:',
    ...lines,
    '',
    'options:',
    '  -h, --help     show this help (or `dimse <command> --help`)',
    '  -v, --version  print the version',
    '',
    'Exit status: 0 on success, 1 when a command fails, 2 on a usage error.',
    '',
  ].join('\n')
}

/**
 * Run the CLI with `argv` (the arguments after `node cli.js`). Never throws: failures are
 * reported on `io.stderr` as one line `dimse: <message>` and returned as the exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) return await runCommand(rest[0], ['--help'], io)
      io.stdout(help())
      return first === undefined ? 2 : 0
    }
    if (first === '-v' || first === '--version') {
      io.stdout(`${CLI_VERSION}\n`)
      return 0
    }
    if (first.startsWith('-')) throw new CliError(`unknown option ${first} (see dimse --help)`, 2)
    return await runCommand(first, rest, io)
  } catch (e) {
    return report(e, io)
  }
}

async function runCommand(name: string, args: string[], io: CliIo): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === name)
  if (cmd === undefined) throw new CliError(`unknown command ${name} (see dimse --help)`, 2)
  return cmd.run(args, io)
}

/** Print an error as one stderr line and give its exit code. */
export function report(e: unknown, io: CliIo): number {
  if (e instanceof CliError) {
    io.stderr(`dimse: ${e.message}\n`)
    return e.exitCode
  }
  const msg = e instanceof Error ? e.message : String(e)
  io.stderr(`dimse: ${msg.split('\n')[0]}\n`)
  return 1
}
