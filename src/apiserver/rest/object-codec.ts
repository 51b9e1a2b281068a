/**
 * Conversions between stored key/values and API objects. The stored JSON never
 * carries `metadata.resourceVersion`: it is the key's modRevision, filled in on
 * read (as the etcd3 storage layer of kube-apiserver does).
 */
import type { KeyValue } from '../../storage/store.js';
import type { KubeObject } from '../../api/object.js';

/** Parsed objects by `key@modRevision`; shared read-only between watchers and lists. */
const cache = new Map<string, KubeObject>();
const CACHE_LIMIT = 50_000;

/** Decode a stored value. The returned object must be treated as read-only. */
export function decodeShared(kv: KeyValue): KubeObject {
  const id = `${kv.key}@${kv.modRevision}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  if (cache.size >= CACHE_LIMIT) {
    // Drop the oldest tenth; Map iteration is insertion order.
    let n = CACHE_LIMIT / 10;
    for (const k of cache.keys()) {
      cache.delete(k);
      if (--n <= 0) break;
    }
  }
  cache.set(id, obj);
  return obj;
}

/** Decode into a fresh, mutable object. */
export function decodeMutable(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

export function encodeForStorage(obj: KubeObject): string {
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}
