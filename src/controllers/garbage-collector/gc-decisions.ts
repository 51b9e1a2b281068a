/**
 * What the garbage collector does with one object, as pure functions over the graph's view
 * (upstream `attemptToDeleteItem`, `processDeletingDependentsItem` and `orphanDependents`).
 *
 * - A dependent whose owners are all gone is deleted (Background unless its own finalizers
 *   or a foreground-deleting owner call for something else). With at least one owner still
 *   there ("solid"), it is never deleted: references to gone owners are dropped instead, and
 *   blockOwnerDeletion is cleared for owners waiting on their dependents.
 * - An owner being deleted in the foreground has its dependents deleted and keeps the
 *   `foregroundDeletion` finalizer until no dependent with blockOwnerDeletion is left.
 * - An owner being deleted with `orphan` has its reference removed from every dependent,
 *   then loses the `orphan` finalizer.
 */
import { isDeepStrictEqual } from 'node:util';
import type { OwnerReference } from '../../api/object.js';
import type { GraphNode } from './owner-graph.js';

export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';
export const FINALIZER_ORPHAN = 'orphan';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** What a look-up of one owner reference found. */
export type OwnerLookup =
  /** No object with that uid exists (checked by a live read or known from the graph). */
  | { readonly kind: 'absent' }
  /** The owner exists; `deletingDependents` when it is being deleted in the foreground. */
  | { readonly kind: 'present'; readonly deletingDependents: boolean }
  /** The reference names a kind the server does not serve: kept, as if the owner existed. */
  | { readonly kind: 'unresolvable' };

export type DependentPlan =
  | { readonly action: 'none' }
  | { readonly action: 'delete'; readonly policy: PropagationPolicy }
  | { readonly action: 'patchOwnerReferences'; readonly ownerReferences: OwnerReference[] };

export type DeletingOwnerPlan =
  | { readonly action: 'none' }
  /** Remove this owner's reference from each of these dependents, then drop the `orphan` finalizer. */
  | { readonly action: 'orphanDependents'; readonly dependents: readonly GraphNode[] }
  /** Look at these dependents (they are to be deleted unless another owner keeps them), then wait. */
  | { readonly action: 'awaitDependents'; readonly dependents: readonly GraphNode[]; readonly blocking: readonly GraphNode[] }
  | { readonly action: 'removeFinalizer'; readonly finalizer: string; readonly dependents: readonly GraphNode[] };

/** Being deleted and holding the foreground finalizer: its dependents must go first. */
export function isDeletingDependents(node: Pick<GraphNode, 'deletionTimestamp' | 'finalizers'>): boolean {
  return Boolean(node.deletionTimestamp) && node.finalizers.includes(FINALIZER_DELETE_DEPENDENTS);
}

/**
 * The plan for an object with owner references that is not itself being deleted.
 * `owners` maps each reference's uid to its look-up; a reference without a look-up counts
 * as present (never delete on missing information). `hasDependents` says whether anything
 * in the graph names this object as owner.
 */
export function planForDependent(item: GraphNode, owners: ReadonlyMap<string, OwnerLookup>, hasDependents: boolean): DependentPlan {
  if (item.deletionTimestamp || item.ownerReferences.length === 0) return { action: 'none' };
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  const solid: OwnerReference[] = [];
  for (const ref of item.ownerReferences) {
    const found = owners.get(ref.uid) ?? { kind: 'unresolvable' };
    if (found.kind === 'absent') dangling.push(ref);
    else if (found.kind === 'present' && found.deletingDependents) waiting.push(ref);
    else solid.push(ref);
  }
  if (solid.length > 0) {
    const waitingUids = new Set(waiting.map((r) => r.uid));
    const danglingUids = new Set(dangling.map((r) => r.uid));
    const next = item.ownerReferences
      .filter((r) => !danglingUids.has(r.uid))
      .map((r) => (waitingUids.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : { ...r }));
    if (isDeepStrictEqual(next, item.ownerReferences.map((r) => ({ ...r })))) return { action: 'none' };
    return { action: 'patchOwnerReferences', ownerReferences: next };
  }
  // Every owner is gone or waiting for its dependents to go.
  let policy: PropagationPolicy;
  if (waiting.length > 0 && hasDependents) policy = 'Foreground';
  else if (item.finalizers.includes(FINALIZER_ORPHAN)) policy = 'Orphan';
  else if (item.finalizers.includes(FINALIZER_DELETE_DEPENDENTS)) policy = 'Foreground';
  else policy = 'Background';
  return { action: 'delete', policy };
}

/** True when `dep`'s reference to `ownerUid` asks to block the owner's foreground deletion. */
export function blocksOwner(dep: GraphNode, ownerUid: string): boolean {
  return dep.ownerReferences.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true);
}

/** The plan for an object that has a deletionTimestamp, given its dependents in the graph. */
export function planForDeletingOwner(owner: GraphNode, dependents: readonly GraphNode[]): DeletingOwnerPlan {
  if (!owner.deletionTimestamp) return { action: 'none' };
  if (owner.finalizers.includes(FINALIZER_ORPHAN)) {
    const still = dependents.filter((d) => d.ownerReferences.some((r) => r.uid === owner.uid));
    return still.length > 0 ? { action: 'orphanDependents', dependents: still } : { action: 'removeFinalizer', finalizer: FINALIZER_ORPHAN, dependents: [] };
  }
  if (owner.finalizers.includes(FINALIZER_DELETE_DEPENDENTS)) {
    // Dependents already being deleted proceed on their own.
    const toVisit = dependents.filter((d) => !d.deletionTimestamp);
    const blocking = dependents.filter((d) => blocksOwner(d, owner.uid));
    if (blocking.length === 0) return { action: 'removeFinalizer', finalizer: FINALIZER_DELETE_DEPENDENTS, dependents: toVisit };
    return { action: 'awaitDependents', dependents: toVisit, blocking };
  }
  return { action: 'none' };
}

/** `refs` without the reference to `ownerUid`. */
export function withoutOwner(refs: readonly OwnerReference[], ownerUid: string): OwnerReference[] {
  return refs.filter((r) => r.uid !== ownerUid).map((r) => ({ ...r }));
}

/** `finalizers` without `name`. */
export function withoutFinalizer(finalizers: readonly string[], name: string): string[] {
  return finalizers.filter((f) => f !== name);
}
