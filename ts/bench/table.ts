import type { BackendName } from '../backend/types.js';
import { caseKey, type BenchRecord } from './record.js';

const BACKENDS: BackendName[] = ['wasm-simd', 'wasm-scalar', 'js'];

/**
 * One row per (suite, name, shape), one column group per backend (on one thread), then the ratios
 * that matter; with wasm-simd at more threads, its time and speed-up over one thread at each count.
 * When records carry PyTorch's times, each thread count adds PyTorch's and wasm-simd's time over it
 * (below 1: faster than PyTorch).
 */
export function formatTable(records: readonly BenchRecord[]): string {
  const rows = new Map<string, BenchRecord[]>();
  for (const r of records) {
    rows.set(caseKey(r), [...(rows.get(caseKey(r)) ?? []), r]);
  }
  const peak = records.find((r) => r.name === 'peak' && r.backend === 'wasm-simd')?.gflops ?? null;
  const pooled = [...new Set(records.filter((r) => r.threads > 1).map((r) => r.threads))].sort((a, b) => a - b);
  const torch = records.some((r) => r.pytorchMs !== undefined);
  const torchHeader = (t: number) => (torch ? [t === 1 ? 'PyTorch ms' : `PyTorch×${t} ms`, t === 1 ? 'vs PyTorch' : `×${t} vs PyTorch`] : []);
  const header = [
    'suite', 'name', 'shape', ...BACKENDS.map((b) => `${b} ms`), 'rate (simd)', 'simd/js', 'simd/scalar', 'simd/peak', 'matmul share', ...torchHeader(1),
    ...pooled.flatMap((t) => [`simd×${t} ms`, `×${t} speed-up`, ...torchHeader(t)]),
  ];
  const lines: string[][] = [header];
  for (const group of rows.values()) {
    const by = (b: BackendName) => group.find((r) => r.backend === b && r.threads === 1);
    const simd = by('wasm-simd');
    const ratio = (other: BenchRecord | undefined) => (simd && other ? `${(other.medianMs / simd.medianMs).toFixed(1)}x` : '');
    /** PyTorch's time at t threads, and wasm-simd's at t over it. */
    const torchCells = (t: number, ours: BenchRecord | undefined) => {
      if (!torch) return [];
      const theirs = group.find((r) => r.threads === t && r.pytorchMs !== undefined)?.pytorchMs;
      return theirs === undefined ? ['', ''] : [fmtMs(theirs), ours ? `${(ours.medianMs / theirs).toFixed(2)}x` : ''];
    };
    const first = group[0];
    lines.push([
      first.suite,
      first.name,
      first.shape.join('×') || '-',
      ...BACKENDS.map((b) => (by(b) ? fmtMs(by(b)!.medianMs) : '')),
      simd ? rate(simd) : '',
      first.name === 'peak' ? '' : ratio(by('js')),
      first.name === 'peak' ? '' : ratio(by('wasm-scalar')),
      simd?.gflops != null && peak && first.name.startsWith('matmul') ? `${((100 * simd.gflops) / peak).toFixed(0)}%` : '',
      simd?.matmulShare != null ? `${(100 * simd.matmulShare).toFixed(0)}%` : '',
      ...torchCells(1, simd),
      ...pooled.flatMap((t) => {
        const at = group.find((r) => r.backend === 'wasm-simd' && r.threads === t);
        return [at ? fmtMs(at.medianMs) : '', at && simd ? `${(simd.medianMs / at.medianMs).toFixed(2)}x` : '', ...torchCells(t, at)];
      }),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

function rate(r: BenchRecord): string {
  if (r.gflops != null) return `${r.gflops.toFixed(1)} GFLOP/s`;
  if (r.nsPerElement != null) return `${r.nsPerElement.toFixed(2)} ns/elem`;
  return `${(1000 / r.medianMs).toFixed(0)} steps/s`;
}
