/** Writes an admin kubeconfig (YAML) the way k3s does: CA data plus a client certificate. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  readonly server: string;
  readonly caPem: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
  readonly name?: string;
}

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'default';
  const user: Record<string, string> = {};
  if (spec.clientCertPem) user['client-certificate-data'] = Buffer.from(spec.clientCertPem).toString('base64');
  if (spec.clientKeyPem) user['client-key-data'] = Buffer.from(spec.clientKeyPem).toString('base64');
  if (spec.token) user.token = spec.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
    users: [{ name, user }],
  });
}

/** Atomic write (temp file + rename) so a reader never sees half a file. */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderKubeconfig(spec), { mode: 0o600 });
  renameSync(tmp, path);
}
