/** A label as remote_write carries it (empty values are absent, as Prometheus treats them). */
export interface MappingLabel {
  readonly name: string;
  readonly value: string;
}

/** Value of a label, or undefined when absent or empty. Linear: series carry a handful of labels. */
export function labelValue(labels: readonly MappingLabel[], name: string): string | undefined {
  for (const l of labels) if (l.name === name) return l.value === '' ? undefined : l.value;
  return undefined;
}

/** The first of `names` that is present and non-empty. */
export function firstLabel(labels: readonly MappingLabel[], ...names: string[]): string | undefined {
  for (const n of names) {
    const v = labelValue(labels, n);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * A 64-bit hash of a series' identity (tenant, metric name and label set, order-independent) as a
 * short string: the key of its counter/gauge state. Two independent 32-bit hashes (FNV-1a and a
 * Murmur3-style mix); at 500 000 series the chance of any collision is about 7e-9.
 */
export function seriesHash(tenant: string, metricName: string, labels: readonly MappingLabel[]): string {
  // The remote_write decoder shares one frozen label array between all series (and requests) with
  // the same label bytes, so most series hash once for as long as the decoder keeps them.
  const prefix = tenant + '\u0000' + metricName;
  const cached = hashCache.get(labels);
  if (cached && cached.prefix === prefix) return cached.hash;
  const hash = computeHash(tenant, metricName, labels);
  hashCache.set(labels, { prefix, hash });
  return hash;
}

const hashCache = new WeakMap<readonly MappingLabel[], { prefix: string; hash: string }>();

function computeHash(tenant: string, metricName: string, labels: readonly MappingLabel[]): string {
  const sorted = isSortedByName(labels) ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      let k = Math.imul(c, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h2 ^= Math.imul(k, 0x1b873593);
      h2 = (h2 << 13) | (h2 >>> 19);
      h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
    }
    // A separator no label can contain at this position (the length, then a 0xffff code unit).
    h1 = Math.imul(h1 ^ (s.length & 0xffff), 0x01000193);
    h1 = Math.imul(h1 ^ 0xffff, 0x01000193);
    h2 = (Math.imul(h2 ^ s.length, 0x85ebca6b) + 0xffff) | 0;
  };
  feed(tenant);
  feed(metricName);
  for (const l of sorted) {
    if (l.name === '__name__') continue;
    feed(l.name);
    feed(l.value);
  }
  h2 ^= h2 >>> 16;
  h2 = Math.imul(h2, 0x85ebca6b);
  h2 ^= h2 >>> 13;
  return (h1 >>> 0).toString(36) + '.' + (h2 >>> 0).toString(36);
}

function isSortedByName(labels: readonly MappingLabel[]): boolean {
  for (let i = 1; i < labels.length; i++) if (labels[i - 1].name > labels[i].name) return false;
  return true;
}

/** `10.0.1.12:9100` → `10.0.1.12`; `[fd00::1]:9100` → `fd00::1`; `node-a` → `node-a`. */
export function hostOf(instance: string): string {
  if (instance.startsWith('[')) {
    const end = instance.indexOf(']');
    return end > 0 ? instance.slice(1, end) : instance;
  }
  const colon = instance.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon > 0 && instance.indexOf(':') === colon && /^\d+$/.test(instance.slice(colon + 1))) return instance.slice(0, colon);
  return instance;
}
