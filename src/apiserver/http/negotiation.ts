/**
 * Accept negotiation for API resources, as the apiserver's negotiation package:
 * a request whose Accept header names none of the API's media types (nor a
 * wildcard that covers one) gets 406 NotAcceptable. The body is always JSON
 * (YAML readers parse it too); protobuf is accepted because clients asking for
 * it always list JSON as well.
 */
import * as errors from '../status.js';

export const ACCEPTED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;

const ACCEPTABLE: ReadonlySet<string> = new Set<string>([...ACCEPTED_MEDIA_TYPES, '*/*', 'application/*']);

/** True when an answer in one of ACCEPTED_MEDIA_TYPES satisfies `accept` (absent or empty accepts anything). */
export function acceptsApiMedia(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const [media, ...params] = part.split(';');
    const mt = (media ?? '').trim().toLowerCase();
    // q=0 means "not acceptable".
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (ACCEPTABLE.has(mt)) return true;
  }
  return false;
}

/** Throws 406 NotAcceptable (upstream message) unless `accept` allows an API media type. */
export function checkAcceptable(accept: string | undefined): void {
  if (!acceptsApiMedia(accept)) throw errors.notAcceptable(`only the following media types are accepted: ${ACCEPTED_MEDIA_TYPES.join(', ')}`);
}
