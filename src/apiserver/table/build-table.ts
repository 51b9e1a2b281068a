/**
 * Assembles the meta.k8s.io/v1 Table answer of `get` (Accept `as=Table`)
 * from a printer and the objects to show, including the per-row embedded
 * object that `includeObject` asks for.
 */
import { cloneJson } from '../../api/object.js';
import type { KubeObject, ObjectMeta } from '../../api/object.js';
import type { TableColumnDefinition, TablePrinter } from './table.js';

/** `?includeObject=`: what each row embeds. `Metadata` is the default. */
export type IncludeObject = 'None' | 'Object' | 'Metadata';

/**
 * The includeObject query value as a policy: absent or '' means `Metadata`;
 * an unknown value gives undefined (the caller answers 400).
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject | undefined {
  if (value === undefined || value === null || value === '') return 'Metadata';
  return value === 'None' || value === 'Object' || value === 'Metadata' ? value : undefined;
}

export interface BuildTableOptions {
  readonly printer: TablePrinter;
  readonly objects: readonly KubeObject[];
  /** Clock for the Age cells. */
  readonly now: Date;
  readonly includeObject: IncludeObject;
  /** The list's (or single object's) resourceVersion. */
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
  /** false gives `"columnDefinitions": null` (watch events after the first). Default true. */
  readonly includeColumnDefinitions?: boolean;
  /**
   * With `includeObject: 'Object'`, the apiVersion/kind written on embedded
   * objects that lack them (stored list items often do); kubectl needs both.
   */
  readonly objectType?: { readonly apiVersion: string; readonly kind: string };
}

export interface TableJson {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRowJson[];
}

export interface TableRowJson {
  cells: unknown[];
  /** Absent with includeObject=None. */
  object?: Record<string, unknown>;
}

/**
 * The Table JSON for `objects`, one row each in the given order. Rows embed
 * a PartialObjectMetadata (metadata without managedFields) for `Metadata`,
 * the whole object for `Object`, nothing for `None`. Objects are copied, not
 * shared.
 */
export function buildTable(opts: BuildTableOptions): TableJson {
  const metadata: TableJson['metadata'] = { resourceVersion: opts.resourceVersion };
  if (opts.continueToken !== undefined && opts.continueToken !== '') metadata.continue = opts.continueToken;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;

  const columnDefinitions =
    opts.includeColumnDefinitions === false
      ? null
      : opts.printer.columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format,
          description: c.description,
          priority: c.priority,
        }));

  const rows = opts.objects.map((obj): TableRowJson => {
    const row: TableRowJson = { cells: opts.printer.cells(obj, opts.now) };
    const embedded = embeddedObject(obj, opts.includeObject, opts.objectType);
    if (embedded !== undefined) row.object = embedded;
    return row;
  });

  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}

function embeddedObject(
  obj: KubeObject,
  include: IncludeObject,
  objectType: BuildTableOptions['objectType'],
): Record<string, unknown> | undefined {
  switch (include) {
    case 'None':
      return undefined;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: partialMetadata(obj.metadata) };
    case 'Object': {
      const copy = cloneJson(obj);
      const { kind, apiVersion, ...rest } = copy;
      // kind and apiVersion first, as the real server writes them.
      return {
        kind: kind ?? objectType?.kind,
        apiVersion: apiVersion ?? objectType?.apiVersion,
        ...rest,
      };
    }
  }
}

// managedFields is dropped before copying: it is most of the metadata, and
// copying it was the largest cost of a 10,000-row Table.
function partialMetadata(meta: ObjectMeta): ObjectMeta {
  const { managedFields: _dropped, ...rest } = meta;
  return cloneJson(rest);
}
