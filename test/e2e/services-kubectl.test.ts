/**
 * The Service registry driven by the real kubectl against a real server:
 * the flows of the upstream Service docs and the user's documents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

interface ServiceJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion: string };
  spec: {
    type: string;
    clusterIP: string;
    clusterIPs?: string[];
    ports: { name?: string; port: number; targetPort: number | string; protocol: string; nodePort?: number }[];
    sessionAffinity: string;
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    internalTrafficPolicy?: string;
    externalTrafficPolicy?: string;
    healthCheckNodePort?: number;
    externalName?: string;
  };
  status?: unknown;
}

describe('Services with kubectl', { skip }, () => {
  const server = new TestServer();
  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  const getSvc = async (name: string): Promise<ServiceJson> => JSON.parse(await server.ok(['get', 'svc', name, '-o', 'json'])) as ServiceJson;

  test('kubectl get services shows the kubernetes service at 10.96.0.1', async () => {
    const rows = tableRows(await server.ok(['get', 'services']));
    assert.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const k = rows.find((r) => r[0] === 'kubernetes');
    assert.ok(k, 'kubernetes service listed');
    assert.deepEqual(k.slice(0, 5), ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
  });

  test('system namespaces exist from the start', async () => {
    const names = (await server.ok(['get', 'namespaces', '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(names, ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
  });

  test('create --dry-run=client -o yaml, then apply -f creates the service with upstream defaults', async () => {
    const yaml = await server.ok(['create', 'service', 'clusterip', 'nginx', '--tcp=80:80', '--dry-run=client', '-o', 'yaml']);
    const file = server.writeFile('nginx-service.yaml', yaml);
    assert.match(await server.ok(['apply', '-f', file]), /^service\/nginx created$/m);
    const svc = await getSvc('nginx');
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ports, [{ name: '80-80', port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.deepEqual(svc.status, { loadBalancer: {} });
    assert.ok(svc.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
    // The generated file carries `creationTimestamp: null`, so kubectl's 3-way patch is not empty
    // (upstream prints "configured" here too); a manifest without it is "unchanged".
    assert.match(await server.ok(['apply', '-f', file]), /service\/nginx (configured|unchanged)/);
    const clean = server.writeFile('nginx-clean.yaml', yaml.replace(/^\s*creationTimestamp: null\n/m, ''));
    await server.ok(['apply', '-f', clean]);
    assert.match(await server.ok(['apply', '-f', clean]), /service\/nginx unchanged/);
  });

  test('apply with a changed port is a 3-way merge that drops the old port', async () => {
    const before = await getSvc('nginx');
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels: {app: nginx}
spec:
  selector: {app: nginx}
  ports:
  - name: 80-80
    port: 8080
    protocol: TCP
    targetPort: 80
`;
    const out = await server.ok(['apply', '-f', server.writeFile('nginx-8080.yaml', manifest)]);
    assert.match(out, /service\/nginx configured/);
    const svc = await getSvc('nginx');
    assert.deepEqual(
      svc.spec.ports.map((p) => [p.port, p.targetPort]),
      [[8080, 80]],
    );
    assert.equal(svc.spec.clusterIP, before.spec.clusterIP, 'clusterIP is kept');
  });

  test('server-side apply', async () => {
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: ssa-web
  labels: {run: ssa-web}
spec:
  selector: {run: ssa-web}
  ports:
  - port: 80
    protocol: TCP
`;
    const file = server.writeFile('ssa.yaml', manifest);
    assert.match(await server.ok(['apply', '--server-side', '-f', file]), /service\/ssa-web serverside-applied/);
    const again = manifest.replace('port: 80\n', 'port: 81\n');
    assert.match(await server.ok(['apply', '--server-side', '-f', server.writeFile('ssa2.yaml', again)]), /serverside-applied/);
    const svc = await getSvc('ssa-web');
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [81],
    );
    // The CSA-created service can be taken over by SSA too.
    assert.match(
      await server.ok([
        'apply',
        '--server-side',
        '-f',
        server.writeFile(
          'nginx-ssa.yaml',
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\n  labels: {app: nginx}\nspec:\n  selector: {app: nginx}\n  ports:\n  - name: 80-80\n    port: 8080\n    protocol: TCP\n    targetPort: 80\n',
        ),
      ]),
      /serverside-applied/,
    );
  });

  test('describe service shows the upstream fields', async () => {
    const svc = await getSvc('nginx');
    const out = await server.ok(['describe', 'service', 'nginx']);
    for (const re of [
      /^Name:\s+nginx$/m,
      /^Namespace:\s+default$/m,
      /^Labels:\s+app=nginx$/m,
      /^Selector:\s+app=nginx$/m,
      /^Type:\s+ClusterIP$/m,
      new RegExp(`^IP:\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}$`, 'm'),
      /^Port:\s+80-80\s+8080\/TCP$/m,
      /^TargetPort:\s+80\/TCP$/m,
      /^Session Affinity:\s+None$/m,
      /^Events:\s+<none>$/m,
    ]) {
      assert.match(out, re);
    }
  });

  test('get -o wide, -l, -o yaml', async () => {
    const wide = tableRows(await server.ok(['get', 'svc', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.equal(wide.find((r) => r[0] === 'nginx')?.[6], 'app=nginx');
    const labelled = tableRows(await server.ok(['get', 'svc', '-l', 'app=nginx']));
    assert.deepEqual(
      labelled.slice(1).map((r) => r[0]),
      ['nginx'],
    );
    const none = await server.kubectl(['get', 'svc', '-l', 'app=nothing']);
    assert.match(none.stderr, /No resources found in default namespace\./);
    const yaml = await server.ok(['get', 'svc', 'nginx', '-o', 'yaml']);
    assert.match(yaml, /^kind: Service$/m);
    assert.match(yaml, /^ {2}sessionAffinity: None$/m);
  });

  test('get -w streams changes', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfig, '--cache-dir', server.cacheDir, 'get', 'svc', '-w'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!out.includes('kubernetes') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await server.ok(['create', 'service', 'clusterip', 'watched', '--tcp=81:81']);
      while (!/^watched\s+ClusterIP/m.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /^watched\s+ClusterIP\s+10\./m);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('explain shows real field descriptions', async () => {
    const out = await server.ok(['explain', 'service.spec.sessionAffinity']);
    assert.match(out, /KIND:\s+Service/);
    assert.match(out, /FIELD:\s+sessionAffinity <string>/);
    assert.match(out, /ClientIP/);
    const ports = await server.ok(['explain', 'service.spec.ports']);
    assert.match(ports, /port\s+<integer> -required-/);
  });

  test('edit, label, annotate and delete', async () => {
    const editor = server.writeFile('editor.sh', '#!/bin/sh\nsed -i "s/sessionAffinity: None/sessionAffinity: ClientIP/" "$1"\n');
    chmodSync(editor, 0o755);
    assert.match(await server.ok(['edit', 'svc', 'nginx'], { env: { KUBE_EDITOR: editor } }), /service\/nginx edited/);
    const svc = await getSvc('nginx');
    assert.equal(svc.spec.sessionAffinity, 'ClientIP');
    assert.deepEqual((svc.spec as unknown as { sessionAffinityConfig: unknown }).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    assert.match(await server.ok(['label', 'svc', 'nginx', 'tier=web']), /service\/nginx labeled/);
    assert.equal((await getSvc('nginx')).metadata.labels?.tier, 'web');
    assert.match(await server.ok(['label', 'svc', 'nginx', 'tier-']), /service\/nginx unlabeled/);
    assert.match(await server.ok(['annotate', 'svc', 'nginx', 'owner=team-a']), /service\/nginx annotated/);
    assert.match(await server.ok(['delete', 'svc', 'nginx']), /service "nginx" deleted/);
    const gone = await server.kubectl(['get', 'svc', 'nginx']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Error from server \(NotFound\): services "nginx" not found/);
  });

  test('NodePort, LoadBalancer, ExternalName, headless and multi-port services', async () => {
    const manifest = `apiVersion: v1
kind: Service
metadata: {name: my-nodeport-service}
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 80, nodePort: 30080}]
  selector: {app: my-app}
---
apiVersion: v1
kind: Service
metadata: {name: my-loadbalancer-service}
spec:
  type: LoadBalancer
  ports: [{port: 80, targetPort: 80}]
  selector: {app: my-app}
---
apiVersion: v1
kind: Service
metadata: {name: my-service}
spec:
  type: ExternalName
  externalName: hub.qnhyn.com
---
apiVersion: v1
kind: Service
metadata: {name: myapp-headless}
spec:
  selector: {app: myapp}
  clusterIP: "None"
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: multi-port-service}
spec:
  selector: {app: my-app}
  ports:
    - {name: http, protocol: TCP, port: 80, targetPort: 8080}
    - {name: https, protocol: TCP, port: 443, targetPort: 8443, nodePort: 30443}
  type: NodePort
`;
    const out = await server.ok(['apply', '-f', server.writeFile('types.yaml', manifest)]);
    assert.equal((out.match(/created/g) ?? []).length, 5);
    const rows = tableRows(await server.ok(['get', 'svc']));
    const row = (n: string): string[] => rows.find((r) => r[0] === n) ?? [];
    assert.deepEqual(row('my-nodeport-service').slice(1, 5).filter((_, i) => i !== 1), ['NodePort', '<none>', '80:30080/TCP']);
    assert.equal(row('my-loadbalancer-service')[1], 'LoadBalancer');
    assert.equal(row('my-loadbalancer-service')[3], '<pending>');
    assert.match(row('my-loadbalancer-service')[4] ?? '', /^80:3\d{4}\/TCP$/);
    assert.deepEqual(row('my-service').slice(1, 5), ['ExternalName', '<none>', 'hub.qnhyn.com', '<none>']);
    assert.deepEqual(row('myapp-headless').slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
    assert.match(row('multi-port-service')[4] ?? '', /^80:3\d{4}\/TCP,443:30443\/TCP$/);
    const lb = await getSvc('my-loadbalancer-service');
    assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
    const ext = await getSvc('my-service');
    assert.equal(ext.spec.clusterIP, undefined);
  });

  test('invalid services are rejected with the upstream messages', async () => {
    const cases: { name: string; yaml: string; message: RegExp }[] = [
      {
        name: 'port out of range',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  ports: [{port: 70000, targetPort: 80}]\n',
        message: /The Service "bad" is invalid: spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/,
      },
      {
        name: 'two ports without names',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad2}\nspec:\n  ports: [{port: 80}, {port: 81}]\n',
        message: /The Service "bad2" is invalid: \n\* spec\.ports\[0\]\.name: Required value\n\* spec\.ports\[1\]\.name: Required value/,
      },
      {
        name: 'ExternalName without a name',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad3}\nspec:\n  type: ExternalName\n',
        message: /The Service "bad3" is invalid: spec\.externalName: Required value/,
      },
      {
        name: 'unknown field with strict validation',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad4}\nspec:\n  ports: [{port: 80}]\n  bogus: 1\n',
        message: /unknown field "spec\.bogus"/,
      },
    ];
    for (const c of cases) {
      const r = await server.kubectl(['apply', '-f', server.writeFile(`${c.name.replace(/\W/g, '-')}.yaml`, c.yaml)]);
      assert.notEqual(r.code, 0, c.name);
      assert.match(r.stderr, c.message, c.name);
    }
    // A requested clusterIP that is taken.
    const taken = await server.kubectl(['apply', '-f', server.writeFile('dup-ip.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: dup-ip}\nspec:\n  clusterIP: 10.96.0.1\n  ports: [{port: 80}]\n')]);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /provided IP is already allocated/);
    // The server keeps serving.
    await server.ok(['get', 'svc']);
  });

  test('typed kubectl create sends protobuf bodies', async () => {
    assert.match(await server.ok(['create', 'service', 'nodeport', 'pb-np', '--tcp=8080:80']), /service\/pb-np created/);
    const svc = await getSvc('pb-np');
    assert.equal(svc.spec.type, 'NodePort');
    assert.equal(svc.spec.ports[0]?.port, 8080);
    assert.equal(svc.spec.ports[0]?.targetPort, 80);
    assert.match(await server.ok(['create', 'namespace', 'nginx-ns']), /namespace\/nginx-ns created/);
    assert.match(await server.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', 'nginx-ns']), /deployment\.apps\/web created/);
    const dep = JSON.parse(await server.ok(['get', 'deploy', 'web', '-n', 'nginx-ns', '-o', 'json'])) as {
      spec: { replicas: number; strategy: { type: string } };
    };
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    assert.match(await server.ok(['create', 'configmap', 'cfg', '--from-literal=a=b']), /configmap\/cfg created/);
    assert.match(await server.ok(['create', 'secret', 'generic', 'sec', '--from-literal=k=v']), /secret\/sec created/);
  });

  test('requests without credentials get 401', async () => {
    const res = await fetchInsecure(`${server.url}/api/v1/namespaces/default/services`);
    assert.equal(res.status, 401);
    assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'Unauthorized');
  });

  test('state survives a restart and kill -9', async () => {
    await server.ok(['create', 'service', 'clusterip', 'durable', '--tcp=90:90']);
    const before = await getSvc('durable');
    const killed = await server.stop('SIGKILL');
    assert.equal(killed, 'SIGKILL');
    await server.start();
    const afterKill = await getSvc('durable');
    assert.equal(afterKill.spec.clusterIP, before.spec.clusterIP);
    assert.equal(afterKill.metadata.resourceVersion, before.metadata.resourceVersion);
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0);
    await server.start();
    assert.equal((await getSvc('durable')).spec.clusterIP, before.spec.clusterIP);
    // Allocations are restored: a new service never gets a used IP.
    await server.ok(['create', 'service', 'clusterip', 'after-restart', '--tcp=91:91']);
    const all = JSON.parse(await server.ok(['get', 'svc', '-A', '-o', 'json'])) as { items: ServiceJson[] };
    const ips = all.items.map((s) => s.spec.clusterIP).filter((ip) => ip && ip !== 'None');
    assert.equal(new Set(ips).size, ips.length, `duplicate cluster IPs: ${ips.join(', ')}`);
    assert.ok(readFileSync(server.kubeconfig, 'utf8').includes('client-certificate-data'));
  });
});

async function fetchInsecure(url: string): Promise<{ status: number; body: string }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
