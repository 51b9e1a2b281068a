/**
 * The controller manager embedded in `switchyard server` (kube-controller-manager
 * + kube-scheduler): leader election on a Lease, shared informers, and every
 * controller running through the Kubernetes API like the upstream ones.
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeClient } from '../client/kube-client.js';
import { LeaderElector } from '../client/leader-election.js';
import { realClock } from '../client/clock.js';
import type { Logger } from '../log/logger.js';
import type { ControllerDescriptor, ControllerManagerConfig } from './controller-context.js';
import { InformerFactory } from './informer-factory.js';

export interface ControllerManagerOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly controllers: readonly ControllerDescriptor[];
  readonly config: ControllerManagerConfig;
  /** Elect a leader among several servers (Lease kube-system/kube-controller-manager). */
  readonly leaderElect: boolean;
}

export class ControllerManager {
  constructor(private readonly opts: ControllerManagerOptions) {}

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.opts;
    if (!this.opts.leaderElect) {
      await this.runControllers(signal);
      return;
    }
    const identity = `${hostname()}_${randomUUID()}`;
    while (!signal.aborted) {
      const elector = new LeaderElector({
        client: this.opts.client,
        namespace: 'kube-system',
        name: 'kube-controller-manager',
        identity,
        log,
        callbacks: {
          onStartedLeading: (leading) => {
            log.info(`became leader (${identity}), starting controllers`);
            void this.runControllers(leading);
          },
          onStoppedLeading: () => log.warn('leadership lost, controllers stopped'),
          onNewLeader: (id) => {
            if (id !== identity) log.info(`controllers are led by ${id}`);
          },
        },
      });
      await elector.run(signal);
    }
  }

  private async runControllers(signal: AbortSignal): Promise<void> {
    const { client, log, config } = this.opts;
    // Every worker waiting on a queue listens on this signal.
    setMaxListeners(0, signal);
    const informers = new InformerFactory(client, log.child('informers'));
    informers.start(signal);
    await Promise.all(
      this.opts.controllers.map(async (c) => {
        const clog = log.child(c.name);
        try {
          await c.run({ client, informers, log: clog, signal, clock: realClock, config });
        } catch (e) {
          if (!signal.aborted) clog.error(`controller stopped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        }
      }),
    );
  }
}
