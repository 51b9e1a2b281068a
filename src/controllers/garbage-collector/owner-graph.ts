/**
 * The garbage collector's dependency graph (upstream `pkg/controller/garbagecollector`
 * GraphBuilder, simplified): every observed object keyed by uid, with an index from an
 * owner's uid to the uids of the objects that name it in `metadata.ownerReferences`.
 * Owners that were never observed simply have no node; their dependents still appear in
 * the index under the owner's uid. Pure data structure, no I/O.
 */
import type { KubeObject, OwnerReference } from '../../api/object.js';
import type { ResourceRef } from '../../client/kube-client.js';

/** The part of an object the collector needs, taken from the informer's copy. */
export interface GraphNode {
  readonly uid: string;
  readonly resource: ResourceRef;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly ownerReferences: readonly OwnerReference[];
  readonly deletionTimestamp: string | undefined;
  readonly finalizers: readonly string[];
}

/** Builds the graph node of an object served under `resource`; undefined when it has no uid. */
export function graphNodeOf(resource: ResourceRef, obj: KubeObject): GraphNode | undefined {
  const m = obj.metadata;
  if (!m.uid) return undefined;
  return {
    uid: m.uid,
    resource,
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    resourceVersion: m.resourceVersion ?? '',
    ownerReferences: (m.ownerReferences ?? []).filter((r) => typeof r.uid === 'string' && r.uid !== ''),
    deletionTimestamp: m.deletionTimestamp,
    finalizers: m.finalizers ?? [],
  };
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** owner uid → dependent uids */
  private readonly dependentIndex = new Map<string, Set<string>>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Inserts or replaces a node; returns the node it replaced, if any. */
  upsert(node: GraphNode): GraphNode | undefined {
    const previous = this.nodes.get(node.uid);
    if (previous) this.unindex(previous);
    this.nodes.set(node.uid, node);
    for (const ref of node.ownerReferences) {
      let set = this.dependentIndex.get(ref.uid);
      if (!set) {
        set = new Set();
        this.dependentIndex.set(ref.uid, set);
      }
      set.add(node.uid);
    }
    return previous;
  }

  /** Removes a node (its dependents stay indexed under its uid); returns it, if it was present. */
  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.unindex(node);
    this.nodes.delete(uid);
    return node;
  }

  /** Observed objects whose ownerReferences name `ownerUid`. */
  dependents(ownerUid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const uid of this.dependentIndex.get(ownerUid) ?? []) {
      const n = this.nodes.get(uid);
      if (n) out.push(n);
    }
    return out;
  }

  private unindex(node: GraphNode): void {
    for (const ref of node.ownerReferences) {
      const set = this.dependentIndex.get(ref.uid);
      if (!set) continue;
      set.delete(node.uid);
      if (set.size === 0) this.dependentIndex.delete(ref.uid);
    }
  }
}
