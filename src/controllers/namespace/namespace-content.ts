/**
 * Judging what is left of one resource type in a Terminating namespace after a delete pass
 * (upstream `deleteAllContentForGroupVersionResource` + `estimateGracefulTermination`), as a
 * pure function.
 *
 * Differences from upstream, on purpose:
 * - Pods in graceful deletion are waited for until their own deletionTimestamp (upstream
 *   estimates from terminationGracePeriodSeconds counted from the namespace's deletion).
 * - A pod whose grace period is over and whose node cannot finish it (no node, node missing,
 *   or node not Ready) is force-deleted (gracePeriodSeconds=0), as upstream's pod GC does for
 *   orphaned and unreachable pods; Switchyard may run without any node agent.
 */
import type { KubeObject } from '../../api/object.js';
import type { ResourceRef } from '../../client/kube-client.js';

/** Upstream assumes finalizers need this long (finalizerEstimateSeconds) ... */
export const FINALIZER_ESTIMATE_SECONDS = 15;
/** ... and requeues a namespace after estimate/2 + 1 seconds. */
export function requeueAfterEstimateMs(estimateSeconds: number): number {
  return (Math.floor(estimateSeconds / 2) + 1) * 1000;
}

export interface RemainingAssessment {
  readonly count: number;
  /** finalizer → objects of this type it holds. */
  readonly finalizers: ReadonlyMap<string, number>;
  /** Pods to delete again with gracePeriodSeconds=0. */
  readonly forceDelete: readonly KubeObject[];
  /** When another pass is worth making (ms from now), if something is expected to change by itself. */
  readonly requeueAfterMs: number | undefined;
  /** Objects that should be gone and are not (upstream reports them as a content failure). */
  readonly unexpected: number;
}

/** Go's GroupVersionResource.String(), used in upstream's messages: `apps/v1, Resource=deployments`. */
export function gvrString(r: ResourceRef): string {
  return `${r.group}/${r.version}, Resource=${r.plural}`;
}

/** `<plural>.<group>` as in the NamespaceContentRemaining message (`pods.` for core). */
export function resourceLabel(r: ResourceRef): string {
  return `${r.plural}.${r.group}`;
}

function isPodResource(r: ResourceRef): boolean {
  return r.group === '' && r.plural === 'pods';
}

/**
 * `items` are what a list returned after the delete pass. `nodeCanFinishPods(name)` says whether
 * a node is there and Ready, so that its agent will complete graceful pod deletion.
 */
export function assessRemaining(opts: {
  resource: ResourceRef;
  items: readonly KubeObject[];
  nowMs: number;
  nodeCanFinishPods: (nodeName: string) => boolean;
}): RemainingAssessment {
  const finalizers = new Map<string, number>();
  const forceDelete: KubeObject[] = [];
  let requeue: number | undefined;
  let unexpected = 0;
  const soonest = (ms: number): void => {
    requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };
  for (const item of opts.items) {
    const fins = item.metadata.finalizers ?? [];
    if (fins.length > 0) {
      for (const f of fins) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      soonest(requeueAfterEstimateMs(FINALIZER_ESTIMATE_SECONDS));
      continue;
    }
    const deletionTimestamp = item.metadata.deletionTimestamp;
    if (isPodResource(opts.resource) && deletionTimestamp) {
      const deadline = Date.parse(deletionTimestamp);
      const nodeName = (item.spec as { nodeName?: unknown } | undefined)?.nodeName;
      const finishable = typeof nodeName === 'string' && nodeName !== '' && opts.nodeCanFinishPods(nodeName);
      if (Number.isFinite(deadline) && opts.nowMs < deadline) {
        // Graceful termination in progress; look again when it should be over.
        soonest(deadline - opts.nowMs + 100);
      } else if (!finishable) {
        forceDelete.push(item);
      } else {
        unexpected++;
      }
      continue;
    }
    unexpected++;
  }
  if (forceDelete.length > 0) soonest(0);
  return { count: opts.items.length, finalizers, forceDelete, requeueAfterMs: requeue, unexpected };
}
