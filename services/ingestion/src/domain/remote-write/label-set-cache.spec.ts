import type { ByteRange } from './byte-keys';
import { LabelSetCache, type CachedLabelSet } from './label-set-cache';

function range(text: string): ByteRange {
  const bytes = Buffer.from(text, 'latin1');
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function labelSet(metricName: string): CachedLabelSet {
  return { labels: [{ name: '__name__', value: metricName }], metricName, labelsSent: 1, longestName: 8, longestValue: metricName.length };
}

describe('LabelSetCache', () => {
  it('finds a remembered set by exact bytes, wherever they sit in the source', () => {
    const cache = new LabelSetCache(100, 1 << 20);
    const a = labelSet('a');
    cache.remember(range('xxLABELS-Ayy'), 2, 10, a);
    expect(cache.find(range('LABELS-A'), 0, 8)).toBe(a);
    expect(cache.find(range('..LABELS-A'), 2, 10)).toBe(a);
    expect(cache.find(range('LABELS-B'), 0, 8)).toBeUndefined();
    expect(cache.find(range('LABELS-'), 0, 7)).toBeUndefined();
  });

  it('predicts the set that followed the previous one, and still verifies its bytes', () => {
    const cache = new LabelSetCache(100, 1 << 20);
    const sets = ['first-set', 'second-set', 'third-set'].map((text) => ({ text, set: labelSet(text) }));
    for (const { text, set } of sets) cache.remember(range(text), 0, text.length, set);
    for (let round = 0; round < 3; round++) {
      for (const { text, set } of sets) expect(cache.find(range(text), 0, text.length)).toBe(set);
    }
    // Out of order: the prediction (second after first) is wrong and must not be returned.
    expect(cache.find(range('first-set'), 0, 9)).toBe(sets[0].set);
    expect(cache.find(range('third-set'), 0, 9)).toBe(sets[2].set);
    expect(cache.find(range('other-set'), 0, 9)).toBeUndefined();
  });

  it('clears itself when full by entries or bytes, forgetting stale predictions', () => {
    const byEntries = new LabelSetCache(2, 1 << 20);
    for (const text of ['aaaa', 'bbbb', 'cccc']) byEntries.remember(range(text), 0, 4, labelSet(text));
    expect(byEntries.size).toBe(1);
    expect(byEntries.find(range('aaaa'), 0, 4)).toBeUndefined();
    expect(byEntries.find(range('cccc'), 0, 4)?.metricName).toBe('cccc');

    const byBytes = new LabelSetCache(100, 10);
    byBytes.remember(range('12345678'), 0, 8, labelSet('x'));
    byBytes.remember(range('abcdefgh'), 0, 8, labelSet('y'));
    expect(byBytes.size).toBe(1);
    byBytes.remember(range('far too long for the cache'), 0, 26, labelSet('z'));
    expect(byBytes.find(range('far too long for the cache'), 0, 26)).toBeUndefined();
  });

  it('grows past its initial capacity', () => {
    const cache = new LabelSetCache(10_000, 1 << 24);
    const texts = Array.from({ length: 3_000 }, (_, i) => `series-${i}-${'x'.repeat(i % 50)}`);
    const sets = texts.map((text) => labelSet(text));
    texts.forEach((text, i) => cache.remember(range(text), 0, text.length, sets[i]));
    texts.forEach((text, i) => expect(cache.find(range(text), 0, text.length)).toBe(sets[i]));
  });
});
