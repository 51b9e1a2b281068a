/** The `ipvsadm -Ln` view of the proxy's virtual services. */
import type { VirtualServiceStatus } from './dataplane.js';

const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/**
 * Formats like ipvsadm: a version line, two header lines, then per virtual
 * service `TCP  10.96.0.10:53 rr [persistent N]` and its real servers.
 * `showLocal` adds the loopback-mapped listen address as a trailing comment.
 */
export function formatIpvsadm(services: readonly VirtualServiceStatus[], opts: { readonly showLocal?: boolean } = {}): string {
  const lines = [
    `IP Virtual Server version 1.2.1 (size=4096)`,
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const vs of services) {
    let head = `${vs.protocol.padEnd(4)} ${hostPort(vs.address, vs.port)} ${vs.scheduler}`;
    if (vs.persistentTimeoutSeconds !== undefined) head += ` persistent ${vs.persistentTimeoutSeconds}`;
    if (opts.showLocal && vs.localAddress) head += `  # listening on ${hostPort(vs.localAddress, vs.port)}`;
    lines.push(head);
    for (const rs of vs.realServers) {
      const line = `  -> ${hostPort(rs.address, rs.port).padEnd(28)} ${rs.forward.padEnd(7)} ${String(rs.weight).padEnd(6)} ${String(rs.activeConns).padEnd(10)} ${rs.inactiveConns}`;
      lines.push(line);
    }
  }
  return `${lines.join('\n')}\n`;
}
