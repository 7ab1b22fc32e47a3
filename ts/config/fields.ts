import { WasmgradError } from '../backend/errors.js';

/**
 * One field of a config, described once: the library validates it, the CLI makes a flag of it, the
 * playground an input, and the presets fill it. A field's `path` is how the library names it in
 * errors (`config.lr`, `config.model.hidden`); the CLI and the page replace that name with their own
 * (`--lr`, "learning rate") by `renameConfigFields`.
 */
export interface Field {
  /** The key in its config object. */
  key: string;
  /** How errors name it: `config.<key>`, or `config.model.<key>` for a model's own fields. */
  path: string;
  /** The CLI flag, without dashes. */
  flag: string;
  /** The playground's label. */
  label: string;
  help: string;
  value: FieldValue;
  /** A field a config may leave out; this value then applies (and the form shows it). */
  default?: unknown;
}

export type FieldValue =
  | { type: 'int'; min: number; max?: number }
  | { type: 'number'; greaterThan?: number; min?: number; max?: number }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'boolean' }
  /** A positive integer or the word 'full' (full-batch gradient descent). */
  | { type: 'int-or-full' };

/** A config field's value failed its check; `field` lets the CLI and the page name it their way. */
export class ConfigError extends WasmgradError {
  constructor(
    readonly field: Field,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What the field accepts, in words: "a positive integer", "one of sgd, adam". */
export function describeValue(v: FieldValue): string {
  switch (v.type) {
    case 'int':
      if (v.max !== undefined) return `an integer in [${v.min}, ${v.max}]`;
      return v.min === 1 ? 'a positive integer' : v.min === 0 ? 'a non-negative integer' : `an integer ≥ ${v.min}`;
    case 'number':
      if (v.greaterThan !== undefined) return v.greaterThan === 0 ? 'a positive number' : `a number > ${v.greaterThan}`;
      return `a number in [${v.min}, ${v.max}]`;
    case 'choice':
      return `one of ${v.choices.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'int-or-full':
      return "a positive integer or 'full'";
  }
}

/** Whether `x` is a valid value of the field. */
export function isValid(v: FieldValue, x: unknown): boolean {
  switch (v.type) {
    case 'int':
      return Number.isInteger(x) && (x as number) >= v.min && (v.max === undefined || (x as number) <= v.max);
    case 'number': {
      if (typeof x !== 'number' || !Number.isFinite(x)) return false;
      if (v.greaterThan !== undefined && !(x > v.greaterThan)) return false;
      return (v.min === undefined || x >= v.min) && (v.max === undefined || x <= v.max);
    }
    case 'choice':
      return typeof x === 'string' && v.choices.includes(x);
    case 'boolean':
      return typeof x === 'boolean';
    case 'int-or-full':
      return x === 'full' || (Number.isInteger(x) && (x as number) >= 1);
  }
}

/** Checks every field of `fields` in `config`; the error names the first bad field by its path. */
export function validateFields(fields: readonly Field[], config: Record<string, unknown>): void {
  for (const field of fields) {
    const value = config[field.key];
    if (value === undefined && field.default !== undefined) continue;
    if (!isValid(field.value, value)) {
      const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
      throw new ConfigError(field, `${field.path} is ${shown} but must be ${describeValue(field.value)}. Fix: set ${field.path} to ${describeValue(field.value)}.`);
    }
  }
}

/**
 * A field's value from text (a CLI flag, a form input): numbers and booleans parsed, 'full' kept. Nothing is
 * checked here; `validateFields` does that, with the same message for every front end.
 */
export function parseFieldText(field: Field, text: string): unknown {
  const t = text.trim();
  if (field.value.type === 'boolean') return t === 'true' ? true : t === 'false' ? false : t;
  if (field.value.type === 'choice' || (field.value.type === 'int-or-full' && t === 'full')) return t;
  const n = t === '' ? NaN : Number(t);
  return Number.isNaN(n) ? t : n; // the text itself, so the message shows what was typed
}

/** Rewrites the library's `config.<path>` names in a message into a front end's own names. */
export function renameConfigFields(message: string, fields: readonly Field[], name: (f: Field) => string): string {
  const byPath = new Map(fields.map((f) => [f.path, f]));
  return message.replace(/\bconfig(?:\.[A-Za-z]+)+/g, (path) => {
    const field = byPath.get(path);
    return field ? name(field) : path;
  });
}
