/**
 * The `pod-template-hash` of a Deployment's pod template (upstream controller.ComputeHash) and
 * template equality ignoring that label (upstream EqualIgnoreHash).
 *
 * Upstream hashes Go's printed form of the PodTemplateSpec with FNV-32a, then the collision count
 * as 8 little-endian bytes, and renders the decimal sum with rand.SafeEncodeString. Go's printed
 * form cannot be reproduced from JSON, so this hashes a canonical JSON form (sorted keys, no
 * nulls or empty maps/lists) instead: same algorithm and alphabet, stable across restarts and key
 * order, but not the same values as a real cluster computes for the same template.
 */
import type { PodTemplateSpecJson } from '../replicaset/workload-types.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** rand.SafeEncodeString's alphabet: no vowels (no words) and no confusable characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bit, over `bytes`, continuing from `hash`. */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each byte of `s` mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[b % SAFE_ALPHABET.length];
  return out;
}

/** Drops nulls and empty maps/lists, recursively (Go's nil and empty compare equal semantically). */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = prune((v as Record<string, unknown>)[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** Canonical JSON of a value: sorted keys, nulls and empty maps/lists left out. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(prune(v) ?? {});
}

/** The template without the pod-template-hash label (and without the metadata fields a template never keeps). */
function withoutHash(t: PodTemplateSpecJson | undefined): unknown {
  const meta = { ...(t?.metadata ?? {}) };
  delete meta.creationTimestamp;
  if (meta.labels) {
    const labels = { ...meta.labels };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    meta.labels = labels;
  }
  return { ...(t ?? {}), metadata: meta };
}

/**
 * The hash naming a Deployment's ReplicaSet for `template` (`<deployment>-<hash>`) and labelling
 * its pods. `collisionCount` (Deployment status) changes the hash after a name collision.
 */
export function computePodTemplateHash(template: PodTemplateSpecJson | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(withoutHash(template)), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

/** Whether two templates are equal once the pod-template-hash label is ignored (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpecJson | undefined, b: PodTemplateSpecJson | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}
