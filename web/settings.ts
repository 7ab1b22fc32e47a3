// The settings form: a preset fills the fields, editing a field makes the settings "custom".
import { BACKEND_NAMES, type BackendName } from '../ts/backend/types.js';
import { INIT_NAMES } from '../ts/nn/init.js';
import { MODEL_KINDS } from '../ts/nn/models.js';
import { OPTIMIZER_NAMES } from '../ts/optim/optimizer.js';
import { SCHEDULES, type TrainConfig } from '../ts/train/config.js';
import { PRESETS, PRESET_NAMES, type PresetName } from '../ts/train/presets.js';

const CUSTOM = 'custom';
const DEFAULT_PRESET: PresetName = 'default';

/** Form fields by TrainConfig key, named as the CLI's flags so that error messages match. */
const FIELDS = ['model', 'hidden', 'init', 'optimizer', 'lr', 'schedule', 'batch', 'steps', 'seed', 'valFraction'] as const;
type Field = (typeof FIELDS)[number];

export class Settings {
  private readonly preset: HTMLSelectElement;
  private readonly description: HTMLElement;
  private readonly backend: HTMLSelectElement;
  private readonly fields: Record<Field, HTMLInputElement | HTMLSelectElement>;

  constructor(private readonly form: HTMLFieldSetElement) {
    const get = <T extends HTMLElement>(name: string) => form.querySelector<T>(`[name="${name}"]`)!;
    this.preset = get('preset');
    this.description = form.querySelector('.preset-description')!;
    this.backend = get('backend');
    this.fields = Object.fromEntries(FIELDS.map((f) => [f, get(f)])) as Record<Field, HTMLInputElement | HTMLSelectElement>;
    fillOptions(this.preset, [...PRESET_NAMES, CUSTOM]);
    fillOptions(this.backend, BACKEND_NAMES);
    fillOptions(this.fields.model as HTMLSelectElement, MODEL_KINDS);
    fillOptions(this.fields.init as HTMLSelectElement, INIT_NAMES);
    fillOptions(this.fields.optimizer as HTMLSelectElement, OPTIMIZER_NAMES);
    fillOptions(this.fields.schedule as HTMLSelectElement, SCHEDULES);
    this.preset.addEventListener('change', () => this.applyPreset());
    for (const f of FIELDS) this.fields[f].addEventListener('input', () => this.markCustom());
    this.preset.value = DEFAULT_PRESET;
    this.applyPreset();
  }

  set disabled(value: boolean) {
    this.form.disabled = value;
  }

  get backendName(): BackendName {
    return this.backend.value as BackendName;
  }

  /** The settings as a config; the worker validates it (messages name the field, as the CLI's flags). */
  config(): TrainConfig {
    const v = (f: Field) => this.fields[f].value.trim();
    return {
      model: v('model') as TrainConfig['model'],
      hidden: Number(v('hidden')),
      init: v('init') as TrainConfig['init'],
      optimizer: v('optimizer') as TrainConfig['optimizer'],
      lr: Number(v('lr')),
      schedule: v('schedule') as TrainConfig['schedule'],
      batch: v('batch') === 'full' ? 'full' : Number(v('batch')),
      steps: Number(v('steps')),
      seed: Number(v('seed')),
      valFraction: Number(v('valFraction')),
      logEvery: 1, // a CLI setting: the playground charts every step
    };
  }

  private applyPreset(): void {
    const name = this.preset.value;
    if (!(name in PRESETS)) return;
    const { config, description } = PRESETS[name as PresetName];
    for (const f of FIELDS) this.fields[f].value = String(config[f]);
    this.description.textContent = description;
  }

  private markCustom(): void {
    this.preset.value = CUSTOM;
    this.description.textContent = 'your own settings';
  }
}

function fillOptions(select: HTMLSelectElement, values: readonly string[]): void {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
}
