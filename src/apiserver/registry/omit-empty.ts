/**
 * Go's `omitempty`: upstream decodes every write into typed structs and encodes it back, so an
 * integer field tagged `omitempty` that holds 0 is never stored or returned. Clients (kubectl
 * `-o yaml`, jsonpath) see the field missing, not `0`.
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';

/** Deletes each `status.<field>` that is the number 0 (fields tagged `omitempty` upstream). */
export function dropZeroStatusCounters(obj: KubeObject, fields: readonly string[]): void {
  const status = obj['status'];
  if (!isRecord(status)) return;
  for (const f of fields) if (status[f] === 0) delete status[f];
}

/** DeploymentStatus integer fields tagged omitempty (all of them). */
export const DEPLOYMENT_OMITEMPTY_COUNTERS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas'] as const;

/** ReplicaSetStatus integer fields tagged omitempty (`replicas` is not). */
export const REPLICASET_OMITEMPTY_COUNTERS = ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'terminatingReplicas'] as const;
