import type { BenchRecord } from '../../ts/bench/record.js';
import { formatTable } from '../../ts/bench/table.js';

const step = (backend: BenchRecord['backend'], threads: number, medianMs: number, pytorchMs?: number): BenchRecord => ({
  suite: 'step', name: 'mlp', backend, threads, shape: [1024, 128, 65], medianMs, gflops: null, nsPerElement: null, ...(pytorchMs === undefined ? {} : { pytorchMs }),
});

/** The table's rows as cells (split on the two spaces between columns), the header first. */
const rows = (table: string) => table.split('\n').map((line) => line.trim().split(/\s{2,}/));
const ratio = (cell: string) => {
  expect(cell).toMatch(/^\d+\.\d\dx$/);
  return Number(cell.slice(0, -1));
};

test('step rows show PyTorch\'s time and ours over it at each thread count', () => {
  // Ours 5.0 ms on one thread, 2.9 on two; PyTorch 3.3 and 2.0: 1.52 and 1.45 times PyTorch's.
  const [ours1, ours2, torch1, torch2] = [5.0, 2.9, 3.3, 2.0];
  const [header, row] = rows(formatTable([step('wasm-simd', 1, ours1, torch1), step('wasm-simd', 2, ours2, torch2), step('js', 1, 20, torch1)]));
  expect(header.slice(-6)).toEqual(['PyTorch ms', 'vs PyTorch', 'simd×2 ms', '×2 speed-up', 'PyTorch×2 ms', '×2 vs PyTorch']);
  // Every one of those cells is filled here, so the row's last six are theirs.
  const [torchMs1, vs1, , , torchMs2, vs2] = row.slice(-6);
  expect(Number(torchMs1)).toBeCloseTo(torch1, 2);
  expect(Number(torchMs2)).toBeCloseTo(torch2, 2);
  expect(ratio(vs1)).toBeCloseTo(ours1 / torch1, 2);
  expect(ratio(vs2)).toBeCloseTo(ours2 / torch2, 2);
});

test('a row without PyTorch\'s time leaves its cells empty; records without any show no PyTorch column', () => {
  const kernel: BenchRecord = { suite: 'kernel', name: 'gelu_fwd', backend: 'wasm-simd', threads: 1, shape: [1024, 128], medianMs: 0.2, gflops: null, nsPerElement: 1.5 };
  const table = formatTable([step('wasm-simd', 1, 5, 3.3), kernel]);
  const [header, , gelu] = rows(table);
  expect(header.at(-2)).toBe('PyTorch ms');
  expect(gelu.at(-1)).toBe('1.50 ns/elem'); // the rate, then nothing: no ratio without PyTorch's time
  expect(formatTable([step('wasm-simd', 1, 5), kernel])).not.toMatch(/PyTorch/);
});
