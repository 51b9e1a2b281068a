/**
 * The Kubernetes-compatible API server: HTTPS with client-certificate and token
 * authentication, discovery, OpenAPI, health endpoints, and the REST handlers
 * for every resource in the resource table.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Store } from '../storage/store.js';
import type { Logger } from '../log/logger.js';
import { userFromPeerCertificate } from '../pki/certificates.js';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  legacyApiGroup,
  legacyApiGroupList,
  legacyApiResourceList,
  legacyApiVersions,
  wantsAggregated,
} from './discovery.js';
import { fieldMatcherFor, handleResource, type HandlerContext, labelMatcherFor } from './handlers/resource-handler.js';
import { parsePodStreamPath, proxyPodExec, writeUpgradeStatus } from './handlers/exec-proxy.js';
import { proxyPodLog } from './handlers/node-proxy.js';
import type { Duplex } from 'node:stream';
import { sendError, sendJson, sendText } from './http/respond.js';
import { checkAcceptable } from './http/negotiation.js';
import { openapiDocument, openapiIndex } from './openapi/openapi-documents.js';
import { ResourceStore, type WriteHooks } from './rest/resource-store.js';
import { decodeShared } from './rest/object-codec.js';
import { RESOURCE_TYPES, type ResourceType, findResource } from './resources.js';
import * as errors from './status.js';
import { strategyFor } from './registry/strategies.js';
import { ServiceAllocations } from './registry/service/service-allocations.js';
import { type KubeObject, deepFreeze } from '../api/object.js';
import { apiErrorFromStatus, type InProcessWatch } from '../client/kube-client.js';
import { watchLocal } from './handlers/watch-local.js';

/** The Kubernetes version this server reports (kubectl's dispatcher picks its client by `minor`). */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-switchyard' };

export interface User {
  readonly name: string;
  readonly groups: readonly string[];
}

/** Who the loopback client is: the server itself, with every permission. */
const LOOPBACK_USER: User = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export interface ApiServerConfig {
  readonly store: Store;
  readonly log: Logger;
  readonly bindAddress: string;
  readonly port: number;
  readonly tls: { readonly keyPem: string; readonly certPem: string; readonly caPem: string };
  readonly serviceCIDR: string;
  readonly nodePortRange: string;
  /** Bearer tokens accepted besides client certificates. */
  readonly tokens?: ReadonlyMap<string, User>;
  /** Client certificate the API server presents to node agents (pods/log, pods/exec). */
  readonly kubeletClient?: { readonly certPem: string; readonly keyPem: string };
  readonly now?: () => Date;
}

/** Paths answered without credentials, as kube-apiserver's system:public-info-viewer role allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/cacerts']);

export class ApiServer {
  private readonly config: ApiServerConfig;
  private readonly log: Logger;
  private readonly stores = new Map<string, ResourceStore>();
  private server: HttpsServer | undefined;
  private loopback: HttpServer | undefined;
  /** Bearer token of the in-process loopback client (never written anywhere). */
  private readonly loopbackToken = randomBytes(32).toString('base64url');
  /** Aborted on close(); every open watch listens to it, so it may have any number of listeners. */
  private readonly shutdown = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  })();
  readonly serviceAllocations: ServiceAllocations;
  private ready = false;
  private readonly now: () => Date;
  private gcEnabled = false;
  /** The client-certificate user of each TLS connection. */
  private readonly certUsers = new WeakMap<TLSSocket, User>();

  constructor(config: ApiServerConfig) {
    this.config = config;
    this.log = config.log;
    this.now = config.now ?? (() => new Date());
    this.serviceAllocations = new ServiceAllocations({ serviceCIDR: config.serviceCIDR, nodePortRange: config.nodePortRange });
    for (const t of RESOURCE_TYPES) {
      this.stores.set(`${t.group}/${t.version}/${t.plural}`, this.makeStore(t));
    }
  }

  private makeStore(t: ResourceType): ResourceStore {
    let hooks: WriteHooks | undefined;
    if (t.group === '' && t.kind === 'Service') {
      const alloc = this.serviceAllocations;
      const kind = { group: '', kind: 'Service' };
      hooks = {
        beforeCreate: (obj, dryRun) => {
          const r = alloc.allocateCreate(obj, dryRun);
          if (!r.ok) throw r.internalError ? errors.internalError(r.internalError) : errors.invalid(kind, obj.metadata.name ?? '', r.errors);
          return r;
        },
        beforeUpdate: (obj, old, dryRun) => {
          const r = alloc.allocateUpdate(obj, old, dryRun);
          if (!r.ok) throw r.internalError ? errors.internalError(r.internalError) : errors.invalid(kind, obj.metadata.name ?? '', r.errors);
          return r;
        },
        afterDelete: (obj) => alloc.release(obj),
      };
    }
    return new ResourceStore({
      type: t,
      strategy: strategyFor(t.group, t.kind),
      ...(hooks ? { hooks } : {}),
      deps: {
        store: this.config.store,
        now: () => this.now(),
        checkNamespace: (ns) => this.checkNamespace(ns),
        garbageCollectorEnabled: () => this.gcEnabled,
      },
    });
  }

  /** Let Foreground/Orphan deletion add the garbage collector's finalizers (only when a GC runs). */
  setGarbageCollectorEnabled(on: boolean): void {
    this.gcEnabled = on;
  }

  /**
   * Watches for clients in this process (KubeClient's `inProcessWatch`): the same
   * semantics as `GET …?watch=true`, without HTTP, TLS or JSON per event. Objects
   * are deep-frozen shared values, so a consumer that tries to change one fails
   * loudly instead of corrupting what other watchers see.
   */
  inProcessWatch(): InProcessWatch {
    return async ({ res, namespace, opts }, onEvent, signal) => {
      try {
        const store = this.stores.get(`${res.group}/${res.version}/${res.plural}`);
        if (!store) throw errors.notFound({ group: res.group, resource: res.plural }, '');
        const labelMatch = labelMatcherFor(opts.labelSelector);
        const fieldMatch = fieldMatcherFor(opts.fieldSelector, store);
        await watchLocal(
          {
            store,
            namespace: store.type.namespaced && namespace ? namespace : undefined,
            resourceVersion: opts.resourceVersion ?? '',
            ...(labelMatch ? { labelMatch } : {}),
            ...(fieldMatch ? { fieldMatch } : {}),
            allowBookmarks: opts.allowWatchBookmarks === true,
            ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
            signal,
            serverSignal: this.shutdown.signal,
          },
          (ev) => onEvent({ type: ev.type, object: deepFreeze(ev.object) }),
        );
      } catch (e) {
        throw e instanceof errors.ApiError ? apiErrorFromStatus(e.status) : e;
      }
    };
  }

  /** The REST storage of a resource, for in-process components (bootstrap, controllers). */
  resource(group: string, version: string, plural: string): ResourceStore {
    const s = this.stores.get(`${group}/${version}/${plural}`);
    if (!s) throw new Error(`no resource ${group}/${version}/${plural}`);
    return s;
  }

  private async checkNamespace(ns: string): Promise<void> {
    const nsStore = this.resource('', 'v1', 'namespaces');
    let obj: KubeObject;
    try {
      // Read-only and cached: this runs on every namespaced create.
      obj = decodeShared(await nsStore.getKV(undefined, ns));
    } catch (e) {
      if (e instanceof errors.ApiError && e.code === 404) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
      throw e;
    }
    if (obj.metadata.deletionTimestamp) {
      throw errors.forbidden(
        { group: '', resource: 'namespaces' },
        ns,
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
  }

  /** Rebuild in-memory allocation state from storage (allocations survive restarts this way). */
  async restore(): Promise<void> {
    const services = await this.resource('', 'v1', 'services').list({ namespace: undefined });
    this.serviceAllocations.restore(services.items);
  }

  markReady(): void {
    this.ready = true;
  }

  async listen(): Promise<AddressInfo> {
    const { tls } = this.config;
    const server = createHttpsServer(
      { key: tls.keyPem, cert: tls.certPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => sendError(res, err, (m) => this.log.error(m)));
      },
    );
    // pods/exec (and attach) upgrade to WebSocket: authenticate here, then relay to the node agent.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(req, socket, head);
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    // Watches are long-lived; never time out a request on the server side.
    server.requestTimeout = 0;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /**
   * The in-process loopback (kube-apiserver's LoopbackClientConfig): plain HTTP on an
   * abstract Unix socket, authenticated by a random bearer token that exists only in
   * this process. The server's own controllers, DNS, agent and proxy talk through it,
   * the same API as everyone else, without paying for TLS on every watch event.
   */
  async listenLoopback(): Promise<{ readonly socketPath: string; readonly token: string }> {
    if (this.loopback) throw new Error('loopback already listening');
    const server = createHttpServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => sendError(res, err, (m) => this.log.error(m)));
    });
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0;
    // Linux abstract namespace: no file to clean up and no path length limit.
    const socketPath = `\0switchyard-apiserver-${process.pid}-${randomBytes(6).toString('hex')}`;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.loopback = server;
    return { socketPath, token: this.loopbackToken };
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    const servers = [this.server, this.loopback].filter((s): s is HttpsServer | HttpServer => s !== undefined);
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      if (!this.authenticate(req)) return writeUpgradeStatus(socket, errors.unauthorized());
      const parsed = parsePodStreamPath(new URL(req.url ?? '/', 'https://localhost').pathname);
      if (!parsed) return writeUpgradeStatus(socket, errors.pathNotFound());
      const pods = this.resource('', 'v1', 'pods');
      const pod = await pods.get(parsed.namespace, parsed.name).catch(() => undefined);
      const nodeName = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
      const node = nodeName ? await this.resource('', 'v1', 'nodes').get(undefined, nodeName).catch(() => undefined) : undefined;
      const kubeletClient = this.config.kubeletClient;
      if (!kubeletClient) return writeUpgradeStatus(socket, errors.serviceUnavailable('this server has no node agent client configured'));
      await proxyPodExec(req, socket, head, { pod, node, kubeletClient });
    } catch (e) {
      writeUpgradeStatus(socket, e instanceof errors.ApiError ? e : errors.internalError(e instanceof Error ? e.message : String(e)));
    }
  }

  private authenticate(req: IncomingMessage): User | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const presented = auth.slice('Bearer '.length).trim();
      if (this.loopback && presented === this.loopbackToken) return LOOPBACK_USER;
      const user = this.config.tokens?.get(presented);
      if (user) return user;
      return undefined;
    }
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return undefined;
    // The peer certificate is fixed for the life of a TLS connection; decoding it is
    // costly (a large share of a small request's CPU), so do it once per connection.
    let u = this.certUsers.get(socket);
    if (u === undefined) {
      const cert = socket.getPeerCertificate();
      u = userFromPeerCertificate(cert.subject as { CN?: string; O?: string } | undefined);
      this.certUsers.set(socket, u);
    }
    return u.name ? u : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!PUBLIC_PATHS.has(path) && !this.authenticate(req)) {
      return sendJson(res, 401, errors.unauthorized().status);
    }
    const started = Date.now();
    res.on('finish', () => {
      const ms = Date.now() - started;
      if (ms > 1000 && !url.searchParams.has('watch')) this.log.warn(`slow request: ${req.method} ${req.url} took ${ms} ms`);
      this.log.debug(`${req.method} ${req.url} ${res.statusCode} ${ms}ms`);
    });
    switch (path) {
      case '/version':
        return sendJson(res, 200, {
          ...KUBERNETES_VERSION,
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2026-11-01T00:00:00Z',
          goVersion: `node${process.versions.node}`,
          compiler: 'tsc',
          platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
        });
      case '/cacerts':
        // k3s serves the cluster CA unauthenticated so agents can pin it against their join token.
        return sendText(res, 200, this.config.tls.caPem, 'application/x-pem-file');
      case '/healthz':
      case '/livez':
        return this.health(res, url, true);
      case '/readyz':
        return this.health(res, url, this.ready);
      case '/api':
        return this.discovery(req, res, true);
      case '/apis':
        return this.discovery(req, res, false);
      case '/openapi/v3':
        return sendJson(res, 200, openapiIndex());
      case '/openapi/v2':
        throw errors.pathNotFound();
      default:
        break;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiDocument(path.slice('/openapi/v3/'.length));
      if (!doc) throw errors.pathNotFound();
      return sendJson(res, 200, doc, { 'Cache-Control': 'public, immutable' });
    }
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1] ?? '';
      rest = segments.slice(2);
    } else if (segments[0] === 'apis') {
      group = segments[1] ?? '';
      if (segments.length === 2) {
        const g = legacyApiGroup(group);
        if (!g) throw errors.pathNotFound();
        return sendJson(res, 200, g);
      }
      version = segments[2] ?? '';
      rest = segments.slice(3);
    } else {
      throw errors.pathNotFound();
    }
    if (rest.length === 0) {
      const list = legacyApiResourceList(group, version);
      if (!list) throw errors.pathNotFound();
      return sendJson(res, 200, list);
    }
    checkAcceptable(req.headers.accept);
    const route = this.route(group, version, rest);
    const ctx: HandlerContext = { req, res, url, now: () => this.now(), signal: this.shutdown.signal };
    if (route.subresource === 'log' && route.store.type.kind === 'Pod' && route.store.type.group === '' && route.name) {
      if (req.method !== 'GET') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
      return proxyPodLog(ctx, route, (n) => this.resource('', 'v1', 'nodes').get(undefined, n), this.config.kubeletClient);
    }
    return handleResource(ctx, route);
  }

  /** Map `[namespaces, ns, plural, name, sub]` or `[plural, name, sub]` to a resource route. */
  private route(group: string, version: string, rest: string[]) {
    let namespace: string | undefined;
    let parts = rest;
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      const candidate = findResource(group, version, parts[2] ?? '');
      if (candidate?.namespaced) {
        namespace = parts[1];
        parts = parts.slice(2);
      }
    }
    const [plural, name, subresource, ...extra] = parts;
    const type = findResource(group, version, plural ?? '');
    if (!type || extra.length > 0) throw errors.pathNotFound();
    if (type.namespaced && namespace === undefined && name !== undefined) throw errors.pathNotFound();
    const store = this.stores.get(`${type.group}/${type.version}/${type.plural}`);
    if (!store) throw errors.pathNotFound();
    return { store, namespace, name, subresource };
  }

  private health(res: ServerResponse, url: URL, ok: boolean): void {
    if (url.searchParams.has('verbose')) {
      const lines = ['[+]ping ok', '[+]log ok', `[${ok ? '+' : '-'}]etcd ${ok ? 'ok' : 'failed'}`, `[${ok ? '+' : '-'}]poststarthook/bootstrap ${ok ? 'ok' : 'failed'}`];
      lines.push(ok ? `${url.pathname.slice(1)} check passed` : `${url.pathname.slice(1)} check failed`);
      return sendText(res, ok ? 200 : 500, `${lines.join('\n')}\n`);
    }
    sendText(res, ok ? 200 : 500, ok ? 'ok' : `[-]poststarthook/bootstrap failed: not finished\n${url.pathname.slice(1)} check failed`);
  }

  private discovery(req: IncomingMessage, res: ServerResponse, core: boolean): void {
    const aggregated = wantsAggregated(req.headers.accept);
    if (aggregated) {
      const ct = AGGREGATED_DISCOVERY_CONTENT_TYPE.replace('v=v2', `v=${aggregated}`);
      return sendJson(res, 200, aggregatedDiscovery(core, aggregated), { 'Content-Type': ct });
    }
    const host = req.headers.host ?? `${this.config.bindAddress}:${this.config.port}`;
    sendJson(res, 200, core ? legacyApiVersions(host) : legacyApiGroupList());
  }
}
