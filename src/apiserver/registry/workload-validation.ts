/**
 * Validation shared by the apps/v1 workloads (upstream pkg/apis/apps/validation):
 * selector versus pod template, int-or-percent fields, selector immutability
 * and the non-negative replica counters of their status.
 */
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../field-errors.js';
import {
  jsonEqual,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
  validateNonnegativeField,
} from '../validation/object-meta.js';
import { goIntOrString, goLabelSelector, goStringMap, invalidRendered } from './go-format.js';
import { type JsonRecord, num, rec, str, stringMap } from './json-shape.js';
import { selectorKind, selectorMatches } from './label-selector.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';
import { isValidPercent } from './value-formats.js';

export const FIELD_IMMUTABLE = 'field is immutable';

/** Upstream ValidateNonnegativeField on an optional number. */
export function nonNegative(v: unknown, path: string): FieldError[] {
  const n = num(v);
  return n === undefined ? [] : validateNonnegativeField(n, path);
}

export interface SelectorTemplateOptions {
  /** Word used in "empty selector is invalid for <kind>". */
  readonly emptySelectorKind: string;
  /** Kind named in "activeDeadlineSeconds in <kind> is not Supported". */
  readonly deadlineKind: string;
  /**
   * StatefulSets check only the template's labels and annotations, not its pod
   * spec (a standing TODO upstream), and report an unparsable selector without detail.
   */
  readonly metadataOnly?: boolean;
}

/**
 * spec.selector and spec.template of a Deployment, ReplicaSet or StatefulSet:
 * the selector is required, valid and non-empty, the template labels must
 * match it, the template must be a valid pod template with restartPolicy
 * Always and without activeDeadlineSeconds.
 */
export function validateSelectorAndTemplate(spec: JsonRecord, opts: SelectorTemplateOptions): FieldError[] {
  const errs: FieldError[] = [];
  const sp = FieldPath.root('spec');
  const selector = spec['selector'];
  let selectorValid = true;
  if (selector === undefined || selector === null) {
    errs.push(required(sp.child('selector').toString()));
  } else {
    const selErrs = validateLabelSelector(selector, 'spec.selector');
    errs.push(...selErrs);
    selectorValid = selErrs.length === 0;
    if (selectorKind(selector) === 'everything') {
      errs.push(invalidRendered('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${opts.emptySelectorKind}`));
    }
  }
  const template = rec(spec['template']) ?? {};
  const tp = sp.child('template');
  if (!selectorValid) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(selector), opts.metadataOnly ? '' : 'invalid label selector'));
  } else {
    const labels = stringMap(rec(template['metadata'])?.['labels']);
    // An absent selector matches nothing, so upstream reports the template too.
    if (selectorKind(selector) !== 'everything' && !selectorMatches(selector, labels)) {
      errs.push(invalidRendered(tp.child('metadata').child('labels').toString(), goStringMap(labels), '`selector` does not match template `labels`'));
    }
    if (opts.metadataOnly) {
      const meta = rec(template['metadata']) ?? {};
      errs.push(...validateLabels(meta['labels'], tp.child('labels').toString()));
      errs.push(...validateAnnotations(meta['annotations'], tp.child('annotations').toString()));
    } else {
      errs.push(...validatePodTemplateSpec(template, tp.toString()));
    }
  }
  const podSpec = rec(template['spec']) ?? {};
  const restartPolicy = str(podSpec['restartPolicy']);
  if (restartPolicy !== 'Always') errs.push(notSupported(tp.child('spec').child('restartPolicy').toString(), restartPolicy, ['Always']));
  if (podSpec['activeDeadlineSeconds'] !== undefined && podSpec['activeDeadlineSeconds'] !== null) {
    errs.push(forbidden(tp.child('spec').child('activeDeadlineSeconds').toString(), `activeDeadlineSeconds in ${opts.deadlineKind} is not Supported`));
  }
  return errs;
}

/** Numeric value of an int-or-percent (percent without '%'); invalid strings count as 0. */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isValidPercent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

/** Upstream ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidRendered(path, goIntOrString(v), m));
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  return [];
}

/** Upstream IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return [];
  return Number(v.slice(0, -1)) > 100 ? [invalidRendered(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}

/** spec.selector may not change on update in apps/v1. */
export function validateSelectorImmutable(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  if (jsonEqual(spec['selector'], oldSpec['selector'])) return [];
  return [invalidRendered('spec.selector', goLabelSelector(spec['selector']), FIELD_IMMUTABLE)];
}

/**
 * Replica counters of a workload status: `counters` (and replicas,
 * observedGeneration, collisionCount) non-negative, `bounded` ones not above
 * status.replicas, availableReplicas not above readyReplicas.
 */
export function validateReplicaCounters(
  status: JsonRecord,
  opts: { counters: readonly string[]; bounded: readonly string[]; readyMessage: string },
): FieldError[] {
  const errs: FieldError[] = [];
  const sp = FieldPath.root('status');
  for (const c of ['replicas', ...opts.counters, 'observedGeneration', 'collisionCount']) errs.push(...nonNegative(status[c], sp.child(c).toString()));
  const replicas = num(status['replicas']) ?? 0;
  for (const c of opts.bounded) {
    const v = num(status[c]) ?? 0;
    if (v > replicas) errs.push(invalid(sp.child(c).toString(), v, 'cannot be greater than status.replicas'));
  }
  const available = num(status['availableReplicas']) ?? 0;
  if (opts.bounded.includes('availableReplicas') && available > (num(status['readyReplicas']) ?? 0)) {
    errs.push(invalid(sp.child('availableReplicas').toString(), available, opts.readyMessage));
  }
  return errs;
}

/** status.collisionCount may not go down. */
export function validateCollisionCount(status: JsonRecord, oldStatus: JsonRecord): FieldError[] {
  const next = num(status['collisionCount']);
  const prev = num(oldStatus['collisionCount']);
  if (prev === undefined) return [];
  if (next === undefined || next < prev) return [invalid('status.collisionCount', next ?? 0, 'cannot be decremented')];
  return [];
}

