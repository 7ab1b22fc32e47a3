/**
 * README.md's code blocks, each with how the tests treat it. The rule (README.md says it too): every
 * code block is fenced and its info string says what it is —
 *   ts, js         a script: run as an ES module in a fresh project that installed the packed package;
 *   ts FILE        the same, also saved as FILE for the blocks after it (`esbuild app.ts …`);
 *   sh             commands run with bash in that project (`npx wasmgrad …`, `esbuild …`);
 *   sh checkout    commands for a checkout of this repository: `npm run S` must name a script of
 *                  package.json, and `npm run train|sample|bench -- FLAGS` runs as
 *                  `npx wasmgrad … FLAGS --help` in the packed project, so every flag must exist;
 *   <lang> no-run  shown, not run (e.g. `apt-get install`, a Python fragment checked by test/interop/);
 *   text           a listing, not code.
 * A block without one of these, or an indented code block, is refused: a new block must choose.
 */
export type BlockKind = 'script' | 'sh' | 'checkout' | 'no-run' | 'text';

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  kind: BlockKind;
  /** 'ts' or 'js' for scripts. */
  lang: string;
  code: string;
  /** The file a script is also saved as (`ts app.ts`). */
  file?: string;
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) {
      // An indented code block starts after a blank line (a list item's continuation is not one: none here).
      if (/^ {4}\S/.test(lines[i]) && (i === 0 || lines[i - 1].trim() === '')) {
        throw new Error(`README.md:${i + 1}: an indented code block; fence it with an info string (ts, js, ts FILE, sh, sh checkout, <lang> no-run, text) so the tests know what to do with it`);
      }
      continue;
    }
    const [, fence, info] = open;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence) && l.slice(fence.length).trim() === '');
    if (end < 0) throw new Error(`README.md:${i + 1}: a code block that is never closed`);
    const words = info.trim().split(/\s+/);
    const kind = kindOf(words, i + 1);
    const file = kind === 'script' ? words[1] : undefined;
    blocks.push({ line: i + 1, info: info.trim(), kind, lang: words[0], code: lines.slice(i + 1, end).join('\n') + '\n', ...(file ? { file } : {}) });
    i = end;
  }
  return blocks;
}

function kindOf(words: string[], line: number): BlockKind {
  const [lang, ...rest] = words;
  if (rest.length === 1 && rest[0] === 'no-run' && lang) return 'no-run';
  if ((lang === 'ts' || lang === 'js') && (rest.length === 0 || (rest.length === 1 && /^[\w-]+\.[jt]s$/.test(rest[0])))) return 'script';
  if (rest.length === 0 && lang === 'sh') return 'sh';
  if (lang === 'sh' && rest.length === 1 && rest[0] === 'checkout') return 'checkout';
  if (rest.length === 0 && lang === 'text') return 'text';
  throw new Error(`README.md:${line}: the code block's info string '${words.join(' ')}' is not one the tests know (ts, js, sh, sh checkout, <lang> no-run, text)`);
}

/**
 * A `sh checkout` block as what the packed project can check: for each command, its README line and
 * either the script it names (checked against package.json) or a command line to run.
 */
export function checkoutCommands(block: ReadmeBlock): { line: number; script?: string; run?: string }[] {
  return block.code.split('\n').flatMap((text, k) => {
    const command = text.replace(/\s+#.*$/, '').trim();
    if (command === '') return [];
    const line = block.line + 1 + k;
    const m = /^npm (?:run (\S+)|(ci|test))(?:\s+--\s+(.*))?$/.exec(command);
    if (!m) throw new Error(`README.md:${line}: '${command}' in a sh checkout block is not an npm command this check knows; mark the block no-run or check it elsewhere`);
    // `npm ci` is npm's own; `npm test` and `npm run S` need their script.
    const script = m[1] ?? (m[2] === 'test' ? 'test' : undefined);
    const cli = script !== undefined && ['train', 'sample', 'bench'].includes(script);
    return [{ line, script, run: cli ? `npx wasmgrad ${script} ${m[3] ?? ''} --help` : undefined }];
  });
}
