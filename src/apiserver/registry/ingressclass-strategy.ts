/**
 * networking.k8s.io/v1 IngressClasses (upstream ValidateIngressClass/Update):
 * a domain-prefixed controller name (at most 250 bytes, immutable) and an
 * optional parameters reference.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, invalid, notSupported, required, tooLong } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isDns1123Subdomain, nameIsDns1123Label } from '../validation/names.js';
import { validateImmutableField } from '../validation/object-meta.js';
import { rec, str } from './json-shape.js';
import { validateDomainPrefixedPath } from './value-formats.js';

const MAX_CONTROLLER_LENGTH = 250;

function validateParameters(params: unknown, p: FieldPath): FieldError[] {
  const r = rec(params);
  if (!r) return [];
  const errs: FieldError[] = [];
  if (typeof r['apiGroup'] === 'string') {
    const group = r['apiGroup'];
    errs.push(...isDns1123Subdomain(group).map((m) => invalid(p.child('apiGroup').toString(), group, m)));
  }
  for (const key of ['kind', 'name']) {
    const v = str(r[key]);
    if (!v) errs.push(required(p.child(key).toString()));
    else if (v === '.' || v === '..' || v.includes('/') || v.includes('%')) {
      errs.push(invalid(p.child(key).toString(), v, v.includes('/') ? "may not contain '/'" : v.includes('%') ? "may not contain '%'" : `may not be '${v}'`));
    }
  }
  const scope = r['scope'];
  const namespace = r['namespace'];
  if (typeof scope === 'string') {
    if (scope !== 'Namespace' && scope !== 'Cluster') errs.push(notSupported(p.child('scope').toString(), scope, ['Cluster', 'Namespace']));
    if (scope === 'Namespace' && typeof namespace !== 'string') errs.push(required(p.child('namespace').toString(), '`parameters.scope` is set to "Namespace"'));
    if (scope === 'Cluster' && namespace !== undefined && namespace !== null) {
      errs.push({ type: 'Forbidden', field: p.child('namespace').toString(), detail: '`parameters.scope` is set to "Cluster"' });
    }
  }
  if (typeof namespace === 'string') {
    errs.push(...nameIsDns1123Label(namespace, false).map((m) => invalid(p.child('namespace').toString(), namespace, m)));
  }
  return errs;
}

export function validateIngressClass(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const p = FieldPath.root('spec');
  const controller = str(spec['controller']);
  const errs: FieldError[] = [];
  if (!controller) errs.push(required(p.child('controller').toString()));
  else {
    if (Buffer.byteLength(controller) > MAX_CONTROLLER_LENGTH) errs.push(tooLong(p.child('controller').toString(), MAX_CONTROLLER_LENGTH));
    errs.push(...validateDomainPrefixedPath(controller, p.child('controller').toString()));
  }
  errs.push(...validateParameters(spec['parameters'], p.child('parameters')));
  return errs;
}

export const ingressClassStrategy: ResourceStrategy = {
  validateCreate: validateIngressClass,
  validateUpdate(obj, old) {
    return [
      ...validateImmutableField(rec(obj['spec'])?.['controller'], rec(old['spec'])?.['controller'], 'spec.controller'),
      ...validateIngressClass(obj),
    ];
  },
};
