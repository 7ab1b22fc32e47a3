import { parseArgs } from 'node:util';
import { CliExit } from './run-cli.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One line for --help. */
  help: string;
  /** Shown in --help instead of the type. */
  value?: string;
}

/** Parses `argv` strictly against `flags`; a bad command line exits 2 with a one-line reason. */
export function parseFlags<T extends Record<string, FlagSpec>>(argv: string[], flags: T, command: string): Record<keyof T, string | boolean | undefined> {
  // `--steps -5` would read as two flags; join a negative number to its flag so the value check
  // below can say what is wrong with it.
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i].startsWith('--') && flags[argv[i].slice(2)]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else joined.push(argv[i]);
  }
  try {
    const { values, positionals } = parseArgs({
      args: joined,
      options: Object.fromEntries(Object.entries(flags).map(([name, spec]) => [name, { type: spec.type }])),
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    return values as Record<keyof T, string | boolean | undefined>;
  } catch (e) {
    // node:util's messages name the flag ("Unknown option '--lrr'"); add the fix.
    const reason = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
    throw new CliExit(2, `error: ${reason}. Fix: see \`${command} --help\`.`);
  }
}

export function usage(command: string, summary: string, flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([name, spec]) => [`--${name}${spec.type === 'string' ? ` ${spec.value ?? 'X'}` : ''}`, spec.help]);
  const width = Math.max(...rows.map(([f]) => f.length));
  return `usage: ${command} [options]\n\n${summary}\n\noptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`).join('\n')}\n`;
}

/** A number flag: finite, and positive or an integer where asked; the message names the flag. */
export function numberFlag(name: string, raw: string | boolean | undefined, kind: 'positive' | 'positive-int' | 'int' | 'fraction'): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const want = { positive: 'a positive number', 'positive-int': 'a positive integer', int: 'a non-negative integer', fraction: 'a number in [0, 0.5]' }[kind];
  const ok =
    typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(value) &&
    (kind === 'positive' ? value > 0 : kind === 'positive-int' ? Number.isInteger(value) && value > 0 : kind === 'int' ? Number.isInteger(value) && value >= 0 && value <= 0xffffffff : value >= 0 && value <= 0.5);
  if (!ok) throw new CliExit(2, `error: --${name} ${raw} is not ${want}. Fix: pass --${name} with ${want}.`);
  return value;
}

/** A flag with a fixed set of values. */
export function choiceFlag<C extends string>(name: string, raw: string | boolean | undefined, choices: readonly C[]): C | undefined {
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as C)) throw new CliExit(2, `error: --${name} ${raw} is not one of ${choices.join(', ')}. Fix: pass --${name} ${choices[0]}, for example.`);
  return raw as C;
}
