import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { podEtcFiles, podHostsFile } from './pod-etc-files.js';

describe('pod etc files', () => {
  const cases = [
    { name: 'plain pod', spec: { hostname: 'web-1' }, ip: '10.244.1.5', own: '10.244.1.5\tweb-1' },
    {
      name: 'pod with subdomain (fqdn first, then short name)',
      spec: { hostname: 'web-0', fqdn: 'web-0.nginx.default.svc.cluster.local' },
      ip: '10.244.2.7',
      own: '10.244.2.7\tweb-0.nginx.default.svc.cluster.local\tweb-0',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const lines = podHostsFile(c.spec, c.ip).trimEnd().split('\n');
      assert.equal(lines[0], '# Kubernetes-managed hosts file.');
      assert.equal(lines[1], '127.0.0.1\tlocalhost');
      assert.equal(lines.at(-1), c.own);
    });
  }

  test('resolv.conf gets a trailing newline, hostname is the pod hostname', () => {
    const files = podEtcFiles(
      { uid: 'u', namespace: 'default', name: 'p', hostname: 'p', resolvConf: 'nameserver 10.96.0.10', hostNetwork: false },
      '10.244.0.2',
    );
    assert.equal(files['resolv.conf'], 'nameserver 10.96.0.10\n');
    assert.equal(files.hostname, 'p\n');
  });
});
