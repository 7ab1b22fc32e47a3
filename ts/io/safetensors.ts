import { WasmgradError } from '../backend/errors.js';

/**
 * Hugging Face's safetensors format, F32 only: an 8-byte little-endian header length N, N bytes of
 * JSON header, then the tensors' bytes. The header maps each name to { dtype, shape, data_offsets }
 * (offsets into the bytes after the header) and may hold "__metadata__", a string→string map.
 * Files open in Python with `safetensors.numpy.load_file` / `safetensors.torch.load_file`.
 */

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
}

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses larger headers; so do we, before parsing one. */
const MAX_HEADER_BYTES = 100_000_000;

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new WasmgradError(`safetensors metadata "${key}" is a ${typeof value}; the format stores only strings. Fix: convert it with String() or JSON.stringify().`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name];
    if (name === METADATA_KEY || name === '') throw new WasmgradError(`"${name}" cannot name a tensor in a safetensors file. Fix: rename the tensor.`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || elementCount(shape) !== data.length) {
      throw new WasmgradError(`tensor "${name}" has shape [${shape.join(', ')}] but ${data.length} values. Fix: pass a shape whose product is the data length.`);
    }
    setOwn(header, name, { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + data.length * 4] });
    offset += data.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces after the JSON (allowed by the format) make the data start 8-byte aligned in the file.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // the high 32 bits of the u64 stay 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    for (const x of tensors[name].data) {
      view.setFloat32(at, x, true);
      at += 4;
    }
  }
  return out;
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source: string,
): { tensors: Record<string, { shape: number[]; data: Float32Array }>; metadata: Record<string, string> } {
  const invalid = (problem: string, fix = 'use an intact checkpoint, or write a new one by training again') =>
    new WasmgradError(`${source} is not a valid safetensors checkpoint: ${problem}. Fix: ${fix}.`);
  if (bytes.length < 8) throw invalid(`it has ${bytes.length} bytes, fewer than the 8 of the header length (truncated checkpoint)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthHigh = view.getUint32(4, true);
  const headerLength = view.getUint32(0, true);
  if (lengthHigh !== 0 || headerLength > MAX_HEADER_BYTES) throw invalid(`its header length field (${view.getBigUint64(0, true)} bytes) is implausibly large; it is not a safetensors file or is corrupted`);
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.length) throw invalid(`its header claims ${headerLength} bytes but the file has only ${bytes.length - 8} after the length field (truncated checkpoint)`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw invalid(`its header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw invalid('its header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  /** Every tensor that is not F32, to name them all at once. */
  const otherTypes: string[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isObject(entry)) throw invalid(`"${METADATA_KEY}" is not an object`);
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') throw invalid(`metadata "${key}" is not a string`);
        setOwn(metadata, key, value);
      }
      continue;
    }
    if (!isObject(entry)) throw invalid(`the header entry for "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== 'F32') {
      otherTypes.push(`tensor "${name}" has dtype ${JSON.stringify(dtype)}`);
      continue;
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) throw invalid(`tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw invalid(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with begin ≤ end`);
    }
    const [begin, end] = offsets as number[];
    const expected = elementCount(shape) * 4;
    if (end - begin !== expected) throw invalid(`tensor "${name}" has shape [${shape.join(', ')}] (${expected} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    entries.push({ name, shape, begin, end });
  }

  if (otherTypes.length > 0) {
    throw invalid(`${otherTypes.join(', ')}; wasmgrad reads only F32`, 'convert the tensors to float32 before saving (e.g. tensor.float() in PyTorch)');
  }

  // As the reference reader requires: the tensors tile the data exactly, without overlap or gaps.
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const { name, begin, end } of entries) {
    if (end > dataLength) throw invalid(`tensor "${name}" ends at data byte ${end} but the file holds only ${dataLength} data bytes (truncated checkpoint)`);
    if (begin < expectedBegin) throw invalid(`tensor "${name}" at data bytes [${begin}, ${end}) overlaps the tensor before it, which ends at ${expectedBegin}`);
    if (begin > expectedBegin) throw invalid(`data bytes [${expectedBegin}, ${begin}) before tensor "${name}" belong to no tensor`);
    expectedBegin = end;
  }
  if (expectedBegin !== dataLength) throw invalid(`the file has ${dataLength - expectedBegin} bytes after the last tensor's data`);

  // Copied out element by element: the result owns its memory, and the file's offsets need not be 4-byte aligned.
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const { name, shape, begin } of entries) {
    const data = new Float32Array(elementCount(shape));
    for (let i = 0, at = dataStart + begin; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    setOwn(tensors, name, { shape: [...shape], data });
  }
  return { tensors, metadata };
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** obj[key] = value, also for key "__proto__" (which plain assignment would treat as the prototype). */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
