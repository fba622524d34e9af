/**
 * What a command needs from the outside world, injectable for tests.
 * @module
 */

/** Output streams of a command. */
export interface CliIo {
  /** Write text to standard output. */
  stdout(text: string): void
  /** Write text to standard error. */
  stderr(text: string): void
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}

/**
 * A failure a command reports as one line on stderr (`dimse: <message>`) with an exit code:
 * 1 for a failed operation, 2 for a usage error.
 */
export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
    this.name = 'CliError'
  }
}

/** A command of the `dimse` CLI. */
export interface CliCommand {
  /** The name typed after `dimse`. */
  name: string
  /** One line for `dimse --help`. */
  summary: string
  /** Full help text of the command. */
  usage: string
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>
}
