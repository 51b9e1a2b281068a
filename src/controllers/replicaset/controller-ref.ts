/**
 * Claiming of dependents by a controller (upstream ControllerRefManager.ClaimObject in
 * pkg/controller/controller_ref_manager.go), as a pure classification: which objects the
 * controller owns, which orphans it should adopt and which of its objects it should release
 * because its selector no longer matches them.
 */
import type { KubeObject, OwnerReference } from '../../api/object.js';
import type { LabelSelector } from '../../apiserver/selectors/label-selector.js';
import { controllerRef } from './pod-util.js';

export interface ClaimOwner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** The owner is being deleted: it neither adopts nor releases. */
  readonly deleting: boolean;
}

export interface ClaimResult<T extends KubeObject> {
  /** Owned and matching (claimed without writes). */
  readonly owned: T[];
  /** Orphans that match: claimed once the adoption patch succeeds. */
  readonly adopt: T[];
  /** Owned but no longer matching: to be released. */
  readonly release: T[];
}

/** Classifies `objects` (same namespace as the owner) for `owner` with its `selector`. */
export function classifyClaims<T extends KubeObject>(owner: ClaimOwner, selector: LabelSelector, objects: readonly T[]): ClaimResult<T> {
  const result: ClaimResult<T> = { owned: [], adopt: [], release: [] };
  for (const obj of objects) {
    const ref = controllerRef(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.uid) continue;
      if (matches) result.owned.push(obj);
      else if (!owner.deleting) result.release.push(obj);
      continue;
    }
    if (owner.deleting || !matches || obj.metadata.deletionTimestamp) continue;
    if ((obj.metadata.namespace ?? '') !== owner.namespace) continue;
    result.adopt.push(obj);
  }
  return result;
}

/** The controller owner reference a controller sets on what it creates or adopts. */
export function newControllerRef(owner: Pick<ClaimOwner, 'apiVersion' | 'kind' | 'name' | 'uid'>): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/** Strategic merge patch adopting `obj` (upstream ownerRefControllerPatch). */
export function adoptPatch(owner: ClaimOwner, obj: KubeObject): Record<string, unknown> {
  return { metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid } };
}

/** Strategic merge patch removing the owner's reference from `obj` (upstream deleteOwnerRefStrategicMergePatch). */
export function releasePatch(ownerUid: string, obj: KubeObject): Record<string, unknown> {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}
