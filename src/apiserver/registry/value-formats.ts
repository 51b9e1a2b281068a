/**
 * Further string-format checks from k8s.io/apimachinery/pkg/util/validation
 * that the registry needs beyond validation/names.ts: config keys, environment
 * variable names, percents, wildcard hosts, FQDNs, CIDRs and IP families.
 * Messages are worded as upstream's (Kubernetes 1.32).
 */
import { isIPv6 } from 'node:net';
import { type FieldError, invalid, required } from '../field-errors.js';
import {
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isDns1123Label,
  isDns1123Subdomain,
  maxLenError,
  parseIPv4Sloppy,
  regexError,
} from '../validation/names.js';

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const PERCENT_FMT = '[0-9]+%';
const PERCENT_RE = /^[0-9]+%$/;
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const WILDCARD_SUBDOMAIN_FMT = `\\*\\.${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const WILDCARD_SUBDOMAIN_RE = new RegExp(`^${WILDCARD_SUBDOMAIN_FMT}$`);
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH_RE = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

const byteLength = (v: string): number => Buffer.byteLength(v, 'utf8');

/** A key of ConfigMap/Secret data (upstream IsConfigMapKey). */
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!CONFIG_MAP_KEY_RE.test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/**
 * An environment variable name under the relaxed rule (RelaxedEnvironmentVariableValidation,
 * on by default since 1.32): printable ASCII except '='.
 */
export function isRelaxedEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (v.length === 0) errs.push('environment variable name must be non-empty');
  for (const ch of v) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c > 0x7e || ch === '=') {
      errs.push("environment variable name: a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

/** `25%` and the like (upstream IsValidPercent). */
export function isValidPercent(v: string): string[] {
  return PERCENT_RE.test(v) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, '1%', '93%')];
}

/** `*.example.com` (upstream IsWildcardDNS1123Subdomain). */
export function isWildcardDns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!WILDCARD_SUBDOMAIN_RE.test(v)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_SUBDOMAIN_FMT,
        '*.example.com',
      ),
    );
  }
  return errs;
}

/** Upstream IsFullyQualifiedDomainName (one error at most, as upstream returns early). */
export function validateFqdn(v: string, fieldPath: string): FieldError[] {
  if (v.length === 0) return [required(fieldPath)];
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  const sub = isDns1123Subdomain(name);
  if (sub.length > 0) return [invalid(fieldPath, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [invalid(fieldPath, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = isDns1123Label(label);
    if (errs.length > 0) return [invalid(fieldPath, label, errs.join(','))];
  }
  return [];
}

/** Upstream IsDomainPrefixedPath, e.g. an IngressClass controller `example.com/ingress`. */
export function validateDomainPrefixedPath(v: string, fieldPath: string): FieldError[] {
  if (v.length === 0) return [required(fieldPath)];
  const slash = v.indexOf('/');
  const host = slash < 0 ? v : v.slice(0, slash);
  const rest = slash < 0 ? '' : v.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) {
    return [invalid(fieldPath, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs = isDns1123Subdomain(host).map((m) => invalid(fieldPath, host, m));
  if (!HTTP_PATH_RE.test(rest)) errs.push(invalid(fieldPath, rest, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

export function isIPv4Address(v: string): boolean {
  return parseIPv4Sloppy(v) !== null;
}

export function isIPv6Address(v: string): boolean {
  return isIPv6(v);
}

/** Upstream IsValidIPv4Address. */
export function validateIPv4Address(v: string, fieldPath: string): FieldError[] {
  return isIPv4Address(v) || isIPv4MappedIPv6(v) ? [] : [invalid(fieldPath, v, 'must be a valid IPv4 address')];
}

/** Upstream IsValidIPv6Address. */
export function validateIPv6Address(v: string, fieldPath: string): FieldError[] {
  return isIPv6(v) && !isIPv4MappedIPv6(v) ? [] : [invalid(fieldPath, v, 'must be a valid IPv6 address')];
}

// Go's To4() also accepts ::ffff:a.b.c.d.
function isIPv4MappedIPv6(v: string): boolean {
  return isIPv6(v) && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(v);
}

/** Upstream IsValidCIDR. */
export function validateCidr(v: string, fieldPath: string): FieldError[] {
  const slash = v.indexOf('/');
  const ok = (() => {
    if (slash < 0) return false;
    const ip = v.slice(0, slash);
    const bits = v.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(bits)) return false;
    const n = Number(bits);
    if (isIPv4Address(ip)) return n <= 32;
    if (isIPv6(ip)) return n <= 128;
    return false;
  })();
  return ok ? [] : [invalid(fieldPath, v, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Upstream ValidateNonSpecialIP, used for endpoint addresses: no unspecified,
 * loopback, link-local unicast or link-local multicast addresses.
 */
export function validateNonSpecialIP(v: string, fieldPath: string): FieldError[] {
  const v4 = parseIPv4Sloppy(v.toLowerCase().startsWith('::ffff:') ? v.slice(7) : v);
  if (v4 !== null) {
    const a = Math.floor(v4 / 2 ** 24);
    const b = Math.floor(v4 / 2 ** 16) % 256;
    const c = Math.floor(v4 / 2 ** 8) % 256;
    if (v4 === 0) return [invalid(fieldPath, v, `may not be unspecified (${v})`)];
    if (a === 127) return [invalid(fieldPath, v, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (a === 169 && b === 254) return [invalid(fieldPath, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
    if (a === 224 && b === 0 && c === 0) {
      return [invalid(fieldPath, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
    }
    return [];
  }
  if (!isIPv6(v)) return [invalid(fieldPath, v, 'must be a valid IP address')];
  const groups = expandIPv6(v);
  if (groups.every((g) => g === 0)) return [invalid(fieldPath, v, `may not be unspecified (${v})`)];
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) {
    return [invalid(fieldPath, v, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  }
  const first = groups[0] ?? 0;
  if ((first & 0xffc0) === 0xfe80) return [invalid(fieldPath, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if ((first & 0xff0f) === 0xff02) {
    return [invalid(fieldPath, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  }
  return [];
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail is folded in). */
function expandIPv6(v: string): number[] {
  let text = v.split('%')[0] ?? v;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const n = parseIPv4Sloppy(tail[1]) ?? 0;
    text = `${text.slice(0, -tail[1].length)}${(Math.floor(n / 65536)).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest !== undefined ? 8 - h.length - r.length : 0;
  return [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...r].map((g) => parseInt(g, 16) || 0);
}
