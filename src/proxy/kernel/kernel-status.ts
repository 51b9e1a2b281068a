/**
 * The ipvsadm-style status of a kernel dataplane, derived from the last
 * programmed ProxyState (the kernel keeps no per-virtual-service counters we
 * read back, so connection counts are 0).
 */
import type { ProxyState, VirtualServiceStatus } from '../dataplane.js';
import { frontendsOf } from '../frontends.js';
import type { ServicePortInfo } from '../types.js';

/** Virtual services for every frontend of every Service port in `state`, sorted like the userspace view. */
export function kernelStatus(state: ProxyState | undefined, schedulerLabel: (info: ServicePortInfo) => string): VirtualServiceStatus[] {
  if (!state) return [];
  const out: VirtualServiceStatus[] = [];
  for (const s of state.services.values()) {
    const scheduler = schedulerLabel(s.info);
    for (const f of frontendsOf(s, state.nodePortAddresses)) {
      if (f.protocol === 'SCTP') continue;
      out.push({
        service: f.service,
        kind: f.kind,
        protocol: f.protocol,
        address: f.address,
        port: f.port,
        scheduler,
        ...(s.info.sessionAffinity.type === 'ClientIP' ? { persistentTimeoutSeconds: s.info.sessionAffinity.timeoutSeconds } : {}),
        realServers: f.endpoints.map((ep) => ({ address: ep.ip, port: ep.port, forward: 'Masq' as const, weight: 1, activeConns: 0, inactiveConns: 0 })),
      });
    }
  }
  const rank = (v: VirtualServiceStatus): string => `${v.protocol}|${v.address.padStart(39, ' ')}|${String(v.port).padStart(5, '0')}`;
  return out.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}
