import { WasmgradError } from '../backend/errors.js';

/**
 * Resolves once the event loop has had a turn: timers, messages, I/O and signal handlers (Ctrl-C)
 * run before it does. setImmediate in Node; in a browser a message to ourselves, because
 * setTimeout(0) is clamped to 4 ms once nested, which would cost a fast loop a visible share.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Calls `yieldToEventLoop` at most once per `everyMs` of work: `await maybe()` after each unit of
 * work keeps a page or server responsive without paying a turn of the event loop per unit.
 * `everyMs` is a caller's `options.yieldMs`, and is checked as that.
 */
export function yielder(everyMs: number): () => Promise<void> | undefined {
  if (!(typeof everyMs === 'number' && everyMs >= 0)) throw new WasmgradError(`options.yieldMs is ${everyMs}, but must be a number of milliseconds ≥ 0. Fix: leave it out (20 ms) or pass e.g. 50.`);
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < everyMs) return undefined;
    return yieldToEventLoop().then(() => {
      last = performance.now();
    });
  };
}
