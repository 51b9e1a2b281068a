/**
 * Revision names without ControllerRevision objects (which Switchyard does not serve).
 *
 * Upstream stores each pod template as a ControllerRevision named `<set>-<hash>`, where hash is
 * the FNV-32a of the revision data (plus the collision count) printed in decimal and passed
 * through rand.SafeEncodeString. Switchyard computes the name the same way from the template
 * alone, so it is stable and reproducible but not stored: the template of an older revision
 * is recovered from a live pod that carries it (see `templateFromPod`).
 */
import { POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL } from './statefulset-pods.js';
import type { Pod, PodTemplate, StatefulSet } from './statefulset-types.js';

/** Alphabet of k8s.io/apimachinery's rand.SafeEncodeString (no vowels, no confusable digits). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted at every level, so equal templates hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The hash part of a revision name for `template`. */
export function templateHash(template: PodTemplate | undefined, collisionCount: number): string {
  const data = canonicalJson(template ?? {}) + (collisionCount > 0 ? `#${collisionCount}` : '');
  return safeEncodeString(String(fnv32a(data)));
}

/** `<set>-<hash>`: the update revision of the set's current template. */
export function updateRevisionName(set: StatefulSet): string {
  return `${set.metadata.name ?? ''}-${templateHash(set.spec?.template, set.status?.collisionCount ?? 0)}`;
}

/**
 * A pod template equivalent to the one `pod` was made from: its labels without the
 * identity/revision labels, its annotations, and its spec without what the controller,
 * the scheduler and the kubelet add per pod.
 */
export function templateFromPod(pod: Pod): PodTemplate {
  const labels = { ...pod.metadata.labels };
  delete labels[POD_NAME_LABEL];
  delete labels[POD_INDEX_LABEL];
  delete labels[REVISION_LABEL];
  const spec = JSON.parse(JSON.stringify(pod.spec ?? {})) as Record<string, unknown>;
  delete spec['nodeName'];
  delete spec['hostname'];
  delete spec['subdomain'];
  const metadata: PodTemplate['metadata'] = { labels };
  if (pod.metadata.annotations) metadata.annotations = { ...pod.metadata.annotations };
  return { metadata, spec };
}
