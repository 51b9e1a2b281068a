/** coordination.k8s.io/v1 Lease. */

import { COORDINATION, gvk, int32, listOf, microTime, obj, objectProps, ref, str } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const LEASE_GVK = gvk('coordination.k8s.io', 'v1', 'Lease');

export const coordinationSchemas: SchemaMap = {
  [COORDINATION + 'Lease']: obj({
    description:
      'A Lease is a lightweight lock with a holder and an expiry, used for leader election and for node heartbeats (in the kube-node-lease namespace).',
    properties: {
      ...objectProps('Lease'),
      spec: ref(COORDINATION + 'LeaseSpec', 'Holder and timing of the lease.', { default: {} }),
    },
    gvk: [LEASE_GVK],
  }),
  [COORDINATION + 'LeaseList']: listOf(COORDINATION + 'Lease', 'Lease', LEASE_GVK, 'Leases'),

  [COORDINATION + 'LeaseSpec']: obj({
    description: 'The state of a lease.',
    properties: {
      acquireTime: microTime('When the current holder acquired the lease.'),
      holderIdentity: str('Identity of the current holder.'),
      leaseDurationSeconds: int32(
        'Seconds candidates wait after the last renewTime before they may take the lease over.',
      ),
      leaseTransitions: int32('Number of times the lease has changed holders.'),
      preferredHolder: str(
        'Holder that should take the lease next, in coordinated leader election; only with strategy set.',
      ),
      renewTime: microTime('When the holder last renewed the lease.'),
      strategy: str(
        'Leader election strategy used by coordinated leader election, e.g. "OldestEmulationVersion".',
      ),
    },
  }),
};
