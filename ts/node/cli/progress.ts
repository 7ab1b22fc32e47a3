/**
 * Training progress on stderr. On a terminal: one bar redrawn at most 10 times a second (step,
 * loss, steps/s, ETA), with logged lines printed above it. Elsewhere (pipes, CI logs): the logged
 * lines only, so a log file holds no carriage returns.
 */
export class Progress {
  private lastDraw = 0;
  private barShown = false;
  private readonly started = performance.now();

  constructor(
    private readonly firstStep: number,
    private readonly totalSteps: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  /** Redraws the bar after `step` steps are done (throttled). */
  update(step: number, loss: number): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && step < this.totalSteps) return;
    this.lastDraw = now;
    const width = 30;
    const fraction = this.totalSteps > 0 ? step / this.totalSteps : 1;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const rate = this.rate(step);
    const eta = rate > 0 ? (this.totalSteps - step) / rate : 0;
    this.stream.write(`\r\x1b[2K${bar} ${step}/${this.totalSteps}  loss ${loss.toFixed(4)}  ${rate.toFixed(0)} steps/s  ETA ${formatSeconds(eta)}`);
    this.barShown = true;
  }

  /** A permanent line (above the bar on a terminal). */
  line(text: string): void {
    if (this.barShown) this.stream.write('\r\x1b[2K');
    this.stream.write(text + '\n');
    this.barShown = false;
  }

  /** Steps per second since the start of this run. */
  rate(step: number): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? (step - this.firstStep) / seconds : 0;
  }

  done(): void {
    if (this.barShown) this.stream.write('\r\x1b[2K');
    this.barShown = false;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
