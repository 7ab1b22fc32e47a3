import { decodeText, firstInvalidUtf8 } from '../../ts/data/text.js';
import { Rng } from '../../ts/util/rng.js';
import { thrown } from '../helpers/errors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const FIX = 'Fix: pass a UTF-8 text file with --data.';

describe('decodeText', () => {
  test('decodes multi-byte and astral characters', () => {
    const text = 'To be, or not — é 😀\nend';
    expect(decodeText(utf8(text), 'x.txt')).toBe(text);
  });

  test('drops a leading byte order mark, keeps a later U+FEFF', () => {
    expect(decodeText(cat([0xef, 0xbb, 0xbf], utf8('ab')), 'x.txt')).toBe('ab');
    expect(decodeText(utf8('a\ufeffb'), 'x.txt')).toBe('a\ufeffb');
  });

  test('two characters is enough, one astral character counts as one', () => {
    expect(decodeText(utf8('ab'), 'x.txt')).toBe('ab');
    expect(decodeText(utf8('😀a'), 'x.txt')).toBe('😀a');
  });

  test('rejects invalid UTF-8 with the offset of the first bad sequence', () => {
    const e = thrown(() => decodeText(cat(utf8('héllo'), [0xc3, 0x28], utf8('x')), 'datasets/x.txt'));
    expect(e.message).toBe(`datasets/x.txt is not UTF-8 text (invalid byte at offset 6). ${FIX}`);
  });

  test('rejects Latin-1 text (a common wrong encoding)', () => {
    const e = thrown(() => decodeText(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'cafe.txt'));
    expect(e.message).toBe(`cafe.txt is not UTF-8 text (invalid byte at offset 3). ${FIX}`);
  });

  test('rejects binary files by their NUL byte', () => {
    const e = thrown(() => decodeText(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff]), 'model.zip'));
    expect(e.message).toBe(`model.zip looks like a binary file, not text (NUL byte at offset 4). ${FIX}`);
  });

  test('rejects an empty file and a file holding only a BOM', () => {
    expect(thrown(() => decodeText(new Uint8Array(0), 'e.txt')).message).toBe(`e.txt is empty. ${FIX}`);
    expect(thrown(() => decodeText(Uint8Array.from([0xef, 0xbb, 0xbf]), 'b.txt')).message).toBe(`b.txt holds only a byte order mark, no text. ${FIX}`);
  });

  test('rejects a single character, including a single astral one', () => {
    for (const s of ['a', '😀', '\ufeffa']) {
      expect(thrown(() => decodeText(utf8(s), 's.txt')).message).toBe(
        `s.txt has a single character: too short to have a next character to predict. ${FIX}`,
      );
    }
  });

  test("a caller's own advice replaces the CLI's", () => {
    const fix = 'Fix: choose a UTF-8 text file.';
    expect(thrown(() => decodeText(new Uint8Array(0), 'e.txt', fix)).message).toBe(`e.txt is empty. ${fix}`);
  });
});

describe('firstInvalidUtf8', () => {
  const cases: [string, number[], number][] = [
    ['valid mixed', Array.from(utf8('aé€😀')), -1],
    ['lone continuation byte', [0x61, 0x80], 1],
    ['overlong NUL', [0x61, 0x62, 0xc0, 0x80], 2],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf], 0],
    ['UTF-16 surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['invalid lead F5', [0xf5, 0x80, 0x80, 0x80], 0],
    ['truncated at end', [0x61, 0xe2, 0x82], 1],
    ['lead followed by ASCII', [0xe2, 0x82, 0x41], 0],
  ];
  for (const [name, bytes, offset] of cases) {
    test(name, () => expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset));
  }

  // Independent oracle: TextDecoder (fatal) accepts exactly the bytes before the offset, and
  // rejects them once the byte at the offset is added (it cannot start or end a valid sequence there).
  test('agrees with TextDecoder on 2000 seeded, partly corrupted strings', () => {
    const rng = new Rng(7);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const decodes = (b: Uint8Array) => {
      try {
        decoder.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const codePoints = [0x41, 0xe9, 0x7ff, 0x800, 0x20ac, 0xfffd, 0x10000, 0x1f600, 0x10ffff];
    let valid = 0;
    for (let t = 0; t < 2000; t++) {
      const s = Array.from({ length: 1 + rng.int(6) }, () => String.fromCodePoint(codePoints[rng.int(codePoints.length)])).join('');
      const bytes = utf8(s);
      if (rng.int(4) > 0) bytes[rng.int(bytes.length)] = rng.int(256); // corrupt three in four
      const off = firstInvalidUtf8(bytes);
      if (off < 0) {
        valid++;
        expect(decodes(bytes)).toBe(true);
      } else {
        expect(decodes(bytes.subarray(0, off))).toBe(true);
        expect(decodes(bytes.subarray(0, off + 1))).toBe(false);
      }
    }
    expect(valid).toBeGreaterThan(300); // both branches are exercised
    expect(valid).toBeLessThan(1700);
  });
});
