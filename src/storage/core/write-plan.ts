import type { KeyValue, WatchEvent, WriteResult } from '../store.js';

/** One requested write, as the Store methods receive it. */
export type WriteOp =
  | { readonly kind: 'create'; readonly key: string; readonly value: string }
  | { readonly kind: 'update'; readonly key: string; readonly value: string; readonly expectedModRevision: number }
  | { readonly kind: 'delete'; readonly key: string; readonly expectedModRevision?: number };

/**
 * The outcome of a write against the key's current value. `event` is set
 * exactly when the write succeeds; it then consumes `revision`.
 */
export interface WritePlan {
  readonly result: WriteResult;
  readonly event?: WatchEvent;
}

/**
 * Decides a write (pure): checks existence and the expected modRevision and
 * builds the new key/value and its watch event. Returned key/values are frozen
 * because stores hand the same objects to every reader.
 *
 * A delete's `kv` is the deleted value stamped with the delete's revision
 * (the same shape as its watch event); `prevKv` is the value as it was stored,
 * so callers can pick either resourceVersion.
 */
export function planWrite(op: WriteOp, current: KeyValue | undefined, revision: number): WritePlan {
  switch (op.kind) {
    case 'create': {
      if (current !== undefined) return { result: { ok: false, reason: 'exists', current } };
      const kv = keyValue(op.key, op.value, revision, revision);
      return { result: { ok: true, kv }, event: Object.freeze({ type: 'put', kv }) };
    }
    case 'update': {
      if (current === undefined) return { result: { ok: false, reason: 'not-found' } };
      if (current.modRevision !== op.expectedModRevision) return { result: { ok: false, reason: 'conflict', current } };
      const kv = keyValue(op.key, op.value, current.createRevision, revision);
      return { result: { ok: true, kv, prevKv: current }, event: Object.freeze({ type: 'put', kv, prevKv: current }) };
    }
    case 'delete': {
      if (current === undefined) return { result: { ok: false, reason: 'not-found' } };
      if (op.expectedModRevision !== undefined && current.modRevision !== op.expectedModRevision) {
        return { result: { ok: false, reason: 'conflict', current } };
      }
      const kv = keyValue(op.key, current.value, current.createRevision, revision);
      return {
        result: { ok: true, kv, prevKv: current },
        event: Object.freeze({ type: 'delete', kv, prevKv: current }),
      };
    }
  }
}

export function keyValue(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}
