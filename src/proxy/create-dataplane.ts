/** Picks the Dataplane for `--proxy-mode`. */
import type { Logger } from '../log/logger.js';
import { type AddressMapper, IdentityAddressMapper, LoopbackAddressMapper } from './address-mapper.js';
import type { Dataplane, ProxyMode } from './dataplane.js';
import { IptablesDataplane } from './iptables/iptables-dataplane.js';
import { NftablesDataplane } from './nftables/nftables-dataplane.js';
import type { SchedulerName } from './schedulers/scheduler.js';
import { UserspaceDataplane } from './userspace/userspace-dataplane.js';

export interface DataplaneSettings {
  readonly mode: ProxyMode;
  readonly log?: Logger;
  /** userspace: serve virtual IPs on 127.x.y.z (rootless). */
  readonly loopbackMapping?: boolean;
  /** userspace + loopbackMapping: dial endpoints on their 127.x.y.z mapping too. */
  readonly loopbackEndpoints?: boolean;
  /** userspace identity mapping: add Service IPs to lo (only inside a verified private network namespace). */
  readonly manageAddresses?: boolean;
  readonly defaultScheduler?: SchedulerName;
  readonly udpIdleTimeoutMs?: number;
  /** userspace: processes serving TCP (default 1; see UserspaceDataplaneOptions.workers). */
  readonly proxyWorkers?: number;
  /** Kernel modes: pod network (--cluster-cidr); cluster-IP traffic from outside it is masqueraded. */
  readonly clusterCIDR?: string;
  /** Kernel modes: program this named network namespace instead of our own. */
  readonly netns?: string;
  /** Kernel modes on a dedicated node: allow the host's initial network namespace (refused otherwise). */
  readonly allowHostNetns?: boolean;
}

export class UnsupportedProxyModeError extends Error {}

/** Builds the dataplane; throws UnsupportedProxyModeError for modes not built into this binary. */
export function createDataplane(s: DataplaneSettings): Dataplane {
  switch (s.mode) {
    case 'userspace': {
      const mapper: AddressMapper = s.loopbackMapping
        ? new LoopbackAddressMapper({ mapEndpoints: s.loopbackEndpoints ?? false })
        : new IdentityAddressMapper({ manageAddresses: s.manageAddresses ?? false });
      return new UserspaceDataplane({
        mapper,
        ...(s.log ? { log: s.log } : {}),
        ...(s.defaultScheduler ? { defaultScheduler: s.defaultScheduler } : {}),
        ...(s.udpIdleTimeoutMs !== undefined ? { udpIdleTimeoutMs: s.udpIdleTimeoutMs } : {}),
        ...(s.proxyWorkers !== undefined ? { workers: s.proxyWorkers } : {}),
      });
    }
    case 'nftables':
    case 'iptables': {
      // Both constructors throw when the rules would land in the host's network namespace.
      const opts = {
        ...(s.log ? { log: s.log } : {}),
        ...(s.defaultScheduler ? { defaultScheduler: s.defaultScheduler } : {}),
        ...(s.clusterCIDR ? { clusterCIDR: s.clusterCIDR } : {}),
        ...(s.netns !== undefined ? { netns: s.netns } : {}),
        allowHostNetns: s.allowHostNetns ?? false,
      };
      return s.mode === 'nftables' ? new NftablesDataplane(opts) : new IptablesDataplane(opts);
    }
  }
}
