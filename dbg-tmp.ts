import { buildProxyState } from './src/proxy/proxy-state.ts';
import { ep, portInfo } from './src/proxy/testing/fixtures.ts';
import { NftablesDataplane } from './src/proxy/nftables/nftables-dataplane.ts';
import { IptablesDataplane } from './src/proxy/iptables/iptables-dataplane.ts';
import { FakeCommandRunner } from './src/proxy/kernel/fake-command-runner.ts';
const N = Number(process.env.N ?? 10000);
const services = new Map(); const eps = new Map();
for (let i = 0; i < N; i++) { const info = portInfo({ namespace: 'ns', name: `s${i}`, clusterIPs: [`10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`] }); services.set(info.key, info); eps.set(info.key, Array.from({ length: 10 }, (_, j) => ep(`10.${128 + ((i*10+j) >> 16)}.${((i*10+j) >> 8) & 255}.${(i*10+j) & 255}`, { port: 8080 }))); }
const st = (changed?: string[]) => buildProxyState({ serviceMap: services, endpointsMap: eps, node: { nodeName: 'n', labels: {} }, nodePortAddresses: [], ...(changed ? { changed: new Set(changed) } : {}) });
for (const mk of [() => new NftablesDataplane({ runner: new FakeCommandRunner(), netnsCheck: () => ({ ok: true, netns: 'x' }), conntrackCleanup: false }), () => new IptablesDataplane({ runner: new FakeCommandRunner(), netnsCheck: () => ({ ok: true, netns: 'x' }), variant: 'legacy', conntrackCleanup: false })]) {
  const dp = mk();
  let s0 = st(); let t = performance.now(); console.log(JSON.stringify(await dp.sync(s0)).slice(0,600)); console.log(dp.mode, 'full', (performance.now() - t).toFixed(0), JSON.stringify(dp.lastSyncStats));
  s0 = st(); t = performance.now(); await dp.sync(s0); console.log(dp.mode, 'resync', (performance.now() - t).toFixed(0), JSON.stringify(dp.lastSyncStats));
  const key = [...services.keys()][5]; const l = eps.get(key); l.shift(); l.push(ep('10.250.0.1', { port: 8080 }));
  s0 = st([key]); t = performance.now(); await dp.sync(s0); console.log(dp.mode, 'change', (performance.now() - t).toFixed(0), JSON.stringify(dp.lastSyncStats));
}
