/** `switchyard netexec`: the HTTP/UDP test workload (agnhost netexec's protocol). */
import { startNetexec } from '../netexec/netexec.js';
import { type FlagSpec, FlagError, formatHelp, num, parseFlags, str } from './flags.js';

export const NETEXEC_FLAGS: readonly FlagSpec[] = [
  { name: 'http-port', type: 'number', default: 8080, description: 'HTTP listen port (-1 disables)' },
  { name: 'udp-port', type: 'number', default: 8081, description: 'UDP listen port (-1 disables)' },
  { name: 'bind-address', type: 'string', description: 'Address to listen on (default $SWITCHYARD_LISTEN_IP, else all addresses)' },
  { name: 'http-override', type: 'string', description: 'Answer every HTTP request as if it were a GET of this path (e.g. /hostname)' },
  { name: 'content', type: 'string', description: "Front page of a built-in image stand-in: 'nginx', 'myapp' or 'hello-app'" },
  { name: 'content-version', type: 'string', description: "Version the 'hello-app' stand-in reports (default 1.0.0)" },
];

const USAGE = 'switchyard netexec [--http-port 8080] [--udp-port 8081]';
const SUMMARY = `A test workload: HTTP /hostname, /clientip, /echo?msg=, /healthz, /dial, /exit and a UDP responder
(hostname, echo <text>, clientip), like agnhost netexec.`;

export async function runNetexecCommand(argv: readonly string[]): Promise<number> {
  const { values, help, positional } = parseFlags(NETEXEC_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, SUMMARY, NETEXEC_FLAGS)}\n`);
    return 0;
  }
  if (positional.length) throw new FlagError(`unexpected argument ${JSON.stringify(positional[0])}`);
  const content = str(values, 'content');
  if (content && content !== 'nginx' && content !== 'myapp' && content !== 'hello-app') {
    throw new FlagError(`--content must be nginx, myapp or hello-app, got ${JSON.stringify(content)}`);
  }
  const httpPort = num(values, 'http-port');
  const udpPort = num(values, 'udp-port');
  for (const [name, p] of [['http-port', httpPort], ['udp-port', udpPort]] as const) {
    if (!Number.isInteger(p) || p < -1 || p > 65535) throw new FlagError(`--${name} must be a port number or -1, got ${p}`);
  }
  await startNetexec({
    httpPort,
    udpPort,
    bindAddress: str(values, 'bind-address') || undefined,
    httpOverride: str(values, 'http-override') || undefined,
    content: content === 'nginx' || content === 'myapp' || content === 'hello-app' ? content : undefined,
    contentVersion: str(values, 'content-version') || undefined,
  });
  // Serve until killed (SIGTERM/SIGINT end the process, as they do agnhost); the timer keeps a
  // pause-style run (both servers disabled) alive.
  setInterval(() => undefined, 1 << 30);
  return new Promise<number>(() => undefined);
}
