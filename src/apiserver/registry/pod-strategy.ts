/**
 * Pods (upstream pkg/registry/core/pod/strategy.go and core validation).
 * Defaults: the shared pod spec defaults plus SetDefaults_Pod
 * (enableServiceLinks, requests from limits, host ports under hostNetwork).
 * Create: status `{phase: Pending, qosClass}` and what the default admission
 * plugins add on a real cluster (service account `default`, priority 0 with
 * PreemptLowerPriority, the not-ready/unreachable NoExecute tolerations).
 * Update: the spec is immutable except images, activeDeadlineSeconds,
 * additions to tolerations and terminationGracePeriodSeconds from negative to 1.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isQualifiedName, isValidIP, nameIsDns1123Subdomain } from '../validation/names.js';
import { jsonEqual, validateImmutableField } from '../validation/object-meta.js';
import { type JsonRecord, arr, ensureRecord, num, rec, records, str } from './json-shape.js';
import { computePodQos } from './pod-qos.js';
import { validatePodSpec } from './pod-spec-validation.js';
import { defaultPodSpec } from './pod-template-defaults.js';

const TOLERATION_SECONDS = 300;
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
const SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized']);

/** Upstream's list of what a pod update may change, joined with ',' as in the message. */
const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function podSpec(obj: KubeObject): JsonRecord {
  return ensureRecord(obj, 'spec');
}

/** SetDefaults_Pod on top of the pod spec defaults. Idempotent. */
export function defaultPod(obj: KubeObject): void {
  const spec = podSpec(obj);
  for (const c of [...records(spec['containers']), ...records(spec['initContainers'])]) {
    const resources = rec(c['resources']);
    const limits = rec(resources?.['limits']);
    if (!resources || !limits) continue;
    const requests = ensureRecord(resources, 'requests');
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
  if (typeof spec['enableServiceLinks'] !== 'boolean') spec['enableServiceLinks'] = true;
  if (spec['hostNetwork'] === true) {
    for (const c of [...records(spec['containers']), ...records(spec['initContainers'])]) {
      for (const port of records(c['ports'])) {
        if (!num(port['hostPort'])) port['hostPort'] = port['containerPort'];
      }
    }
  }
  defaultPodSpec(spec);
}

function tolerates(tolerations: JsonRecord[], taintKey: string): boolean {
  return tolerations.some((t) => {
    const key = str(t['key']);
    const effect = str(t['effect']);
    return (key === taintKey || key === '') && (effect === 'NoExecute' || effect === '');
  });
}

/**
 * What the ServiceAccount, Priority and DefaultTolerationSeconds admission
 * plugins add to every new pod on a default cluster (the service account
 * token volume excepted).
 */
export function applyPodAdmissionDefaults(obj: KubeObject): void {
  const spec = podSpec(obj);
  if (!str(spec['serviceAccountName']) && !str(spec['serviceAccount'])) {
    spec['serviceAccountName'] = 'default';
    spec['serviceAccount'] = 'default';
  }
  if (!str(spec['priorityClassName']) && typeof spec['priority'] !== 'number') spec['priority'] = 0;
  if (!str(spec['preemptionPolicy'])) spec['preemptionPolicy'] = 'PreemptLowerPriority';
  const tolerations = records(spec['tolerations']);
  const added: JsonRecord[] = [];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!tolerates(tolerations, key)) {
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_SECONDS });
    }
  }
  if (added.length > 0) spec['tolerations'] = [...arr(spec['tolerations']), ...added];
}

/** Field selector values of a pod (upstream ToSelectableFields, minus metadata). */
export function podFieldLabels(obj: KubeObject): Record<string, string> {
  const spec = rec(obj['spec']) ?? {};
  const status = rec(obj['status']) ?? {};
  const podIPs = records(status['podIPs']);
  return {
    'spec.nodeName': str(spec['nodeName']),
    'spec.restartPolicy': str(spec['restartPolicy']),
    'spec.schedulerName': str(spec['schedulerName']),
    'spec.serviceAccountName': str(spec['serviceAccountName']),
    'spec.hostNetwork': String(spec['hostNetwork'] === true),
    'status.phase': str(status['phase']),
    'status.podIP': podIPs.length > 0 ? str(podIPs[0]?.['ip']) : '',
    'status.nominatedNodeName': str(status['nominatedNodeName']),
  };
}

/** Go-like field name for the spec diff in the update error (`nodeName` -> `NodeName`). */
function goFieldName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/**
 * A short diff of two pod specs in the layout of upstream's cmp.Diff output,
 * listing the top-level fields that differ (an approximation of the Go text).
 */
function specDiff(oldSpec: JsonRecord, newSpec: JsonRecord): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (jsonEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${goFieldName(k)}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${goFieldName(k)}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

function validateContainerUpdates(next: JsonRecord[], prev: JsonRecord[], p: FieldPath): { errs: FieldError[]; stop: boolean } {
  if (next.length !== prev.length) return { errs: [forbidden(p.toString(), 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  next.forEach((c, i) => {
    const image = str(c['image']);
    if (!image) errs.push(required(p.index(i).child('image').toString()));
    if (image.trim() !== image) errs.push(invalid(p.index(i).child('image').toString(), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** Upstream validateOnlyAddedTolerations: every old toleration must still be there (tolerationSeconds may change). */
function validateOnlyAddedTolerations(next: JsonRecord[], prev: JsonRecord[], p: FieldPath): FieldError[] {
  for (const old of prev) {
    const found = next.some((t) => jsonEqual({ ...old, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined }));
    if (!found) return [forbidden(p.toString(), 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return [];
}

/** Upstream ValidatePodUpdate (metadata aside). */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const oldSpec = rec(old['spec']) ?? {};
  const sp = FieldPath.root('spec');
  const errs = validatePodSpec(spec, 'spec', { resourceIsPod: true });

  for (const key of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(records(spec[key]), records(oldSpec[key]), sp.child(key));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }

  const ads = num(spec['activeDeadlineSeconds']);
  const oldAds = num(oldSpec['activeDeadlineSeconds']);
  if (ads !== undefined) {
    if (ads < 0 || ads > 2147483647) {
      errs.push(invalid(sp.child('activeDeadlineSeconds').toString(), ads, 'must be between 0 and 2147483647, inclusive'));
      return errs;
    }
    if (oldAds !== undefined && oldAds < ads) {
      errs.push(invalid(sp.child('activeDeadlineSeconds').toString(), ads, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldAds !== undefined) {
    errs.push(invalid(sp.child('activeDeadlineSeconds').toString(), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(records(spec['tolerations']), records(oldSpec['tolerations']), sp.child('tolerations')));

  if (jsonEqual(spec, oldSpec)) return errs;
  // Put the updatable fields back to their old values; whatever still differs is forbidden.
  const munged: JsonRecord = { ...spec };
  for (const key of ['containers', 'initContainers']) {
    const prev = records(oldSpec[key]);
    if (Array.isArray(spec[key])) munged[key] = records(spec[key]).map((c, i) => ({ ...c, image: prev[i]?.['image'] }));
  }
  munged['activeDeadlineSeconds'] = oldSpec['activeDeadlineSeconds'];
  munged['tolerations'] = oldSpec['tolerations'];
  munged['schedulingGates'] = oldSpec['schedulingGates'];
  const oldGrace = num(oldSpec['terminationGracePeriodSeconds']);
  if (oldGrace !== undefined && oldGrace < 0 && num(munged['terminationGracePeriodSeconds']) === 1) {
    munged['terminationGracePeriodSeconds'] = oldSpec['terminationGracePeriodSeconds'];
  }
  if (!jsonEqual(munged, oldSpec)) {
    errs.push(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(oldSpec, munged)}`,
      ),
    );
  }
  return errs;
}

/** Upstream ValidatePodStatusUpdate (metadata aside). */
export function validatePodStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = rec(obj['status']) ?? {};
  const oldStatus = rec(old['status']) ?? {};
  const errs: FieldError[] = [];
  records(status['conditions']).forEach((c, i) => {
    const type = str(c['type']);
    if (SYSTEM_CONDITIONS.has(type)) return;
    // Upstream reports custom condition types under `metadata.conditions` (sic).
    errs.push(...isQualifiedName(type).map((m) => invalid(`metadata.conditions[${i}].Type`, type, m)));
  });
  const sp = FieldPath.root('status');
  if (str(rec(obj['spec'])?.['nodeName']) !== str(rec(old['spec'])?.['nodeName'])) {
    errs.push(forbidden(sp.child('nodeName').toString(), 'may not be changed directly'));
  }
  const nominated = str(status['nominatedNodeName']);
  if (nominated && nominated !== str(oldStatus['nominatedNodeName'])) {
    errs.push(...nameIsDns1123Subdomain(nominated, false).map((m) => invalid(sp.child('nominatedNodeName').toString(), nominated, m)));
  }
  errs.push(...validateImmutableField(status['qosClass'], oldStatus['qosClass'], sp.child('qosClass').toString()));
  for (const key of ['podIPs', 'hostIPs']) {
    records(status[key]).forEach((entry, i) => {
      const ip = str(entry['ip']);
      errs.push(...isValidIP(ip).map((m) => invalid(sp.child(key).index(i).toString(), ip, m)));
    });
  }
  const hostIPs = records(status['hostIPs']);
  if (hostIPs.length > 0 && str(status['hostIP']) !== str(hostIPs[0]?.['ip'])) {
    errs.push(invalid(sp.child('hostIPs').index(0).child('ip').toString(), str(hostIPs[0]?.['ip']), 'must be equal to `hostIP`'));
  }
  return errs;
}

export const podStrategy: ResourceStrategy = {
  defaults: defaultPod,
  prepareForCreate(obj) {
    // Runs before `defaults` in the generic store; QoS needs requests defaulted from limits.
    defaultPod(obj);
    applyPodAdmissionDefaults(obj);
    obj['status'] = { phase: 'Pending', qosClass: computePodQos(podSpec(obj)) };
  },
  prepareForUpdate(obj, old) {
    if (old['status'] !== undefined) obj['status'] = old['status'];
    else delete obj['status'];
  },
  validateCreate(obj) {
    const errs = validatePodSpec(obj['spec'], 'spec', { resourceIsPod: true });
    if (arr(rec(obj['spec'])?.['ephemeralContainers']).length > 0) {
      errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    }
    if (str(rec(obj['spec'])?.['nodeName']) && arr(rec(obj['spec'])?.['schedulingGates']).length > 0) {
      errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
    }
    return errs;
  },
  validateUpdate: validatePodUpdate,
  validateStatusUpdate: validatePodStatusUpdate,
  fieldLabels: podFieldLabels,
};
