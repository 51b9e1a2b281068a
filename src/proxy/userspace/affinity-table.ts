/**
 * ClientIP session affinity: client address → real server, forgotten after
 * `timeoutSeconds` without a new connection (each new connection refreshes
 * it, like iptables `recent --set` / IPVS persistence).
 */
import type { Clock } from '../../client/clock.js';
import { realClock } from '../../client/clock.js';

export class AffinityTable {
  private readonly entries = new Map<string, { server: string; lastUsed: number }>();
  private readonly clock: Clock;
  timeoutMs: number;

  constructor(timeoutSeconds: number, clock: Clock = realClock) {
    this.timeoutMs = timeoutSeconds * 1000;
    this.clock = clock;
  }

  /** The pinned server of a client, if the entry has not expired. */
  get(clientIP: string): string | undefined {
    const e = this.entries.get(clientIP);
    if (!e) return undefined;
    if (this.clock.now() - e.lastUsed >= this.timeoutMs) {
      this.entries.delete(clientIP);
      return undefined;
    }
    return e.server;
  }

  /** Pins (or refreshes) a client. */
  set(clientIP: string, server: string): void {
    this.entries.set(clientIP, { server, lastUsed: this.clock.now() });
  }

  delete(clientIP: string): void {
    this.entries.delete(clientIP);
  }

  /** Drops every entry pointing at servers not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [ip, e] of this.entries) if (!keep.has(e.server)) this.entries.delete(ip);
  }

  /** Removes expired entries; returns how many remain. */
  sweep(): number {
    const now = this.clock.now();
    for (const [ip, e] of this.entries) if (now - e.lastUsed >= this.timeoutMs) this.entries.delete(ip);
    return this.entries.size;
  }
}
