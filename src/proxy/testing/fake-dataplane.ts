/** A Dataplane that records what it is asked to program (proxier tests). */
import type { Dataplane, ProxyState, SyncResult, VirtualServiceStatus } from '../dataplane.js';

export class FakeDataplane implements Dataplane {
  readonly mode = 'userspace' as const;
  readonly syncs: ProxyState[] = [];
  /** Results to return, in order; `{ ok: true }` once exhausted. */
  results: SyncResult[] = [];
  closed = false;

  async sync(state: ProxyState): Promise<SyncResult> {
    this.syncs.push(state);
    return this.results.shift() ?? { ok: true };
  }
  status(): VirtualServiceStatus[] {
    return [];
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  /** Changed keys of sync `i`, or 'full'. */
  changedOf(i: number): string[] | 'full' {
    const s = this.syncs[i];
    if (!s) throw new Error(`no sync #${i}`);
    return s.changed ? [...s.changed].sort() : 'full';
  }
}
