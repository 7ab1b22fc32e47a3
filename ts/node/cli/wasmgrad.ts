// The package's bin, `npx wasmgrad <command> [options]`: the commands `npm run train|sample|bench`
// run in a checkout, compiled to JavaScript by scripts/build.ts (dist/cli/wasmgrad.js).
import { bench } from './commands/bench.js';
import { sample } from './commands/sample.js';
import { train } from './commands/train.js';
import { CliExit, runCli, runCommand, type Command } from './run-cli.js';

const COMMANDS: Record<string, Command> = { train, sample, bench };

/** How the user started this bin: through npx (npm sets npm_command=exec), or as a command on PATH. */
const bin = process.env.npm_command === 'exec' ? 'npx wasmgrad' : 'wasmgrad';

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `usage: ${bin} <command> [options]

Trains small next-character language models with WebAssembly kernels, in this folder.

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}

examples:
  ${bin} train --steps 200                 # the default recipe, 200 steps; writes runs/default-<time>/
  ${bin} train --preset gpt-baby           # nanoGPT's CPU recipe (minutes)
  ${bin} train --data my-text.txt          # train on your own UTF-8 text
  ${bin} sample --prompt "ROMEO:" --length 200   # continue a prompt with the newest run in runs/
  ${bin} bench --suite step --quick        # rough step times on every backend

The default corpus is datasets/tinyShakespeare.txt in this folder, downloaded (sha256-checked) when missing.
\`${bin} <command> --help\` lists a command's options.
`;
}

const [name, ...argv] = process.argv.slice(2);
const command = name === undefined ? undefined : COMMANDS[name];
if (command) runCommand(command, argv, `${bin} ${name}`);
else {
  runCli(async () => {
    if (name === '--help' || name === '-h' || name === 'help') return void process.stdout.write(help());
    process.stderr.write(help());
    const what = name === undefined ? 'no command given' : `unknown command '${name}'`;
    throw new CliExit(2, `error: ${what}. Fix: run one of ${Object.keys(COMMANDS).map((c) => `\`${bin} ${c}\``).join(', ')}.`);
  });
}
