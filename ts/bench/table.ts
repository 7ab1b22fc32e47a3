import type { BackendName } from '../backend/types.js';
import type { BenchRecord } from './record.js';

const BACKENDS: BackendName[] = ['wasm-simd', 'wasm-scalar', 'js'];

/**
 * One row per (suite, name, shape), one column group per backend (on one thread), then the ratios
 * that matter; with wasm-simd at more threads, its time and speed-up over one thread at each count.
 */
export function formatTable(records: readonly BenchRecord[]): string {
  const rows = new Map<string, BenchRecord[]>();
  for (const r of records) {
    const key = `${r.suite}|${r.name}|${r.shape.join('x')}`;
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  const peak = records.find((r) => r.name === 'peak' && r.backend === 'wasm-simd')?.gflops ?? null;
  const pooled = [...new Set(records.filter((r) => r.threads > 1).map((r) => r.threads))].sort((a, b) => a - b);
  const header = [
    'suite', 'name', 'shape', ...BACKENDS.map((b) => `${b} ms`), 'rate (simd)', 'simd/js', 'simd/scalar', 'simd/peak', 'matmul share',
    ...pooled.flatMap((t) => [`simd×${t} ms`, `×${t} speed-up`]),
  ];
  const lines: string[][] = [header];
  for (const group of rows.values()) {
    const by = (b: BackendName) => group.find((r) => r.backend === b && r.threads === 1);
    const simd = by('wasm-simd');
    const ratio = (other: BenchRecord | undefined) => (simd && other ? `${(other.medianMs / simd.medianMs).toFixed(1)}x` : '');
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
      ...pooled.flatMap((t) => {
        const at = group.find((r) => r.backend === 'wasm-simd' && r.threads === t);
        return [at ? fmtMs(at.medianMs) : '', at && simd ? `${(simd.medianMs / at.medianMs).toFixed(2)}x` : ''];
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
