/**
 * Detects an informer cache that has not yet caught up with our own write (upstream
 * staleEndpointsTracker): after updating an Endpoints object we remember the version we replaced;
 * while the cache still shows that version, syncing from it would undo or repeat the write.
 */

export class StaleEndpointsTracker {
  private readonly replaced = new Map<string, string>();

  /** Record that the object `key` at `resourceVersion` was replaced by a write of ours. */
  stale(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion) this.replaced.set(key, resourceVersion);
  }

  /** True when the cached object is the version we already replaced. */
  isStale(key: string, resourceVersion: string | undefined): boolean {
    const rv = this.replaced.get(key);
    return rv !== undefined && rv === resourceVersion;
  }

  delete(key: string): void {
    this.replaced.delete(key);
  }
}
