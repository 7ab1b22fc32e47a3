import { WasmgradError } from '../backend/errors.js';

/** A character as it reads in a message: quoted and escaped, with its code point. */
export function describeChar(ch: string): string {
  return `${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * The characters a model knows, in code point order; a character's id is its index. Characters are
 * code points, as `Array.from(text)` splits a string, so an emoji is one token, not two surrogates.
 */
export class Vocabulary {
  readonly chars: readonly string[];
  /** Id by code point below `bmp.length`, -1 where absent: the common case, one array read per character. */
  private readonly bmp: Int32Array;
  /** Id by code point for the rest (astral characters). */
  private readonly astral = new Map<number, number>();

  /** The sorted distinct characters of `text`. */
  static fromText(text: string): Vocabulary {
    const seen = new Set<number>();
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++; // a surrogate pair: skip its low half
      seen.add(cp);
    }
    const codePoints = Array.from(seen).sort((a, b) => a - b);
    return new Vocabulary(codePoints.map((cp) => String.fromCodePoint(cp)));
  }

  constructor(chars: readonly string[]) {
    const fix = 'Fix: build it with Vocabulary.fromText, or load it from an intact checkpoint.';
    if (!Array.isArray(chars) || chars.length === 0) throw new WasmgradError(`a vocabulary needs at least one character. ${fix}`);
    let prev = -1;
    let maxBmp = -1;
    chars.forEach((ch, id) => {
      if (!isOneCodePoint(ch)) {
        throw new WasmgradError(`vocabulary entry ${id} is ${JSON.stringify(ch)}, not exactly one character (code point). ${fix}`);
      }
      const cp = ch.codePointAt(0)!;
      if (cp === prev) throw new WasmgradError(`vocabulary has ${describeChar(ch)} twice (entries ${id - 1} and ${id}). ${fix}`);
      if (cp < prev) {
        throw new WasmgradError(`vocabulary is not sorted by code point: ${describeChar(ch)} at entry ${id} comes after ${describeChar(chars[id - 1])}. ${fix}`);
      }
      prev = cp;
      if (cp <= 0xffff) maxBmp = cp;
    });
    this.chars = Object.freeze([...chars]);
    this.bmp = new Int32Array(maxBmp + 1).fill(-1);
    this.chars.forEach((ch, id) => {
      const cp = ch.codePointAt(0)!;
      if (cp <= 0xffff) this.bmp[cp] = id;
      else this.astral.set(cp, id);
    });
  }

  get size(): number {
    return this.chars.length;
  }

  /** Token ids of `text`, one per code point. */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      const id = this.idOf(cp);
      if (id < 0) {
        throw new WasmgradError(
          `character ${describeChar(String.fromCodePoint(cp))} at position ${n} is not in the vocabulary of ${this.size} characters. ` +
            'Fix: build the vocabulary from a text that contains every character you encode.',
        );
      }
      out[n++] = id;
    }
    // Astral characters take two UTF-16 units but one token: trim the unused tail.
    return n === out.length ? out : out.slice(0, n);
  }

  /**
   * The first character of `text` outside the vocabulary, with its position in code points, or
   * undefined if the vocabulary covers the text.
   */
  firstUnknown(text: string): { char: string; position: number } | undefined {
    let position = 0;
    for (const ch of text) {
      if (this.idOf(ch.codePointAt(0)!) < 0) return { char: ch, position };
      position++;
    }
    return undefined;
  }

  /** Id of a code point, -1 if absent. */
  private idOf(cp: number): number {
    return cp < this.bmp.length ? this.bmp[cp] : (this.astral.get(cp) ?? -1);
  }

  /** The text of token ids. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const ch = this.chars[ids[i]];
      if (ch === undefined) {
        throw new WasmgradError(`token id ${ids[i]} at position ${i} is outside this vocabulary of ${this.size} characters. Fix: decode ids with the vocabulary that produced them.`);
      }
      parts[i] = ch;
    }
    return parts.join('');
  }

  equals(other: Vocabulary): boolean {
    return this.size === other.size && this.chars.every((ch, i) => ch === other.chars[i]);
  }

  /** The characters in id order: what a checkpoint stores, and what the constructor takes back. */
  toJSON(): string[] {
    return [...this.chars];
  }
}

/** One code point: one UTF-16 unit, or a surrogate pair (a lone surrogate counts, as in Array.from). */
function isOneCodePoint(ch: unknown): ch is string {
  if (typeof ch !== 'string') return false;
  return ch.length === 1 || (ch.length === 2 && ch.codePointAt(0)! > 0xffff);
}
