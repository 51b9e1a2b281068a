/**
 * Server-side printing (meta.k8s.io/v1 Table), the counterpart of upstream
 * pkg/printers/internalversion. Each kind has a printer with the upstream
 * column set; `priority: 1` columns only show with `kubectl get -o wide`.
 */
import type { KubeObject } from '../../api/object.js';

export interface TableColumnDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** `name` for the Name column (kubectl uses it for `kind/name` prefixes). */
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TablePrinter {
  readonly columns: readonly TableColumnDefinition[];
  /** One row's cells, in column order; `now` is used for ages. */
  cells(obj: KubeObject, now: Date): unknown[];
}
