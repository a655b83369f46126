import { LabelInterner, NOT_UTF8 } from './label-interner';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('LabelInterner', () => {
  it('returns one id and one shared string per distinct byte sequence, wherever the bytes sit', () => {
    const interner = new LabelInterner();
    const source = bytes('xxpodyypod');
    const first = interner.intern(source, 2, 5);
    expect(interner.intern(source, 7, 10)).toBe(first);
    expect(interner.intern(bytes('pod'), 0, 3)).toBe(first);
    expect(interner.text(first)).toBe('pod');
    expect(interner.intern(source, 0, 3)).not.toBe(first);
    expect(interner.intern(bytes(''), 0, 0)).toBeGreaterThanOrEqual(0);
  });

  it('grows past its initial capacity and arena, and keeps every entry findable', () => {
    const interner = new LabelInterner();
    const words = Array.from({ length: 5_000 }, (_, i) => `value-${i}-${'z'.repeat(i % 40)}`);
    const ids = words.map((word) => interner.intern(bytes(word), 0, Buffer.byteLength(word)));
    expect(new Set(ids).size).toBe(words.length);
    words.forEach((word, i) => {
      expect(interner.intern(bytes(word), 0, Buffer.byteLength(word))).toBe(ids[i]);
      expect(interner.text(ids[i])).toBe(word);
    });
    expect(interner.size).toBe(words.length);
  });

  it('reports invalid UTF-8 without caching it', () => {
    const interner = new LabelInterner();
    expect(interner.intern(Uint8Array.of(0xed, 0xa0, 0x80), 0, 3)).toBe(NOT_UTF8); // a UTF-8-encoded surrogate
    expect(interner.size).toBe(0);
  });

  it('caches label-name and metric-name validity per entry', () => {
    const interner = new LabelInterner();
    const valid = interner.intern(bytes('job'), 0, 3);
    const colon = interner.intern(bytes('a:b'), 0, 3);
    expect([interner.isValidLabelName(valid), interner.isValidLabelName(valid)]).toEqual([true, true]);
    expect([interner.isValidLabelName(colon), interner.isValidMetricName(colon), interner.isValidMetricName(colon)]).toEqual([false, true, true]);
    expect(interner.isMetricNameLabel(interner.intern(bytes('__name__'), 0, 8))).toBe(true);
    expect(interner.isMetricNameLabel(valid)).toBe(false);
  });

  it('predicts names by position and values by name, verifying the bytes every time', () => {
    const interner = new LabelInterner();
    const first = bytes('podapi-1');
    const pod = interner.internName(0, first, 0, 3);
    const api1 = interner.internValue(pod, first, 3, 8);
    const second = bytes('podapi-2podapi-1');
    expect(interner.internName(0, second, 0, 3)).toBe(pod);
    const api2 = interner.internValue(pod, second, 3, 8);
    expect(api2).not.toBe(api1);
    expect(interner.text(api2)).toBe('api-2');
    expect(interner.internValue(pod, second, 11, 16)).toBe(api1);
    expect(interner.internName(99, second, 0, 3)).toBe(pod); // beyond the predicted positions
  });

  it('shares one frozen Label per (name, value) pair', () => {
    const interner = new LabelInterner();
    const source = bytes('jobapiinstanceapi');
    const job = interner.intern(source, 0, 3);
    const instance = interner.intern(source, 6, 14);
    const api = interner.intern(source, 3, 6);
    const label = interner.labelFor(job, api);
    expect(label).toEqual({ name: 'job', value: 'api' });
    expect(Object.isFrozen(label)).toBe(true);
    expect(interner.labelFor(job, api)).toBe(label);
    expect(interner.labelFor(instance, api)).toEqual({ name: 'instance', value: 'api' });
  });

  it('detects a name seen twice under the same series stamp only', () => {
    const interner = new LabelInterner();
    const id = interner.intern(bytes('pod'), 0, 3);
    const stamp = interner.beginSeries();
    expect([interner.markSeen(id, stamp), interner.markSeen(id, stamp)]).toEqual([false, true]);
    expect(interner.markSeen(id, interner.beginSeries())).toBe(false);
  });

  it('clears itself between series once over its bounds, and stale predictions stay correct', () => {
    const interner = new LabelInterner({ maxEntries: 2, maxBytes: 1_000 });
    const source = bytes('abcdef');
    const name = interner.internName(0, source, 0, 2);
    interner.internValue(name, source, 2, 4);
    interner.intern(source, 4, 6);
    interner.beginSeries();
    expect(interner.size).toBe(0);
    const other = bytes('zz');
    const reused = interner.internName(0, other, 0, 2);
    expect(interner.text(reused)).toBe('zz');
    expect(interner.text(interner.internValue(reused, source, 2, 4))).toBe('cd');

    const byBytes = new LabelInterner({ maxBytes: 4 });
    byBytes.intern(source, 0, 6);
    byBytes.beginSeries();
    expect(byBytes.size).toBe(0);
  });
});
