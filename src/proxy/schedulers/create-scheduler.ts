/** Scheduler factory by name. */
import { DestinationHashScheduler, SourceHashScheduler } from './hashing.js';
import { LeastConnectionScheduler, NeverQueueScheduler, ShortestExpectedDelayScheduler, WeightedLeastConnectionScheduler } from './least-connection.js';
import { MaglevScheduler } from './maglev.js';
import { RandomScheduler } from './random.js';
import { RoundRobinScheduler, WeightedRoundRobinScheduler } from './round-robin.js';
import type { Scheduler, SchedulerName } from './scheduler.js';

/** A fresh scheduler (each virtual service owns one: rr position, hash tables). */
export function createScheduler(name: SchedulerName, opts: { readonly random?: () => number } = {}): Scheduler {
  switch (name) {
    case 'rr':
      return new RoundRobinScheduler();
    case 'wrr':
      return new WeightedRoundRobinScheduler();
    case 'lc':
      return new LeastConnectionScheduler();
    case 'wlc':
      return new WeightedLeastConnectionScheduler();
    case 'sed':
      return new ShortestExpectedDelayScheduler();
    case 'nq':
      return new NeverQueueScheduler();
    case 'sh':
      return new SourceHashScheduler();
    case 'dh':
      return new DestinationHashScheduler();
    case 'random':
      return new RandomScheduler(opts.random);
    case 'maglev':
      return new MaglevScheduler();
  }
}
