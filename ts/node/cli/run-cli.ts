import { WasmgradError } from '../../backend/errors.js';

/** Exit codes: 1 bad input or state, 2 bad command line, 3 training diverged, 130 interrupted. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a CLI's main function: a WasmgradError or CliExit becomes one line on stderr and an exit
 * code, never a stack trace. Anything else is a bug in wasmgrad: its stack is shown, since that
 * is what a bug report needs. `rename` turns the library's names (config.lr) into the CLI's (--lr).
 */
export function runCli(main: () => Promise<void>, rename: (message: string) => string = (m) => m): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      if (e instanceof CliExit) {
        if (e.message) process.stderr.write(`${e.message}\n`);
        process.exit(e.code);
      }
      if (e instanceof WasmgradError) {
        process.stderr.write(`error: ${rename(e.message)}\n`);
        process.exit(1);
      }
      process.stderr.write(`wasmgrad: internal error (please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(70);
    },
  );
}

/**
 * One command of the CLI: `npm run <name>` runs it and so does `npx wasmgrad <name>`.
 * `invokedAs` is how the user ran it, up to its flags ('npm run train --', 'npx wasmgrad train'),
 * so that help and messages show a command line the user can paste.
 */
export interface Command {
  /** One line for `wasmgrad --help`. */
  summary: string;
  run(argv: string[], invokedAs: string): Promise<void>;
  /** The library's names in a message (config.lr) as this command's flags (--lr). */
  rename?: (message: string) => string;
}

/** Runs `command` as the whole process: its outcome becomes the exit code. */
export function runCommand(command: Command, argv: string[], invokedAs: string): void {
  runCli(() => command.run(argv, invokedAs), command.rename);
}
