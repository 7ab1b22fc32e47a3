// The notebook's activation statistics (mean |x| per layer) at initialisation and now, as bars.
import type { ActivationStats } from '../ts/api.js';

const ROWS: { key: keyof ActivationStats; label: string }[] = [
  { key: 'input', label: 'input (one-hot, or embedded)' },
  { key: 'hidden', label: 'hidden (GELU)' },
  { key: 'output', label: 'output (logits)' },
  { key: 'softmax', label: 'softmax' },
  { key: 'softmaxMax', label: 'largest probability' },
];

/** Fills `table` with one row per layer; each row's bars share a scale, so they show the change. */
export function renderStats(table: HTMLTableElement, init: ActivationStats | null, now: ActivationStats | null): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const title of ['mean |x|', 'at init', 'now']) head.appendChild(document.createElement('th')).textContent = title;
  const body = table.createTBody();
  for (const { key, label } of ROWS) {
    const row = body.insertRow();
    row.insertCell().textContent = label;
    const a = init?.[key] ?? null;
    const b = now?.[key] ?? null;
    const scale = Math.max(a ?? 0, b ?? 0);
    for (const value of [a, b]) row.insertCell().appendChild(bar(value, scale));
  }
}

function bar(value: number | null, scale: number): HTMLElement {
  const cell = document.createElement('div');
  cell.className = 'bar';
  const fill = cell.appendChild(document.createElement('span'));
  fill.className = 'fill';
  fill.style.width = value === null || scale === 0 ? '0' : `${(100 * value) / scale}%`;
  cell.appendChild(document.createElement('span')).textContent = value === null ? '—' : value.toPrecision(3);
  return cell;
}
