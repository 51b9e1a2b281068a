/**
 * apps/v1 StatefulSets (upstream pkg/registry/apps/statefulset/strategy.go,
 * SetDefaults_StatefulSet, ValidateStatefulSetSpec/Update).
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { jsonEqual } from '../validation/object-meta.js';
import { clearStatus, keepStatus, updateGeneration } from './generation.js';
import { goIntOrString, invalidRendered } from './go-format.js';
import { type JsonRecord, ensureRecord, num, rec, records, setDefault, str } from './json-shape.js';
import { defaultWorkloadTemplate } from './pod-template-defaults.js';
import {
  intOrPercentValue,
  nonNegative,
  validateCollisionCount,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateReplicaCounters,
  validateSelectorAndTemplate,
} from './workload-validation.js';

/** Spec fields a StatefulSet update may change; the rest is immutable. */
const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
const IMMUTABLE_SPEC_MESSAGE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** The PVC defaults (SetDefaults_PersistentVolumeClaim/Spec) on the embedded claim templates. */
function defaultClaimTemplate(claim: JsonRecord): void {
  setDefault(claim, 'apiVersion', 'v1');
  setDefault(claim, 'kind', 'PersistentVolumeClaim');
  const meta = ensureRecord(claim, 'metadata');
  if (!('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
  const spec = ensureRecord(claim, 'spec');
  setDefault(spec, 'volumeMode', 'Filesystem');
  setDefault(ensureRecord(claim, 'status'), 'phase', 'Pending');
}

/** SetDefaults_StatefulSet plus the pod template and claim template defaults. */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = ensureRecord(obj, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const updateStrategy = ensureRecord(spec, 'updateStrategy');
  if (!str(updateStrategy['type'])) {
    updateStrategy['type'] = 'RollingUpdate';
    ensureRecord(updateStrategy, 'rollingUpdate');
  }
  const rollingUpdate = rec(updateStrategy['rollingUpdate']);
  if (updateStrategy['type'] === 'RollingUpdate' && rollingUpdate && typeof rollingUpdate['partition'] !== 'number') {
    rollingUpdate['partition'] = 0;
  }
  const retention = ensureRecord(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  if (typeof spec['replicas'] !== 'number') spec['replicas'] = 1;
  if (typeof spec['revisionHistoryLimit'] !== 'number') spec['revisionHistoryLimit'] = 10;
  defaultWorkloadTemplate(spec);
  for (const claim of records(spec['volumeClaimTemplates'])) defaultClaimTemplate(claim);
}

function goRollingUpdate(ru: JsonRecord): string {
  const mu = ru['maxUnavailable'] === undefined || ru['maxUnavailable'] === null ? '(*intstr.IntOrString)(nil)' : '(*intstr.IntOrString)(0xc000000000)';
  return `apps.RollingUpdateStatefulSetStrategy{Partition:${num(ru['partition']) ?? 0}, MaxUnavailable:${mu}}`;
}

function validateUpdateStrategy(us: JsonRecord): FieldError[] {
  const p = FieldPath.root('spec').child('updateStrategy');
  const type = str(us['type']);
  const ru = rec(us['rollingUpdate']);
  switch (type) {
    case '':
      return [required(p.toString())];
    case 'OnDelete':
      return ru ? [invalidRendered(p.child('rollingUpdate').toString(), goRollingUpdate(ru), "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      if (!ru) return [];
      const rp = p.child('rollingUpdate');
      const errs = nonNegative(ru['partition'], rp.child('partition').toString());
      const mu = ru['maxUnavailable'];
      if (mu !== undefined && mu !== null) {
        errs.push(...validatePositiveIntOrPercent(mu, rp.child('maxUnavailable').toString()));
        if (intOrPercentValue(mu) === 0) errs.push(invalidRendered(rp.child('maxUnavailable').toString(), goIntOrString(mu), 'cannot be 0'));
        errs.push(...validateNotMoreThan100Percent(mu, rp.child('maxUnavailable').toString()));
      }
      return errs;
    }
    default: {
      const ruText = ru ? '(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)' : '(*apps.RollingUpdateStatefulSetStrategy)(nil)';
      return [invalidRendered(p.toString(), `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${ruText}}`, "must be 'RollingUpdate' or 'OnDelete'")];
    }
  }
}

/** Upstream ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const sp = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const pmp = str(spec['podManagementPolicy']);
  if (!pmp) errs.push(required(sp.child('podManagementPolicy').toString()));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(sp.child('podManagementPolicy').toString(), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(rec(spec['updateStrategy']) ?? {}));
  const retention = rec(spec['persistentVolumeClaimRetentionPolicy']);
  if (retention) {
    for (const key of ['whenDeleted', 'whenScaled']) {
      const v = str(retention[key]);
      if (v !== 'Retain' && v !== 'Delete') {
        errs.push(notSupported(sp.child('persistentVolumeClaimRetentionPolicy').child(key).toString(), v, ['Retain', 'Delete']));
      }
    }
  }
  errs.push(...nonNegative(spec['replicas'], 'spec.replicas'));
  errs.push(...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'));
  const ordinals = rec(spec['ordinals']);
  if (ordinals) errs.push(...nonNegative(ordinals['start'], 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, { emptySelectorKind: 'statefulset', deadlineKind: 'StatefulSet', metadataOnly: true }));
  return errs;
}

/** Upstream ValidateStatefulSetUpdate: only some spec fields may change. */
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStatefulSetSpec(obj);
  const spec: JsonRecord = { ...(rec(obj['spec']) ?? {}) };
  const oldSpec = rec(old['spec']) ?? {};
  for (const key of MUTABLE_SPEC_FIELDS) spec[key] = oldSpec[key];
  if (!jsonEqual(spec, oldSpec)) errs.push(forbidden('spec', IMMUTABLE_SPEC_MESSAGE));
  return errs;
}

export const statefulSetStrategy: ResourceStrategy = {
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    clearStatus(obj);
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    keepStatus(obj, old);
    defaultStatefulSet(obj);
    updateGeneration(obj, old);
  },
  validateCreate: validateStatefulSetSpec,
  validateUpdate: validateStatefulSetUpdate,
  validateStatusUpdate(obj, old) {
    const status = rec(obj['status']) ?? {};
    return [
      ...validateReplicaCounters(status, {
        counters: ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'],
        bounded: ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'],
        readyMessage: 'cannot be greater than status.readyReplicas',
      }),
      ...validateCollisionCount(status, rec(old['status']) ?? {}),
    ];
  },
};
