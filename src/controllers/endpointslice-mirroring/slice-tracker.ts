/**
 * Remembers the slices this controller wrote (upstream EndpointSliceTracker), so that a sync
 * never runs from an informer cache that has not yet seen our own creates, updates and deletes
 * (which would duplicate slices or undo writes), and so that the events of our own writes do not
 * requeue work.
 *
 * Versions are compared as resourceVersions (numbers when both parse as integers); upstream
 * compares generations, which this API server does not bump for EndpointSlices.
 */
import type { EndpointSlice } from './endpointslice-types.js';

const DELETING = Symbol('deleting');
type Expected = string | typeof DELETING;

/** a < b for resourceVersions; unknown formats compare by equality only. */
function olderThan(a: string | undefined, b: string): boolean {
  if (a === undefined) return true;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) < BigInt(b);
  return false;
}

export class SliceTracker {
  /** service key -> slice name -> expected resourceVersion or DELETING */
  private readonly expected = new Map<string, Map<string, Expected>>();

  private forKey(key: string): Map<string, Expected> {
    let m = this.expected.get(key);
    if (!m) this.expected.set(key, (m = new Map()));
    return m;
  }

  /** Record a slice as written (created or updated) by us, at the version the server returned. */
  written(key: string, slice: EndpointSlice): void {
    const name = slice.metadata.name;
    if (name && slice.metadata.resourceVersion) this.forKey(key).set(name, slice.metadata.resourceVersion);
  }

  /** Record a slice deleted by us. */
  deleted(key: string, name: string): void {
    this.forKey(key).set(name, DELETING);
  }

  /** True when `cached` (the informer's slices of `key`) lags behind our writes. */
  stale(key: string, cached: readonly EndpointSlice[]): boolean {
    const exp = this.expected.get(key);
    if (!exp) return false;
    const byName = new Map(cached.map((s) => [s.metadata.name ?? '', s]));
    for (const [name, want] of exp) {
      const have = byName.get(name);
      if (want === DELETING) {
        if (have) return true;
      } else if (!have || olderThan(have.metadata.resourceVersion, want)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an add/update event of a slice needs a sync: not when it is exactly (or older than)
   * what we wrote ourselves.
   */
  shouldSync(key: string, slice: EndpointSlice): boolean {
    const want = this.expected.get(key)?.get(slice.metadata.name ?? '');
    if (want === undefined || want === DELETING) return true;
    const rv = slice.metadata.resourceVersion;
    return !(rv === want || olderThan(rv, want));
  }

  /** Handles a delete event; true when we expected it (no sync needed). */
  handleDeletion(key: string, slice: EndpointSlice): boolean {
    const m = this.expected.get(key);
    const name = slice.metadata.name ?? '';
    const want = m?.get(name);
    m?.delete(name);
    if (m && m.size === 0) this.expected.delete(key);
    return want === DELETING;
  }

  /** Forget everything about a key. */
  deleteService(key: string): void {
    this.expected.delete(key);
  }
}
