import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runtimeConformance } from '../runtime-conformance.js';
import { ProcessRuntime } from './process-runtime.js';

runtimeConformance('process', async (dir) => new ProcessRuntime({ dataDir: dir, podCIDR: '10.244.7.0/24', nodeIP: '127.0.0.1' }));

test('process runtime: `hostname` in a pod prints the pod hostname (StatefulSet basics: exec web-0 -- sh -c hostname)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-hostname-'));
  const rt = new ProcessRuntime({ dataDir: dir, podCIDR: '10.244.8.0/24', nodeIP: '127.0.0.1' });
  try {
    const sb = await rt.createSandbox({ uid: 'u1', namespace: 'default', name: 'web-0', hostname: 'web-0', fqdn: 'web-0.nginx.default.svc.cluster.local', resolvConf: '', hostNetwork: false });
    const cases: [string[], string][] = [
      [['sh', '-c', 'hostname'], 'web-0\n'],
      [['hostname'], 'web-0\n'],
      [['hostname', '-f'], 'web-0.nginx.default.svc.cluster.local\n'],
    ];
    for (const [argv, want] of cases) {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      const r = await rt.exec(sb, { argv, tty: false }, out, new PassThrough());
      assert.equal(r.exitCode, 0, argv.join(' '));
      assert.equal(text, want, argv.join(' '));
    }
  } finally {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
