/**
 * The loop that keeps host-gw routes current on a netns node: a Node informer, and after
 * every change (coalesced) or every resync period, `syncPodRoutes` for the whole Node list.
 * The agent core starts it next to the netns runtime:
 *
 *   void runPodRouteSync({ client, nodeName, signal, log });
 */
import type { KubeObject } from '../../../api/object.js';
import { Informer, type ListWatchClient } from '../../../client/informer.js';
import type { Logger } from '../../../log/logger.js';
import { NODES } from '../../resources.js';
import type { CommandRunner } from './command-runner.js';
import { syncPodRoutes } from './routes.js';

export interface PodRouteSyncLoopOptions {
  readonly client: ListWatchClient;
  readonly nodeName: string;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly commands?: CommandRunner;
  readonly allowHostNetworkNamespace?: boolean;
  /** Re-apply this often even without changes (routes removed by hand come back). Default 60 s. */
  readonly resyncMs?: number;
  /** Coalescing delay after a change (default 100 ms). */
  readonly delayMs?: number;
}

/** Runs until `signal` aborts. Sync failures are logged and retried; they never end the loop. */
export async function runPodRouteSync(opts: PodRouteSyncLoopOptions): Promise<void> {
  const informer = new Informer<KubeObject>({ client: opts.client, resource: NODES, log: opts.log });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let lastPlan = '';
  const sync = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const plan = await syncPodRoutes(informer.list(), opts.nodeName, {
        commands: opts.commands,
        allowHostNetworkNamespace: opts.allowHostNetworkNamespace,
        log: (m) => opts.log?.info(m),
      });
      const summary = JSON.stringify(plan);
      if (summary !== lastPlan && (plan.replace.length || plan.remove.length)) opts.log?.debug(`pod routes: ${summary}`);
      lastPlan = summary;
    } catch (e) {
      opts.log?.warn(`pod route sync: ${(e as Error).message}`);
      schedule(1000);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule(opts.delayMs ?? 100);
      }
    }
  };
  const schedule = (ms: number): void => {
    if (opts.signal.aborted) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void sync(), ms);
  };
  informer.addEventHandler({
    onAdd: () => schedule(opts.delayMs ?? 100),
    onUpdate: (o, n) => {
      // Heartbeats change nothing routes depend on; only CIDRs and addresses matter.
      if (JSON.stringify([o.spec, (o.status as { addresses?: unknown } | undefined)?.addresses]) !== JSON.stringify([n.spec, (n.status as { addresses?: unknown } | undefined)?.addresses])) {
        schedule(opts.delayMs ?? 100);
      }
    },
    onDelete: () => schedule(opts.delayMs ?? 100),
  });
  const run = informer.run(opts.signal);
  const resync = setInterval(() => schedule(0), opts.resyncMs ?? 60_000);
  if (await informer.waitForSync(opts.signal)) schedule(0);
  await run.catch(() => undefined);
  clearInterval(resync);
  if (timer) clearTimeout(timer);
}
