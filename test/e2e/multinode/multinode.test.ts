/**
 * Three nodes on one machine (root only; see harness.ts and docs/MULTINODE.md): pods of one
 * Deployment spread over the nodes, get distinct IPs from their nodes' pod CIDRs, reach each
 * other across nodes by pod IP (host-gw routes over the underlay, no NAT), and `kubectl exec`
 * works through the API server → agent WebSocket relay, with and without a TTY.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { findPython, spawnOnPty } from '../../../src/agent/runtime/netns/pty-exec.js';
import { cleanupPrefix, MultinodeCluster, multinodeSkipReason, waitFor } from './harness.js';

const skip = multinodeSkipReason();
if (skip) console.log(`# multinode e2e skipped: ${skip}`);

const MANIFEST = `
apiVersion: v1
kind: Service
metadata:
  name: netexec
spec:
  selector:
    app: netexec
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: netexec
spec:
  replicas: 3
  selector:
    matchLabels:
      app: netexec
  template:
    metadata:
      labels:
        app: netexec
    spec:
      containers:
      - name: netexec
        image: registry.k8s.io/e2e-test-images/agnhost:2.45
        args: ["netexec", "--http-port=8080", "--udp-port=-1"]
        ports:
        - containerPort: 8080
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
          periodSeconds: 1
`;

interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

describe('multinode cluster (netns runtime, host-gw routes)', { skip }, () => {
  let cluster: MultinodeCluster;
  let pods: PodJson[] = [];

  before(async () => {
    cluster = await MultinodeCluster.start({ log: (m) => console.log(`# ${m}`) });
  });

  after(async () => {
    const prefix = cluster?.prefix;
    await cluster?.stop();
    if (prefix) {
      cleanupPrefix(prefix);
      const left = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
      assert.deepEqual(left, [], 'no namespace of the cluster is left behind');
    }
  });

  test('a Deployment of 3 netexec pods spreads over the 3 nodes with distinct pod IPs', async () => {
    const applied = cluster.kubectl(['apply', '-f', '-'], { input: MANIFEST });
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('3 ready netexec pods', 90_000, () => {
      const r = cluster.kubectl(['get', 'pods', '-l', 'app=netexec', '-o', 'json']);
      if (r.code !== 0) return false;
      pods = (JSON.parse(r.stdout) as { items: PodJson[] }).items;
      return pods.length === 3 && pods.every((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n${cluster.kubectl(['get', 'pods', '-o', 'wide']).stdout}\n${cluster.output()}`);
    });
    assert.deepEqual(new Set(pods.map((p) => p.spec.nodeName)).size, 3, 'one pod per node');
    const ips = pods.map((p) => p.status.podIP ?? '');
    assert.equal(new Set(ips).size, 3, `distinct pod IPs: ${ips.join(' ')}`);
    const nodes = (JSON.parse(cluster.kubectl(['get', 'nodes', '-o', 'json']).stdout) as { items: { metadata: { name: string }; spec: { podCIDR: string } }[] }).items;
    for (const p of pods) {
      const cidr = nodes.find((n) => n.metadata.name === p.spec.nodeName)?.spec.podCIDR ?? '';
      const prefix24 = cidr.split('.').slice(0, 3).join('.');
      assert.ok(p.status.podIP?.startsWith(`${prefix24}.`), `${p.metadata.name} ${p.status.podIP} is in its node's ${cidr}`);
      assert.ok(cluster.netnsOfPodIP(p.status.podIP ?? ''), `a pod namespace holds ${p.status.podIP}`);
    }
  });

  test('a pod reaches a pod on another node by IP, without NAT', () => {
    const [a, b] = pods;
    assert.ok(a && b && a.spec.nodeName !== b.spec.nodeName);
    const ns = cluster.netnsOfPodIP(a.status.podIP ?? '');
    assert.ok(ns);
    const hostname = cluster.inNetns(ns, ['curl', '-sS', '--max-time', '5', `http://${b.status.podIP}:8080/hostname`]);
    assert.equal(hostname.code, 0, hostname.stderr);
    assert.equal(hostname.stdout.trim(), b.metadata.name);
    const clientIp = cluster.inNetns(ns, ['curl', '-sS', '--max-time', '5', `http://${b.status.podIP}:8080/clientip`]);
    assert.equal(clientIp.code, 0, clientIp.stderr);
    // `ip:port`; an IPv4-mapped IPv6 form ([::ffff:a.b.c.d]) from a dual-stack listener is the same address.
    const seen = clientIp.stdout.trim().replace(/:\d+$/, '').replace(/^\[(?:::ffff:)?(.*)\]$/, '$1');
    assert.equal(seen, a.status.podIP, 'the server sees the client pod IP');
  });

  test('every node has host-gw routes to the other nodes; the machine itself sees none of it', () => {
    for (const n of cluster.nodes) {
      const routes = cluster.inNetns(n.ns, ['ip', '-4', 'route', 'show', 'proto', '211']).stdout.trim().split('\n').filter(Boolean);
      const others = cluster.nodes.filter((o) => o !== n).map((o) => o.ip);
      assert.equal(routes.length, others.length, `${n.name}: ${routes.join('; ')}`);
      for (const ip of others) assert.ok(routes.some((r) => r.includes(`via ${ip} `)), `${n.name} routes via ${ip}`);
    }
    const own = `${spawnSync('ip', ['-4', 'addr']).stdout.toString()}${spawnSync('ip', ['-4', 'route']).stdout.toString()}`;
    assert.doesNotMatch(own, /\b10\.244\.|\b10\.96\.|\b172\.30\.0\./, "the cluster ranges stay out of the machine's own namespace");
  });

  test('kubectl exec shows the service environment variables', () => {
    const pod = pods[0]?.metadata.name ?? '';
    const svc = JSON.parse(cluster.kubectl(['get', 'service', 'netexec', '-o', 'json']).stdout) as { spec: { clusterIP: string } };
    const r = cluster.kubectl(['exec', pod, '--', 'env']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^NETEXEC_SERVICE_HOST=${svc.spec.clusterIP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, /^NETEXEC_SERVICE_PORT_HTTP=80$/m);
    assert.match(r.stdout, /^KUBERNETES_SERVICE_HOST=/m);
    assert.match(r.stdout, new RegExp(`^HOSTNAME=${pod}$`, 'm'));
  });

  test('kubectl exec reports the exit code and passes stdin', () => {
    const pod = pods[1]?.metadata.name ?? '';
    const fail = cluster.kubectl(['exec', pod, '--', 'sh', '-c', 'echo out; echo err >&2; exit 5']);
    assert.equal(fail.code, 5);
    assert.equal(fail.stdout, 'out\n');
    assert.match(fail.stderr, /err\ncommand terminated with exit code 5/);
    const cat = cluster.kubectl(['exec', '-i', pod, '--', 'cat'], { input: 'through stdin\n' });
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'through stdin\n');
  });

  test('kubectl exec -it runs on a terminal of the size kubectl has', async () => {
    const python = findPython();
    assert.ok(python, 'python3 drives kubectl on a pseudo-terminal');
    const pod = pods[2]?.metadata.name ?? '';
    // kubectl itself on a pty (it refuses -t otherwise), inside node 1's namespace.
    const term = spawnOnPty(
      python,
      ['nsenter', `--net=/run/netns/${cluster.server.ns}`, 'kubectl', '--kubeconfig', cluster.kubeconfig, 'exec', '-it', pod, '--', 'sh'],
      { env: process.env, rows: 30, cols: 100 },
    );
    let screen = '';
    term.child.stdout?.on('data', (d: Buffer) => (screen += d.toString()));
    const exited = new Promise<number | null>((r) => term.child.once('close', (code) => r(code)));
    await waitFor('a shell prompt', 20_000, () => /[#$] $/.test(screen));
    term.child.stdin?.write('tty; stty size; echo "host=$(hostname)"\r');
    await waitFor('the answers', 10_000, () => screen.includes('host='));
    term.resize(40, 120);
    await new Promise((r) => setTimeout(r, 300));
    term.child.stdin?.write('stty size; exit 3\r');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    assert.equal(code, 3, screen);
    assert.match(screen, /\/dev\/pts\/\d+/);
    assert.match(screen, /30 100/);
    assert.match(screen, /40 120/);
    assert.match(screen, new RegExp(`host=${pod}`));
  });

  test('deleting the Deployment removes the pod namespaces', async () => {
    const r = cluster.kubectl(['delete', 'deployment', 'netexec', '--wait=true', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('pod namespaces to go', 60_000, () => cluster.podNamespaces().length === 0).catch((e: Error) => {
      throw new Error(`${e.message}: ${cluster.podNamespaces().join(' ')}`);
    });
  });
});
