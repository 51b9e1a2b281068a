/**
 * Connection settings for a Kubernetes API server, read from a kubeconfig file
 * (as `kubectl` / client-go read it) or from the in-cluster service-account mount.
 *
 * Relative file paths inside a kubeconfig are resolved against the kubeconfig's
 * own directory, as client-go does. Certificate and CA files are read at load
 * time; a `tokenFile` is kept as a path so the client can re-read rotated tokens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../api/object.js';

/** Everything a KubeClient needs to reach and authenticate to one API server. */
export interface ClientConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443` (may carry a path prefix). */
  readonly server: string;
  /** PEM bundle of CAs that sign the server certificate; system roots when absent. */
  readonly caPem?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** SNI / verification name when it differs from the host in `server`. */
  readonly tlsServerName?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** Static bearer token. */
  readonly token?: string;
  /** File holding a bearer token; re-read periodically (bound service-account tokens rotate). */
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** Default namespace of the selected context (or of the pod, in cluster). */
  readonly namespace?: string;
  /**
   * Unix socket to connect to instead of the host and port of `server` (the API
   * server's in-process loopback; `server` is then an `http://` URL for paths only).
   */
  readonly socketPath?: string;
}

/** `$KUBECONFIG` (first entry) or `~/.kube/config`, like kubectl. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p !== '');
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

function namedEntry(list: unknown, name: string, what: string, path: string): Record<string, unknown> {
  if (Array.isArray(list)) {
    for (const e of list) {
      if (isRecord(e) && e.name === name) {
        const body = e[what];
        return isRecord(body) ? body : {};
      }
    }
  }
  throw new Error(`kubeconfig ${path}: ${what} "${name}" not found`);
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function decodeData(o: Record<string, unknown>, key: string): string | undefined {
  const v = str(o, key);
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/**
 * Load `path` and resolve the given context (default: `current-context`) into a ClientConfig.
 * `*-data` fields win over their file forms, as in client-go. Throws a readable Error when the
 * file, context, cluster or user is missing, or when the user needs an exec / auth-provider
 * plugin (not supported).
 */
export function loadKubeconfig(path: string, context?: string): ClientConfig {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc)) throw new Error(`kubeconfig ${path}: not a YAML mapping`);
  const ctxName = context ?? str(doc, 'current-context');
  if (!ctxName) throw new Error(`kubeconfig ${path}: no context given and no current-context set`);
  const ctx = namedEntry(doc.contexts, ctxName, 'context', path);
  const clusterName = str(ctx, 'cluster');
  if (!clusterName) throw new Error(`kubeconfig ${path}: context "${ctxName}" names no cluster`);
  const cluster = namedEntry(doc.clusters, clusterName, 'cluster', path);
  const userName = str(ctx, 'user');
  const user = userName ? namedEntry(doc.users, userName, 'user', path) : {};

  const base = dirname(resolve(path));
  const file = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : readFileSync(isAbsolute(p) ? p : join(base, p), 'utf8');
  const filePath = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : isAbsolute(p) ? p : join(base, p);

  const server = str(cluster, 'server');
  if (!server) throw new Error(`kubeconfig ${path}: cluster "${clusterName}" has no server`);
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    const hasStatic = ['token', 'tokenFile', 'client-certificate', 'client-certificate-data'].some((k) => str(user, k));
    if (!hasStatic) throw new Error(`kubeconfig ${path}: user "${userName ?? ''}" needs an exec/auth-provider plugin, which is not supported`);
  }

  return {
    server: server.replace(/\/+$/, ''),
    caPem: decodeData(cluster, 'certificate-authority-data') ?? file(str(cluster, 'certificate-authority')),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster, 'tls-server-name'),
    clientCertPem: decodeData(user, 'client-certificate-data') ?? file(str(user, 'client-certificate')),
    clientKeyPem: decodeData(user, 'client-key-data') ?? file(str(user, 'client-key')),
    token: str(user, 'token'),
    tokenFile: filePath(str(user, 'tokenFile')),
    username: str(user, 'username'),
    password: str(user, 'password'),
    namespace: str(ctx, 'namespace'),
  };
}

/** Where the kubelet mounts a pod's service-account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Config for a process running inside a pod: server from `KUBERNETES_SERVICE_HOST` /
 * `KUBERNETES_SERVICE_PORT`, CA, token file and namespace from the service-account mount.
 * Throws when not in a cluster. `env` and `dir` are injectable for tests.
 */
export function inClusterConfig(opts: { env?: NodeJS.ProcessEnv; dir?: string } = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  }
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new Error(`unable to load in-cluster configuration: ${tokenFile} missing`);
  const caFile = join(dir, 'ca.crt');
  const nsFile = join(dir, 'namespace');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    caPem: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined,
    tokenFile,
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : undefined,
  };
}
