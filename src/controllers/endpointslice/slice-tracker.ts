/**
 * Remembers the version of every EndpointSlice this controller wrote, per Service (upstream
 * util/endpointslice_tracker.go), so that the controller can
 * - ignore informer events caused by its own writes (no extra syncs, no churn), and
 * - notice that its informer cache lags behind its writes and wait instead of computing a plan
 *   from old data (which would only end in conflicts).
 *
 * Upstream compares `metadata.generation`. Servers that do not set a generation on
 * EndpointSlices are handled by comparing `metadata.resourceVersion` numerically (etcd-style
 * revisions); a non-numeric resourceVersion that differs counts as newer for event filtering
 * and never as stale.
 */
import type { EndpointSlice } from './slice-types.js';
import { LABEL_SERVICE_NAME } from './slice-types.js';

const DELETION_EXPECTED = 'deletion-expected';
type Tracked = bigint | typeof DELETION_EXPECTED | 'opaque';

interface Version {
  readonly value: bigint | undefined;
  readonly raw: string;
}

function versionOf(slice: EndpointSlice): Version {
  const gen = slice.metadata.generation;
  if (typeof gen === 'number') return { value: BigInt(gen), raw: `g${gen}` };
  const rv = slice.metadata.resourceVersion ?? '';
  return { value: /^\d+$/.test(rv) ? BigInt(rv) : undefined, raw: rv };
}

/** Service key (`ns/name`) of a slice, from its service-name label; undefined without one. */
export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc ? `${slice.metadata.namespace ?? ''}/${svc}` : undefined;
}

export class SliceTracker {
  /** service key → slice uid → written version */
  private readonly byService = new Map<string, Map<string, { v: Tracked; raw: string }>>();
  private readonly serviceUids = new Map<string, string>();

  private slicesOf(slice: EndpointSlice, create: boolean): Map<string, { v: Tracked; raw: string }> | undefined {
    const key = serviceKeyOfSlice(slice) ?? `${slice.metadata.namespace ?? ''}/`;
    let m = this.byService.get(key);
    if (!m && create) this.byService.set(key, (m = new Map()));
    return m;
  }

  /** Records a slice as returned by a create or update. */
  update(slice: EndpointSlice): void {
    const v = versionOf(slice);
    this.slicesOf(slice, true)?.set(slice.metadata.uid ?? '', { v: v.value ?? 'opaque', raw: v.raw });
  }

  /** Records that this controller deleted the slice. */
  expectDeletion(slice: EndpointSlice): void {
    this.slicesOf(slice, true)?.set(slice.metadata.uid ?? '', { v: DELETION_EXPECTED, raw: '' });
  }

  has(slice: EndpointSlice): boolean {
    return this.slicesOf(slice, false)?.has(slice.metadata.uid ?? '') ?? false;
  }

  /** False when the slice is exactly as this controller last wrote it (the event is our own). */
  shouldSync(slice: EndpointSlice): boolean {
    const t = this.slicesOf(slice, false)?.get(slice.metadata.uid ?? '');
    if (!t || t.v === DELETION_EXPECTED) return true;
    const v = versionOf(slice);
    if (t.v === 'opaque' || v.value === undefined) return v.raw !== t.raw;
    return v.value > t.v;
  }

  /**
   * True when the cached slices are older than what this controller wrote for the Service:
   * a slice with an older version, one we deleted, or one we wrote that is missing. A Service
   * recreated with a new uid starts afresh.
   */
  staleSlices(serviceKey: string, serviceUid: string, slices: readonly EndpointSlice[]): boolean {
    const prevUid = this.serviceUids.get(serviceKey);
    if (prevUid && serviceUid && prevUid !== serviceUid) this.byService.delete(serviceKey);
    this.serviceUids.set(serviceKey, serviceUid);
    const tracked = this.byService.get(serviceKey);
    if (!tracked) return false;
    const provided = new Set<string>();
    for (const s of slices) {
      const uid = s.metadata.uid ?? '';
      provided.add(uid);
      const t = tracked.get(uid);
      if (!t) continue;
      if (t.v === DELETION_EXPECTED) return true;
      const v = versionOf(s);
      // Opaque versions cannot be ordered: only numeric ones can prove the cache is behind.
      if (t.v !== 'opaque' && v.value !== undefined && t.v > v.value) return true;
    }
    for (const [uid, t] of tracked) if (t.v !== DELETION_EXPECTED && !provided.has(uid)) return true;
    return false;
  }

  /** Forgets a deleted slice; false when the deletion was not ours (the Service needs a sync). */
  handleDeletion(slice: EndpointSlice): boolean {
    const m = this.slicesOf(slice, false);
    if (!m) return true;
    const uid = slice.metadata.uid ?? '';
    const t = m.get(uid);
    m.delete(uid);
    return !t || t.v === DELETION_EXPECTED;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
    this.serviceUids.delete(serviceKey);
  }
}
