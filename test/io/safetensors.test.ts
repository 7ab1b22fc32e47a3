import { decodeSafetensors, encodeSafetensors } from '../../ts/io/safetensors.js';
import { Rng } from '../../ts/util/rng.js';
import { thrown } from '../helpers/errors.js';

// Fixtures are written byte by byte from the format's definition (huggingface/safetensors README):
// u64 little-endian header length N, N bytes of JSON, then the data; f32 values as IEEE-754
// little-endian bit patterns typed out here, so neither side of a test relies on the code under test.
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u64le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0];
const F32 = { one: [0x00, 0x00, 0x80, 0x3f], minusTwo: [0x00, 0x00, 0x00, 0xc0], half: [0x00, 0x00, 0x00, 0x3f], three: [0x00, 0x00, 0x40, 0x40] };

function file(header: string, data: number[]): Uint8Array {
  return Uint8Array.from([...u64le(header.length), ...ascii(header), ...data]);
}

/** Bit patterns, so -0 and NaN compare exactly. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('decodeSafetensors reads a file written by hand', () => {
  // What Python's safetensors writes: metadata first, tensors in any data order (here b's data
  // comes first), and a header length that leaves the data 4-byte misaligned (N = 137).
  const header =
    '{"__metadata__":{"format":"pt","step":"12"},"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
  const bytes = file(header, [...F32.three, ...F32.one, ...F32.minusTwo]);

  test('tensors, shapes, metadata', () => {
    expect(header.length % 4).not.toBe(0); // the misalignment is real
    const { tensors, metadata } = decodeSafetensors(bytes, 'ckpt.safetensors');
    expect(metadata).toEqual({ format: 'pt', step: '12' });
    expect(Object.keys(tensors).sort()).toEqual(['a', 'b']);
    expect(tensors.a.shape).toEqual([2]);
    expect(Array.from(tensors.a.data)).toEqual([1, -2]);
    expect(tensors.b.shape).toEqual([]); // a scalar: one element
    expect(Array.from(tensors.b.data)).toEqual([3]);
  });

  test('results own their memory: changing the file bytes afterwards changes nothing', () => {
    const copy = bytes.slice();
    const { tensors } = decodeSafetensors(copy, 'ckpt.safetensors');
    expect(tensors.a.data.buffer).not.toBe(copy.buffer);
    copy.fill(0);
    expect(Array.from(tensors.a.data)).toEqual([1, -2]);
  });

  test('reads from a Uint8Array that starts at an odd offset of its buffer', () => {
    const backing = new Uint8Array(bytes.length + 3);
    backing.set(bytes, 1);
    const { tensors } = decodeSafetensors(backing.subarray(1, 1 + bytes.length), 'ckpt.safetensors');
    expect(Array.from(tensors.a.data)).toEqual([1, -2]);
  });

  test('space padding after the JSON, no metadata, an empty tensor', () => {
    const h = '{"w":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[3,0],"data_offsets":[4,4]}}   ';
    const { tensors, metadata } = decodeSafetensors(file(h, F32.half), 'x');
    expect(metadata).toEqual({});
    expect(Array.from(tensors.w.data)).toEqual([0.5]);
    expect(tensors.e.shape).toEqual([3, 0]);
    expect(tensors.e.data.length).toBe(0);
  });
});

describe('encodeSafetensors writes the format byte for byte', () => {
  test('header length, JSON, space padding to an 8-byte boundary, sorted little-endian data', () => {
    const out = encodeSafetensors(
      { w: { shape: [2], data: Float32Array.of(1, -2) }, b: { shape: [1, 1], data: Float32Array.of(0.5) } },
      { format: 'pt' },
    );
    const n = out[0] | (out[1] << 8) | (out[2] << 16) | (out[3] << 24);
    expect(Array.from(out.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect((8 + n) % 8).toBe(0);
    const headerText = String.fromCharCode(...out.subarray(8, 8 + n));
    const json = headerText.trimEnd();
    expect(headerText.slice(json.length)).toMatch(/^ {0,7}$/);
    expect(json.startsWith('{')).toBe(true);
    expect(JSON.parse(json)).toEqual({
      __metadata__: { format: 'pt' },
      b: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] },
      w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    });
    expect(Array.from(out.subarray(8 + n))).toEqual([...F32.half, ...F32.one, ...F32.minusTwo]);
  });

  test('no metadata argument, no __metadata__ key; no tensors is a valid file', () => {
    const out = encodeSafetensors({});
    expect(out.length).toBe(16);
    expect(String.fromCharCode(...out.subarray(8))).toBe('{}      ');
    expect(decodeSafetensors(out, 'empty')).toEqual({ tensors: {}, metadata: {} });
  });

  test('rejects a shape that does not match the data, and reserved names', () => {
    expect(thrown(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).message).toBe(
      'tensor "w" has shape [2, 2] but 3 values. Fix: pass a shape whose product is the data length.',
    );
    expect(thrown(() => encodeSafetensors({ w: { shape: [-1], data: new Float32Array(1) } })).message).toMatch(/^tensor "w" has shape \[-1\]/);
    expect(thrown(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).message).toMatch(/^"__metadata__" cannot name a tensor/);
    expect(thrown(() => encodeSafetensors({}, { step: 3 as unknown as string })).message).toMatch(/^safetensors metadata "step" is a number; the format stores only strings/);
  });
});

describe('round trip', () => {
  test('seeded tensors of many shapes, special values, unusual names and metadata', () => {
    const rng = new Rng(5);
    const shapes = [[], [0], [1], [3], [65, 3], [2, 0, 4], [2, 3, 4], [7, 65]];
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    shapes.forEach((shape, i) => {
      tensors[`layer${i}.weight`] = { shape, data: rng.normals(shape.reduce((a, b) => a * b, 1)) };
    });
    tensors['special ✓'] = { shape: [6], data: Float32Array.of(NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38) };
    Object.defineProperty(tensors, '__proto__', { value: { shape: [1], data: Float32Array.of(42) }, enumerable: true });
    const metadata = { vocab: JSON.stringify(['\n', 'a', '😀']), note: 'quote " backslash \\ <&>' };

    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata), 'rt');
    expect(decoded.metadata).toEqual(metadata);
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(decoded.tensors[name].shape).toEqual(t.shape);
      expect(bits(decoded.tensors[name].data)).toEqual(bits(t.data));
    }
  });
});

describe('decodeSafetensors rejects bad files with the file name and the problem', () => {
  const good = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [1], data: Float32Array.of(3) } });
  const decode = (bytes: Uint8Array) => thrown(() => decodeSafetensors(bytes, 'runs/x.safetensors')).message;
  const prefix = 'runs/x.safetensors is not a valid safetensors checkpoint: ';
  const fix = '. Fix: use an intact checkpoint, or write a new one by training again.';
  const withHeader = (h: string, data: number[] = []) => decode(file(h, data));
  const entry = (name: string, shape: number[], offsets: number[], dtype = 'F32') => `"${name}":{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

  test('shorter than 8 bytes', () => {
    expect(decode(good.subarray(0, 5))).toBe(`${prefix}it has 5 bytes, fewer than the 8 of the header length (truncated checkpoint)${fix}`);
  });

  test('header length past the end of the file', () => {
    expect(decode(good.subarray(0, 20))).toMatch(/^runs\/x\.safetensors is not a valid safetensors checkpoint: its header claims \d+ bytes but the file has only 12 after the length field \(truncated checkpoint\)/);
    expect(decode(Uint8Array.from([...u64le(0), 0, 0, 0, 0].map((b, i) => (i === 7 ? 1 : b))))).toBe(
      `${prefix}its header length field (72057594037927936 bytes) is implausibly large; it is not a safetensors file or is corrupted${fix}`,
    );
  });

  test('data cut short: a truncated checkpoint', () => {
    expect(decode(good.subarray(0, good.length - 1))).toBe(`${prefix}tensor "b" ends at data byte 12 but the file holds only 11 data bytes (truncated checkpoint)${fix}`);
  });

  test('header not JSON, or not an object', () => {
    expect(withHeader('{"a": ')).toMatch(/^runs\/x\.safetensors is not a valid safetensors checkpoint: its header is not UTF-8 JSON \(/);
    expect(decode(Uint8Array.from([...u64le(2), 0xff, 0xfe]))).toMatch(/: its header is not UTF-8 JSON \(/);
    expect(withHeader('[1, 2]')).toBe(`${prefix}its header is not a JSON object${fix}`);
  });

  test('dtype other than F32 names the fix', () => {
    expect(withHeader(`{${entry('w', [2], [0, 4], 'F16')}}`, [0, 0, 0, 0])).toBe(
      `${prefix}tensor "w" has dtype "F16"; wasmgrad reads only F32. Fix: convert the tensors to float32 before saving (e.g. tensor.float() in PyTorch).`,
    );
  });

  test('data_offsets that do not match the shape', () => {
    expect(withHeader(`{${entry('w', [3], [0, 8])}}`, [...F32.one, ...F32.one])).toBe(
      `${prefix}tensor "w" has shape [3] (12 bytes) but data_offsets [0, 8] span 8 bytes${fix}`,
    );
    expect(withHeader(`{${entry('w', [1], [4, 0])}}`, F32.one)).toBe(`${prefix}tensor "w" has data_offsets [4,0], not [begin, end] with begin ≤ end${fix}`);
    expect(withHeader(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, F32.one)).toMatch(/tensor "w" has data_offsets \[0\], not \[begin, end\]/);
    expect(withHeader(`{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, F32.one)).toMatch(/tensor "w" has shape \[1\.5\], not a list of non-negative integers/);
  });

  test('overlapping offsets, gaps, trailing bytes', () => {
    const data = [...F32.one, ...F32.one, ...F32.one];
    expect(withHeader(`{${entry('a', [2], [0, 8])},${entry('b', [2], [4, 12])}}`, data)).toBe(
      `${prefix}tensor "b" at data bytes [4, 12) overlaps the tensor before it, which ends at 8${fix}`,
    );
    expect(withHeader(`{${entry('a', [1], [0, 4])},${entry('b', [1], [8, 12])}}`, data)).toBe(
      `${prefix}data bytes [4, 8) before tensor "b" belong to no tensor${fix}`,
    );
    expect(withHeader(`{${entry('a', [2], [0, 8])}}`, data)).toBe(`${prefix}the file has 4 bytes after the last tensor's data${fix}`);
  });

  test('metadata that is not string to string', () => {
    expect(withHeader('{"__metadata__":{"step":12}}')).toBe(`${prefix}metadata "step" is not a string${fix}`);
    expect(withHeader('{"__metadata__":"x"}')).toBe(`${prefix}"__metadata__" is not an object${fix}`);
    expect(withHeader('{"w":[1]}')).toBe(`${prefix}the header entry for "w" is not an object${fix}`);
  });
});
