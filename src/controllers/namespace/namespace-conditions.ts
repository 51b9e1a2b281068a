/**
 * The status conditions the namespace controller keeps on a Terminating namespace
 * (upstream `pkg/controller/namespace/deletion/status_condition_utils.go`): each of the five
 * types is True with a failure reason while the problem lasts, otherwise False with its
 * "ok" reason. lastTransitionTime moves only when a condition's status flips.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NamespaceCondition {
  type: string;
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const NAMESPACE_DELETION_DISCOVERY_FAILURE = 'NamespaceDeletionDiscoveryFailure';
export const NAMESPACE_DELETION_GV_PARSING_FAILURE = 'NamespaceDeletionGroupVersionParsingFailure';
export const NAMESPACE_DELETION_CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
export const NAMESPACE_CONTENT_REMAINING = 'NamespaceContentRemaining';
export const NAMESPACE_FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

/** The maintained types, in the order they are appended. */
const CONDITION_TYPES = [
  NAMESPACE_DELETION_DISCOVERY_FAILURE,
  NAMESPACE_DELETION_GV_PARSING_FAILURE,
  NAMESPACE_DELETION_CONTENT_FAILURE,
  NAMESPACE_CONTENT_REMAINING,
  NAMESPACE_FINALIZERS_REMAINING,
] as const;

const OK: Readonly<Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }>> = {
  [NAMESPACE_DELETION_DISCOVERY_FAILURE]: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  [NAMESPACE_DELETION_GV_PARSING_FAILURE]: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  [NAMESPACE_DELETION_CONTENT_FAILURE]: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  [NAMESPACE_CONTENT_REMAINING]: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  [NAMESPACE_FINALIZERS_REMAINING]: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one deletion pass found. */
export interface DeletionFindings {
  /** Resource types that could not be discovered (messages). */
  readonly discoveryErrors: readonly string[];
  /** Per-type deletion failures (messages). */
  readonly contentErrors: readonly string[];
  /** `<plural>.<group>` → objects still present. */
  readonly remainingByResource: ReadonlyMap<string, number>;
  /** finalizer → objects still held by it. */
  readonly remainingByFinalizer: ReadonlyMap<string, number>;
}

/** The failure conditions a pass calls for (types without a failure get their ok variant later). */
export function failureConditions(f: DeletionFindings): NamespaceCondition[] {
  const out: NamespaceCondition[] = [];
  if (f.discoveryErrors.length > 0) {
    out.push({
      type: NAMESPACE_DELETION_DISCOVERY_FAILURE,
      status: 'True',
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${f.discoveryErrors.length} failing: ${[...f.discoveryErrors].sort().join(', ')}`,
    });
  }
  if (f.contentErrors.length > 0) {
    const msgs = [...f.contentErrors].sort();
    out.push({
      type: NAMESPACE_DELETION_CONTENT_FAILURE,
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  const resources = [...f.remainingByResource].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
  if (resources.length > 0) {
    out.push({ type: NAMESPACE_CONTENT_REMAINING, status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
  }
  const finalizers = [...f.remainingByFinalizer].filter(([, n]) => n > 0).map(([fin, n]) => `${fin} in ${n} resource instances`).sort();
  if (finalizers.length > 0) {
    out.push({
      type: NAMESPACE_FINALIZERS_REMAINING,
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
    });
  }
  return out;
}

/**
 * Merges the pass's failures into `current` (unmaintained condition types are kept as they are).
 * Returns the new list and whether anything changed; `current` is not modified.
 */
export function updateNamespaceConditions(
  current: readonly NamespaceCondition[],
  failures: readonly NamespaceCondition[],
  now: string,
): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = current.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const want = failures.find((c) => c.type === type) ?? { type, status: 'False' as const, ...OK[type] };
    const existing = conditions.find((c) => c.type === type);
    if (!existing) {
      conditions.push({ type, status: want.status, lastTransitionTime: now, reason: want.reason ?? '', message: want.message ?? '' });
      changed = true;
    } else if (existing.status !== want.status || existing.reason !== want.reason || existing.message !== want.message) {
      if (existing.status !== want.status) existing.lastTransitionTime = now;
      existing.status = want.status;
      existing.reason = want.reason ?? '';
      existing.message = want.message ?? '';
      changed = true;
    }
  }
  return { conditions, changed };
}
