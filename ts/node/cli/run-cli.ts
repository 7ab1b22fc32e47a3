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
