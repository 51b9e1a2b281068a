/**
 * The seam between the DNS server and what it serves. A backend is authoritative for some zones
 * (the cluster zone; a static zone in tests) and answers questions from its current data; names it
 * does not own (or reverse names it falls through on) come back as `pass` and go upstream.
 */
import type { Question, ResourceRecord } from './message/message.js';

export interface ZoneAnswer {
  readonly kind: 'answer';
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
  /**
   * A CNAME target outside every zone of the backend: the server resolves it (upstream) and
   * appends the result, so the client gets the whole chain in one answer.
   */
  readonly chase?: Question;
}

export type BackendResult = ZoneAnswer | { readonly kind: 'pass' };

export const PASS: BackendResult = { kind: 'pass' };

export interface DnsBackend {
  /** Used as the `plugin` label of coredns_dns_responses_total ('kubernetes', 'file'). */
  readonly name: string;
  /** Canonical zones (lower case, trailing dot) whose names this backend owns. */
  readonly zones: readonly string[];
  /** False until the first full load: the server answers SERVFAIL for names in `zones` meanwhile. */
  ready(): boolean;
  /**
   * Answers a question whose name is canonical (lower case, trailing dot). Synchronous and free of
   * side effects: the same data and question give the same answer.
   */
  lookup(q: Question): BackendResult;
  /** Changes whenever the data changes: an answer cached under an older generation is stale. */
  generation(): number;
  /**
   * The search path of the client at `ip` (autopath), most specific first, or undefined when the
   * client is unknown. The server appends the host search domains and the root.
   */
  searchPath?(ip: string): readonly string[] | undefined;
}
