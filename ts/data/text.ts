import { WasmgradError } from '../backend/errors.js';

/** The CLI's advice; a caller with another way to choose the text (the playground) passes its own. */
const CLI_FIX = 'Fix: pass a UTF-8 text file with --data.';

/**
 * The bytes of a training text as a string. Decoding is strict: a corpus with invalid UTF-8 would
 * otherwise train on U+FFFD replacement characters nobody meant to be there. A leading byte order
 * mark is dropped (TextDecoder's default), so it never becomes a token.
 */
export function decodeText(bytes: Uint8Array, source: string, fix = CLI_FIX): string {
  if (bytes.length === 0) throw new WasmgradError(`${source} is empty. ${fix}`);
  // NUL never occurs in text; checking it first names binary files (models, archives) for what they are.
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new WasmgradError(`${source} looks like a binary file, not text (NUL byte at offset ${nul}). ${fix}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Only on failure: TextDecoder does not report where it stopped, so scan for the offset.
    throw new WasmgradError(`${source} is not UTF-8 text (invalid byte at offset ${firstInvalidUtf8(bytes)}). ${fix}`);
  }
  if (text.length === 0) throw new WasmgradError(`${source} holds only a byte order mark, no text. ${fix}`);
  // Fewer than two code points: a one-character text (astral characters are one character).
  const first = text.codePointAt(0)!;
  if (text.length <= (first > 0xffff ? 2 : 1)) {
    throw new WasmgradError(`${source} has a single character: too short to have a next character to predict. ${fix}`);
  }
  return text;
}

/**
 * Byte offset where the first ill-formed UTF-8 sequence starts (the WHATWG decoder's rules:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or -1 if the bytes are valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes follow the lead; the second byte's range excludes overlongs and surrogates.
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k] : -1;
      if (c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}
