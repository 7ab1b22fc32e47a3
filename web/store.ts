// The last run, kept in IndexedDB so that a reload (or a crash of the tab) can continue it. One
// record holds the checkpoint and the corpus it trained on, written by one put in one transaction:
// a reader sees the previous record or the new one, never a checkpoint without its text.

const DB = 'wasmgrad-playground';
const STORE = 'runs';
const KEY = 'last';

export interface StoredRun {
  /** saveCheckpoint's bytes. */
  checkpoint: Uint8Array;
  /** The corpus the run trained on, and where it came from (a URL or a file name). */
  text: string;
  source: string;
  step: number;
  savedAt: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs one request in its own transaction; resolves when the transaction has committed. */
async function transact<T>(mode: IDBTransactionMode, make: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode, { durability: 'strict' });
      const request = make(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the IndexedDB transaction was aborted'));
    });
  } finally {
    db.close();
  }
}

export const saveLastRun = (run: StoredRun): Promise<unknown> => transact('readwrite', (s) => s.put(run, KEY));

export const loadLastRun = async (): Promise<StoredRun | null> => ((await transact('readonly', (s) => s.get(KEY))) as StoredRun | undefined) ?? null;

export const forgetLastRun = (): Promise<unknown> => transact('readwrite', (s) => s.delete(KEY));
