/**
 * The node agent with the rootless process runtime against a real server (all controllers,
 * no embedded agent): the agent runs in this process; pods run `switchyard netexec` as local
 * processes served on the loopback twins of their pod IPs (10.244.0.5 → 127.244.0.5).
 *
 * Checks: node registration and Ready; a 3-replica Deployment becomes Running/Ready with
 * distinct IPs (`kubectl get pods -o wide`); HTTP /hostname answers the pod name; logs over the
 * agent endpoint (and `kubectl logs` when the API server proxies them); a failing readiness
 * probe makes the pod and its EndpointSlice endpoint unready; a killed process is restarted and
 * counted; `kubectl delete pod` runs the preStop hook and finishes within the grace period; the
 * service environment variables of a pod started after its Services exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NodeAgent, startNodeAgent } from '../../src/agent/agent.js';
import type { Pod } from '../../src/agent/pod-types.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { createLogger } from '../../src/log/logger.js';
import { REPO_ROOT, TestServer, kubectlAvailable, tableRows } from './harness.js';

const NETEXEC = join(REPO_ROOT, 'dist', 'src', 'netexec', 'main.js');
const skip = !kubectlAvailable() ? 'kubectl is not installed on this machine' : !existsSync(NETEXEC) ? `${NETEXEC} is missing: run \`npm run build\`` : false;
const NODE_NAME = 'agent-e2e-node';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function loopback(ip: string): string {
  return `127.${ip.split('.').slice(1).join('.')}`;
}

describe('node agent, process runtime', { skip }, () => {
  const server = new TestServer();
  const scratch = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
  const agentDir = join(scratch, 'agent');
  let client: KubeClient;
  let agent: NodeAgent;
  let stopAgent: () => Promise<void> = async () => undefined;
  let adminCert: { certPem: string; keyPem: string };

  const pods = async (selector: string): Promise<Pod[]> => (await client.list<Pod>({ group: '', version: 'v1', plural: 'pods', namespaced: true }, 'default', { labelSelector: selector })).items;

  before(async () => {
    await server.start();
    const cfg = loadKubeconfig(server.kubeconfig);
    client = new KubeClient(cfg, { component: 'kubelet' });
    adminCert = { certPem: cfg.clientCertPem ?? '', keyPem: cfg.clientKeyPem ?? '' };
    const handle = await startNodeAgent({
      client,
      nodeName: NODE_NAME,
      nodeIP: '127.0.0.1',
      zone: 'zone-a',
      dataDir: agentDir,
      runtime: 'process',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      kubeletPort: 0,
      clientCaPem: cfg.caPem,
      selfCommand: [process.execPath, NETEXEC],
      log: createLogger('agent', () => undefined),
    });
    agent = handle.agent;
    stopAgent = handle.stop;
  });

  after(async () => {
    await stopAgent();
    client?.close();
    await server.stop();
    server.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('the node registers with labels, addresses, a pod CIDR, a Lease and Ready', async () => {
    const out = await until('node Ready', async () => {
      const o = await server.ok(['get', 'nodes', '-o', 'wide']);
      return /agent-e2e-node\s+Ready\s/.test(o) ? o : undefined;
    });
    assert.match(out, /127\.0\.0\.1/);
    const labels = await server.ok(['get', 'node', NODE_NAME, '-o', 'jsonpath={.metadata.labels}']);
    assert.match(labels, /"topology.kubernetes.io\/zone":"zone-a"/);
    assert.match(labels, /"kubernetes.io\/hostname":"agent-e2e-node"/);
    assert.match(await server.ok(['get', 'node', NODE_NAME, '-o', 'jsonpath={.spec.podCIDR}']), /^10\.244\.\d+\.0\/24$/);
    assert.equal(await server.ok(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']), String(agent.kubeletPort));
    assert.equal(await server.ok(['get', 'lease', '-n', 'kube-node-lease', NODE_NAME, '-o', 'jsonpath={.spec.holderIdentity}']), NODE_NAME);
  });

  const hookFile = join(scratch, 'prestop-ran');
  test('a Deployment of 3 netexec pods runs with distinct IPs and answers /hostname', async () => {
    await server.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: dns-ish, port: 53, protocol: UDP, targetPort: 8081}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: netexec
        image: switchyard/netexec
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(NETEXEC)}, --http-port=8080, --udp-port=8081]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
        lifecycle:
          preStop: {exec: {command: [sh, -c, "echo $HOSTNAME >> ${hookFile}"]}}
`,
    });
    const ready = await until('3 ready pods', async () => {
      const list = await pods('app=web');
      const ok = list.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ok.length === 3 ? ok : undefined;
    }, 60_000);
    const ips = ready.map((p) => p.status?.podIP ?? '');
    assert.equal(new Set(ips).size, 3, `distinct IPs: ${ips.join(' ')}`);
    for (const ip of ips) assert.match(ip, /^10\.244\.\d+\.\d+$/);
    const wide = tableRows(await server.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide']));
    assert.deepEqual(wide[0]?.slice(0, 7), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    for (const row of wide.slice(1)) {
      assert.equal(row[1], '1/1');
      assert.equal(row[2], 'Running');
      assert.ok(ips.includes(row[5] ?? ''), `IP column ${row[5]}`);
      assert.equal(row[6], NODE_NAME);
    }
    for (const p of ready) {
      const res = await fetch(`http://${loopback(p.status?.podIP ?? '')}:8080/hostname`);
      assert.equal(await res.text(), p.metadata.name);
    }
    const describe = await server.ok(['describe', 'pod', ready[0]?.metadata.name ?? '']);
    assert.match(describe, /Started\s+\S+\s+kubelet\s+Started container netexec/);
    assert.match(describe, /Pulled\s+\S+\s+kubelet\s+Container image "switchyard\/netexec" already present on machine/);
  });

  test('logs: the agent endpoint serves them (and kubectl logs once the API proxies them)', async () => {
    const [pod] = await pods('app=web');
    const name = pod?.metadata.name ?? '';
    await fetch(`http://${loopback(pod?.status?.podIP ?? '')}:8080/echo?msg=hi`);
    const body = await until('log lines', async () => {
      const text = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: agent.kubeletPort, path: `/containerLogs/default/${name}/netexec?tailLines=50`, cert: adminCert.certPem, key: adminCert.keyPem, rejectUnauthorized: false },
          (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          },
        );
        req.on('error', reject);
        req.end();
      });
      return text.includes('GET /echo?msg=hi') ? text : undefined;
    });
    assert.match(body, /Started HTTP server on port 8080/);
    const viaKubectl = await server.kubectl(['logs', name, '--tail=50']);
    if (viaKubectl.code === 0) assert.match(viaKubectl.stdout, /GET \/echo\?msg=hi/);
  });

  test('a failing readiness probe makes the pod and its endpoint unready', async () => {
    const flag = join(scratch, 'ready-flag');
    writeFileSync(flag, 'ok');
    await server.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: flaky}
spec:
  selector: {app: flaky}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: flaky, labels: {app: flaky}}
spec:
  containers:
  - name: netexec
    image: registry.k8s.io/e2e-test-images/agnhost:2.45
    args: [netexec, --http-port=8080, --udp-port=-1]
    readinessProbe: {exec: {command: [test, -f, ${JSON.stringify(flag)}]}, periodSeconds: 1, failureThreshold: 1}
`,
    });
    const endpointReady = async (): Promise<string> => server.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=flaky', '-o', 'jsonpath={.items[*].endpoints[*].conditions.ready}']);
    await until('flaky Ready', async () => ((await server.ok(['get', 'pod', 'flaky', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined));
    await until('endpoint ready', async () => ((await endpointReady()) === 'true' ? true : undefined));
    unlinkSync(flag);
    await until('flaky unready', async () => ((await server.ok(['get', 'pod', 'flaky', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'False' ? true : undefined));
    await until('endpoint not ready', async () => ((await endpointReady()) === 'false' ? true : undefined));
    const describe = await server.ok(['describe', 'pod', 'flaky']);
    assert.match(describe, /Unhealthy.*Readiness probe failed/);
    assert.match(await server.ok(['get', 'pod', 'flaky']), /flaky\s+0\/1\s+Running/);
  });

  test('a killed container process is restarted and counted', async () => {
    const [pod] = await pods('app=web');
    const uid = pod?.metadata.uid ?? '';
    const procs = JSON.parse(readFileSync(join(agentDir, 'pods', uid, 'processes.json'), 'utf8')) as Record<string, { pid: number }>;
    const pid = procs.netexec?.pid ?? 0;
    assert.ok(pid > 0);
    process.kill(pid, 'SIGKILL');
    const restarted = await until('restart counted and running again', async () => {
      const p = (await pods('app=web')).find((x) => x.metadata.uid === uid);
      const cs = p?.status?.containerStatuses?.[0];
      return cs && cs.restartCount === 1 && cs.state.running && cs.ready ? cs : undefined;
    });
    assert.equal(restarted.lastState.terminated?.exitCode, 137);
    assert.equal(restarted.lastState.terminated?.reason, 'Error');
    const row = tableRows(await server.ok(['get', 'pod', pod?.metadata.name ?? ''])).find((r) => r[0] === pod?.metadata.name);
    assert.match(row?.[3] ?? '', /^1 \(\d+s ago\)$/);
  });

  test('kubectl delete pod runs preStop and finishes within the grace period', async () => {
    const [pod] = await pods('app=web');
    const name = pod?.metadata.name ?? '';
    const started = Date.now();
    await server.ok(['delete', 'pod', name, '--wait=true', '--timeout=30s']);
    const took = Date.now() - started;
    assert.ok(took < 9000, `deletion took ${took} ms (grace period 5 s)`);
    assert.match(readFileSync(hookFile, 'utf8'), new RegExp(`^${name}$`, 'm'));
    assert.ok(!existsSync(join(agentDir, 'pods', pod?.metadata.uid ?? '')), 'the sandbox is removed');
  });

  test('a program that cannot run shows ErrImagePull / CrashLoopBackOff', async () => {
    await server.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: nopull}
spec:
  containers: [{name: app, image: example.com/team/app:v1}]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers: [{name: app, image: busybox, command: [sh, -c, "echo bye; exit 3"]}]
`,
    });
    await until('nopull waiting on the image', async () => {
      const row = tableRows(await server.ok(['get', 'pod', 'nopull'])).find((r) => r[0] === 'nopull');
      return row && /^(ErrImagePull|ImagePullBackOff)$/.test(row[2] ?? '') ? row : undefined;
    });
    assert.match(await server.ok(['describe', 'pod', 'nopull']), /cannot be pulled: Switchyard runs containers as local processes/);
    const crash = await until('crasher in CrashLoopBackOff', async () => {
      const row = tableRows(await server.ok(['get', 'pod', 'crasher'])).find((r) => r[0] === 'crasher');
      return row?.[2] === 'CrashLoopBackOff' ? row : undefined;
    });
    assert.match(crash[3] ?? '', /^1 /);
    const describe = await server.ok(['describe', 'pod', 'crasher']);
    assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+3/);
    assert.match(describe, /BackOff.*Back-off restarting failed container app/);
    await server.ok(['delete', 'pod', 'nopull', 'crasher', '--wait=true', '--timeout=30s']);
  });

  test('service environment variables of a pod started after the Services', async () => {
    await server.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: envdump}
spec:
  restartPolicy: Never
  containers:
  - name: dump
    image: busybox
    command: [sh, -c, "env | sort"]
    env: [{name: MY_POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}, {name: WEB_URL, value: "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)"}]
`,
    });
    const pod = await until('envdump Succeeded', async () => {
      const p = (await pods('')).find((x) => x.metadata.name === 'envdump');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    });
    const svc = async (name: string): Promise<string> => server.ok(['get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}']);
    const [k8s, web, flaky] = [await svc('kubernetes'), await svc('web'), await svc('flaky')];
    const logFile = join(agentDir, 'pods', pod.metadata.uid ?? '', 'logs', 'dump', '0.log');
    const env = new Map(
      readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(3).join(' '))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
    );
    const serviceVars = Object.fromEntries([...env].filter(([k]) => /^(KUBERNETES|WEB|FLAKY)_(SERVICE|PORT)/.test(k) || /^(KUBERNETES|WEB|FLAKY)_PORT$/.test(k)));
    assert.deepEqual(serviceVars, {
      FLAKY_PORT: `tcp://${flaky}:80`,
      FLAKY_PORT_80_TCP: `tcp://${flaky}:80`,
      FLAKY_PORT_80_TCP_ADDR: flaky,
      FLAKY_PORT_80_TCP_PORT: '80',
      FLAKY_PORT_80_TCP_PROTO: 'tcp',
      FLAKY_SERVICE_HOST: flaky,
      FLAKY_SERVICE_PORT: '80',
      KUBERNETES_PORT: `tcp://${k8s}:443`,
      KUBERNETES_PORT_443_TCP: `tcp://${k8s}:443`,
      KUBERNETES_PORT_443_TCP_ADDR: k8s,
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_SERVICE_HOST: k8s,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      WEB_PORT: `tcp://${web}:80`,
      WEB_PORT_53_UDP: `udp://${web}:53`,
      WEB_PORT_53_UDP_ADDR: web,
      WEB_PORT_53_UDP_PORT: '53',
      WEB_PORT_53_UDP_PROTO: 'udp',
      WEB_PORT_80_TCP: `tcp://${web}:80`,
      WEB_PORT_80_TCP_ADDR: web,
      WEB_PORT_80_TCP_PORT: '80',
      WEB_PORT_80_TCP_PROTO: 'tcp',
      WEB_SERVICE_HOST: web,
      WEB_SERVICE_PORT: '80',
      WEB_SERVICE_PORT_DNS_ISH: '53',
      WEB_SERVICE_PORT_HTTP: '80',
    });
    assert.equal(env.get('MY_POD_IP'), pod.status?.podIP);
    assert.equal(env.get('WEB_URL'), `http://${web}:80`);
    assert.equal(env.get('HOSTNAME'), 'envdump');
    assert.match(await server.ok(['get', 'pod', 'envdump']), /envdump\s+0\/1\s+Completed\s+0/);
  });

  test('after an agent restart: sandboxes of deleted pods are removed, live pods run again', async () => {
    const before = await pods('app=web');
    const envdump = (await pods('')).find((p) => p.metadata.name === 'envdump');
    assert.ok(envdump && existsSync(join(agentDir, 'pods', envdump.metadata.uid ?? '')), 'finished pod keeps its sandbox for logs');
    await stopAgent();
    await server.ok(['delete', 'pod', 'envdump', '--grace-period=0', '--force']);
    const handle = await startNodeAgent({
      client,
      nodeName: NODE_NAME,
      nodeIP: '127.0.0.1',
      zone: 'zone-a',
      dataDir: agentDir,
      runtime: 'process',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      kubeletPort: 0,
      clientCaPem: loadKubeconfig(server.kubeconfig).caPem,
      selfCommand: [process.execPath, NETEXEC],
      log: createLogger('agent', () => undefined),
    });
    agent = handle.agent;
    stopAgent = handle.stop;
    assert.ok(!existsSync(join(agentDir, 'pods', envdump.metadata.uid ?? '')), 'sandbox of the deleted pod removed');
    const after = await until('web pods running again', async () => {
      const list = await pods('app=web');
      const ok = list.filter((p) => before.some((b) => b.metadata.uid === p.metadata.uid) && p.status?.containerStatuses?.[0]?.ready === true && p.status.containerStatuses[0].restartCount > (before.find((b) => b.metadata.uid === p.metadata.uid)?.status?.containerStatuses?.[0]?.restartCount ?? 0));
      return ok.length === before.length ? ok : undefined;
    });
    for (const p of after) {
      assert.equal(p.status?.podIP, before.find((b) => b.metadata.uid === p.metadata.uid)?.status?.podIP, 'same pod IP after the restart');
      const res = await fetch(`http://${loopback(p.status?.podIP ?? '')}:8080/hostname`);
      assert.equal(await res.text(), p.metadata.name);
    }
  });
});
