import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutCommands, readmeBlocks } from '../helpers/readme-blocks.js';

// The extractor the packed-package test runs README.md's blocks with (test/browser/package.test.ts).
const sample = ['# t', '', '```ts', 'const a = 1;', '```', 'text', '~~~sh checkout', 'npm run train -- --steps 5   # five', 'npm ci', '~~~', '```sh no-run', 'apt-get install -y x', '```'].join('\n');

test('finds every fenced block with the line of its opening fence and its kind', () => {
  expect(readmeBlocks(sample).map(({ line, kind, lang, code }) => ({ line, kind, lang, code }))).toEqual([
    { line: 3, kind: 'script', lang: 'ts', code: 'const a = 1;\n' },
    { line: 7, kind: 'checkout', lang: 'sh', code: 'npm run train -- --steps 5   # five\nnpm ci\n' },
    { line: 11, kind: 'no-run', lang: 'sh', code: 'apt-get install -y x\n' },
  ]);
});

test('a checkout block: the script each line needs, and the CLI lines as --help runs', () => {
  expect(checkoutCommands(readmeBlocks(sample)[1])).toEqual([
    { line: 8, script: 'train', run: 'npx wasmgrad train --steps 5 --help' },
    { line: 9, script: undefined, run: undefined },
  ]);
  expect(() => checkoutCommands({ ...readmeBlocks(sample)[1], code: 'rm -rf /\n' })).toThrow("README.md:8: 'rm -rf /' in a sh checkout block is not an npm command");
});

test('a script may name the file it is saved as', () => {
  expect(readmeBlocks('```ts app.ts\nx\n```\n')).toMatchObject([{ kind: 'script', lang: 'ts', file: 'app.ts' }]);
  expect(() => readmeBlocks('```ts ../app.ts\nx\n```\n')).toThrow(/info string 'ts \.\.\/app\.ts'/);
});

test('refuses what the tests would not know how to run, naming the line', () => {
  expect(() => readmeBlocks('a\n\n    npm run train\n')).toThrow(/^README.md:3: an indented code block/);
  expect(() => readmeBlocks('a\n```\nx\n```\n')).toThrow(/^README.md:2: the code block's info string '' is not one/);
  expect(() => readmeBlocks('a\n```python\nx\n```\n')).toThrow(/^README.md:2: the code block's info string 'python'/);
  expect(() => readmeBlocks('a\n```ts\nx\n')).toThrow(/^README.md:2: a code block that is never closed/);
});

test("README.md's own blocks all follow the rule, and there are scripts among them", () => {
  const blocks = readmeBlocks(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'));
  expect(blocks.filter((b) => b.kind === 'script').length).toBeGreaterThanOrEqual(2);
  for (const b of blocks.filter((b) => b.kind === 'checkout')) checkoutCommands(b);
});
