/**
 * The Service strategy (upstream pkg/registry/core/service/strategy.go):
 * defaulting, status handling, the clusterIP/type inference on update, and
 * validation. Allocation of IPs and ports is separate (service-allocations.ts).
 */
import { type KubeObject, cloneJson, isRecord } from '../../../api/object.js';
import type { ResourceStrategy } from '../../strategy.js';
import { defaultService } from './service-defaults.js';
import { normalizeClusterIPs, prepareServiceUpdate } from './service-prepare.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service-validation.js';

export const serviceStrategy: ResourceStrategy = {
  validatesObjectMeta: true,

  /** Field selectors upstream supports on Services (besides metadata.name/namespace). */
  fieldLabels(obj: KubeObject): Record<string, string> {
    const spec = (isRecord(obj['spec']) ? obj['spec'] : {}) as { clusterIP?: string; type?: string };
    return { 'spec.clusterIP': spec.clusterIP ?? '', 'spec.type': spec.type ?? '' };
  },

  defaults(obj: KubeObject): void {
    defaultService(obj);
  },

  /** Status is the controllers' business: a new Service starts with `status: {loadBalancer: {}}`. */
  prepareForCreate(obj: KubeObject): void {
    obj['status'] = { loadBalancer: {} };
    normalizeClusterIPs(obj, undefined);
  },

  /** Keep the stored status, then infer what the client meant for linked fields. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void {
    if (isRecord(old['status'])) obj['status'] = cloneJson(old['status']);
    else delete obj['status'];
    prepareServiceUpdate(obj, old);
  },

  validateCreate(obj: KubeObject) {
    return validateService(obj);
  },

  validateUpdate(obj: KubeObject, old: KubeObject) {
    return validateServiceUpdate(obj, old);
  },

  validateStatusUpdate(obj: KubeObject, old: KubeObject) {
    return validateServiceStatusUpdate(obj, old);
  },
};
