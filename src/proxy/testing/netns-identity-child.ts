/**
 * Run inside a fresh network namespace (`unshare -rn`): the userspace proxy in
 * identity mode adds the cluster IP to lo, serves it, and removes it again.
 * Prints one JSON line with what it saw. Never run in the host namespace: the
 * mapper refuses to manage addresses there.
 */
import { execFileSync } from 'node:child_process';
import { IdentityAddressMapper } from '../address-mapper.js';
import { buildProxyState } from '../proxy-state.js';
import { UserspaceDataplane } from '../userspace/userspace-dataplane.js';
import { getHostname, startEchoBackend } from './echo-backend.js';
import { ep, portInfo } from './fixtures.js';

const out: Record<string, unknown> = {};
try {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const backend = await startEchoBackend('netns-backend', '127.0.0.1', 9400, { udp: false });
  const dp = new UserspaceDataplane({ mapper: new IdentityAddressMapper({ manageAddresses: true }) });
  const info = portInfo({ name: 'web', clusterIPs: ['10.96.0.10'], port: 80 });
  const state = (withService: boolean) =>
    buildProxyState({
      serviceMap: new Map(withService ? [[info.key, info]] : []),
      endpointsMap: new Map([[info.key, [ep('127.0.0.1', { port: 9400 })]]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
  out.sync = await dp.sync(state(true));
  out.addrAfterSync = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }).includes('10.96.0.10/32');
  out.hostname = await getHostname('10.96.0.10', 80);
  await dp.sync(state(false));
  out.addrAfterRemove = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }).includes('10.96.0.10/32');
  await dp.close();
  await backend.close();
} catch (e) {
  out.error = (e as Error).message;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
