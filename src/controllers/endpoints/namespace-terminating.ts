/**
 * Recognises the refusal to create objects in a namespace that is being deleted, so that
 * controllers drop the key instead of retrying (upstream checks the NamespaceTerminating cause).
 */
import { isRecord } from '../../api/object.js';
import { KubeApiError } from '../../client/kube-client.js';

/** True for a 403 whose Status carries the NamespaceTerminating cause or the matching message. */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof KubeApiError) || err.code !== 403) return false;
  const details = isRecord(err.status) && isRecord(err.status.details) ? err.status.details : undefined;
  const causes = Array.isArray(details?.causes) ? details.causes : [];
  if (causes.some((c) => isRecord(c) && c.type === 'NamespaceTerminating')) return true;
  return /because it is being terminated/.test(err.message);
}
