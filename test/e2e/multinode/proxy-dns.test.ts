/**
 * Services and DNS across three nodes (root only; see harness.ts and docs/MULTINODE.md), once
 * per proxy mode the build has (userspace always; nftables and iptables when createDataplane
 * builds them and their tools are installed). One cluster serves every mode: the agents run
 * with `--proxy-mode <mode>` and are restarted with the next mode (their pods keep their
 * namespaces and addresses), and each mode first checks that nothing of the previous mode's
 * dataplane is left in the node namespaces.
 *
 * Scenarios are the user's documents: seed 001 (myapp Deployment + ClusterIP Service, `curl`
 * by pod IP and cluster IP, the headless Service through `dig`, the NodePort version of the
 * Service) and seed 004 (an ExternalName Service to a Service in another namespace, fetched with
 * `wget` from a busybox pod), plus session affinity, externalTrafficPolicy Local, readiness,
 * UDP, a Service without endpoints and `kubectl logs -f` through the API server.
 *
 * SWITCHYARD_MN_PROXY_MODES=userspace,nftables limits the modes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedProxyModeError, createDataplane } from '../../../src/proxy/create-dataplane.js';
import { PROXY_MODES, type ProxyMode } from '../../../src/proxy/dataplane.js';
import { cleanupPrefix, type CommandResult, MultinodeCluster, multinodeSkipReason, waitFor } from './harness.js';

const CLUSTER_DNS = '10.96.0.10';

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Why a proxy mode cannot run here, or undefined when it can. */
function modeSkipReason(mode: ProxyMode): string | undefined {
  const wanted = process.env.SWITCHYARD_MN_PROXY_MODES;
  if (wanted && !wanted.split(',').map((s) => s.trim()).includes(mode)) return `not in SWITCHYARD_MN_PROXY_MODES=${wanted}`;
  if (mode === 'userspace') return undefined;
  try {
    // Constructing a kernel dataplane has no side effects; in this namespace it is expected to
    // refuse (the machine's own namespace), which still shows the mode is built in.
    createDataplane({ mode });
  } catch (e) {
    if (e instanceof UnsupportedProxyModeError) return `${mode} is not built into this version`;
  }
  if (mode === 'nftables' && !hasTool('nft')) return 'needs nft (nftables)';
  if (mode === 'iptables' && !hasTool('iptables-legacy-restore') && !hasTool('iptables-nft-restore') && !hasTool('iptables-restore')) return 'needs iptables';
  return undefined;
}

const skip = multinodeSkipReason();
if (skip) console.log(`# multinode proxy/DNS e2e skipped: ${skip}`);
const noDig = hasTool('dig') ? undefined : 'needs dig (dnsutils)';
// `kubectl exec` runs the machine's programs: GNU wget or busybox's applet take the same flags.
const wget = hasTool('wget') ? ['wget'] : hasTool('busybox') ? ['busybox', 'wget'] : undefined;

/** Seed 001: myapp-deploy.yaml, svc.yaml and svc-none.yaml as the user wrote them. */
const SEED_001 = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp-deploy
  namespace: default
spec:
  replicas: 3
  selector:
    matchLabels:
      app: myapp
      release: stabel
  template:
    metadata:
      labels:
        app: myapp
        release: stabel
        env: test
    spec:
      containers:
      - name: myapp
        image: hub.qnhyn.com/library/myapp
        imagePullPolicy: IfNotPresent
        ports:
        - name: http
          containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: myapp
  namespace: default
spec:
  type: ClusterIP
  selector:
    app: myapp
    release: stabel
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: myapp-headless
  namespace: default
spec:
  selector:
    app: myapp
  clusterIP: "None"
  ports:
  - port: 80
    targetPort: 80
`;

/** Seed 001, myapp-service.yaml: the same Service as a NodePort. */
const SEED_001_NODEPORT = `
apiVersion: v1
kind: Service
metadata:
  name: myapp
  namespace: default
spec:
  type: NodePort
  selector:
    app: myapp
    release: stabel
  ports:
  - name: http
    port: 80
    targetPort: 80
`;

/** Seed 004: client.yaml, client_svc.yaml, the nginx-ns namespace, server_nginx.yaml, nginx_svc.yaml. */
const SEED_004 = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client
spec:
  replicas: 1
  selector:
    matchLabels:
      app: busybox
  template:
    metadata:
      labels:
        app: busybox
    spec:
      containers:
      - name: busybox
        image: busybox
        command: ["/bin/sh", "-c", "sleep 36000"]
---
apiVersion: v1
kind: Service
metadata:
  name: client-svc
spec:
  type: ExternalName
  externalName: nginx-svc.nginx-ns.svc.cluster.local
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: Namespace
metadata:
  name: nginx-ns
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: nginx-ns
spec:
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        imagePullPolicy: IfNotPresent
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-svc
  namespace: nginx-ns
spec:
  selector:
    app: nginx
  ports:
  - name: http
    protocol: TCP
    port: 80
    targetPort: 80
`;

/**
 * netexec backends (one per node: created first, on an empty cluster) whose readiness a test
 * turns off by creating `<marks>/unready-<pod name>`; the probe also waits for the HTTP server.
 */
function netexecManifest(marks: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ne
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ne
  template:
    metadata:
      labels:
        app: ne
    spec:
      containers:
      - name: netexec
        image: registry.k8s.io/e2e-test-images/agnhost:2.45
        args: ["netexec", "--http-port=8080", "--udp-port=8081"]
        readinessProbe:
          exec:
            command: ["sh", "-c", "test ! -e ${marks}/unready-$HOSTNAME && curl -sf -o /dev/null --max-time 1 http://127.0.0.1:8080/healthz"]
          periodSeconds: 1
          failureThreshold: 1
`;
}

const SERVICES = `
apiVersion: v1
kind: Service
metadata:
  name: ne
spec:
  selector:
    app: ne
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: udp
    protocol: UDP
    port: 8081
    targetPort: 8081
---
apiVersion: v1
kind: Service
metadata:
  name: ne-affinity
spec:
  selector:
    app: ne
  sessionAffinity: ClientIP
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: ne-local
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector:
    app: ne
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: empty
spec:
  selector:
    app: nothing-matches-this
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  nodeSelector:
    kubernetes.io/hostname: node-3
  containers:
  - name: ticker
    image: busybox
    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
`;

interface PodJson {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

interface ServiceJson {
  spec: { clusterIP: string; ports: { name?: string; port: number; nodePort?: number }[] };
}

/** UDP from a fixed source port (so a kernel dataplane's conntrack entry is reused): one line per query, `TIMEOUT` when unanswered. */
const UDP_CLIENT = `
const dgram = require('node:dgram');
const [host, port, sport, msg, count] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let left = Number(count), timer;
const out = [];
const next = () => { if (--left <= 0) { process.stdout.write(out.join('\\n') + '\\n'); s.close(); } else send(); };
const send = () => { s.send(msg, Number(port), host); timer = setTimeout(() => { out.push('TIMEOUT'); next(); }, 1000); };
s.on('message', (m) => { clearTimeout(timer); out.push(m.toString()); next(); });
s.bind(Number(sport), send);
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `ip:port` or `[::ffff:ip]:port` → ip. */
function addressOf(clientip: string): string {
  return clientip.trim().replace(/:\d+$/, '').replace(/^\[(?:::ffff:)?(.*)\]$/, '$1');
}

const isReady = (p: PodJson): boolean => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

const MODES = PROXY_MODES.map((mode) => ({ mode, skip: skip ?? modeSkipReason(mode) }));
for (const m of MODES) if (!skip && m.skip) console.log(`# --proxy-mode ${m.mode} skipped: ${m.skip}`);
const firstMode = MODES.find((m) => !m.skip)?.mode;

describe('multinode Services and DNS (one cluster, each proxy mode in turn)', { skip: skip ?? (firstMode ? undefined : 'no proxy mode to run') }, () => {
  let cluster: MultinodeCluster;
  let marks = '';
  /** netexec pods by node name. */
  const ne = new Map<string, PodJson>();
  let myapp: PodJson[] = [];
  const svc = new Map<string, ServiceJson>();

  const kubectl = (args: readonly string[], input?: string): CommandResult => cluster.kubectl(args, input === undefined ? {} : { input });
  const mustKubectl = (args: readonly string[], input?: string): string => {
    const r = kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const pods = (selector: string, namespace = 'default'): PodJson[] =>
    (JSON.parse(mustKubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items;
  const service = (name: string): ServiceJson => JSON.parse(mustKubectl(['get', 'service', name, '-o', 'json'])) as ServiceJson;
  const clusterIP = (name: string): string => svc.get(name)?.spec.clusterIP ?? assert.fail(`no Service ${name}`);
  const netnsOf = (p: PodJson): string => cluster.podNetns(p.metadata.uid, p.status.podIP) ?? assert.fail(`no namespace for pod ${p.metadata.name}`);
  const nodeNs = (name: string): string => cluster.nodes.find((n) => n.name === name)?.ns ?? assert.fail(`no node ${name}`);
  const neOn = (node: string): PodJson => ne.get(node) ?? assert.fail(`no netexec pod on ${node}`);
  /** `curl` in a namespace; each URL is a new connection, one output line per URL. */
  const curl = (ns: string, urls: readonly string[], maxTime = 3): CommandResult & { ms: number } => {
    const t0 = Date.now();
    const r = cluster.inNetns(ns, ['curl', '-sS', '--max-time', String(maxTime), '-H', 'Connection: close', '-w', '\\n', ...urls]);
    return { ...r, ms: Date.now() - t0 };
  };
  const answers = (ns: string, url: string, n: number): string[] => {
    const r = curl(ns, Array.from({ length: n }, () => url));
    assert.equal(r.code, 0, `${ns}: curl ${url}: ${r.stderr}`);
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  };
  const udp = (ns: string, host: string, port: number, sport: number, count: number): string[] => {
    const r = cluster.inNetns(ns, [process.execPath, '-e', UDP_CLIENT, host, String(port), String(sport), 'hostname', String(count)]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n');
  };
  const setReady = (pod: PodJson, ready: boolean): void => {
    const file = join(marks, `unready-${pod.metadata.name}`);
    if (ready) rmSync(file, { force: true });
    else writeFileSync(file, '');
  };
  const waitReady = async (pod: PodJson, ready: boolean): Promise<void> => {
    await waitFor(`${pod.metadata.name} ready=${ready}`, 20_000, () => {
      const r = kubectl(['get', 'pod', pod.metadata.name, '-o', 'json']);
      return r.code === 0 && isReady(JSON.parse(r.stdout) as PodJson) === ready;
    });
  };
  /** Every pod Ready, and the images without a probe (myapp, nginx) answering: Ready is not listening yet. */
  const waitForWorkloads = async (): Promise<void> => {
    await waitFor('every pod ready', 90_000, () => {
      const all = (JSON.parse(mustKubectl(['get', 'pods', '-A', '-o', 'json'])) as { items: PodJson[] }).items;
      return all.length === 9 && all.every(isReady);
    });
    await waitFor('myapp and nginx answering', 30_000, () => {
      const targets = [...pods('app=myapp'), ...pods('app=nginx', 'nginx-ns')].map((p) => `http://${p.status.podIP}/`);
      return curl(cluster.server.ns, targets, 2).code === 0;
    });
  };
  const failWithState = (e: unknown): never => {
    throw new Error(`${(e as Error).message}\n${kubectl(['get', 'pods', '-A', '-o', 'wide']).stdout}\n${cluster.output()}`);
  };

  before(async () => {
    const t0 = Date.now();
    cluster = await MultinodeCluster.start({ proxyMode: firstMode, clientCount: 1, log: (m) => console.log(`# ${m}`) });
    console.log(`# cluster up in ${Date.now() - t0} ms`);
    marks = join(cluster.workDir, 'marks');
    mkdirSync(marks, { recursive: true });
    try {
      // The netexec pods go first, on an empty cluster: the scheduler then puts one on each node.
      mustKubectl(['apply', '-f', '-'], netexecManifest(marks));
      await waitFor('3 scheduled netexec pods', 30_000, () => new Set(pods('app=ne').map((p) => p.spec.nodeName).filter(Boolean)).size === 3);
      mustKubectl(['apply', '-f', '-'], `${SEED_001}\n---\n${SEED_004}\n---\n${SERVICES}`);
      await waitForWorkloads();
      for (const p of pods('app=ne')) ne.set(p.spec.nodeName ?? '', p);
      myapp = pods('app=myapp');
      for (const name of ['myapp', 'ne', 'ne-affinity', 'ne-local', 'empty']) svc.set(name, service(name));
    } catch (e) {
      failWithState(e);
    }
    console.log(`# workloads ready ${Date.now() - t0} ms after start`);
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

  for (const { mode, skip: modeSkip } of MODES) {
    const kernel = mode !== 'userspace';

    /**
     * The backends a client reaches: userspace schedules round robin, so 3 requests from an idle
     * client see each of 3 backends exactly once; the kernel modes pick at random, so up to 30.
     */
    const assertReachesAll = (ns: string, url: string, expected: readonly string[]): void => {
      if (!kernel) {
        const got = answers(ns, url, expected.length);
        assert.deepEqual([...got].sort(), [...expected].sort(), `${ns} → ${url}: round robin over every backend`);
        return;
      }
      const seen = new Set<string>();
      for (let i = 0; i < 3 && seen.size < expected.length; i++) for (const a of answers(ns, url, 10)) seen.add(a);
      assert.deepEqual([...seen].sort(), [...expected].sort(), `${ns} → ${url}: every backend within 30 requests`);
    };

    describe(`--proxy-mode ${mode}`, { skip: modeSkip }, () => {
      before(async () => {
        for (const f of readdirSync(marks)) rmSync(join(marks, f), { force: true });
        if (cluster.proxyMode === mode) return;
        const t0 = Date.now();
        try {
          await cluster.restartAgents(mode);
          await waitForWorkloads();
        } catch (e) {
          failWithState(e);
        }
        console.log(`# agents restarted with --proxy-mode ${mode}, workloads ready in ${Date.now() - t0} ms`);
      });

      test("the node namespaces hold this mode's dataplane and nothing of another mode", () => {
        for (const n of cluster.nodes) {
          const lo = cluster.inNetns(n.ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'lo']).stdout;
          if (kernel) assert.doesNotMatch(lo, /inet 10\./, `${n.name}: no Service address left on lo`);
          else assert.match(lo, new RegExp(`inet ${clusterIP('myapp').replace(/\./g, '\\.')}/32`), `${n.name}: the userspace proxy serves the cluster IP on lo`);
          const tables = cluster.inNetns(n.ns, ['nft', 'list', 'tables']).stdout;
          assert.equal(/\bkube-proxy\b/.test(tables), mode === 'nftables', `${n.name}: nft tables: ${tables.trim()}`);
          const legacy = cluster.inNetns(n.ns, ['iptables-legacy-save', '-t', 'nat']);
          const nftIpt = cluster.inNetns(n.ns, ['iptables-nft-save', '-t', 'nat']);
          const ipt = `${legacy.code === 0 ? legacy.stdout : ''}${nftIpt.code === 0 ? nftIpt.stdout : ''}`;
          assert.equal(/^:KUBE-SERVICES /m.test(ipt), mode === 'iptables', `${n.name}: iptables nat chains`);
        }
      });

      test('seed 001: curl <podIP> answers from a node namespace and from a pod on another node', () => {
        assert.equal(myapp.length, 3);
        for (const p of myapp) {
          const fromNode = curl(cluster.server.ns, [`http://${p.status.podIP}`]);
          assert.equal(fromNode.code, 0, fromNode.stderr);
          assert.match(fromNode.stdout, /^Hello MyApp \| Version: v1 \| <a href="hostname.html">Pod Name<\/a>/);
          const other = [...ne.values()].find((n) => n.spec.nodeName !== p.spec.nodeName) ?? assert.fail('no pod on another node');
          const fromPod = curl(netnsOf(other), [`http://${p.status.podIP}/hostname.html`]);
          assert.equal(fromPod.code, 0, fromPod.stderr);
          assert.equal(fromPod.stdout.trim(), p.metadata.name);
        }
      });

      test('seed 001: curl <clusterIP> from a pod on each node and from each node reaches all 3 backends', () => {
        const ip = clusterIP('myapp');
        const names = myapp.map((p) => p.metadata.name);
        const front = curl(netnsOf(neOn('node-2')), [`http://${ip}`]);
        assert.equal(front.code, 0, front.stderr);
        assert.match(front.stdout, /^Hello MyApp/);
        for (const n of cluster.nodes) {
          assertReachesAll(netnsOf(neOn(n.name)), `http://${ip}/hostname.html`, names);
          assertReachesAll(n.ns, `http://${ip}/hostname.html`, names);
        }
      });

      test('seed 001: the NodePort version of myapp answers on every node address, from outside and from another node', async () => {
        mustKubectl(['apply', '-f', '-'], SEED_001_NODEPORT);
        const s = service('myapp');
        const nodePort = s.spec.ports[0]?.nodePort;
        assert.ok(nodePort && nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);
        assert.equal(s.spec.clusterIP, clusterIP('myapp'), 'the cluster IP is kept');
        const names = myapp.map((p) => p.metadata.name);
        const client = cluster.clients[0] ?? assert.fail('no client namespace');
        // The proxies see the type change at their next sync.
        await waitFor('the NodePort to answer', 10_000, () => curl(client.ns, [`http://${cluster.server.ip}:${nodePort}/hostname.html`], 1).code === 0);
        for (const n of cluster.nodes) assertReachesAll(client.ns, `http://${n.ip}:${nodePort}/hostname.html`, names);
        const fromNode = curl(nodeNs('node-2'), [`http://${cluster.nodes[2]?.ip}:${nodePort}/hostname.html`]);
        assert.equal(fromNode.code, 0, fromNode.stderr);
        assert.ok(names.includes(fromNode.stdout.trim()), fromNode.stdout);
      });

      test('sessionAffinity ClientIP pins each client to one backend', () => {
        const ip = clusterIP('ne-affinity');
        const backends = new Set([...ne.values()].map((p) => p.metadata.name));
        for (const n of cluster.nodes) {
          for (const ns of [netnsOf(neOn(n.name)), n.ns]) {
            const got = answers(ns, `http://${ip}/hostname`, 6);
            assert.equal(new Set(got).size, 1, `${ns}: ${got.join(' ')}`);
            assert.ok(backends.has(got[0] ?? ''), got[0]);
          }
        }
      });

      test('externalTrafficPolicy Local: each node answers with its own pod only; the backend sees the client address', () => {
        const nodePort = svc.get('ne-local')?.spec.ports[0]?.nodePort ?? assert.fail('no nodePort');
        const client = cluster.clients[0] ?? assert.fail('no client namespace');
        for (const n of cluster.nodes) {
          const got = answers(client.ns, `http://${n.ip}:${nodePort}/hostname`, 4);
          assert.deepEqual(got, Array(4).fill(neOn(n.name).metadata.name), `${n.name} answers with its local pod`);
          const seen = addressOf(answers(client.ns, `http://${n.ip}:${nodePort}/clientip`, 1)[0] ?? '');
          if (kernel) assert.equal(seen, client.ip, `${n.name}: the backend sees the client, not the node`);
          else {
            // The userspace proxy opens its own connection to the backend (as kube-proxy's userspace
            // mode did): the backend sees the node, never the client.
            assert.notEqual(seen, client.ip);
            assert.ok(seen === n.ip || seen.endsWith('.1'), `${n.name}: backend saw ${seen}`);
          }
        }
      });

      test('an endpoint turning unready stops receiving new connections within about a second', async (t) => {
        const victim = neOn('node-3');
        const client = netnsOf(neOn('node-1'));
        const url = `http://${clusterIP('ne')}/hostname`;
        // Kernel modes balance at random: 30 requests miss one of 3 backends with p ≈ 5e-6.
        assert.ok(answers(client, url, 30).includes(victim.metadata.name), 'the victim serves before');
        const t0 = Date.now();
        setReady(victim, false);
        let lastSeen = 0;
        let quietSince = Date.now();
        // Done once the victim has been absent from 2 s of requests (≥ 20 bursts of 3).
        while (Date.now() - quietSince < 2_000) {
          assert.ok(Date.now() - t0 < 20_000, 'the unready endpoint kept receiving connections for 20 s');
          const got = answers(client, url, 3);
          if (got.includes(victim.metadata.name)) {
            lastSeen = Date.now() - t0;
            quietSince = Date.now();
          }
          await sleep(50);
        }
        t.diagnostic(`${mode}: last connection to the unready endpoint ${lastSeen} ms after its probe started failing`);
        // Probe period 1 s + pod status + EndpointSlice + the proxy's 1 s minimum sync interval.
        assert.ok(lastSeen < 4_000, `the unready endpoint still got connections ${lastSeen} ms later`);
        // Its node no longer has a ready local endpoint for the Local NodePort.
        const nodePort = svc.get('ne-local')?.spec.ports[0]?.nodePort ?? 0;
        const local = curl(cluster.clients[0]?.ns ?? '', [`http://${cluster.nodes[2]?.ip}:${nodePort}/hostname`], 1);
        assert.notEqual(local.code, 0, `node-3's Local NodePort answered without a ready local pod: ${local.stdout}`);
        setReady(victim, true);
        await waitReady(victim, true);
        await waitFor('the endpoint back in rotation', 10_000, () => answers(client, url, 3).includes(victim.metadata.name));
      });

      test('UDP through a ClusterIP is answered and follows a backend change', async () => {
        const ip = clusterIP('ne');
        const client = netnsOf(neOn('node-1'));
        const names = new Set([...ne.values()].map((p) => p.metadata.name));
        const first = udp(client, ip, 8081, 40001, 3);
        assert.equal(new Set(first).size, 1, `one source port, one backend: ${first.join(' ')}`);
        const pinned = first[0] ?? '';
        assert.ok(names.has(pinned), pinned);
        const victim = [...ne.values()].find((p) => p.metadata.name === pinned) ?? assert.fail(pinned);
        setReady(victim, false);
        try {
          await waitReady(victim, false);
          // Same source port: the flow must move on (kernel modes drop its conntrack entry).
          let got: string[] = [];
          await waitFor('UDP answers from another backend', 5_000, () => {
            got = udp(client, ip, 8081, 40001, 1);
            return got[0] !== pinned && got[0] !== 'TIMEOUT';
          }).catch((e: Error) => assert.fail(`${e.message}: last answer ${got.join(' ')}`));
          const after = udp(client, ip, 8081, 40001, 3);
          for (const a of after) assert.ok(names.has(a) && a !== pinned, `answered by ${a}`);
          assert.ok(udp(client, ip, 8081, 40002, 2).every((a) => names.has(a) && a !== pinned), 'a new flow skips the unready backend');
        } finally {
          setReady(victim, true);
        }
        await waitReady(victim, true);
      });

      test('a Service without endpoints refuses at once', () => {
        const url = `http://${clusterIP('empty')}/`;
        for (const ns of [netnsOf(neOn('node-2')), nodeNs('node-3')]) {
          const r = curl(ns, [url], 3);
          assert.notEqual(r.code, 0, `${ns}: answered ${r.stdout}`);
          assert.equal(r.stdout.trim(), '');
          // curl 7: connect refused (kernel modes reject); 52/56: accepted, then reset (userspace).
          assert.ok([7, 52, 56].includes(r.code), `${ns}: curl exit ${r.code}: ${r.stderr}`);
          if (kernel) assert.equal(r.code, 7, `${ns}: the connect itself is refused: ${r.stderr}`);
          assert.ok(r.ms < 1_000, `${ns}: took ${r.ms} ms`);
        }
      });

      test('DNS in pods: 10.96.0.10 through the proxy answers Services, headless Services and short names', { skip: noDig }, () => {
        const clientPod = pods('app=busybox')[0] ?? assert.fail('no busybox pod');
        const ns = netnsOf(clientPod);
        const other = netnsOf(neOn('node-3'));
        const resolv = cluster.inNetns(ns, ['cat', '/etc/resolv.conf']).stdout;
        assert.match(resolv, new RegExp(`^nameserver ${CLUSTER_DNS.replace(/\./g, '\\.')}$`, 'm'));
        assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
        const ip = clusterIP('myapp');
        for (const where of [ns, other]) {
          const full = cluster.inNetns(where, ['getent', 'hosts', 'myapp.default.svc.cluster.local']);
          assert.equal(full.code, 0, `${where}: ${full.stderr}`);
          assert.equal(full.stdout.trim().split(/\s+/)[0], ip);
          const short = cluster.inNetns(where, ['getent', 'hosts', 'myapp']);
          assert.equal(short.code, 0, `${where}: short name: ${short.stderr}`);
          assert.equal(short.stdout.trim().split(/\s+/)[0], ip);
        }
        const dig = cluster.inNetns(other, ['dig', '+short', '+time=2', '+tries=2', '-t', 'A', 'myapp-headless.default.svc.cluster.local.', `@${CLUSTER_DNS}`]);
        assert.equal(dig.code, 0, dig.stderr);
        assert.deepEqual(dig.stdout.trim().split('\n').sort(), myapp.map((p) => p.status.podIP ?? '').sort(), 'the headless name lists the pod IPs');
        const nx = cluster.inNetns(other, ['dig', '+time=2', '+tries=2', '-t', 'A', 'nope.default.svc.cluster.local.', `@${CLUSTER_DNS}`]);
        assert.match(nx.stdout, /status: NXDOMAIN/);
      });

      test('seed 004: wget of the ExternalName Service returns the page of the Service it names', { skip: noDig ?? (wget ? undefined : 'needs wget or busybox') }, () => {
        const clientPod = pods('app=busybox')[0]?.metadata.name ?? assert.fail('no busybox pod');
        const viaAlias = kubectl(['exec', clientPod, '--', ...(wget ?? []), '-q', '-O', '-', 'client-svc.default.svc.cluster.local']);
        assert.equal(viaAlias.code, 0, viaAlias.stderr);
        const direct = kubectl(['exec', clientPod, '--', ...(wget ?? []), '-q', '-O', '-', 'nginx-svc.nginx-ns.svc.cluster.local']);
        assert.equal(direct.code, 0, direct.stderr);
        assert.match(direct.stdout, /<title>Welcome to nginx!<\/title>/);
        assert.equal(viaAlias.stdout, direct.stdout);
        const cname = cluster.inNetns(netnsOf(neOn('node-2')), ['dig', '+short', '+time=2', '-t', 'A', 'client-svc.default.svc.cluster.local.', `@${CLUSTER_DNS}`]);
        const nginxIP = (JSON.parse(mustKubectl(['get', 'service', '-n', 'nginx-ns', 'nginx-svc', '-o', 'json'])) as ServiceJson).spec.clusterIP;
        assert.deepEqual(cname.stdout.trim().split('\n'), ['nginx-svc.nginx-ns.svc.cluster.local.', nginxIP]);
      });

      test('kubectl logs -f streams through the API server from a pod on another node; --tail=1', async () => {
        const ticker = (JSON.parse(mustKubectl(['get', 'pod', 'ticker', '-o', 'json'])) as PodJson).spec.nodeName;
        assert.equal(ticker, 'node-3', 'the pod runs away from the API server');
        const tail = mustKubectl(['logs', '--tail=1', 'ticker']);
        assert.match(tail, /^tick \d+\n$/);
        const follow = cluster.kubectlSpawn(['logs', '-f', '--tail=1', 'ticker']);
        const lines: { at: number; n: number }[] = [];
        let buf = '';
        follow.stdout?.on('data', (d: Buffer) => {
          buf += d.toString();
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const m = /^tick (\d+)$/.exec(buf.slice(0, i));
            if (m) lines.push({ at: Date.now(), n: Number(m[1]) });
            buf = buf.slice(i + 1);
          }
        });
        let stderr = '';
        follow.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        try {
          await waitFor('5 streamed lines', 15_000, () => lines.length >= 5).catch((e: Error) => assert.fail(`${e.message}: ${lines.length} lines; ${stderr}`));
        } finally {
          follow.kill('SIGTERM');
        }
        const first = lines[0] ?? assert.fail('no line');
        const last = lines[lines.length - 1] ?? assert.fail('no line');
        assert.ok(lines.every((l, i) => i === 0 || l.n === (lines[i - 1]?.n ?? 0) + 1), `consecutive lines: ${lines.map((l) => l.n).join(' ')}`);
        // Written every 200 ms and delivered as they come, not in one piece at the end.
        assert.ok(last.at - first.at >= 400, `lines arrived over ${last.at - first.at} ms`);
      });

      test("the machine's own namespace has none of the cluster's addresses or routes", () => {
        const own = `${spawnSync('ip', ['-4', 'addr']).stdout.toString()}${spawnSync('ip', ['-4', 'route']).stdout.toString()}`;
        assert.doesNotMatch(own, /\b10\.244\.|\b10\.96\.|\b172\.30\.0\./);
      });
    });
  }
});
