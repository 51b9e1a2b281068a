/**
 * Reading and decoding request bodies: JSON, YAML, the patch types and
 * kubectl's protobuf envelopes, with the upstream 3 MiB limit.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import * as errors from '../status.js';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../protobuf/decode.js';

/** kube-apiserver's default --max-request-body-bytes. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return Promise.reject(errors.requestEntityTooLarge(`limit is ${limit}`));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Plain events rather than an async iterator: this runs on every write request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        req.resume();
        reject(errors.requestEntityTooLarge(`limit is ${limit}`));
        return;
      }
      chunks.push(b);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  switch (mediaType(contentType)) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      return undefined;
  }
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw errors.badRequest(`error decoding JSON: ${(e as Error).message}`);
  }
}

/**
 * Decode an object body. A missing Content-Type is treated as JSON (kubectl's
 * `PUT …/scale` sends none).
 */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): unknown {
  const mt = mediaType(contentType);
  if (body.length === 0) throw errors.badRequest('the body of the request was empty');
  if (mt === '' || mt === 'application/json' || mt === '*/*') return parseJsonText(body.toString('utf8'));
  if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') return parseYamlText(body.toString('utf8'));
  if (isProtobufContentType(mt)) {
    try {
      const decoded = decodeKubernetesProtobuf(body);
      return decoded.object;
    } catch (e) {
      throw errors.badRequest(`error decoding protobuf body: ${(e as Error).message}`);
    }
  }
  throw errors.unsupportedMediaType(contentType ?? '');
}

export function parseYamlText(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
}

/** Decode a PATCH body: JSON for the JSON patch types, YAML (a JSON superset) for apply. */
export function decodePatchBody(body: Buffer, type: PatchType): unknown {
  if (body.length === 0) throw errors.badRequest('the body of the request was empty');
  const text = body.toString('utf8');
  return type === 'apply' ? parseYamlText(text) : parseJsonText(text);
}
