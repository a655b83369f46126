import type { Label } from '../remote-write/decoded-write-request';

// Prometheus' labels.Builder (model/labels/labels_common.go, Labels() of labels_slicelabels.go): the
// base set plus pending additions (in insertion order) and deletions. Relabelling reads and writes
// through it, so its quirks are Prometheus' too: Range visits the base labels that are neither
// deleted nor overridden, then the additions, as they were when Range started; Set with an empty value
// deletes; Del removes an addition and records the deletion, Set does not undo a deletion (Get and
// Labels look at additions first). One builder is reused for every series: nothing is allocated
// unless a rule writes, and an unchanged result is the base array itself.

export class LabelBuilder {
  private base: readonly Label[] = [];
  // Replaced rather than truncated on reset: `array.length = 0` is a slow runtime call in V8.
  private del: string[] = [];
  private addNames: string[] = [];
  private addValues: string[] = [];

  /** `base` must be sorted by name without duplicate names, as labels.Labels always is. */
  reset(base: readonly Label[]): void {
    this.base = base;
    if (this.del.length !== 0) this.del = [];
    if (this.addNames.length !== 0) {
      this.addNames = [];
      this.addValues = [];
    }
    for (let i = 0; i < base.length; i++) if (base[i].value === '') this.del.push(base[i].name);
  }

  get(name: string): string {
    const added = this.addNames.indexOf(name);
    if (added >= 0) return this.addValues[added];
    if (this.del.length > 0 && this.del.includes(name)) return '';
    const base = this.base;
    for (let i = 0; i < base.length; i++) if (base[i].name === name) return base[i].value;
    return '';
  }

  set(name: string, value: string): void {
    if (value === '') {
      this.delete(name); // empty labels are the same as missing labels
      return;
    }
    const added = this.addNames.indexOf(name);
    if (added >= 0) this.addValues[added] = value;
    else {
      this.addNames.push(name);
      this.addValues.push(value);
    }
  }

  delete(name: string): void {
    const added = this.addNames.indexOf(name);
    if (added >= 0) {
      this.addNames.splice(added, 1);
      this.addValues.splice(added, 1);
    }
    this.del.push(name);
  }

  /** labeldrop (keep = false) / labelkeep (keep = true): Range deleting the names that (do not) match. */
  deleteWhere(matches: (name: string) => boolean, keep: boolean): void {
    // Deleting a visited name cannot change which other labels Range visits: collect, then delete.
    const names: string[] = [];
    this.visibleNames((name) => {
      if (matches(name) !== keep) names.push(name);
    });
    for (let i = 0; i < names.length; i++) this.delete(names[i]);
  }

  /** labelmap: Range setting rename(name) (when not null) to the label's value, in Range order. */
  copyWhere(rename: (name: string) => string | null): void {
    const renames: [string, string][] = [];
    this.visible((name, value) => {
      const target = rename(name);
      if (target !== null) renames.push([target, value]);
    });
    for (const [target, value] of renames) this.set(target, value);
  }

  /**
   * The resulting labels, sorted by name: the base array itself (same reference) when the rules left
   * it unchanged, else a new frozen array sharing the unchanged Label objects.
   */
  labels(): readonly Label[] {
    if ((this.del.length === 0 && this.addNames.length === 0) || !this.changesBase()) return this.base;
    const additions: Label[] = [];
    for (let i = 0; i < this.addNames.length; i++) {
      additions.push(Object.freeze({ name: this.addNames[i], value: this.addValues[i] }));
    }
    if (additions.length > 1) additions.sort(byName);
    const result: Label[] = [];
    let next = 0;
    for (const label of this.base) {
      if (this.del.includes(label.name) || this.addNames.includes(label.name)) continue;
      while (next < additions.length && additions[next].name < label.name) result.push(additions[next++]);
      result.push(label);
    }
    while (next < additions.length) result.push(additions[next++]);
    return Object.freeze(result);
  }

  private visibleNames(visit: (name: string) => void): void {
    const base = this.base;
    const plain = this.del.length === 0 && this.addNames.length === 0;
    for (let i = 0; i < base.length; i++) {
      const name = base[i].name;
      if (plain || (!this.del.includes(name) && !this.addNames.includes(name))) visit(name);
    }
    for (let i = 0; i < this.addNames.length; i++) visit(this.addNames[i]);
  }

  private visible(visit: (name: string, value: string) => void): void {
    const base = this.base;
    for (let i = 0; i < base.length; i++) {
      const { name, value } = base[i];
      if (!this.del.includes(name) && !this.addNames.includes(name)) visit(name, value);
    }
    for (let i = 0; i < this.addNames.length; i++) visit(this.addNames[i], this.addValues[i]);
  }

  /** Whether the result differs from the base: a base label deleted or given another value, or a new one. */
  private changesBase(): boolean {
    for (const name of this.del) {
      if (this.addNames.includes(name)) continue; // set again after the delete: judged below
      if (this.base.some((label) => label.name === name)) return true;
    }
    for (let i = 0; i < this.addNames.length; i++) {
      const existing = this.base.find((label) => label.name === this.addNames[i]);
      if (existing === undefined || existing.value !== this.addValues[i]) return true;
    }
    return false;
  }
}

export function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
