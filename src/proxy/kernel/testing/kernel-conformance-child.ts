/**
 * The shared Dataplane conformance suite for one kernel mode, run by
 * kernel-conformance.test.ts inside a lab node namespace (`ip netns exec`):
 * the dataplane programs this process's own namespace (the netns guard
 * verifies it is not the host's), backends listen on endpoint addresses the
 * parent put on lo, and the suite connects from here (output hook).
 * Mode from SY_KP_MODE (nftables | iptables).
 */
import { dataplaneConformance } from '../../dataplane-conformance.js';
import type { Dataplane } from '../../dataplane.js';
import { IptablesDataplane } from '../../iptables/iptables-dataplane.js';
import { NftablesDataplane } from '../../nftables/nftables-dataplane.js';
import { LAB_NODE_IP } from './netns-lab.js';

const mode = process.env.SY_KP_MODE;
if (mode !== 'nftables' && mode !== 'iptables') throw new Error(`SY_KP_MODE must be nftables or iptables, got ${String(mode)}`);

const make = (): Dataplane => (mode === 'nftables' ? new NftablesDataplane({ clusterCIDR: '10.244.0.0/16' }) : new IptablesDataplane({ clusterCIDR: '10.244.0.0/16' }));

dataplaneConformance(
  `${mode} in a node network namespace`,
  async () => ({
    dataplane: make(),
    clientAddress: (ip) => ip,
    backendListenAddress: (ip) => ip,
    nodeAddresses: [LAB_NODE_IP],
    close: async () => {},
  }),
  { basePort: 31400, balancing: 'random' },
);
