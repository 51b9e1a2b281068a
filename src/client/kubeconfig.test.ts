import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type ClientConfig, defaultKubeconfigPath, inClusterConfig, loadKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n';

mkdirSync(join(dir, 'certs'));
writeFileSync(join(dir, 'certs', 'ca.crt'), CA);
writeFileSync(join(dir, 'certs', 'client.crt'), CERT);
writeFileSync(join(dir, 'certs', 'client.key'), KEY);

const doc = {
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'data',
  clusters: [
    { name: 'c-data', cluster: { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64(CA) } },
    { name: 'c-file', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority': 'certs/ca.crt', 'tls-server-name': 'kubernetes' } },
    { name: 'c-insecure', cluster: { server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    { name: 'u-data', user: { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) } },
    { name: 'u-file', user: { 'client-certificate': 'certs/client.crt', 'client-key': join(dir, 'certs', 'client.key') } },
    { name: 'u-token', user: { token: 'abc123' } },
    { name: 'u-tokenfile', user: { tokenFile: 'certs/token' } },
    { name: 'u-exec', user: { exec: { command: 'aws' } } },
  ],
  contexts: [
    { name: 'data', context: { cluster: 'c-data', user: 'u-data', namespace: 'kube-system' } },
    { name: 'file', context: { cluster: 'c-file', user: 'u-file' } },
    { name: 'token', context: { cluster: 'c-insecure', user: 'u-token' } },
    { name: 'tokenfile', context: { cluster: 'c-insecure', user: 'u-tokenfile' } },
    { name: 'exec', context: { cluster: 'c-data', user: 'u-exec' } },
    { name: 'no-cluster', context: { cluster: 'missing', user: 'u-token' } },
  ],
};
const path = join(dir, 'config');
writeFileSync(path, stringify(doc));

describe('loadKubeconfig', () => {
  const cases: { name: string; context?: string; want: Partial<ClientConfig> }[] = [
    {
      name: 'current-context with *-data fields',
      want: { server: 'https://127.0.0.1:6443', caPem: CA, clientCertPem: CERT, clientKeyPem: KEY, namespace: 'kube-system', insecureSkipTlsVerify: false },
    },
    {
      name: 'file paths, relative ones resolved against the kubeconfig directory',
      context: 'file',
      want: { server: 'https://10.0.0.1:6443', caPem: CA, clientCertPem: CERT, clientKeyPem: KEY, tlsServerName: 'kubernetes', namespace: undefined },
    },
    { name: 'token and insecure-skip-tls-verify', context: 'token', want: { server: 'http://127.0.0.1:8080', token: 'abc123', insecureSkipTlsVerify: true } },
    { name: 'tokenFile kept as an absolute path', context: 'tokenfile', want: { tokenFile: join(dir, 'certs', 'token'), token: undefined } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const cfg = loadKubeconfig(path, c.context);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(cfg[k as keyof ClientConfig], v, k);
    });
  }

  const errors: { name: string; context: string; match: RegExp }[] = [
    { name: 'unknown context', context: 'nope', match: /context "nope" not found/ },
    { name: 'context naming a missing cluster', context: 'no-cluster', match: /cluster "missing" not found/ },
    { name: 'exec plugin users', context: 'exec', match: /exec\/auth-provider plugin/ },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.throws(() => loadKubeconfig(path, c.context), c.match);
    });
  }

  test('the kubeconfig written by src/pki/kubeconfig.ts loads', async () => {
    const { renderKubeconfig } = await import('../pki/kubeconfig.js');
    const p = join(dir, 'server.yaml');
    writeFileSync(p, renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: CA, clientCertPem: CERT, clientKeyPem: KEY }));
    const cfg = loadKubeconfig(p);
    assert.equal(cfg.caPem, CA);
    assert.equal(cfg.clientKeyPem, KEY);
    assert.equal(cfg.namespace, 'default');
  });
});

describe('inClusterConfig', () => {
  test('reads env and the service-account mount', () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'tok\n');
    writeFileSync(join(sa, 'ca.crt'), CA);
    writeFileSync(join(sa, 'namespace'), 'team-a');
    const cfg = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir: sa });
    assert.deepEqual(cfg, { server: 'https://[fd00::1]:443', caPem: CA, tokenFile: join(sa, 'token'), namespace: 'team-a' });
  });

  test('fails outside a cluster', () => {
    assert.throws(() => inClusterConfig({ env: {}, dir }), /KUBERNETES_SERVICE_HOST/);
  });
});

test('defaultKubeconfigPath prefers the first KUBECONFIG entry', () => {
  assert.equal(defaultKubeconfigPath({ KUBECONFIG: `/a/one${process.platform === 'win32' ? ';' : ':'}/b/two` }), '/a/one');
  assert.match(defaultKubeconfigPath({}), /\.kube[/\\]config$/);
});
