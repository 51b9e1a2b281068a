import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { type NetexecServer, netexecHostname, startNetexec } from './netexec.js';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

function udp(port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => reject(new Error('udp timeout')), 2000);
    s.once('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString());
    });
    s.send(msg, port, '127.0.0.1');
  });
}

describe('netexec', () => {
  let srv: NetexecServer;
  let exitCode: number | undefined;
  before(async () => {
    srv = await startNetexec({ httpPort: 0, udpPort: 0, bindAddress: '127.0.0.1', log: () => undefined, exit: (c) => (exitCode = c) });
  });
  after(() => srv.close());

  const cases: { path: string; status: number; body: string | RegExp }[] = [
    { path: '/hostname', status: 200, body: netexecHostname() },
    { path: '/hostName', status: 200, body: netexecHostname() },
    { path: '/echo?msg=hello%20world', status: 200, body: 'hello world' },
    { path: '/echo?msg=teapot&code=418', status: 418, body: 'teapot' },
    { path: '/clientip', status: 200, body: /^127\.0\.0\.1:\d+$/ },
    { path: '/healthz', status: 200, body: '' },
    { path: '/', status: 200, body: /^NOW: / },
    { path: '/nope', status: 404, body: '404 page not found\n' },
    { path: '/dial?request=hostname', status: 400, body: /host and\/or port/ },
  ];
  for (const c of cases) {
    test(`GET ${c.path}`, async () => {
      const r = await get(srv.httpPort, c.path);
      assert.equal(r.status, c.status);
      if (typeof c.body === 'string') assert.equal(r.body, c.body);
      else assert.match(r.body, c.body);
    });
  }

  test('UDP: hostname, echo (lower-cased like agnhost), clientip', async () => {
    assert.equal(await udp(srv.udpPort, 'hostname'), netexecHostname());
    assert.equal(await udp(srv.udpPort, 'echo Hi There\n'), 'hi there');
    assert.match(await udp(srv.udpPort, 'clientip'), /^127\.0\.0\.1:\d+$/);
  });

  test('/dial over http and udp', async () => {
    const viaHttp = JSON.parse((await get(srv.httpPort, `/dial?request=hostname&host=127.0.0.1&port=${srv.httpPort}&protocol=http&tries=2`)).body) as { responses: string[] };
    assert.deepEqual(viaHttp.responses, [netexecHostname(), netexecHostname()]);
    const viaUdp = JSON.parse((await get(srv.httpPort, `/dial?request=echo%20x&host=127.0.0.1&port=${srv.udpPort}&protocol=udp`)).body) as { responses: string[] };
    assert.deepEqual(viaUdp.responses, ['x']);
  });

  test('/exit calls exit with the code', async () => {
    await get(srv.httpPort, '/exit?code=7');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(exitCode, 7);
  });

  test('content modes and http override', async () => {
    const nginx = await startNetexec({ httpPort: 0, udpPort: -1, bindAddress: '127.0.0.1', content: 'nginx', log: () => undefined });
    const myapp = await startNetexec({ httpPort: 0, udpPort: -1, bindAddress: '127.0.0.1', content: 'myapp', log: () => undefined });
    const override = await startNetexec({ httpPort: 0, udpPort: -1, bindAddress: '127.0.0.1', httpOverride: '/hostname', log: () => undefined });
    const hello = await startNetexec({ httpPort: 0, udpPort: -1, bindAddress: '127.0.0.1', content: 'hello-app', contentVersion: '2.0.0', log: () => undefined });
    try {
      assert.equal((await get(hello.httpPort, '/any')).body, `Hello, world!\nVersion: 2.0.0\nHostname: ${netexecHostname()}\n`);
      assert.match((await get(nginx.httpPort, '/')).body, /Welcome to nginx!/);
      assert.match((await get(myapp.httpPort, '/')).body, /^Hello MyApp \| Version: v1/);
      assert.equal((await get(myapp.httpPort, '/hostname.html')).body, `${netexecHostname()}\n`);
      assert.equal((await get(override.httpPort, '/anything')).body, netexecHostname());
    } finally {
      await Promise.all([nginx.close(), myapp.close(), override.close(), hello.close()]);
    }
  });
});
