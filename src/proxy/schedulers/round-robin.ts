/** IPVS rr and wrr. */
import { type RealServer, type ScheduleRequest, type Scheduler, eligible, weightGcd } from './scheduler.js';

/**
 * Round robin: continue after the server picked last time (by key, so list
 * changes keep the rotation going), skipping weight-0 and excluded servers.
 */
export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr' as const;
  private lastKey: string | undefined;

  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const n = servers.length;
    if (n === 0) return undefined;
    let start = 0;
    if (this.lastKey !== undefined) {
      const i = servers.findIndex((s) => s.key === this.lastKey);
      // When the last server left the list, insertion order tells where it was.
      start = i >= 0 ? i + 1 : Math.max(0, servers.findIndex((s) => s.key > (this.lastKey ?? '')));
    }
    for (let k = 0; k < n; k++) {
      const s = servers[(start + k) % n];
      if (s && eligible(s, req)) {
        this.lastKey = s.key;
        return s;
      }
    }
    return undefined;
  }
}

/**
 * Interleaved weighted round robin (ip_vs_wrr): a current weight steps down by
 * the gcd of the weights from the maximum; each pass over the list takes the
 * servers whose weight is at least the current weight. Weights 4,3,2 give
 * A A B A B C A B C.
 */
export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr' as const;
  private index = -1;
  private cw = 0;
  private signature = '';

  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const n = servers.length;
    const sig = servers.map((s) => `${s.key}*${s.weight}`).join(',');
    const gcd = weightGcd(servers);
    const maxWeight = Math.max(0, ...servers.map((s) => s.weight));
    if (sig !== this.signature) {
      // IPVS resets the mark when the destination list changes.
      this.signature = sig;
      this.index = -1;
      this.cw = maxWeight - (gcd - 1);
    }
    if (n === 0 || maxWeight <= 0) return undefined;
    // At most one full descent of the current weight across the whole list.
    const limit = n * (Math.ceil(maxWeight / gcd) + 1);
    for (let step = 0; step < limit; step++) {
      this.index++;
      if (this.index >= n) {
        this.index = 0;
        this.cw -= gcd;
        if (this.cw <= 0) this.cw = maxWeight - (gcd - 1);
      }
      const s = servers[this.index];
      if (s && s.weight >= this.cw && eligible(s, req)) return s;
    }
    return undefined;
  }
}
