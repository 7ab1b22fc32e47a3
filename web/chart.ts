// The live loss curve: uPlot, fed the losses the worker reports (one per step), drawn downsampled.
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
  private readonly plot: uPlot;
  private redraw: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'loss (nats)' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: '#1f6feb', width: 1.5, points: { show: false } }],
        legend: { show: false },
        cursor: { show: false },
      },
      [[], []],
      container,
    );
    addEventListener('resize', () => this.plot.setSize({ width: this.width(), height: HEIGHT }));
  }

  /** Appends the losses of steps first, first + 1, … and redraws soon. */
  append(first: number, losses: readonly number[]): void {
    losses.forEach((loss, i) => this.points.push({ step: first + i, loss }));
    this.redraw ??= setTimeout(() => this.draw(), REDRAW_MS);
  }

  clear(): void {
    this.points.length = 0;
    this.draw();
  }

  private draw(): void {
    if (this.redraw !== null) clearTimeout(this.redraw);
    this.redraw = null;
    const drawn = downsample(this.points, MAX_DRAWN);
    this.plot.setData([drawn.map((p) => p.step), drawn.map((p) => p.loss)]);
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }
}
