import { Vocabulary } from '../../ts/data/vocab.js';
import { Rng } from '../../ts/util/rng.js';
import { thrown } from '../helpers/errors.js';

describe('Vocabulary.fromText', () => {
  test('sorted distinct characters; ids index them', () => {
    const v = Vocabulary.fromText('hello world\n');
    expect(v.chars).toEqual(['\n', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(v.size).toBe(9);
    expect(Array.from(v.encode('hello'))).toEqual([4, 3, 5, 5, 6]);
  });

  test('sorts by code point, not UTF-16 unit: U+FF01 before U+1F600', () => {
    // As UTF-16 units, 😀 (D83D DE00) sorts before ！ (FF01); as code points it comes after.
    const v = Vocabulary.fromText('😀！a😀');
    expect(v.chars).toEqual(['a', '！', '😀']);
    expect(Array.from(v.encode('😀！a😀'))).toEqual([2, 1, 0, 2]);
  });

  test('matches a reference built with Array.from, Set and code point sort on seeded text', () => {
    const rng = new Rng(3);
    const pool = Array.from('abcXYZ \n.,;!?éß€\u{FF01}\u{1F600}\u{10FFFF}\u{E000}');
    const text = Array.from({ length: 5000 }, () => pool[rng.int(pool.length)]).join('');
    const ref = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    const v = Vocabulary.fromText(text);
    expect(v.chars).toEqual(ref);
    const ids = v.encode(text);
    expect(Array.from(ids)).toEqual(Array.from(text).map((ch) => ref.indexOf(ch)));
    expect(v.decode(ids)).toBe(text);
  });
});

describe('Vocabulary constructor validates', () => {
  test('accepts its own toJSON and compares equal', () => {
    const v = Vocabulary.fromText('the quick 😀');
    const w = new Vocabulary(JSON.parse(JSON.stringify(v)));
    expect(w.equals(v)).toBe(true);
    expect(new Vocabulary(['a', 'b']).equals(new Vocabulary(['a', 'c']))).toBe(false);
    expect(new Vocabulary(['a', 'b']).equals(new Vocabulary(['a']))).toBe(false);
  });

  test('rejects empty, duplicates, unsorted and multi-character entries', () => {
    expect(thrown(() => new Vocabulary([])).message).toMatch(/^a vocabulary needs at least one character\. Fix: /);
    expect(thrown(() => new Vocabulary(['a', 'b', 'b'])).message).toMatch(/^vocabulary has "b" \(U\+0062\) twice \(entries 1 and 2\)\. Fix: /);
    expect(thrown(() => new Vocabulary(['b', 'a'])).message).toMatch(/^vocabulary is not sorted by code point: "a" \(U\+0061\) at entry 1 comes after "b" \(U\+0062\)\. Fix: /);
    expect(thrown(() => new Vocabulary(['a', 'bc'])).message).toMatch(/^vocabulary entry 1 is "bc", not exactly one character/);
    expect(thrown(() => new Vocabulary(['', 'a'])).message).toMatch(/^vocabulary entry 0 is "", not exactly one character/);
    // Two BMP characters are two code points even though their length is 2, like one astral character.
    expect(thrown(() => new Vocabulary(['ab'])).message).toMatch(/^vocabulary entry 0 is "ab"/);
    expect(new Vocabulary(['😀']).size).toBe(1);
  });

  test('the stored characters cannot be changed through the argument or the result', () => {
    const chars = ['a', 'b'];
    const v = new Vocabulary(chars);
    chars[0] = 'z';
    v.toJSON()[1] = 'y';
    expect(v.chars).toEqual(['a', 'b']);
    expect(Object.isFrozen(v.chars)).toBe(true);
  });
});

describe('encode / decode', () => {
  const v = Vocabulary.fromText('ab\n😀');

  test('names the first unknown character and its position in characters', () => {
    // Position counts code points: the emoji before it is one character.
    expect(thrown(() => v.encode('a😀bXc')).message).toBe(
      'character "X" (U+0058) at position 3 is not in the vocabulary of 4 characters. Fix: build the vocabulary from a text that contains every character you encode.',
    );
    expect(thrown(() => v.encode('ab\t')).message).toMatch(/^character "\\t" \(U\+0009\) at position 2 /);
    expect(thrown(() => v.encode('a😁')).message).toMatch(/^character "😁" \(U\+1F601\) at position 1 /u);
  });

  test('firstUnknown agrees with encode', () => {
    expect(v.firstUnknown('a😀bXc')).toEqual({ char: 'X', position: 3 });
    expect(v.firstUnknown('a😀b\n')).toBeUndefined();
  });

  test('a lone surrogate is its own character, as in Array.from', () => {
    const w = Vocabulary.fromText('a\ud800b');
    expect(w.chars).toEqual(['a', 'b', '\ud800']);
    expect(Array.from(w.encode('\ud800a'))).toEqual([2, 0]);
    expect(thrown(() => v.encode('a\ud800')).message).toMatch(/^character "\\ud800" \(U\+D800\) at position 1 /);
  });

  test('decode rejects ids outside the vocabulary', () => {
    expect(v.decode([1, 3, 2, 0])).toBe('a😀b\n');
    for (const bad of [4, -1, 1.5]) {
      expect(thrown(() => v.decode([0, bad])).message).toBe(
        `token id ${bad} at position 1 is outside this vocabulary of 4 characters. Fix: decode ids with the vocabulary that produced them.`,
      );
    }
  });

  test('encodes 1.1 MB of text in well under 100 ms', () => {
    const rng = new Rng(11);
    const pool = Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ,.;:!?'-&$3\n");
    expect(pool.length).toBe(65);
    const text = Array.from({ length: 1_115_394 }, () => pool[rng.int(pool.length)]).join('');
    const vocab = Vocabulary.fromText(text);
    expect(vocab.size).toBe(65);
    vocab.encode(text); // warm up the JIT
    const t0 = performance.now();
    const ids = vocab.encode(text);
    const ms = performance.now() - t0;
    expect(ids.length).toBe(text.length);
    expect(ids[1000]).toBe(vocab.chars.indexOf(text[1000]));
    expect(ms).toBeLessThan(100);
  });
});
