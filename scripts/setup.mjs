#!/usr/bin/env node
// npm run setup: puts the tiny-shakespeare corpus in datasets/. Copies ../shared/datasets/ when
// present (this project's machines), otherwise leaves the download (with its sha256 check) to
// `npm run train`, which needs network access for it.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'datasets', 'tinyShakespeare.txt');
const shared = join(root, '..', 'shared', 'datasets', 'tinyShakespeare.txt');
if (existsSync(target)) {
  console.log(`setup: ${target} is already there`);
} else if (existsSync(shared)) {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(shared, target);
  console.log(`setup: copied ${shared} to ${target}`);
} else {
  console.log('setup: no local copy of the corpus; `npm run train` will download it (see datasets/README.md).');
}
