/**
 * A loss curve as a self-contained SVG string (no scripts, no external fonts), for run reports in
 * Node and in the browser alike.
 */

export interface LossPoint {
  step: number;
  /** The loss of the step's batch. */
  loss: number;
  /** Where the run evaluated before this step (config.evalEvery): the training and validation losses. */
  train?: number;
  val?: number | null;
}

const WIDTH = 720;
const HEIGHT = 400;
const PLOT = { left: 64, right: WIDTH - 24, top: 40, bottom: HEIGHT - 48 };
/** More points than pixels only makes the file bigger. */
const MAX_POINTS = 2000;

export function lossCurveSvg(
  points: readonly LossPoint[],
  options: { title?: string; reference?: { value: number; label: string } } = {},
): string {
  const { title = 'training loss', reference } = options;
  // Non-finite losses (a diverged step) have no place on the axis; leave them out.
  const finite = points.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss));
  const curve = downsample(finite, MAX_POINTS);

  const ys = curve.map((p) => p.loss);
  if (reference && Number.isFinite(reference.value)) ys.push(reference.value);
  const xRange = paddedRange(curve.map((p) => p.step), 0);
  const yRange = paddedRange(ys, 0.05);
  const x = (step: number) => PLOT.left + ((step - xRange[0]) / (xRange[1] - xRange[0])) * (PLOT.right - PLOT.left);
  const y = (loss: number) => PLOT.bottom - ((loss - yRange[0]) / (yRange[1] - yRange[0])) * (PLOT.bottom - PLOT.top);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  ];
  for (const t of ticks(xRange)) {
    parts.push(`<line x1="${fmt(x(t))}" y1="${PLOT.bottom}" x2="${fmt(x(t))}" y2="${PLOT.bottom + 5}" stroke="black"/>`);
    parts.push(`<text x="${fmt(x(t))}" y="${PLOT.bottom + 18}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of ticks(yRange)) {
    parts.push(`<line x1="${PLOT.left - 5}" y1="${fmt(y(t))}" x2="${PLOT.right}" y2="${fmt(y(t))}" stroke="#ddd"/>`);
    parts.push(`<text x="${PLOT.left - 8}" y="${fmt(y(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  }
  parts.push(
    `<path d="M${PLOT.left},${PLOT.top}V${PLOT.bottom}H${PLOT.right}" fill="none" stroke="black"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 10}" text-anchor="middle">step</text>`,
    `<text x="16" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(PLOT.top + PLOT.bottom) / 2})">loss (nats)</text>`,
  );
  if (curve.length === 0) {
    parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle">no finite loss values yet</text>`);
  } else {
    const coords = curve.map((p) => `${fmt(x(p.step))},${fmt(y(p.loss))}`).join(' ');
    parts.push(`<polyline points="${coords}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`);
    // A single point draws no line: mark it.
    if (curve.length === 1) parts.push(`<circle cx="${fmt(x(curve[0].step))}" cy="${fmt(y(curve[0].loss))}" r="3" fill="#1f77b4"/>`);
  }
  // Drawn last, so its label stays readable over the curve.
  if (reference && Number.isFinite(reference.value)) {
    const ry = fmt(y(reference.value));
    parts.push(
      `<line x1="${PLOT.left}" y1="${ry}" x2="${PLOT.right}" y2="${ry}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${PLOT.right - 4}" y="${fmt(y(reference.value) - 6)}" text-anchor="end" fill="#c00" stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(reference.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * At most `max` points: consecutive buckets of equal size, each replaced by its mean step and loss.
 * Also what the playground's live chart draws, so its cost stays flat however long a run is.
 */
export function downsample(points: readonly LossPoint[], max: number): LossPoint[] {
  if (points.length <= max) return [...points];
  const out: LossPoint[] = [];
  for (let b = 0; b < max; b++) {
    const start = Math.floor((b * points.length) / max);
    const end = Math.floor(((b + 1) * points.length) / max);
    let step = 0;
    let loss = 0;
    for (let i = start; i < end; i++) {
      step += points[i].step;
      loss += points[i].loss;
    }
    out.push({ step: step / (end - start), loss: loss / (end - start) });
  }
  return out;
}

/** [min, max] of `values` widened by `pad` of the span; never empty, so there is no division by zero. */
function paddedRange(values: readonly number[], pad: number): [number, number] {
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (hi === lo) return [lo - 1, hi + 1];
  const margin = (hi - lo) * pad;
  return [lo - margin, hi + margin];
}

/** About five round tick values (1, 2 or 5 × 10^k apart) inside [lo, hi]. */
function ticks([lo, hi]: [number, number]): number[] {
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const spacing = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / spacing) * spacing; t <= hi + spacing * 1e-9; t += spacing) out.push(Number(t.toPrecision(12)));
  return out;
}

function label(t: number): string {
  return String(Number(t.toPrecision(6)));
}

/** One decimal is finer than a pixel. */
function fmt(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
