import type { Backend } from '../../ts/backend/backend.js';
import { BACKEND_NAMES, type BackendName } from '../../ts/backend/types.js';
import { loadBackend } from '../../ts/node/backends.js';

/**
 * One instance of each backend, created once per test file, each on one thread: jest runs files
 * side by side, and test/threads/ checks that threads give the same bits.
 */
export async function allBackends(): Promise<Backend[]> {
  return Promise.all(BACKEND_NAMES.map((name) => loadBackend(name, { threads: 1, onFallback: (m) => { throw new Error(m); } })));
}

export function backend(list: Backend[], name: BackendName): Backend {
  const found = list.find((b) => b.name === name);
  if (!found) throw new Error(`no backend ${name}`);
  return found;
}
