/**
 * Test-only protobuf writer: builds bodies field by field, with explicit field numbers, so
 * tests exercise the decoder's tables independently of them. Not used by the server.
 */

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  private key(field: number, wire: number): void {
    this.raw(encodeVarint((BigInt(field) << 3n) | BigInt(wire)));
  }

  /** Appends bytes as they are (for malformed-input tests). */
  raw(bytes: Uint8Array | number[]): this {
    this.parts.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
    return this;
  }

  /** int32/int64/uint/enum; negatives are written as 64-bit two's complement, as Go does. */
  varint(field: number, n: number | bigint): this {
    this.key(field, 0);
    return this.raw(encodeVarint(BigInt.asUintN(64, BigInt(n))));
  }

  bool(field: number, b: boolean): this {
    return this.varint(field, b ? 1 : 0);
  }

  fixed32(field: number, n: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    return this.raw(b);
  }

  fixed64(field: number, n: bigint): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
    return this.raw(b);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.raw(encodeVarint(BigInt(b.length)));
    return this.raw(b);
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** map<string,string>, keys sorted as the Go marshaller does. */
  stringMap(field: number, m: Record<string, string>): this {
    for (const k of Object.keys(m).sort()) this.message(field, (e) => e.string(1, k).string(2, m[k] as string));
    return this;
  }

  /** map<string,bytes>. */
  bytesMap(field: number, m: Record<string, Uint8Array>): this {
    for (const k of Object.keys(m).sort()) this.message(field, (e) => e.string(1, k).bytes(2, m[k] as Uint8Array));
    return this;
  }

  /** map<string,Quantity>. */
  quantityMap(field: number, m: Record<string, string>): this {
    for (const k of Object.keys(m).sort()) this.message(field, (e) => e.string(1, k).message(2, (q) => q.string(1, m[k] as string)));
    return this;
  }

  finish(): Uint8Array {
    let len = 0;
    for (const p of this.parts) len += p.length;
    const out = new Uint8Array(len);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

export function encodeVarint(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return Uint8Array.from(out);
}

/** Wraps an object's bytes in the "k8s\0" + runtime.Unknown envelope, as kubectl sends it. */
export function k8sEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const w = new ProtoWriter()
    .raw([0x6b, 0x38, 0x73, 0x00])
    .message(1, (tm) => tm.string(1, apiVersion).string(2, kind))
    .bytes(2, raw)
    .string(3, '')
    .string(4, '');
  return Buffer.from(w.finish());
}

/**
 * ObjectMeta as gogo writes it for a fresh object: every non-pointer field present, zero or not
 * (name, generateName, namespace, selfLink, uid, resourceVersion, generation, creationTimestamp),
 * then the maps.
 */
export function writeObjectMeta(
  w: ProtoWriter,
  m: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> },
): void {
  w.string(1, m.name ?? '')
    .string(2, '')
    .string(3, m.namespace ?? '')
    .string(4, '')
    .string(5, '')
    .string(6, '')
    .varint(7, 0)
    .message(8, () => {});
  if (m.labels) w.stringMap(11, m.labels);
  if (m.annotations) w.stringMap(12, m.annotations);
}
