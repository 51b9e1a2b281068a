/** Writing responses: JSON bodies, Status errors, and content negotiation for Tables. */
import type { ServerResponse } from 'node:http';
import { ApiError, internalError } from '../status.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
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
