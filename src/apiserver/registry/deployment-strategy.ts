/**
 * apps/v1 Deployments (upstream pkg/registry/apps/deployment/strategy.go,
 * pkg/apis/apps/v1/defaults.go SetDefaults_Deployment, apps validation).
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { clearStatus, keepStatus, updateGeneration } from './generation.js';
import { goIntOrString, invalidRendered, notSupportedRendered } from './go-format.js';
import { type JsonRecord, ensureRecord, num, rec, setDefault, str } from './json-shape.js';
import { defaultWorkloadTemplate } from './pod-template-defaults.js';
import { DEPLOYMENT_OMITEMPTY_COUNTERS, dropZeroStatusCounters } from './omit-empty.js';
import {
  intOrPercentValue,
  nonNegative,
  validateCollisionCount,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateReplicaCounters,
  validateSelectorAndTemplate,
  validateSelectorImmutable,
} from './workload-validation.js';

/** SetDefaults_Deployment plus the pod template defaults. */
export function defaultDeployment(obj: KubeObject): void {
  dropZeroStatusCounters(obj, DEPLOYMENT_OMITEMPTY_COUNTERS);
  const spec = ensureRecord(obj, 'spec');
  if (typeof spec['replicas'] !== 'number') spec['replicas'] = 1;
  const strategy = ensureRecord(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rollingUpdate = ensureRecord(strategy, 'rollingUpdate');
    if (rollingUpdate['maxUnavailable'] === undefined || rollingUpdate['maxUnavailable'] === null) rollingUpdate['maxUnavailable'] = '25%';
    if (rollingUpdate['maxSurge'] === undefined || rollingUpdate['maxSurge'] === null) rollingUpdate['maxSurge'] = '25%';
  }
  if (typeof spec['revisionHistoryLimit'] !== 'number') spec['revisionHistoryLimit'] = 10;
  if (typeof spec['progressDeadlineSeconds'] !== 'number') spec['progressDeadlineSeconds'] = 600;
  defaultWorkloadTemplate(spec);
}

/** The Go rendering of a DeploymentStrategy, for the NotSupported error on an unknown type. */
function goDeploymentStrategy(strategy: JsonRecord): string {
  const ru = rec(strategy['rollingUpdate']) ? '(0xc000000000)' : '(nil)';
  return `apps.DeploymentStrategy{Type:${JSON.stringify(str(strategy['type']))}, RollingUpdate:(*apps.RollingUpdateDeployment)${ru}}`;
}

function validateStrategy(strategy: JsonRecord): FieldError[] {
  const p = FieldPath.root('spec').child('strategy');
  const type = str(strategy['type']);
  const rollingUpdate = rec(strategy['rollingUpdate']);
  if (type === 'Recreate') {
    return rollingUpdate ? [forbidden(p.child('rollingUpdate').toString(), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type !== 'RollingUpdate') return [notSupportedRendered(p.toString(), goDeploymentStrategy(strategy), ['Recreate', 'RollingUpdate'])];
  const rp = p.child('rollingUpdate');
  if (!rollingUpdate) return [required(rp.toString(), 'this should be defaulted and never be nil')];
  const maxUnavailable = rollingUpdate['maxUnavailable'] ?? 0;
  const maxSurge = rollingUpdate['maxSurge'] ?? 0;
  const errs = [
    ...validatePositiveIntOrPercent(maxUnavailable, rp.child('maxUnavailable').toString()),
    ...validatePositiveIntOrPercent(maxSurge, rp.child('maxSurge').toString()),
  ];
  if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
    errs.push(invalidRendered(rp.child('maxUnavailable').toString(), goIntOrString(maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...validateNotMoreThan100Percent(maxUnavailable, rp.child('maxUnavailable').toString()));
  return errs;
}

/** Upstream ValidateDeploymentSpec. */
export function validateDeploymentSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const errs: FieldError[] = [...nonNegative(spec['replicas'], 'spec.replicas')];
  errs.push(...validateSelectorAndTemplate(spec, { emptySelectorKind: 'deployment', deadlineKind: 'ReplicaSet' }));
  errs.push(...validateStrategy(rec(spec['strategy']) ?? {}));
  errs.push(...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit'));
  const pds = num(spec['progressDeadlineSeconds']);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(spec['minReadySeconds']) ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deploymentStrategy: ResourceStrategy = {
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    clearStatus(obj);
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    keepStatus(obj, old);
    // The generic store defaults after this hook; compare defaulted specs as upstream does.
    defaultDeployment(obj);
    // Annotation changes count too: the controller copies them onto ReplicaSets.
    updateGeneration(obj, old, { annotations: true });
  },
  validateCreate: validateDeploymentSpec,
  validateUpdate(obj, old) {
    return [...validateDeploymentSpec(obj), ...validateSelectorImmutable(rec(obj['spec']) ?? {}, rec(old['spec']) ?? {})];
  },
  validateStatusUpdate(obj, old) {
    const status = rec(obj['status']) ?? {};
    return [
      ...validateReplicaCounters(status, {
        counters: ['updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'],
        bounded: ['updatedReplicas', 'readyReplicas', 'availableReplicas'],
        readyMessage: 'cannot be greater than readyReplicas',
      }),
      ...validateCollisionCount(status, rec(old['status']) ?? {}),
    ];
  },
};
