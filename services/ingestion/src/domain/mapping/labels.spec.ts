import { BoundedLru } from './bounded-lru';
import { hostOf, labelValue, seriesHash } from './labels';

describe('seriesHash', () => {
  const a = [{ name: 'container', value: 'api' }, { name: 'pod', value: 'p' }];
  it('does not depend on label order', () => {
    expect(seriesHash('t', 'm', a)).toBe(seriesHash('t', 'm', [...a].reverse()));
  });
  it.each([
    ['tenant', seriesHash('u', 'm', a)],
    ['metric', seriesHash('t', 'n', a)],
    ['a value', seriesHash('t', 'm', [{ name: 'container', value: 'api' }, { name: 'pod', value: 'q' }])],
    ['name/value boundaries', seriesHash('t', 'm', [{ name: 'containe', value: 'rapi' }, { name: 'pod', value: 'p' }])],
  ])('changes with the %s', (_, other) => {
    expect(other).not.toBe(seriesHash('t', 'm', a));
  });
});

describe('hostOf', () => {
  it.each([
    ['10.0.1.12:9100', '10.0.1.12'],
    ['ip-10-0-1-12.eu-west-1.compute.internal', 'ip-10-0-1-12.eu-west-1.compute.internal'],
    ['node-a:9100', 'node-a'],
    ['[fd00::1]:9100', 'fd00::1'],
    ['fd00::1', 'fd00::1'],
  ])('%s → %s', (instance, host) => {
    expect(hostOf(instance)).toBe(host);
  });
});

describe('labelValue', () => {
  it('treats an empty value as absent (as Prometheus does)', () => {
    expect(labelValue([{ name: 'container', value: '' }], 'container')).toBeUndefined();
  });
});

describe('BoundedLru', () => {
  it('evicts the least recently used entry and reports it', () => {
    const evicted: string[] = [];
    const lru = new BoundedLru<string, number>(2, (k) => evicted.push(k));
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect(evicted).toEqual(['b']);
    // a was read since it was inserted: it got a second chance and moved behind c.
    expect([...lru.entries()].map(([k]) => k)).toEqual(['c', 'a']);
  });
  it('evicts in insertion order when nothing was read, and never the entry being inserted', () => {
    const evicted: string[] = [];
    const lru = new BoundedLru<string, number>(1, (k) => evicted.push(k));
    lru.set('a', 1);
    lru.get('a');
    lru.set('b', 2);
    lru.set('c', 3);
    expect(evicted).toEqual(['a', 'b']);
    expect(lru.peek('c')).toBe(3);
  });
  it('refuses a capacity below 1', () => {
    expect(() => new BoundedLru(0)).toThrow(RangeError);
  });
});
