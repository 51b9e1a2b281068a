/**
 * The Endpoints controller and the EndpointSlice mirroring controller against a real server,
 * driven by the real kubectl: the user's selectorless `external-http-service` with a hand-written
 * Endpoints object (192.168.3.215:80) is mirrored into an EndpointSlice; a Service with a selector
 * gets its Endpoints from pods whose status the test sets (acting as the node), with ready and
 * not-ready addresses; deleting a Service removes what was made for it.
 *
 * The scheduler is disabled so pods stay on the node named in their spec.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import type { KubeObject } from '../../src/api/object.js';
import { ENDPOINTS, ENDPOINTSLICES, NODES, PODS } from '../../src/controllers/resources.js';
import type { Endpoints, Pod } from '../../src/controllers/endpoints/endpoints-types.js';
import type { EndpointSlice } from '../../src/controllers/endpointslice-mirroring/endpointslice-types.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

/** The user's document: a selectorless Service and its hand-written Endpoints, in one file. */
const EXTERNAL_SERVICE_YAML = `# Service 定义
apiVersion: v1
kind: Service
metadata:
  name: external-http-service
spec:
  ports:
    - name: http
      port: 80
      protocol: TCP
---
# Endpoints 定义
apiVersion: v1
kind: Endpoints
metadata:
  name: external-http-service
subsets:
  - addresses:
      - ip: 192.168.3.215
    ports:
      - name: http
        port: 80
        protocol: TCP
`;

const MIRROR_SELECTOR = 'endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io';

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
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
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Endpoints and EndpointSlice mirroring', { skip }, () => {
  const server = new TestServer({ extraArgs: ['--controllers=*,-scheduler'] });
  let client: KubeClient;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'endpoints-e2e' });
  });
  after(async () => {
    client?.close();
    await server.stop();
    server.cleanup();
  });

  const mirroredSlices = async (svc: string): Promise<EndpointSlice[]> =>
    (await client.list<EndpointSlice>(ENDPOINTSLICES, 'default', { labelSelector: `kubernetes.io/service-name=${svc},${MIRROR_SELECTOR}` })).items;

  test('kubectl apply -f of the selectorless Service + Endpoints creates both', async () => {
    const file = server.writeFile('external-http-service.yaml', EXTERNAL_SERVICE_YAML);
    const out = await server.ok(['apply', '-f', file]);
    assert.match(out, /^service\/external-http-service created$/m);
    assert.match(out, /^endpoints\/external-http-service created$/m);
  });

  test('the hand-written Endpoints is mirrored into an EndpointSlice with 192.168.3.215 and port http', async () => {
    const slice = await eventually('a mirrored EndpointSlice', async () => (await mirroredSlices('external-http-service'))[0]);
    assert.match(slice.metadata.name ?? '', /^external-http-service-[a-z0-9]{5}$/);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [{ addresses: ['192.168.3.215'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
    const ep = await client.get<Endpoints>(ENDPOINTS, 'default', 'external-http-service');
    assert.deepEqual(slice.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Endpoints', name: 'external-http-service', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(slice.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    // The user's Endpoints object is left as written.
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '192.168.3.215' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]);
    assert.equal(ep.metadata.labels, undefined);
  });

  test('kubectl get endpoints shows 192.168.3.215:80', async () => {
    const rows = tableRows(await server.ok(['get', 'endpoints', 'external-http-service']));
    assert.deepEqual(rows[0]?.slice(0, 2), ['NAME', 'ENDPOINTS']);
    assert.deepEqual(rows[1]?.slice(0, 2), ['external-http-service', '192.168.3.215:80']);
  });

  test('kubectl describe service lists Endpoints: 192.168.3.215:80', async () => {
    const out = await server.ok(['describe', 'service', 'external-http-service']);
    assert.match(out, /^Endpoints:\s+192\.168\.3\.215:80$/m);
    assert.match(out, /^Selector:\s+<none>$/m);
  });

  test('the kubernetes Endpoints (skip-mirror) is not mirrored and not touched', async () => {
    const before = await client.get<Endpoints>(ENDPOINTS, 'default', 'kubernetes');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await mirroredSlices('kubernetes'), []);
    const after = await client.get<Endpoints>(ENDPOINTS, 'default', 'kubernetes');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  test('editing the hand-written Endpoints updates the same mirrored slice', async () => {
    const [before] = await mirroredSlices('external-http-service');
    await server.ok([
      'patch',
      'endpoints',
      'external-http-service',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/subsets/0/notReadyAddresses","value":[{"ip":"192.168.3.216"}]}]',
    ]);
    const slice = await eventually('the slice to list the not-ready address', async () => {
      const [s] = await mirroredSlices('external-http-service');
      return s && (s.endpoints?.length ?? 0) === 2 ? s : undefined;
    });
    assert.equal(slice.metadata.name, before?.metadata.name);
    assert.deepEqual(slice.endpoints, [
      { addresses: ['192.168.3.215'], conditions: { ready: true } },
      { addresses: ['192.168.3.216'], conditions: { ready: false } },
    ]);
  });

  // ---- a Service with a selector: Endpoints from pods ----------------------------------------

  const podManifest = (name: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
  });

  async function setPodStatus(name: string, ip: string, ready: boolean): Promise<void> {
    const pod = await client.get<Pod>(PODS, 'default', name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    // Keep what the API server set (qosClass is immutable), as a kubelet would.
    pod.status = {
      ...pod.status,
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    };
    await client.updateStatus(PODS, 'default', pod);
  }

  const ref = (pod: Pod): Record<string, unknown> => ({ kind: 'Pod', namespace: 'default', name: pod.metadata.name, uid: pod.metadata.uid });

  test('a Service with a selector gets Endpoints with ready and not-ready addresses', async () => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    await client.create(NODES, undefined, node);
    await client.create(PODS, 'default', podManifest('web-a'));
    await client.create(PODS, 'default', podManifest('web-b'));
    await setPodStatus('web-a', '10.244.1.10', true);
    await setPodStatus('web-b', '10.244.1.11', false);
    const svcFile = server.writeFile(
      'web-service.yaml',
      `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    tier: front
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`,
    );
    await server.ok(['apply', '-f', svcFile]);
    const a = await client.get<Pod>(PODS, 'default', 'web-a');
    const b = await client.get<Pod>(PODS, 'default', 'web-b');
    const ep = await eventually('Endpoints web', async () => {
      const e = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
      return (e.subsets?.length ?? 0) > 0 ? e : undefined;
    });
    assert.deepEqual(ep.subsets, [
      {
        addresses: [{ ip: '10.244.1.10', nodeName: 'node-1', targetRef: ref(a) }],
        notReadyAddresses: [{ ip: '10.244.1.11', nodeName: 'node-1', targetRef: ref(b) }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(ep.metadata.labels, { tier: 'front' });
    assert.match(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // Endpoints of a Service with a selector are never mirrored.
    assert.deepEqual(await mirroredSlices('web'), []);

    const rows = tableRows(await server.ok(['get', 'endpoints', 'web']));
    assert.deepEqual(rows[1]?.slice(0, 2), ['web', '10.244.1.10:8080']);
  });

  test('a pod turning ready moves to addresses; an irrelevant pod change writes nothing', async () => {
    await setPodStatus('web-b', '10.244.1.11', true);
    const ep = await eventually('both addresses ready', async () => {
      const e = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    });
    assert.deepEqual(
      ep.subsets?.[0]?.addresses?.map((x) => x.ip),
      ['10.244.1.10', '10.244.1.11'],
    );
    assert.equal(ep.subsets?.[0]?.notReadyAddresses, undefined);

    await server.ok(['annotate', 'pod', 'web-a', 'note=irrelevant']);
    await new Promise((r) => setTimeout(r, 1000));
    const again = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
    assert.equal(again.metadata.resourceVersion, ep.metadata.resourceVersion, 'no write for a change that does not affect endpoints');
  });

  test('a hand-deleted Endpoints of a selector Service is recreated', async () => {
    const before = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
    await server.ok(['delete', 'endpoints', 'web']);
    const ep = await eventually('Endpoints web recreated', async () => {
      const e = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
      return e.metadata.uid !== before.metadata.uid ? e : undefined;
    });
    assert.equal(ep.subsets?.[0]?.addresses?.length, 2);
  });

  test('deleting the Service removes its Endpoints', async () => {
    await server.ok(['delete', 'service', 'web']);
    await eventually('Endpoints web gone', async () => {
      const r = await server.kubectl(['get', 'endpoints', 'web']);
      return r.code !== 0 && /NotFound|not found/.test(r.stderr) ? true : undefined;
    });
  });

  test('deleting the selectorless Service removes its mirrored slices', async () => {
    await server.ok(['delete', 'service', 'external-http-service']);
    await eventually('mirrored slices gone', async () => ((await mirroredSlices('external-http-service')).length === 0 ? true : undefined));
  });
});
