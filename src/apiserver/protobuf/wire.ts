/**
 * A small reader for the protobuf wire format (the encoding, not the schema).
 *
 * Only what decoding Kubernetes request bodies needs: varints, fixed32/fixed64,
 * length-delimited fields and skipping of anything else. Values are returned raw;
 * interpreting them (signedness, strings, nested messages) is the caller's job.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export type WireType = 0 | 1 | 2 | 3 | 4 | 5;

/** Thrown for malformed protobuf input. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

export interface Tag {
  field: number;
  wireType: WireType;
}

const utf8 = new TextDecoder('utf-8');

export class ProtoReader {
  private pos: number;
  private readonly end: number;

  /** Reads `buf[start, end)`; defaults to the whole buffer. */
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** True when every byte has been consumed. */
  eof(): boolean {
    return this.pos >= this.end;
  }

  /** Current offset into the underlying buffer. */
  offset(): number {
    return this.pos;
  }

  /** Reads a field key; throws on field number 0 or an unknown wire type. */
  tag(): Tag {
    const key = this.varint();
    const wireType = Number(key & 7n);
    const field = Number(key >> 3n);
    if (wireType > 5) throw new ProtobufDecodeError(`invalid wire type ${wireType} at offset ${this.pos}`);
    if (field === 0) throw new ProtobufDecodeError(`invalid field number 0 at offset ${this.pos}`);
    return { field, wireType: wireType as WireType };
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('unexpected end of data in varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** A varint read as a two's-complement int64 (how proto int32/int64 negatives travel). */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  /** A varint truncated to int32, as protobuf does for int32 fields. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** A varint as an unsigned number (lengths, uint32, enums). */
  uint(): number {
    return Number(this.varint());
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  fixed32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    const lo = BigInt(this.fixed32());
    const hi = BigInt(this.fixed32());
    return (hi << 32n) | lo;
  }

  /** The payload of a length-delimited field, as a view (no copy). */
  bytes(): Uint8Array {
    const len = this.uint();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skips the value of a field whose key has just been read. */
  skip(wireType: WireType, field = 0): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const len = this.uint();
        this.need(len);
        this.pos += len;
        return;
      }
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
        // Groups are obsolete but legal; skip to the matching end marker.
        for (;;) {
          if (this.eof()) throw new ProtobufDecodeError('unexpected end of data in group');
          const t = this.tag();
          if (t.wireType === WIRE_END_GROUP) {
            if (t.field !== field) throw new ProtobufDecodeError(`mismatched end group ${t.field}, expected ${field}`);
            return;
          }
          this.skip(t.wireType, t.field);
        }
      case WIRE_END_GROUP:
        throw new ProtobufDecodeError(`unexpected end group for field ${field}`);
    }
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtobufDecodeError(`unexpected end of data: need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }
}
