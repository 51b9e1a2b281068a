import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { buildTable, parseIncludeObject } from './build-table.js';
import { printerFor } from './printers.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function service(): KubeObject {
  // As stored: list items may lack kind/apiVersion.
  return {
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '1007',
      creationTimestamp: '2024-05-01T11:55:00Z',
      labels: { app: 'web' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.1.2',
      clusterIPs: ['10.96.1.2'],
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }],
    },
    status: { loadBalancer: {} },
  };
}

const printer = printerFor('', 'Service');

describe('buildTable', () => {
  test('default (Metadata) rows embed PartialObjectMetadata without managedFields', () => {
    const t = buildTable({ printer, objects: [service()], now: NOW, includeObject: 'Metadata', resourceVersion: '1010' });
    assert.deepEqual(JSON.parse(JSON.stringify(t)), {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '1010' },
      columnDefinitions: printer.columns.map((c) => ({ ...c })),
      rows: [
        {
          cells: ['web', 'NodePort', '10.96.1.2', '<none>', '80:30080/TCP', '5m', 'app=web'],
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: {
              name: 'web',
              namespace: 'default',
              uid: 'u-1',
              resourceVersion: '1007',
              creationTimestamp: '2024-05-01T11:55:00Z',
              labels: { app: 'web' },
            },
          },
        },
      ],
    });
  });

  test('column definitions serialise in upstream key order', () => {
    const t = buildTable({ printer, objects: [], now: NOW, includeObject: 'Metadata', resourceVersion: '1' });
    assert.equal(
      JSON.stringify(t.columnDefinitions?.[0]),
      JSON.stringify({ name: 'Name', type: 'string', format: 'name', description: printer.columns[0]?.description, priority: 0 }),
    );
    assert.ok(JSON.stringify(t).startsWith('{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"1"},"columnDefinitions":['));
    assert.deepEqual(t.rows, []);
  });

  test('Object rows embed the whole object, filling in kind/apiVersion first', () => {
    const t = buildTable({
      printer,
      objects: [service()],
      now: NOW,
      includeObject: 'Object',
      resourceVersion: '1010',
      objectType: { apiVersion: 'v1', kind: 'Service' },
    });
    const o = t.rows[0]?.object;
    assert.ok(o);
    assert.deepEqual(Object.keys(o).slice(0, 3), ['kind', 'apiVersion', 'metadata']);
    assert.equal(o['kind'], 'Service');
    assert.equal(o['apiVersion'], 'v1');
    assert.deepEqual(o['spec'], service().spec);
    // The full object keeps managedFields (as upstream does).
    assert.equal((o['metadata'] as { managedFields?: unknown[] }).managedFields?.length, 1);
  });

  test('Object rows keep the kind the object already has', () => {
    const s = { ...service(), kind: 'Service', apiVersion: 'v1' };
    const t = buildTable({ printer, objects: [s], now: NOW, includeObject: 'Object', resourceVersion: '1' });
    assert.equal(t.rows[0]?.object?.['kind'], 'Service');
  });

  test('embedded objects are copies', () => {
    const s = service();
    const t = buildTable({ printer, objects: [s], now: NOW, includeObject: 'Object', resourceVersion: '1' });
    (t.rows[0]?.object?.['metadata'] as { name: string }).name = 'changed';
    const m = buildTable({ printer, objects: [s], now: NOW, includeObject: 'Metadata', resourceVersion: '1' });
    (m.rows[0]?.object?.['metadata'] as { labels: Record<string, string> }).labels['x'] = 'y';
    assert.equal(s.metadata.name, 'web');
    assert.deepEqual(s.metadata.labels, { app: 'web' });
  });

  test('None rows carry no object', () => {
    const t = buildTable({ printer, objects: [service()], now: NOW, includeObject: 'None', resourceVersion: '1' });
    assert.equal('object' in (t.rows[0] ?? {}), false);
    assert.equal(t.rows[0]?.cells.length, 7);
  });

  test('continue token and remaining count go into the metadata', () => {
    const t = buildTable({
      printer,
      objects: [service()],
      now: NOW,
      includeObject: 'Metadata',
      resourceVersion: '1010',
      continueToken: 'abc',
      remainingItemCount: 4,
    });
    assert.deepEqual(t.metadata, { resourceVersion: '1010', continue: 'abc', remainingItemCount: 4 });
  });

  test('watch events after the first have null column definitions', () => {
    const t = buildTable({
      printer,
      objects: [service()],
      now: NOW,
      includeObject: 'Metadata',
      resourceVersion: '1032',
      includeColumnDefinitions: false,
    });
    assert.ok(JSON.stringify(t).includes('"columnDefinitions":null'));
    assert.equal(t.rows.length, 1);
  });

  test('rows follow the order of the objects', () => {
    const a = service();
    const b = { ...service(), metadata: { ...service().metadata, name: 'api' } };
    const t = buildTable({ printer, objects: [a, b], now: NOW, includeObject: 'None', resourceVersion: '1' });
    assert.deepEqual(
      t.rows.map((r) => r.cells[0]),
      ['web', 'api'],
    );
  });
});

describe('parseIncludeObject', () => {
  const cases: [unknown, string | undefined][] = [
    [undefined, 'Metadata'],
    [null, 'Metadata'],
    ['', 'Metadata'],
    ['Metadata', 'Metadata'],
    ['Object', 'Object'],
    ['None', 'None'],
    ['object', undefined],
    ['All', undefined],
  ];
  for (const [input, want] of cases) {
    test(`${String(input)} -> ${String(want)}`, () => assert.equal(parseIncludeObject(input as string | null | undefined), want));
  }
});
