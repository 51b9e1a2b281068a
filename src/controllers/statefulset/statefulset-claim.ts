/**
 * Which pods a set owns (upstream PodControllerRefManager.ClaimPods with the isMemberOf
 * filter): pods it controls that still match its selector and name pattern are kept; those
 * that no longer match are released; matching orphans are adopted. Pods controlled by
 * anything else are left alone. A set being deleted neither adopts nor releases.
 */
import type { LabelSelector } from '../../apiserver/selectors/label-selector.js';
import { isMemberOf } from './statefulset-pods.js';
import type { Pod, StatefulSet } from './statefulset-types.js';

export interface Claim {
  /** Pods the set controls and keeps (including those to adopt). */
  readonly owned: readonly Pod[];
  readonly adopt: readonly Pod[];
  readonly release: readonly Pod[];
}

export function claimPods(set: StatefulSet, selector: LabelSelector, pods: readonly Pod[]): Claim {
  const owned: Pod[] = [];
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  const deleting = !!set.metadata.deletionTimestamp;
  for (const pod of pods) {
    if (pod.metadata.namespace !== set.metadata.namespace) continue;
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller === true);
    const matches = selector.matches(pod.metadata.labels) && isMemberOf(set, pod);
    if (ref) {
      if (ref.uid !== set.metadata.uid) continue;
      if (matches || deleting) owned.push(pod);
      else release.push(pod);
    } else if (matches && !deleting && !pod.metadata.deletionTimestamp) {
      owned.push(pod);
      adopt.push(pod);
    }
  }
  return { owned, adopt, release };
}
