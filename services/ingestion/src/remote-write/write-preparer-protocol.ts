import { type PreparedWrite, type WriteJob, WritePreparer } from '../domain/prepare-write';
import { compileRelabelConfigs, type CompiledRelabel, type RelabelConfigInput } from '../domain/relabel';
import type { RemoteWriteLimits } from '../domain/remote-write';

/** What a decode thread is started with (structured-cloned: plain data, rules as written). */
export interface PreparerThreadData {
  readonly limits: RemoteWriteLimits;
  readonly defaultCluster: string;
  /** Per tenant, its relabel rules as validated by the tenants file's loader. */
  readonly relabelConfigs: Readonly<Record<string, RelabelConfigInput[]>>;
}

/** The preparer a thread (or the event loop, with no threads) runs: the tenants' rules compiled here. */
export function preparerFrom(data: PreparerThreadData): WritePreparer {
  const rules = new Map<string, CompiledRelabel>(Object.entries(data.relabelConfigs).map(([tenant, configs]) => [tenant, compileRelabelConfigs(configs)]));
  return new WritePreparer({ limits: data.limits, defaultCluster: data.defaultCluster, relabelOf: (tenant) => rules.get(tenant) });
}

export interface PreparerRequest {
  readonly id: number;
  readonly job: WriteJob;
}

export type PreparerReply = { readonly id: number; readonly result: PreparedWrite } | { readonly id: number; readonly error: string };

/**
 * The ArrayBuffers a message can hand over instead of copying: only those a view owns whole. A
 * small Buffer is a slice of Node's shared allocation pool; transferring that would detach the
 * pool under every other Buffer cut from it, so such views are copied.
 */
export function ownedBuffer(view: Uint8Array | Uint32Array): ArrayBuffer | undefined {
  const buffer = view.buffer;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength ? buffer : undefined;
}

export function transferListOf(result: PreparedWrite): ArrayBuffer[] {
  if (!result.ok) return [];
  const { his, los, samples, metricIndex } = result.admission;
  const views: (Uint8Array | Uint32Array)[] = [his, los, samples, metricIndex, ...result.envelopes.map((e) => e.value)];
  const list: ArrayBuffer[] = [];
  for (const view of views) {
    const buffer = ownedBuffer(view);
    if (buffer && !list.includes(buffer)) list.push(buffer);
  }
  return list;
}
