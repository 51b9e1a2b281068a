/**
 * Decoding of Kubernetes protobuf request bodies (what kubectl's typed clients POST) into
 * the JSON form the rest of the API server works with.
 *
 * Body layout: the 4-byte magic "k8s\0", then a runtime.Unknown message
 * {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}, where `raw`
 * is the object itself encoded with the message tables from k8s-schemas.ts.
 */

import { getMessage, messageForKind } from './k8s-schemas.js';
import type { FieldDef, MessageDef } from './k8s-schemas.js';
import { ProtoReader, ProtobufDecodeError, WIRE_LEN, WIRE_VARINT } from './wire.js';
import type { WireType } from './wire.js';

export { ProtobufDecodeError } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00] as const;

/** Raised when the envelope names a kind this server has no table for. */
export class UnknownKindError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no kind "${kind}" is registered for version "${apiVersion}" in scheme`);
    this.name = 'UnknownKindError';
  }
}

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters, any case. */
export function isProtobufContentType(ct: string): boolean {
  const base = (ct.split(';')[0] ?? '').trim().toLowerCase();
  return base === PROTOBUF_MEDIA_TYPE;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON, with `apiVersion`, `kind` and (always) `metadata` set. */
  object: Record<string, unknown>;
}

/**
 * Decodes a protobuf request body into JSON with upstream field names.
 *
 * Throws ProtobufDecodeError for malformed input (missing magic, truncated data, wire types
 * that do not match the schema) and UnknownKindError (message
 * `no kind "X" is registered for version "v" in scheme`) for kinds without a table.
 * Zero values of non-pointer fields are dropped, as JSON `omitempty` would; see k8s-schemas.ts.
 */
export function decodeKubernetesProtobuf(body: Buffer | Uint8Array): DecodedObject {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const env = readUnknown(body);
  if (env.kind === '') throw new ProtobufDecodeError("Object 'Kind' is missing in protobuf envelope");
  if (env.contentEncoding !== '') throw new ProtobufDecodeError(`unsupported protobuf content encoding "${env.contentEncoding}"`);
  const msg = messageForKind(env.apiVersion, env.kind);
  if (msg === undefined) throw new UnknownKindError(env.apiVersion, env.kind);
  const decoded = decodeMessage(env.raw, msg);
  const object: Record<string, unknown> = { apiVersion: env.apiVersion, kind: env.kind, metadata: decoded['metadata'] ?? {} };
  for (const [k, v] of Object.entries(decoded)) if (k !== 'metadata') object[k] = v;
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function readUnknown(body: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new ProtoReader(body, MAGIC.length);
  while (!r.eof()) {
    const t = r.tag();
    if (t.wireType !== WIRE_LEN) {
      r.skip(t.wireType, t.field);
      continue;
    }
    switch (t.field) {
      case 1: {
        const tm = new ProtoReader(r.bytes());
        while (!tm.eof()) {
          const u = tm.tag();
          if (u.field === 1 && u.wireType === WIRE_LEN) env.apiVersion = tm.string();
          else if (u.field === 2 && u.wireType === WIRE_LEN) env.kind = tm.string();
          else tm.skip(u.wireType, u.field);
        }
        break;
      }
      case 2:
        env.raw = r.bytes();
        break;
      case 3:
        env.contentEncoding = r.string();
        break;
      case 4:
        env.contentType = r.string();
        break;
      default:
        r.skip(t.wireType, t.field);
    }
  }
  return env;
}

/**
 * Decodes one message (without envelope) by its table name, e.g. `decodeMessage(bytes, 'Service')`.
 * Fields not in the table are skipped.
 */
export function decodeMessage(bytes: Uint8Array, message: string | MessageDef): Record<string, unknown> {
  const def = typeof message === 'string' ? getMessage(message) : message;
  const values = new Map<number, unknown[]>();
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const t = r.tag();
    const f = def.byNumber.get(t.field);
    if (f === undefined) {
      r.skip(t.wireType, t.field);
      continue;
    }
    let list = values.get(f.no);
    if (list === undefined) values.set(f.no, (list = []));
    readField(r, t.wireType, f, def, list);
  }

  const out: Record<string, unknown> = {};
  for (const f of def.fields) {
    const list = values.get(f.no);
    if (list === undefined || list.length === 0) continue;
    if (f.repeated) {
      out[f.name] = list.map((v) => toJson(f, v));
      continue;
    }
    if (f.type === 'map') {
      const m: Record<string, unknown> = {};
      for (const entry of list as [string, unknown][]) m[entry[0]] = entry[1];
      if (Object.keys(m).length > 0) out[f.name] = m;
      continue;
    }
    // proto2 rule for a non-repeated field seen twice: the last one wins.
    const v = list[list.length - 1];
    if (isAbsent(f, v)) continue;
    if (f.inline) {
      Object.assign(out, v as Record<string, unknown>);
      continue;
    }
    out[f.name] = toJson(f, v);
  }
  return out;
}

// Intermediate values, before the zero-value rules and JSON shaping are applied.
interface TimeValue {
  seconds: number;
  nanos: number;
}
interface IntOrStringValue {
  type: number;
  intVal: number;
  strVal: string;
}

function readField(r: ProtoReader, wire: WireType, f: FieldDef, msg: MessageDef, into: unknown[]): void {
  const where = `${msg.name}.${f.name}`;
  const isNumeric = f.type === 'int32' || f.type === 'int64' || f.type === 'bool';
  if (f.repeated && isNumeric && wire === WIRE_LEN) {
    // Packed encoding of a repeated scalar; accepted although gogo does not emit it for proto2.
    const sub = new ProtoReader(r.bytes());
    while (!sub.eof()) into.push(readScalarVarint(sub, f));
    return;
  }
  if (isNumeric) {
    if (wire !== WIRE_VARINT) throw mismatch(where, wire, f);
    into.push(readScalarVarint(r, f));
    return;
  }
  if (wire !== WIRE_LEN) throw mismatch(where, wire, f);
  switch (f.type) {
    case 'string':
      into.push(r.string());
      return;
    case 'bytes':
      into.push(r.bytes());
      return;
    case 'time':
      into.push(readTime(r.bytes()));
      return;
    case 'quantity':
      into.push(readQuantity(r.bytes()));
      return;
    case 'intstr':
      into.push(readIntOrString(r.bytes()));
      return;
    case 'fieldsv1':
      into.push(readFieldsV1(r.bytes(), where));
      return;
    case 'message':
      into.push(decodeMessage(r.bytes(), f.ref as string));
      return;
    case 'map':
      into.push(readMapEntry(r.bytes(), f, where));
      return;
  }
}

function readScalarVarint(r: ProtoReader, f: FieldDef): number | boolean {
  if (f.type === 'bool') return r.bool();
  if (f.type === 'int32') return r.int32();
  return r.int64();
}

function mismatch(where: string, wire: WireType, f: FieldDef): ProtobufDecodeError {
  return new ProtobufDecodeError(`${where}: wire type ${wire} does not match field type ${f.type === 'message' ? f.ref : f.type}`);
}

function readTime(bytes: Uint8Array): TimeValue {
  const v: TimeValue = { seconds: 0, nanos: 0 };
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WIRE_VARINT) v.seconds = r.int64();
    else if (t.field === 2 && t.wireType === WIRE_VARINT) v.nanos = r.int32();
    else r.skip(t.wireType, t.field);
  }
  return v;
}

function readQuantity(bytes: Uint8Array): string {
  let s = '';
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WIRE_LEN) s = r.string();
    else r.skip(t.wireType, t.field);
  }
  return s;
}

function readIntOrString(bytes: Uint8Array): IntOrStringValue {
  const v: IntOrStringValue = { type: 0, intVal: 0, strVal: '' };
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WIRE_VARINT) v.type = r.int64();
    else if (t.field === 2 && t.wireType === WIRE_VARINT) v.intVal = r.int32();
    else if (t.field === 3 && t.wireType === WIRE_LEN) v.strVal = r.string();
    else r.skip(t.wireType, t.field);
  }
  return v;
}

// FieldsV1 carries its JSON document as raw bytes in field 1.
function readFieldsV1(bytes: Uint8Array, where: string): unknown {
  const r = new ProtoReader(bytes);
  let raw: Uint8Array | undefined;
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WIRE_LEN) raw = r.bytes();
    else r.skip(t.wireType, t.field);
  }
  if (raw === undefined || raw.length === 0) return {};
  try {
    return JSON.parse(new TextDecoder().decode(raw)) as unknown;
  } catch {
    throw new ProtobufDecodeError(`${where}: fieldsV1 is not valid JSON`);
  }
}

// A map entry is a message {1 key, 2 value}; either may be missing, meaning its zero value.
function readMapEntry(bytes: Uint8Array, f: FieldDef, where: string): [string, unknown] {
  let key = '';
  let value: unknown = f.mapValue === 'bytes' ? '' : f.mapValue === 'quantity' ? '0' : '';
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WIRE_LEN) key = r.string();
    else if (t.field === 2 && t.wireType === WIRE_LEN) {
      if (f.mapValue === 'string') value = r.string();
      else if (f.mapValue === 'bytes') value = Buffer.from(r.bytes()).toString('base64');
      else value = readQuantity(r.bytes());
    } else if (t.field === 1 || t.field === 2) {
      throw new ProtobufDecodeError(`${where}: map entry field ${t.field} has wire type ${t.wireType}`);
    } else r.skip(t.wireType, t.field);
  }
  return [key, value];
}

/** Whether a present singular field should be left out of the JSON. */
function isAbsent(f: FieldDef, v: unknown): boolean {
  // A zero Time is JSON null in upstream; leaving it out is equivalent.
  if (f.type === 'time') {
    const t = v as TimeValue;
    return t.seconds === 0 && t.nanos === 0;
  }
  if (f.pointer || f.keep) return false;
  switch (f.type) {
    case 'string':
    case 'quantity':
      return v === '';
    case 'int32':
    case 'int64':
      return v === 0;
    case 'bool':
      return v === false;
    case 'bytes':
      return (v as Uint8Array).length === 0;
    case 'intstr': {
      const x = v as IntOrStringValue;
      return x.type === 1 ? x.strVal === '' : x.intVal === 0;
    }
    case 'message':
      return Object.keys(v as Record<string, unknown>).length === 0;
    default:
      return false;
  }
}

function toJson(f: FieldDef, v: unknown): unknown {
  switch (f.type) {
    case 'bytes':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'time':
      return formatTime(v as TimeValue);
    case 'intstr': {
      const x = v as IntOrStringValue;
      return x.type === 1 ? x.strVal : x.intVal;
    }
    default:
      return v;
  }
}

/** metav1.Time serialises as RFC 3339 in UTC with whole seconds. */
function formatTime(t: TimeValue): string | null {
  if (t.seconds === 0 && t.nanos === 0) return null;
  return new Date(t.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
