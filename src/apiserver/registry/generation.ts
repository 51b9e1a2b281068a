/**
 * metadata.generation handling for kinds with a spec (upstream strategies'
 * PrepareForCreate/PrepareForUpdate): 1 on create, +1 on every update that
 * changes the spec (Deployments also count annotation changes, because their
 * annotations are copied onto ReplicaSets).
 */
import type { KubeObject } from '../../api/object.js';
import { jsonEqual } from '../validation/object-meta.js';

/** Whether anything but metadata, status, apiVersion and kind differs between the objects. */
export function specChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !jsonEqual(strip(obj), strip(old));
}

/**
 * Set `obj.metadata.generation` from `old`: unchanged, or old+1 when the spec
 * (or, with `annotations`, the annotations) changed. Idempotent for one update.
 */
export function updateGeneration(obj: KubeObject, old: KubeObject, opts: { annotations?: boolean } = {}): void {
  const oldGen = typeof old.metadata.generation === 'number' ? old.metadata.generation : 0;
  const changed = specChanged(obj, old) || (opts.annotations === true && !jsonEqual(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {}));
  obj.metadata.generation = changed ? oldGen + 1 : oldGen;
}

/** Status is cleared on create and kept from the stored object on a main-resource update. */
export function clearStatus(obj: KubeObject): void {
  obj['status'] = {};
}

export function keepStatus(obj: KubeObject, old: KubeObject): void {
  if (old['status'] !== undefined) obj['status'] = old['status'];
  else delete obj['status'];
}
