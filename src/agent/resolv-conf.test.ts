import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type PodDnsInputs, formatResolvConf, parseResolvConf, podDnsSettings } from './resolv-conf.js';

const HOST = parseResolvConf('# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\noptions edns0 timeout:2\n');

function conf(extra: Partial<PodDnsInputs>): string {
  return formatResolvConf(podDnsSettings({ namespace: 'shop', clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'], host: HOST, ...extra }));
}

describe('pod resolv.conf', () => {
  const cases: { name: string; in: Partial<PodDnsInputs>; want: string }[] = [
    {
      name: 'ClusterFirst (default policy)',
      in: {},
      want: 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    { name: 'Default copies the node', in: { dnsPolicy: 'Default' }, want: 'search corp.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\n' },
    { name: 'ClusterFirst with hostNetwork is Default', in: { hostNetwork: true }, want: 'search corp.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\n' },
    {
      name: 'ClusterFirstWithHostNet',
      in: { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true },
      want: 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    { name: 'ClusterFirst without cluster DNS falls back to Default', in: { clusterDNS: [] }, want: 'search corp.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\n' },
    {
      name: 'None takes dnsConfig only',
      in: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      want: 'search a.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n',
    },
    {
      name: 'dnsConfig merged into ClusterFirst: options by name, duplicates dropped',
      in: { dnsConfig: { nameservers: ['10.96.0.10', '9.9.9.9'], searches: ['svc.cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } },
      want: 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example x.example\nnameserver 10.96.0.10\nnameserver 9.9.9.9\noptions ndots:1 single-request\n',
    },
    {
      name: 'at most three nameservers',
      in: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } },
      want: 'nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n',
    },
    { name: 'trailing dot of the zone dropped', in: { clusterDomain: 'k8s.test.', host: parseResolvConf('') }, want: 'search shop.svc.k8s.test svc.k8s.test k8s.test\nnameserver 10.96.0.10\noptions ndots:5\n' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(conf(c.in), c.want));

  test('parse: domain line and last search wins', () => {
    assert.deepEqual(parseResolvConf('search a b\ndomain c\n').searches, ['c']);
    assert.deepEqual(parseResolvConf('domain c\nsearch a b ; comment\n').searches, ['a', 'b']);
  });
});
