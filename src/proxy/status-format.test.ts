import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpvsadm } from './status-format.js';

test('ipvsadm -Ln layout', () => {
  const out = formatIpvsadm([
    {
      service: 'kube-system/kube-dns:dns/UDP',
      kind: 'ClusterIP',
      protocol: 'UDP',
      address: '10.96.0.10',
      port: 53,
      scheduler: 'rr',
      realServers: [{ address: '10.244.1.5', port: 53, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 3 }],
    },
    {
      service: 'default/web:/TCP',
      kind: 'ClusterIP',
      protocol: 'TCP',
      address: '10.96.0.20',
      port: 80,
      localAddress: '127.96.0.20',
      scheduler: 'lc',
      persistentTimeoutSeconds: 10800,
      realServers: [
        { address: '10.244.1.6', port: 8080, forward: 'Masq', weight: 1, activeConns: 2, inactiveConns: 0 },
        { address: '10.244.1.7', port: 8080, forward: 'Masq', weight: 0, activeConns: 1, inactiveConns: 0 },
      ],
    },
  ]);
  assert.equal(
    out,
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'UDP  10.96.0.10:53 rr',
      '  -> 10.244.1.5:53                Masq    1      0          3',
      'TCP  10.96.0.20:80 lc persistent 10800',
      '  -> 10.244.1.6:8080              Masq    1      2          0',
      '  -> 10.244.1.7:8080              Masq    0      1          0',
      '',
    ].join('\n'),
  );
});
