// The live loss curve: uPlot, fed the losses the worker reports (one per step), drawn downsampled,
// with the validation losses as a second series when the run evaluates.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { downsample, type LossPoint } from '../ts/train/loss-svg.js';

const HEIGHT = 260;
/** About one point per pixel column: more only costs drawing time on the page's thread. */
const MAX_DRAWN = 1000;
/**
 * Redraw at most this often. Drawing runs on the page's thread, and on a machine whose cores are
 * hyper-threads of one another it slows the worker's training beside it; 4 Hz still looks live.
 */
const REDRAW_MS = 250;

export class LossChart {
  private readonly points: LossPoint[] = [];
  private readonly evaluations: { step: number; val: number }[] = [];
  private plot: uPlot;
  private redraw: ReturnType<typeof setTimeout> | null = null;

  /** `empty`: what the chart area says before a run has a loss to draw. */
  constructor(private readonly container: HTMLElement, private readonly empty: HTMLElement) {
    this.plot = this.create();
    // The container, not the window: a phone's rotation, a sidebar or the grid's breakpoint resize it.
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: HEIGHT })).observe(container);
    this.draw();
  }

  /** Appends the losses of steps first, first + 1, … and redraws soon. */
  append(first: number, losses: readonly number[]): void {
    losses.forEach((loss, i) => this.points.push({ step: first + i, loss }));
    this.soon();
  }

  /** A validation loss measured before `step`; the validation series shows from the first one. */
  addEvaluation(step: number, val: number | null): void {
    if (val === null) return;
    this.evaluations.push({ step, val });
    this.soon();
  }

  /** A fresh chart: no points, fresh axes (a new plot: uPlot keeps its scales' last range); `history` (an opened run's losses) drawn at once. */
  reset(history: readonly LossPoint[] = []): void {
    this.plot.destroy();
    this.plot = this.create();
    this.points.length = 0;
    this.evaluations.length = 0;
    for (const p of history) {
      this.points.push({ step: p.step, loss: p.loss });
      if (p.val !== undefined && p.val !== null) this.evaluations.push({ step: p.step, val: p.val });
    }
    this.draw();
  }

  private create(): uPlot {
    return new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'loss (nats)' }],
        series: [
          { label: 'step' },
          { label: 'training (batch)', stroke: '#1f6feb', width: 1.5, points: { show: false }, spanGaps: true },
          { label: 'validation', stroke: '#cf222e', width: 2, points: { show: true, size: 6 }, spanGaps: true, show: false },
        ],
        legend: { show: true, live: false },
        cursor: { show: false },
      },
      [[], [], []],
      this.container,
    );
  }

  private soon(): void {
    this.redraw ??= setTimeout(() => this.draw(), REDRAW_MS);
  }

  private draw(): void {
    if (this.redraw !== null) clearTimeout(this.redraw);
    this.redraw = null;
    // uPlot wants one x array: the drawn training steps and the evaluated ones, each series null where it has no value.
    const drawn = downsample(this.points, MAX_DRAWN);
    const byStep = new Map<number, [number | null, number | null]>(drawn.map((p) => [p.step, [p.loss, null]]));
    for (const e of this.evaluations) byStep.set(e.step, [byStep.get(e.step)?.[0] ?? null, e.val]);
    const steps = [...byStep.keys()].sort((a, b) => a - b);
    this.plot.setSeries(2, { show: this.evaluations.length > 0 });
    // Fresh axes: with no points, the scales start again from nothing.
    this.plot.setData([steps, steps.map((s) => byStep.get(s)![0]), steps.map((s) => byStep.get(s)![1])] as uPlot.AlignedData);
    this.empty.hidden = this.points.length > 0;
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }
}
