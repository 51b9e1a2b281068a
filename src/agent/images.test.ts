import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ImageContext, imageRepository, resolveProgram } from './images.js';

const SELF = ['/usr/bin/node', '/app/main.js'];
const ctx = (installed: string[] = ['sh', 'sleep']): ImageContext => ({ selfCommand: SELF, which: (n) => (installed.includes(n) ? `/usr/bin/${n}` : undefined) });

describe('imageRepository', () => {
  const cases: [string, string][] = [
    ['nginx', 'nginx'],
    ['nginx:1.25', 'nginx'],
    ['docker.io/library/nginx:latest', 'nginx'],
    ['library/busybox', 'busybox'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.45', 'e2e-test-images/agnhost'],
    ['localhost:5000/team/app@sha256:abcd', 'team/app'],
    ['hub.qnhyn.com/library/myapp', 'myapp'],
    ['ikubernetes/myapp:v1', 'ikubernetes/myapp'],
  ];
  for (const [image, want] of cases) test(image, () => assert.equal(imageRepository(image), want));
});

describe('resolveProgram', () => {
  const cases: { name: string; image: string; command?: string[]; args?: string[]; installed?: string[]; argv?: string[]; fails?: RegExp }[] = [
    { name: 'command runs as given', image: 'whatever:1', command: ['node', 'app.js'], args: ['--x'], argv: ['node', 'app.js', '--x'] },
    { name: 'agnhost netexec', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['netexec', '--http-port=8080', '--udp-port=8081'], argv: [...SELF, 'netexec', '--http-port=8080', '--udp-port=8081'] },
    { name: 'agnhost via explicit /agnhost command', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', command: ['/agnhost', 'netexec'], args: ['--http-port=9000'], argv: [...SELF, 'netexec', '--http-port=9000'] },
    { name: 'agnhost serve-hostname', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['serve-hostname'], argv: [...SELF, 'netexec', '--http-port=9376', '--udp-port=-1', '--http-override=/hostname'] },
    { name: 'agnhost unsupported subcommand', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['porter'], fails: /porter/ },
    { name: 'switchyard netexec image', image: 'switchyard/netexec', args: ['--http-port=8080'], argv: [...SELF, 'netexec', '--http-port=8080'] },
    { name: 'nginx built-in', image: 'nginx:1.25', argv: [...SELF, 'netexec', '--http-port=80', '--udp-port=-1', '--content=nginx'] },
    { name: 'nginxhttps (services tutorial) uses the nginx built-in', image: 'bprashanth/nginxhttps:1.0', argv: [...SELF, 'netexec', '--http-port=80', '--udp-port=-1', '--content=nginx'] },
    { name: 'nginx-slim (StatefulSet basics) uses the nginx built-in', image: 'registry.k8s.io/nginx-slim:0.21', argv: [...SELF, 'netexec', '--http-port=80', '--udp-port=-1', '--content=nginx'] },
    { name: 'serve_hostname (Namespaces walkthrough)', image: 'registry.k8s.io/serve_hostname', argv: [...SELF, 'netexec', '--http-port=9376', '--udp-port=-1', '--http-override=/hostname'] },
    { name: 'hello-app (Use a Service to Access an Application)', image: 'us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0', argv: [...SELF, 'netexec', '--http-port=8080', '--udp-port=-1', '--content=hello-app', '--content-version=2.0.0'] },
    { name: 'busyboxplus is a shell image', image: 'radial/busyboxplus:curl', command: ['sleep', '100'], argv: ['sleep', '100'] },
    { name: 'nginx tag that was never released (Deployments page typo)', image: 'nginx:1.161', fails: /manifest for nginx:1\.161 not found/ },
    { name: 'nginx released tag', image: 'nginx:1.16.1', argv: [...SELF, 'netexec', '--http-port=80', '--udp-port=-1', '--content=nginx'] },
    { name: 'myapp built-in', image: 'hub.qnhyn.com/library/myapp', argv: [...SELF, 'netexec', '--http-port=80', '--udp-port=-1', '--content=myapp'] },
    { name: 'pause', image: 'registry.k8s.io/pause:3.9', argv: [...SELF, 'netexec', '--http-port=-1', '--udp-port=-1'] },
    { name: 'busybox with a shell command', image: 'busybox', command: ['/bin/sh', '-c', 'sleep 36000'], argv: ['/bin/sh', '-c', 'sleep 36000'] },
    { name: 'busybox applet missing locally runs through busybox', image: 'busybox:1.36', command: ['nslookup', 'x'], installed: ['busybox'], argv: ['/usr/bin/busybox', 'nslookup', 'x'] },
    { name: 'busybox without command: a shell', image: 'busybox', argv: ['sh'] },
    { name: 'unknown image without command', image: 'example.com/app:v1', fails: /cannot be pulled/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = resolveProgram(c.image, c.command ?? [], c.args ?? [], ctx(c.installed));
      if (c.fails) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.message, c.fails);
      } else {
        assert.ok(r.ok, r.ok ? '' : r.message);
        assert.deepEqual(r.argv, c.argv);
      }
    });
  }
});
