/**
 * Conversions between stored key/values and API objects. The stored JSON never
 * carries `metadata.resourceVersion`: it is the key's modRevision, filled in on
 * read (as the etcd3 storage layer of kube-apiserver does).
 */
import type { KeyValue } from '../../storage/store.js';
import type { KubeObject } from '../../api/object.js';

/**
 * Parsed objects by `key@modRevision`; shared read-only between watchers and
 * lists. It exists for watch fan-out (every watcher of an event decodes the same
 * value), so it is small: holding every object of a large cluster here would
 * cost more memory (several KB per object) than re-parsing saves.
 */
const cache = new Map<string, KubeObject>();
const CACHE_LIMIT = 4_096;

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

/**
 * The stored text, with apiVersion, kind and metadata written first so that
 * `objectJson` can find the top-level metadata without parsing.
 */
export function encodeForStorage(obj: KubeObject): string {
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = obj.metadata;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

/** `{"apiVersion":"…","kind":"…","metadata":{` at the start of text written by encodeForStorage. */
const STORED_PREFIX = /^\{"apiVersion":"(?:[^"\\]|\\.)*","kind":"(?:[^"\\]|\\.)*","metadata":\{/;

/**
 * The JSON text of the object a key/value holds, resourceVersion included,
 * equal in content to `JSON.stringify(decodeShared(kv))`. Text written by
 * encodeForStorage is spliced instead of parsed and re-serialised, which is
 * what makes large LISTs and watch fan-out cheap; anything else is decoded.
 */
export function objectJson(kv: KeyValue): string {
  const v = kv.value;
  const m = STORED_PREFIX.exec(v);
  if (!m) return JSON.stringify(decodeShared(kv));
  const at = m[0].length;
  const rv = `"resourceVersion":"${kv.modRevision}"`;
  return `${v.slice(0, at)}${rv}${v[at] === '}' ? '' : ','}${v.slice(at)}`;
}
