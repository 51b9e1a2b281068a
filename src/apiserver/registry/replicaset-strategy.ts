/**
 * apps/v1 ReplicaSets (upstream pkg/registry/apps/replicaset/strategy.go,
 * SetDefaults_ReplicaSet, ValidateReplicaSetSpec).
 */
import type { KubeObject } from '../../api/object.js';
import type { FieldError } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { clearStatus, keepStatus, updateGeneration } from './generation.js';
import { ensureRecord, num, rec } from './json-shape.js';
import { defaultWorkloadTemplate } from './pod-template-defaults.js';
import { nonNegative, validateReplicaCounters, validateSelectorAndTemplate, validateSelectorImmutable } from './workload-validation.js';
import { dropZeroStatusCounters, REPLICASET_OMITEMPTY_COUNTERS } from './omit-empty.js';

export function defaultReplicaSet(obj: KubeObject): void {
  dropZeroStatusCounters(obj, REPLICASET_OMITEMPTY_COUNTERS);
  const spec = ensureRecord(obj, 'spec');
  if (typeof spec['replicas'] !== 'number') spec['replicas'] = 1;
  defaultWorkloadTemplate(spec);
}

/** Upstream ValidateReplicaSetSpec (its empty-selector message says "deployment", as upstream's does). */
export function validateReplicaSetSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  return [
    ...nonNegative(spec['replicas'], 'spec.replicas'),
    ...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(spec, { emptySelectorKind: 'deployment', deadlineKind: 'ReplicaSet' }),
  ];
}

export const replicaSetStrategy: ResourceStrategy = {
  defaults: defaultReplicaSet,
  prepareForCreate(obj) {
    clearStatus(obj);
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    keepStatus(obj, old);
    defaultReplicaSet(obj);
    updateGeneration(obj, old);
  },
  validateCreate: validateReplicaSetSpec,
  validateUpdate(obj, old) {
    return [...validateReplicaSetSpec(obj), ...validateSelectorImmutable(rec(obj['spec']) ?? {}, rec(old['spec']) ?? {})];
  },
  validateStatusUpdate(obj) {
    return validateReplicaCounters(rec(obj['status']) ?? {}, {
      counters: ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
      bounded: ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
      readyMessage: 'cannot be greater than readyReplicas',
    });
  },
  fieldLabels(obj) {
    return { 'status.replicas': String(num(rec(obj['status'])?.['replicas']) ?? 0) };
  },
};
