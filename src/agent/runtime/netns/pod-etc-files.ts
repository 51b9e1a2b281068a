/**
 * The files a pod sees as /etc/hosts, /etc/hostname and /etc/resolv.conf. `ip netns exec NAME`
 * bind-mounts every file of /etc/netns/NAME/ over the same name in /etc, so writing them there
 * gives each pod its own view without a mount namespace of our own.
 */
import type { SandboxSpec } from '../runtime.js';

/** kubelet's managed hosts file: loopback and IPv6 well-known names, then the pod's own entry. */
export function podHostsFile(spec: Pick<SandboxSpec, 'hostname' | 'fqdn'>, podIP: string): string {
  const own = spec.fqdn ? `${podIP}\t${spec.fqdn}\t${spec.hostname}` : `${podIP}\t${spec.hostname}`;
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    own,
    '',
  ].join('\n');
}

/** name → contents for /etc/netns/<pod-ns>/. */
export function podEtcFiles(spec: SandboxSpec, podIP: string): Record<'hosts' | 'hostname' | 'resolv.conf', string> {
  const resolv = spec.resolvConf.endsWith('\n') || spec.resolvConf === '' ? spec.resolvConf : `${spec.resolvConf}\n`;
  return { hosts: podHostsFile(spec, podIP), hostname: `${spec.hostname}\n`, 'resolv.conf': resolv };
}
