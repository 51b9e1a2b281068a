/**
 * core/v1 Nodes (upstream pkg/registry/core/node/strategy.go, ValidateNode,
 * ValidateNodeUpdate). Status may be set on create and is kept on
 * main-resource updates; podCIDRs and providerID are set-once.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, duplicate, forbidden, invalid } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { jsonEqual } from '../validation/object-meta.js';
import { arr, ensureRecord, rec, records, str } from './json-shape.js';
import { validateTaints } from './pod-spec-validation.js';
import { parseQuantity } from './quantity.js';
import { validateCidr } from './value-formats.js';

export function defaultNode(obj: KubeObject): void {
  const spec = ensureRecord(obj, 'spec');
  // v1 carries podCIDR next to podCIDRs; conversion keeps them in step.
  const cidrs = arr(spec['podCIDRs']).map(String);
  if (cidrs.length === 0 && str(spec['podCIDR'])) spec['podCIDRs'] = [str(spec['podCIDR'])];
  else if (cidrs.length > 0) spec['podCIDR'] = cidrs[0];
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  const status = rec(obj['status']);
  if (status && rec(status['capacity']) && status['allocatable'] === undefined) status['allocatable'] = { ...rec(status['capacity']) };
}

function validateResources(obj: KubeObject): FieldError[] {
  const status = rec(obj['status']) ?? {};
  const errs: FieldError[] = [];
  for (const bag of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries(rec(status[bag]) ?? {})) {
      const q = parseQuantity(v);
      if (q !== undefined && q < 0) errs.push(invalid(`status.${bag}.${k}`, String(v), 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

export function validateNode(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  // Upstream validates taints under the metadata path.
  const errs = validateTaints(spec['taints'], FieldPath.root('metadata').child('taints'));
  errs.push(...validateResources(obj));
  const cidrs = arr(spec['podCIDRs']).map(String);
  const cp = FieldPath.root('spec').child('podCIDRs');
  cidrs.forEach((c, i) => errs.push(...validateCidr(c, cp.index(i).toString())));
  if (cidrs.length > 1) {
    const v4 = cidrs.filter((c) => !c.includes(':')).length;
    if (cidrs.length > 2 || v4 !== 1) errs.push(invalid(cp.toString(), cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(cp.index(i).toString(), c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNodeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const oldSpec = rec(old['spec']) ?? {};
  const errs: FieldError[] = [...validateResources(obj)];
  const seen: unknown[] = [];
  records(rec(obj['status'])?.['addresses']).forEach((a, i) => {
    if (seen.some((s) => jsonEqual(s, a))) errs.push(duplicate(`status.addresses[${i}]`, a));
    seen.push(a);
  });
  const oldCidrs = arr(oldSpec['podCIDRs']).map(String);
  if (oldCidrs.length > 0) {
    const cidrs = arr(spec['podCIDRs']).map(String);
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (cidrs.length !== oldCidrs.length) errs.push(forbidden('spec.podCIDRs', msg));
    else oldCidrs.forEach((c, i) => c !== cidrs[i] && errs.push(forbidden('spec.podCIDRs', msg)));
  }
  const oldProvider = str(oldSpec['providerID']);
  if (oldProvider && oldProvider !== str(spec['providerID'])) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(spec['taints'], FieldPath.root('metadata').child('taints')));
  return errs;
}

export const nodeStrategy: ResourceStrategy = {
  defaults: defaultNode,
  prepareForUpdate(obj, old) {
    if (old['status'] !== undefined) obj['status'] = old['status'];
    else delete obj['status'];
  },
  validateCreate: validateNode,
  validateUpdate: validateNodeUpdate,
  // Upstream validates status updates with the same rules as main-resource updates.
  validateStatusUpdate: validateNodeUpdate,
  fieldLabels(obj) {
    return { 'spec.unschedulable': String(rec(obj['spec'])?.['unschedulable'] === true) };
  },
};
