/** resolv.conf (nameserver and search lines) and `host[:port]` upstream addresses. */
import { readFileSync } from 'node:fs';
import { canonicalIP } from './message/ip.js';
import { canonicalName } from './message/name.js';

export interface Upstream {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`, optionally prefixed `dns://`. Throws on anything else. */
export function parseUpstream(text: string, defaultPort = 53): Upstream {
  const t = text.trim().replace(/^dns:\/\//, '');
  let host = t;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1] ?? '';
    if (bracket[2]) port = Number(bracket[2]);
  } else if (t.split(':').length === 2) {
    const [h, p] = t.split(':');
    host = h ?? '';
    port = Number(p);
  }
  const ip = canonicalIP(host);
  if (!ip) throw new Error(`upstream ${JSON.stringify(text)} is not an IP address (host names are not resolved)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`upstream ${JSON.stringify(text)} has an invalid port`);
  return { host: ip.text, port, family: ip.family };
}

export function formatUpstream(u: Upstream): string {
  return u.family === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
}

export interface ResolvConf {
  readonly nameservers: readonly Upstream[];
  /** Canonical search domains. */
  readonly search: readonly string[];
}

/** Parses resolv.conf text; unparsable nameserver lines (e.g. with a zone index) are skipped. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: Upstream[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) {
      try {
        nameservers.push(parseUpstream(rest[0]));
      } catch {
        // e.g. fe80::1%eth0: not usable without the zone index
      }
    } else if (key === 'search' || key === 'domain') {
      search = rest.filter(Boolean).map(canonicalName);
    }
  }
  return { nameservers, search };
}

export function readResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  return parseResolvConf(readFileSync(path, 'utf8'));
}
