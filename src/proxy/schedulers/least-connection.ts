/**
 * The connection-count schedulers of IPVS. Ties go to the earlier server in
 * the list, as in the kernel (strict comparisons while scanning).
 *
 * - lc:  least (active*256 + inactive)
 * - wlc: least (active*256 + inactive) / weight
 * - sed: least (active + 1) / weight (shortest expected delay)
 * - nq:  the first idle server (no active connections), else as sed (never queue)
 */
import { type RealServer, type ScheduleRequest, type Scheduler, eligible } from './scheduler.js';

/** IPVS ip_vs_dest_conn_overhead: inactive connections cost 1/256 of an active one. */
export function connOverhead(s: RealServer): number {
  return s.activeConns * 256 + s.inactiveConns;
}

/** Picks the eligible server with the least cost/weight, compared by cross-multiplication (no division). */
function leastByRatio(servers: readonly RealServer[], req: ScheduleRequest, cost: (s: RealServer) => number, weighted: boolean): RealServer | undefined {
  let best: RealServer | undefined;
  for (const s of servers) {
    if (!eligible(s, req)) continue;
    if (!best) {
      best = s;
      continue;
    }
    const better = weighted ? cost(s) * best.weight < cost(best) * s.weight : cost(s) < cost(best);
    if (better) best = s;
  }
  return best;
}

export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc' as const;
  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    return leastByRatio(servers, req, connOverhead, false);
  }
}

export class WeightedLeastConnectionScheduler implements Scheduler {
  readonly name = 'wlc' as const;
  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    return leastByRatio(servers, req, connOverhead, true);
  }
}

export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed' as const;
  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    return leastByRatio(servers, req, (s) => s.activeConns + 1, true);
  }
}

export class NeverQueueScheduler implements Scheduler {
  readonly name = 'nq' as const;
  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const idle = servers.find((s) => eligible(s, req) && s.activeConns === 0);
    return idle ?? leastByRatio(servers, req, (s) => s.activeConns + 1, true);
  }
}
