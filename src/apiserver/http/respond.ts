/** Writing responses: JSON bodies, Status errors, and content negotiation for Tables. */
import type { ServerResponse } from 'node:http';
import { ApiError, internalError } from '../status.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendRawJson(res, code, JSON.stringify(body), headers);
}

/** Send text that is already JSON. */
export function sendRawJson(res: ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

/** Bytes gathered before a write while streaming a large body. */
const STREAM_CHUNK = 256 * 1024;

/**
 * Send a JSON body made of `head`, each item (comma-separated) and `tail`, in
 * chunks with backpressure (chunked encoding), so that a 10,000-item LIST never
 * exists as one string or buffer. Resolves when written or the client is gone.
 */
export async function sendJsonItems<T>(
  res: ServerResponse,
  code: number,
  head: string,
  items: readonly T[],
  render: (item: T, index: number) => string,
  tail: string,
): Promise<void> {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  let buf = head;
  for (let i = 0; i < items.length; i++) {
    buf += i === 0 ? render(items[i] as T, 0) : `,${render(items[i] as T, i)}`;
    if (buf.length < STREAM_CHUNK) continue;
    if (res.destroyed) return;
    const more = res.write(buf);
    buf = '';
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end(buf + tail);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** Send a failure as a Status object; unexpected exceptions become 500 InternalError. */
export function sendError(res: ServerResponse, err: unknown, log?: (msg: string) => void): void {
  const apiErr = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
  if (!(err instanceof ApiError)) log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  sendJson(res, apiErr.code, apiErr.status);
}

export type OutputForm =
  | { readonly kind: 'object' }
  | { readonly kind: 'table'; readonly includeObject: 'None' | 'Object' | 'Metadata' }
  | { readonly kind: 'partial' };

/**
 * What representation the client asked for. kubectl's human output sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io,...`; metadata informers ask for
 * `as=PartialObjectMetadata(List)`.
 */
export function outputForm(accept: string | undefined, includeObject: string | null): OutputForm {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map<string, string>();
    const [media, ...rest] = part.split(';');
    for (const p of rest) {
      const [k, v] = p.split('=');
      if (k && v) params.set(k.trim(), v.trim());
    }
    const mt = (media ?? '').trim();
    if (mt !== 'application/json' && mt !== '*/*' && mt !== '') continue;
    if (params.get('g') === 'meta.k8s.io' && (params.get('v') === 'v1' || params.get('v') === 'v1beta1')) {
      const as = params.get('as');
      if (as === 'Table') {
        const io = includeObject === 'Object' || includeObject === 'None' ? includeObject : 'Metadata';
        return { kind: 'table', includeObject: io };
      }
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial' };
    }
    if (!params.has('as')) break;
  }
  return { kind: 'object' };
}
