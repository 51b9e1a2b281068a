/**
 * Walkthroughs of the upstream Kubernetes documentation run as written with the real kubectl
 * against one server with its embedded node agent (pods are local processes): the steps where
 * Switchyard once differed from what the pages show.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { TestServer, kubectlAvailable } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

// A pod range of its own: loopback twins of 10.244.0.x may be taken by other programs.
const POD_CIDR = `10.${200 + (process.pid % 50)}.0.0/16`;

function httpGet(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The loopback twin a rootless pod is served on (10.a.b.c → 127.a.b.c). */
const loopbackTwin = (ip: string): string => `127.${ip.split('.').slice(1).join('.')}`;

describe('upstream documentation walkthroughs', { skip }, () => {
  const server = new TestServer({
    extraArgs: ['--disable-agent=false', '--proxy-mode', 'none', '--cluster-cidr', POD_CIDR],
  });
  before(async () => {
    await server.start();
    await until('the node is Ready', async () => /\sReady\s/.test(await server.ok(['get', 'nodes'])));
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** GET that retries while the freshly started process is not listening yet. */
  async function fetchPod(host: string, port: number): Promise<string> {
    let body = '';
    await until(`http://${host}:${port}/ to answer`, async () => {
      try {
        body = await httpGet(host, port, '/');
        return true;
      } catch {
        return false;
      }
    });
    return body;
  }

  const apply = (name: string, yaml: string, ns: string[] = []): Promise<string> => server.ok(['apply', '-f', server.writeFile(name, yaml), ...ns]);
  const firstPod = async (selector: string, ns: string[] = []): Promise<string> =>
    (await server.ok(['get', 'pods', '-l', selector, ...ns, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();

  test('Connecting Applications with Services: printenv shows only services that existed when the pod started', async () => {
    await apply(
      'run-my-nginx.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
`,
    );
    await server.ok(['rollout', 'status', 'deployment/my-nginx', '--timeout=30s']);
    assert.match(await server.ok(['expose', 'deployment/my-nginx']), /^service\/my-nginx exposed$/m);
    const before = await server.ok(['exec', await firstPod('run=my-nginx'), '--', 'printenv']);
    assert.match(before, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    assert.doesNotMatch(before, /MY_NGINX_SERVICE_HOST/, 'the pod started before the Service');

    await server.ok(['scale', 'deployment', 'my-nginx', '--replicas=0']);
    await until('no my-nginx pods', async () => (await server.ok(['get', 'pods', '-l', 'run=my-nginx', '-o', 'name'])).trim() === '');
    await server.ok(['scale', 'deployment', 'my-nginx', '--replicas=2']);
    await server.ok(['rollout', 'status', 'deployment/my-nginx', '--timeout=30s']);
    const clusterIP = await server.ok(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}']);
    const afterEnv = await server.ok(['exec', await firstPod('run=my-nginx'), '--', 'printenv']);
    assert.match(afterEnv, new RegExp(`^MY_NGINX_SERVICE_HOST=${clusterIP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(afterEnv, /^MY_NGINX_SERVICE_PORT=80$/m);
  });

  test('StatefulSet Basics: pods with volumeClaimTemplates start, and hostname prints web-N', async () => {
    await apply(
      'web.yaml',
      `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
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
        image: registry.k8s.io/nginx-slim:0.21
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`,
    );
    await server.ok(['rollout', 'status', 'statefulset/web', '--timeout=40s']);
    for (const i of [0, 1]) {
      assert.equal(await server.ok(['exec', `web-${i}`, '--', 'sh', '-c', 'hostname']), `web-${i}\n`);
      const claim = await server.ok(['get', 'pod', `web-${i}`, '-o', 'jsonpath={.spec.volumes[?(@.name=="www")].persistentVolumeClaim.claimName}']);
      assert.equal(claim, `www-web-${i}`);
    }
  });

  test('Deployments: a mistyped image (nginx:1.161) leaves the rollout stuck in ImagePullBackOff', async () => {
    await apply(
      'nginx-deployment.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx-d
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx-d
  template:
    metadata:
      labels:
        app: nginx-d
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`,
    );
    await server.ok(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=30s']);
    assert.match(await server.ok(['set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.161']), /image updated/);
    await until('a pod in ErrImagePull / ImagePullBackOff', async () => /ErrImagePull|ImagePullBackOff/.test(await server.ok(['get', 'pods', '-l', 'app=nginx-d'])));
    const stuck = await server.kubectl(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=2s']);
    assert.notEqual(stuck.code, 0, 'the rollout does not finish');
    assert.match(stuck.stdout, /1 out of 3 new replicas have been updated/);
    // Zero counters are omitted (omitempty), as upstream serves them.
    const newRs = (await server.ok(['get', 'rs', '-l', 'app=nginx-d', '-o', 'jsonpath={range .items[?(@.spec.template.spec.containers[0].image=="nginx:1.161")]}{.metadata.name}{end}'])).trim();
    const rsStatus = JSON.parse(await server.ok(['get', 'rs', newRs, '-o', 'jsonpath={.status}'])) as Record<string, unknown>;
    assert.equal(rsStatus['readyReplicas'], undefined, JSON.stringify(rsStatus));
    assert.equal(rsStatus['availableReplicas'], undefined, JSON.stringify(rsStatus));
    assert.match(await server.ok(['rollout', 'undo', 'deployment/nginx-deployment']), /rolled back/);
    await server.ok(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=30s']);
  });

  test('Namespaces walkthrough: the serve_hostname deployment runs in development', async () => {
    await apply('namespace-dev.json', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'development', labels: { name: 'development' } } }));
    await server.ok(['create', 'deployment', 'snowflake', '--image=registry.k8s.io/serve_hostname', '--replicas=2', '-n', 'development']);
    await server.ok(['rollout', 'status', 'deployment/snowflake', '-n', 'development', '--timeout=30s']);
    const pod = await firstPod('app=snowflake', ['-n', 'development']);
    const ip = await server.ok(['get', 'pod', pod, '-n', 'development', '-o', 'jsonpath={.status.podIP}']);
    assert.equal(await fetchPod(loopbackTwin(ip), 9376), pod);
  });

  test('Use a Service to Access an Application in a Cluster: hello-app answers Hello, world', async () => {
    await apply(
      'hello-application.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-world
spec:
  selector:
    matchLabels:
      run: load-balancer-example
  replicas: 2
  template:
    metadata:
      labels:
        run: load-balancer-example
    spec:
      containers:
        - name: hello-world
          image: us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0
          ports:
            - containerPort: 8080
              protocol: TCP
`,
    );
    await server.ok(['rollout', 'status', 'deployment/hello-world', '--timeout=30s']);
    assert.match(await server.ok(['expose', 'deployment', 'hello-world', '--type=NodePort', '--name=example-service']), /service\/example-service exposed/);
    const pod = await firstPod('run=load-balancer-example');
    const ip = await server.ok(['get', 'pod', pod, '-o', 'jsonpath={.status.podIP}']);
    assert.equal(await fetchPod(loopbackTwin(ip), 8080), `Hello, world!\nVersion: 2.0.0\nHostname: ${pod}\n`);
  });
});
