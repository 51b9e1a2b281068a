/**
 * networking.k8s.io/v1 Ingress and IngressClass rows.
 */
import type { KubeObject } from '../../api/object.js';
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer } from './columns.js';
import { at, list, optStr, str } from './json-access.js';
import { loadBalancerAddresses } from './service-printer.js';
import type { TablePrinter } from './table.js';

/** Hosts shown before `+ N more...`. */
const MAX_HOSTS = 3;

export const INGRESS_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Class', 'string', 'IngressClass that implements this ingress.'),
    column('Hosts', 'string', 'Hosts the rules match requests against.'),
    column('Address', 'string', 'Load-balancer addresses of the ingress.'),
    column('Ports', 'string', 'Ports the ingress serves: 80, plus 443 when TLS is configured.'),
    AGE_COLUMN,
  ],
  (ing, now) => [
    nameOf(ing),
    optStr(ing, 'spec', 'ingressClassName') ?? '<none>',
    formatHosts(ing),
    loadBalancerAddresses(at(ing, 'status', 'loadBalancer')).join(','),
    list(ing, 'spec', 'tls').length > 0 ? '80, 443' : '80',
    ageOf(ing, now),
  ],
);

/**
 * Rule hosts, `*` when no rule names one. Upstream counts the overflow as
 * rules beyond the third, whether or not they have a host; mirrored here.
 */
function formatHosts(ing: KubeObject): string {
  const rules = list(ing, 'spec', 'rules');
  const shown: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (shown.length === MAX_HOSTS) more = true;
    const host = str(rule, 'host');
    if (!more && host !== '') shown.push(host);
  }
  if (shown.length === 0) return '*';
  const text = shown.join(',');
  return more ? `${text} + ${rules.length - MAX_HOSTS} more...` : text;
}

export const INGRESS_CLASS_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Controller', 'string', 'Name of the controller that implements the class.'),
    column('Parameters', 'string', 'Resource holding extra configuration for the controller.'),
    AGE_COLUMN,
  ],
  (ic, now) => [nameOf(ic), str(ic, 'spec', 'controller'), ingressClassParameters(ic), ageOf(ic, now)],
);

/** `Kind[.apiGroup]/name`, or `<none>`. */
function ingressClassParameters(ic: KubeObject): string {
  const p = at(ic, 'spec', 'parameters');
  if (p === undefined || p === null) return '<none>';
  const group = optStr(p, 'apiGroup');
  const kind = group === undefined ? str(p, 'kind') : `${str(p, 'kind')}.${group}`;
  return `${kind}/${str(p, 'name')}`;
}
