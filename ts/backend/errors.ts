/**
 * The one error type wasmgrad throws for bad input. Its message names what was wrong and how to
 * fix it; the CLI prints the message alone, without a stack trace.
 */
export class WasmgradError extends Error {
  override name = 'WasmgradError';
}
