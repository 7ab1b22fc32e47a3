import { lossCurveSvg } from '../../ts/train/loss-svg.js';

/**
 * A small XML well-formedness check (no DOMParser in Node): tags nest and close, attribute values
 * are quoted, and text holds no '<' and only known entities. Returns the elements with their attributes.
 */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (/&(?!(lt|gt|amp|quot|apos);)/.test(text)) throw new Error(`bare & in text ${JSON.stringify(text)}`);
    if (open.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(text)}`);
    if (elements.length > 0 && text.trim() !== '') elements[elements.length - 1].text += text;
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    const tag = xml.slice(lt, gt + 1);
    const m = /^<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:lt|gt|amp|quot|apos);[^"<&]*)*")*)\s*(\/?)>$/.exec(tag);
    if (!m) throw new Error(`malformed tag ${tag}`);
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (k in attrs) throw new Error(`duplicate attribute ${k}`);
        attrs[k] = v;
      }
      elements.push({ name, attrs, text: '' });
      if (!selfClosing) open.push(name);
    }
    i = gt + 1;
  }
  if (open.length) throw new Error(`unclosed <${open.join('>, <')}>`);
  return elements;
}

function rendered(svg: string) {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  expect(svg).not.toMatch(/<script|href|url\(|@import/); // self-contained
  const elements = parseXml(svg);
  expect(elements[0].name).toBe('svg');
  const [, , width, height] = elements[0].attrs.viewBox.split(' ').map(Number);
  const polyline = elements.find((e) => e.name === 'polyline');
  const points = polyline ? polyline.attrs.points.split(' ').map((pair) => pair.split(',').map(Number)) : [];
  for (const [x, y] of points) {
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(width);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y).toBeLessThanOrEqual(height);
  }
  return { elements, points, texts: elements.filter((e) => e.name === 'text').map((e) => e.text) };
}

describe('lossCurveSvg', () => {
  test('one vertex per point, left to right, higher loss drawn higher', () => {
    const { points, texts } = rendered(lossCurveSvg([4.2, 3.1, 2.9, 2.6, 2.5].map((loss, i) => ({ step: i * 100, loss })), { title: 'MLP' }));
    expect(points).toHaveLength(5);
    for (let i = 1; i < 5; i++) {
      expect(points[i][0]).toBeGreaterThan(points[i - 1][0]);
      expect(points[i][1]).toBeGreaterThan(points[i - 1][1]); // SVG y grows downwards
    }
    expect(texts).toContain('MLP');
    expect(texts).toEqual(expect.arrayContaining(['step', 'loss (nats)', '0', '400']));
  });

  test('tick labels are round numbers placed in order', () => {
    const { elements } = rendered(lossCurveSvg([{ step: 0, loss: 4.17 }, { step: 5000, loss: 2.5 }]));
    const labels = elements.filter((e) => e.name === 'text' && e.attrs['text-anchor'] === 'end').map((e) => Number(e.text));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels).toEqual([...labels].sort((a, b) => a - b));
    expect(labels[0]).toBeGreaterThanOrEqual(2.5 - 0.1 * 1.67);
    expect(labels[labels.length - 1]).toBeLessThanOrEqual(4.17 + 0.1 * 1.67);
    expect(labels.every((v) => Number.isFinite(v) && Math.abs(v * 10 - Math.round(v * 10)) < 1e-9)).toBe(true);
  });

  test('escapes the title and the reference label', () => {
    const svg = lossCurveSvg([{ step: 0, loss: 1 }, { step: 1, loss: 2 }], { title: 'a < b & "c"', reference: { value: 1.5, label: "bigram <optimum> & 'co'" } });
    const { texts } = rendered(svg);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(texts).toContain('bigram &lt;optimum&gt; &amp; &apos;co&apos;');
  });

  test('the dashed reference line sits at its value, even below every loss', () => {
    const { elements, points } = rendered(
      lossCurveSvg([{ step: 0, loss: 4 }, { step: 10, loss: 3 }], { reference: { value: 2.4526, label: 'bigram optimum 2.4526' } }),
    );
    const dashed = elements.filter((e) => e.name === 'line' && e.attrs['stroke-dasharray']);
    expect(dashed).toHaveLength(1);
    const refY = Number(dashed[0].attrs.y1);
    expect(Number(dashed[0].attrs.y2)).toBe(refY);
    // Linear scale: (4 - 3) / (3 - 2.4526) = (y3 - y4) / (yRef - y3).
    const [y4, y3] = [points[0][1], points[1][1]];
    expect((y3 - y4) / (refY - y3)).toBeCloseTo(1 / (3 - 2.4526), 1);
    expect(refY).toBeLessThanOrEqual(Number(elements[0].attrs.viewBox.split(' ')[3]));
  });

  test('a single point: one vertex and a marker', () => {
    const { elements, points } = rendered(lossCurveSvg([{ step: 7, loss: 4.17 }]));
    expect(points).toHaveLength(1);
    expect(elements.filter((e) => e.name === 'circle')).toHaveLength(1);
  });

  test('non-finite losses are skipped', () => {
    const { points } = rendered(lossCurveSvg([{ step: 0, loss: 3 }, { step: 1, loss: NaN }, { step: 2, loss: Infinity }, { step: 3, loss: 2 }]));
    expect(points).toHaveLength(2);
  });

  test('no finite points: axes and a note, no polyline', () => {
    for (const input of [[], [{ step: 0, loss: NaN }]]) {
      const { points, texts } = rendered(lossCurveSvg(input));
      expect(points).toHaveLength(0);
      expect(texts).toContain('no finite loss values yet');
    }
  });

  test('long runs are averaged into at most 2000 points', () => {
    // Losses alternate 1, 3: buckets of two average to exactly 2, the reference line's value;
    // picking every other point instead would put the curve at 1 or 3.
    const long = Array.from({ length: 4000 }, (_, i) => ({ step: i, loss: i % 2 ? 3 : 1 }));
    const { points, elements } = rendered(lossCurveSvg(long, { reference: { value: 2, label: 'mean' } }));
    expect(points).toHaveLength(2000);
    const refY = Number(elements.find((e) => e.name === 'line' && e.attrs['stroke-dasharray'])!.attrs.y1);
    expect(points.every(([, y]) => y === refY)).toBe(true);
    const huge = lossCurveSvg(Array.from({ length: 100_000 }, (_, i) => ({ step: i, loss: 4 / (1 + i / 1000) })));
    expect(huge.length).toBeLessThan(40_000);
  });
});
