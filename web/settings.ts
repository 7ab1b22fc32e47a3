// The settings form, made from the config field tables: a preset fills the fields, editing one makes
// the settings "custom", and the model kind shows its own fields.
import { BACKEND_NAMES, type BackendName } from '../ts/backend/types.js';
import { parseFieldText, type Field } from '../ts/config/fields.js';
import { MODELS, modelDefinition, type ModelKind } from '../ts/nn/registry.js';
import { MODEL_KIND_FIELD, TRAIN_FIELDS, type TrainConfig } from '../ts/train/config.js';
import { PRESETS, PRESET_NAMES, type PresetName } from '../ts/train/presets.js';

const CUSTOM = 'custom';
const DEFAULT_PRESET: PresetName = 'default';
/** A CLI setting: the playground charts every step's loss. */
const NOT_ON_THE_PAGE = new Set(['logEvery']);

type Input = HTMLInputElement | HTMLSelectElement;

export class Settings {
  private readonly preset: HTMLSelectElement;
  private readonly description: HTMLElement;
  private readonly backend: HTMLSelectElement;
  private readonly kind: HTMLSelectElement;
  /** Every model kind's own fields (shown for the chosen kind), then the training fields. */
  private readonly modelInputs = new Map<string, { field: Field; input: Input; label: HTMLLabelElement }>();
  private readonly trainInputs = new Map<string, { field: Field; input: Input }>();

  constructor(private readonly form: HTMLFieldSetElement) {
    const get = <T extends HTMLElement>(name: string) => form.querySelector<T>(`[name="${name}"]`)!;
    this.preset = get('preset');
    this.description = form.querySelector('.preset-description')!;
    this.backend = get('backend');
    fillOptions(this.preset, [...PRESET_NAMES, CUSTOM]);
    fillOptions(this.backend, BACKEND_NAMES);
    this.kind = this.add(MODEL_KIND_FIELD).input as HTMLSelectElement;
    for (const def of Object.values(MODELS)) {
      for (const field of def.fields) if (!this.modelInputs.has(field.path)) this.modelInputs.set(field.path, { field, ...this.add(field) });
    }
    for (const field of TRAIN_FIELDS) if (!NOT_ON_THE_PAGE.has(field.key)) this.trainInputs.set(field.key, { field, input: this.add(field).input });
    this.preset.addEventListener('change', () => this.applyPreset());
    this.kind.addEventListener('change', () => this.showKind(true));
    form.querySelectorAll<Input>('[data-path]').forEach((input) => input.addEventListener('input', () => this.markCustom()));
    this.preset.value = DEFAULT_PRESET;
    this.applyPreset();
  }

  set disabled(value: boolean) {
    this.form.disabled = value;
  }

  get backendName(): BackendName {
    return this.backend.value as BackendName;
  }

  /** The settings as a config; the worker validates it (messages name the field by its label). */
  config(): TrainConfig {
    const model: Record<string, unknown> = { kind: this.kind.value };
    for (const field of this.kindFields()) model[field.key] = parseFieldText(field, this.modelInputs.get(field.path)!.input.value);
    const config: Record<string, unknown> = { model, logEvery: 1 };
    for (const [key, { field, input }] of this.trainInputs) config[key] = parseFieldText(field, input.value);
    return config as unknown as TrainConfig;
  }

  /** A labelled input (or a select, for a choice) for one field, appended to the form. */
  private add(field: Field): { input: Input; label: HTMLLabelElement } {
    const label = document.createElement('label');
    label.title = field.help;
    let input: Input;
    if (field.value.type === 'choice' || field.value.type === 'boolean') {
      input = document.createElement('select');
      fillOptions(input, field.value.type === 'choice' ? field.value.choices : ['true', 'false']);
    } else {
      input = document.createElement('input');
      input.inputMode = field.value.type === 'int' ? 'numeric' : 'decimal';
    }
    input.name = field.key === 'kind' ? 'model' : field.key;
    input.dataset.path = field.path;
    label.append(`${field.label} `, input);
    this.form.append(label);
    return { input, label };
  }

  private kindFields(): readonly Field[] {
    return modelDefinition(this.kind.value).fields;
  }

  /** Shows the chosen kind's fields; `withDefaults` fills them with the kind's defaults (a new kind). */
  private showKind(withDefaults: boolean): void {
    const own = new Set(this.kindFields().map((f) => f.path));
    const defaults = MODELS[this.kind.value as ModelKind].defaults as Record<string, unknown>;
    for (const { field, input, label } of this.modelInputs.values()) {
      label.hidden = !own.has(field.path);
      if (withDefaults && own.has(field.path)) input.value = String(defaults[field.key]);
    }
  }

  private applyPreset(): void {
    const name = this.preset.value;
    if (!(name in PRESETS)) return;
    const { config, description } = PRESETS[name as PresetName];
    this.kind.value = config.model.kind;
    this.showKind(true);
    // Kinds may share a field (hidden): one input per field path.
    for (const field of this.kindFields()) this.modelInputs.get(field.path)!.input.value = String((config.model as unknown as Record<string, unknown>)[field.key]);
    for (const [key, { field, input }] of this.trainInputs) input.value = String((config as Record<string, unknown>)[key] ?? field.default);
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
