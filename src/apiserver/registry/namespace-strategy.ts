/**
 * core/v1 Namespaces (upstream pkg/registry/core/namespace/strategy.go,
 * SetDefaults_Namespace/NamespaceStatus, ValidateNamespace). The name is a
 * DNS-1123 label; every namespace carries `kubernetes.io/metadata.name=<name>`;
 * new namespaces get the `kubernetes` finalizer and phase Active.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, invalid } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isQualifiedName } from '../validation/names.js';
import { arr, ensureRecord, rec, setDefault, str } from './json-shape.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';

export function defaultNamespace(obj: KubeObject): void {
  // Not possible for generateName-only objects; the generic store has named them by now.
  if (obj.metadata.name) {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: obj.metadata.name };
  }
  setDefault(ensureRecord(obj, 'status'), 'phase', 'Active');
}

/** Upstream validateFinalizerName for spec.finalizers: qualified, or one of the standard names. */
function validateFinalizerName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes('/') && name !== KUBERNETES_FINALIZER) {
    errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export function validateNamespace(obj: KubeObject): FieldError[] {
  const p = FieldPath.root('spec').child('finalizers').toString();
  return arr(rec(obj['spec'])?.['finalizers']).flatMap((f) => validateFinalizerName(String(f), p));
}

export const namespaceStrategy: ResourceStrategy = {
  defaults: defaultNamespace,
  prepareForCreate(obj) {
    obj['status'] = { phase: 'Active' };
    const spec = ensureRecord(obj, 'spec');
    const finalizers = arr(spec['finalizers']).map(String);
    if (!finalizers.includes(KUBERNETES_FINALIZER)) spec['finalizers'] = [...finalizers, KUBERNETES_FINALIZER];
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through the finalize subresource; status through /status.
    const spec = ensureRecord(obj, 'spec');
    const oldSpec = rec(old['spec']);
    if (oldSpec && 'finalizers' in oldSpec) spec['finalizers'] = oldSpec['finalizers'];
    else delete spec['finalizers'];
    if (old['status'] !== undefined) obj['status'] = old['status'];
  },
  validateCreate: validateNamespace,
  validateUpdate: () => [],
  validateStatusUpdate(obj) {
    const phase = str(rec(obj['status'])?.['phase']);
    if (!obj.metadata.deletionTimestamp) {
      return phase === 'Active' ? [] : [invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    }
    return phase === 'Terminating' ? [] : [invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
  },
  fieldLabels(obj) {
    return { 'status.phase': str(rec(obj['status'])?.['phase']) };
  },
};
