/**
 * coordination.k8s.io/v1 Leases (upstream pkg/apis/coordination/validation).
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, forbidden, invalid, notSupported } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { num, rec, str } from './json-shape.js';

export function validateLease(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const errs: FieldError[] = [];
  const duration = num(spec['leaseDurationSeconds']);
  if (duration !== undefined && duration <= 0) errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(spec['leaseTransitions']);
  if (transitions !== undefined && transitions < 0) {
    errs.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  const strategy = str(spec['strategy']);
  if (strategy && strategy !== 'OldestEmulationVersion') errs.push(notSupported('spec.strategy', strategy, ['OldestEmulationVersion']));
  if (str(spec['preferredHolder']) && !strategy) {
    errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseStrategy: ResourceStrategy = {
  validateCreate: validateLease,
  validateUpdate: validateLease,
};
