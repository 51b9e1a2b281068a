/**
 * Building blocks shared by the per-kind printers: column definitions and
 * the cells every printer repeats (name, age, container lists).
 */
import type { KubeObject } from '../../api/object.js';
import type { TableColumnDefinition, TablePrinter } from './table.js';
import { translateTimestampSince } from './human-duration.js';
import { list, str } from './json-access.js';

type ColumnType = TableColumnDefinition['type'];

/** A column definition; `priority: 1` columns only show with `-o wide`. */
export function column(name: string, type: ColumnType, description: string, priority = 0): TableColumnDefinition {
  return { name, type, format: '', description, priority };
}

/** A priority-1 (wide-only) string column. */
export function wideColumn(name: string, description: string): TableColumnDefinition {
  return column(name, 'string', description, 1);
}

/** The Name column; `format: 'name'` lets kubectl print `kind/name` prefixes. */
export function nameColumn(priority = 0): TableColumnDefinition {
  return {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name of the object, unique within its namespace (or cluster for cluster-scoped kinds).',
    priority,
  };
}

export const AGE_COLUMN: TableColumnDefinition = column(
  'Age',
  'string',
  'Time since the object was created (metadata.creationTimestamp).',
);

export const CONTAINERS_COLUMN: TableColumnDefinition = wideColumn(
  'Containers',
  'Names of the containers in the pod template.',
);
export const IMAGES_COLUMN: TableColumnDefinition = wideColumn('Images', 'Images of the containers in the pod template.');

export function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

export function ageOf(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

/** Container names and images, each comma-joined (upstream layoutContainerCells). */
export function containerCells(podSpec: unknown): [names: string, images: string] {
  const containers = list(podSpec, 'containers');
  return [containers.map((c) => str(c, 'name')).join(','), containers.map((c) => str(c, 'image')).join(',')];
}

/** A printer from its columns and a row function (cells in column order). */
export function printer(
  columns: readonly TableColumnDefinition[],
  cells: (obj: KubeObject, now: Date) => unknown[],
): TablePrinter {
  return { columns, cells };
}
