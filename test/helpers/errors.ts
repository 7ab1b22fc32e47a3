import { WasmgradError } from '../../ts/backend/errors.js';

/** The WasmgradError `fn` throws; fails the test if it throws nothing or another kind of error. */
export function thrown(fn: () => unknown): WasmgradError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WasmgradError) return e;
    throw e;
  }
  throw new Error('expected a WasmgradError, but nothing was thrown');
}

/** The WasmgradError `promise` rejects with; fails the test otherwise. */
export async function rejected(promise: Promise<unknown>): Promise<WasmgradError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof WasmgradError) return e;
    throw e;
  }
  throw new Error('expected a WasmgradError, but the promise resolved');
}
