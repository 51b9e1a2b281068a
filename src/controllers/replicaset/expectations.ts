/**
 * Controller expectations (upstream UIDTrackingControllerExpectations in
 * pkg/controller/controller_utils.go): after a controller creates or deletes pods it records how
 * many creations and which deletions it expects to see through the informer, and does not act on
 * the controller again until they have been observed (or the record expired). Without this, a
 * second sync running before the informer caught up would create or delete the pods again.
 */
import type { Clock } from '../../client/clock.js';
import { realClock } from '../../client/clock.js';

/** Upstream ExpectationsTimeout: a record older than this no longer blocks syncs. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record_ {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record_>();

  constructor(private readonly clock: Clock = realClock) {}

  /** Whether the controller `key` may act: nothing pending, no record, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.deletes.size === 0) return true;
    return this.clock.now() - r.at > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces the record of `key` with `adds` expected creations. */
  expectCreations(key: string, adds: number): void {
    this.records.set(key, { adds, deletes: new Set(), at: this.clock.now() });
  }

  /** Replaces the record of `key` with the expected deletion of the pods `podKeys` (`ns/name`). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { adds: 0, deletes: new Set(podKeys), at: this.clock.now() });
  }

  /** A pod of `key` appeared (or a creation failed and will never appear). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r && r.adds > 0) r.adds--;
  }

  /** Lowers the expected creations by `n` (creations that were never attempted). */
  lowerCreations(key: string, n: number): void {
    const r = this.records.get(key);
    if (r) r.adds = Math.max(0, r.adds - n);
  }

  /** The pod `podKey` of `key` is gone or being deleted (or its deletion failed). */
  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  /** Forgets `key` (its controller was deleted). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** Pending creations and deletions of `key`, for logs and tests. */
  pending(key: string): { adds: number; deletes: number } {
    const r = this.records.get(key);
    return { adds: r?.adds ?? 0, deletes: r?.deletes.size ?? 0 };
  }
}
