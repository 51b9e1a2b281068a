/**
 * Raw HTTPS access to a test server with the admin credentials of its
 * kubeconfig, for API conformance tests that need to see status codes, headers
 * and bodies exactly as the server sends them.
 */
import { request as httpsRequest } from 'node:https';
import { type ClientConfig, loadKubeconfig } from '../../src/client/kubeconfig.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly body?: string | Buffer;
  /** Omit to send no Content-Type at all. */
  readonly contentType?: string;
  readonly accept?: string;
}

/** Sends one request and collects the whole answer; resolves with status 0 if the connection failed mid-way. */
export function rawRequest(config: ClientConfig, r: RawRequest): Promise<RawResponse> {
  const url = new URL(r.path, config.server);
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { Accept: r.accept ?? 'application/json' };
    if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
    if (r.body !== undefined) headers['Content-Length'] = Buffer.byteLength(r.body);
    const req = httpsRequest(
      url,
      {
        method: r.method ?? 'GET',
        headers,
        ...(config.caPem ? { ca: config.caPem } : {}),
        ...(config.clientCertPem ? { cert: config.clientCertPem } : {}),
        ...(config.clientKeyPem ? { key: config.clientKeyPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined }));
      },
    );
    // A server may answer (413) and close before a large body is fully sent.
    req.on('error', () => resolve({ status: 0, headers: {}, text: '', json: undefined }));
    req.end(r.body);
  });
}

/** rawRequest bound to a kubeconfig file. */
export function rawClient(kubeconfigPath: string): (r: RawRequest) => Promise<RawResponse> {
  const config = loadKubeconfig(kubeconfigPath);
  return (r) => rawRequest(config, r);
}

/** Reads a Status body's fields (for assertions). */
export function statusOf(res: RawResponse): { kind?: string; code?: number; reason?: string; message?: string; status?: string } {
  return (res.json ?? {}) as { kind?: string; code?: number; reason?: string; message?: string; status?: string };
}
