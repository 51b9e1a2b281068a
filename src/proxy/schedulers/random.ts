/** Weighted uniform random choice. */
import { type RealServer, type ScheduleRequest, type Scheduler, eligible } from './scheduler.js';

export class RandomScheduler implements Scheduler {
  readonly name = 'random' as const;
  private readonly random: () => number;

  /** `random` returns a number in [0, 1); injectable for tests. */
  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const pool = servers.filter((s) => eligible(s, req));
    const total = pool.reduce((sum, s) => sum + s.weight, 0);
    if (total <= 0) return undefined;
    let r = this.random() * total;
    for (const s of pool) {
      r -= s.weight;
      if (r < 0) return s;
    }
    return pool[pool.length - 1];
  }
}
