/**
 * The resourceVersion semantics of a LIST (upstream "Resource versions" in the
 * API concepts): unset or "0" read the latest data; a version with
 * `resourceVersionMatch=NotOlderThan` (or without a match and without a limit)
 * needs data at least that new; `Exact` (or a version with a limit, the legacy
 * paging form) reads the snapshot at exactly that version. A version the store
 * has not reached yet is waited for briefly, then refused as upstream's watch
 * cache does; a compacted exact version is 410.
 */
import { forbidden, notSupported, type FieldError } from '../field-errors.js';
import * as errors from '../status.js';

export interface ListVersionQuery {
  readonly resourceVersion: string | undefined;
  readonly resourceVersionMatch: string | undefined;
  readonly continueToken: string | undefined;
  readonly limit: number;
}

/** What the store read must be: the latest data, or a snapshot at a revision. */
export type ListVersionPlan = { readonly kind: 'latest'; readonly notOlderThan?: number } | { readonly kind: 'exact'; readonly revision: number };

const MATCHES = ['Exact', 'NotOlderThan', ''] as const;

/** Upstream ValidateListOptions (422 Invalid on ListOptions.meta.k8s.io), then the plan. */
export function planListVersion(q: ListVersionQuery): ListVersionPlan {
  const rv = q.resourceVersion ?? '';
  const match = q.resourceVersionMatch ?? '';
  const errs: FieldError[] = [];
  if (match !== '') {
    if (rv === '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (q.continueToken) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (!(MATCHES as readonly string[]).includes(match)) errs.push(notSupported('resourceVersionMatch', match, MATCHES));
    if (match === 'Exact' && rv === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (errs.length > 0) throw errors.invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
  if (rv === '' || rv === '0') return { kind: 'latest' };
  const revision = /^[0-9]+$/.test(rv) ? Number(rv) : NaN;
  if (!Number.isSafeInteger(revision)) throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  const exact = match === 'Exact' || (match === '' && q.limit > 0 && !q.continueToken);
  return exact ? { kind: 'exact', revision } : { kind: 'latest', notOlderThan: revision };
}

/** How long a LIST waits for a resourceVersion the store has not reached (upstream: 3 s). */
export const TOO_LARGE_WAIT_MS = 3_000;

/**
 * Resolves once `current()` reaches `revision`, polling; after `waitMs` rejects
 * with upstream's 504 "Too large resource version".
 */
export async function waitForRevision(revision: number, current: () => number, waitMs = TOO_LARGE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (current() < revision) {
    if (Date.now() >= deadline) throw tooLargeResourceVersion(revision, current());
    await new Promise((r) => setTimeout(r, 25));
  }
}

function tooLargeResourceVersion(requested: number, current: number): errors.ApiError {
  const e = errors.timeout(`Too large resource version: ${requested}, current: ${current}`, 1);
  e.status.details = { ...e.status.details, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] };
  return e;
}
