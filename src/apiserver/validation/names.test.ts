import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCIdentifier,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDns1035Label,
  nameIsDns1123Label,
  nameIsDns1123Subdomain,
} from './names.js';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('string format checks return upstream messages', () => {
  const cases: { name: string; got: () => string[]; want: string[] }[] = [
    { name: 'label ok', got: () => isDns1123Label('my-name'), want: [] },
    { name: 'label uppercase', got: () => isDns1123Label('Bad_Name'), want: [LABEL_MSG] },
    { name: 'label with dots', got: () => isDns1123Label('a.b'), want: ['must not contain dots'] },
    { name: 'label too long', got: () => isDns1123Label('a'.repeat(64)), want: ['must be no more than 63 characters'] },
    { name: 'subdomain ok', got: () => isDns1123Subdomain('example.com'), want: [] },
    { name: 'subdomain bad', got: () => isDns1123Subdomain('-x'), want: [SUBDOMAIN_MSG] },
    { name: 'subdomain too long', got: () => isDns1123Subdomain('a'.repeat(254)), want: ['must be no more than 253 characters'] },
    { name: '1035 ok', got: () => isDns1035Label('web-1'), want: [] },
    { name: '1035 digit first', got: () => isDns1035Label('1web'), want: [DNS1035_MSG] },
    { name: 'qualified ok with prefix', got: () => isQualifiedName('example.com/My_Name'), want: [] },
    { name: 'qualified bad name part', got: () => isQualifiedName('-bad'), want: [QNAME_PART] },
    { name: 'qualified empty prefix', got: () => isQualifiedName('/x'), want: ['prefix part must be non-empty'] },
    { name: 'qualified empty', got: () => isQualifiedName(''), want: ['name part must be non-empty', QNAME_PART] },
    {
      name: 'qualified too many slashes',
      got: () => isQualifiedName('a/b/c'),
      want: [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
    { name: 'label value empty ok', got: () => isValidLabelValue(''), want: [] },
    { name: 'label value bad', got: () => isValidLabelValue('a b'), want: [LABEL_VALUE_MSG] },
    { name: 'ip v4', got: () => isValidIP('10.96.0.1'), want: [] },
    { name: 'ip v6', got: () => isValidIP('fd00::1'), want: [] },
    { name: 'ip bad', got: () => isValidIP('10.96.0.256'), want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
    { name: 'port ok', got: () => isValidPortNum(80), want: [] },
    { name: 'port 0', got: () => isValidPortNum(0), want: ['must be between 1 and 65535, inclusive'] },
    { name: 'port 70000', got: () => isValidPortNum(70000), want: ['must be between 1 and 65535, inclusive'] },
    { name: 'port name ok', got: () => isValidPortName('http'), want: [] },
    { name: 'port name digits', got: () => isValidPortName('8080'), want: ['must contain at least one letter (a-z)'] },
    {
      name: 'port name all wrong',
      got: () => isValidPortName('-A--verylongportname'),
      want: [
        'must be no more than 15 characters',
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must not contain consecutive hyphens',
        'must not begin or end with a hyphen',
      ],
    },
    { name: 'c identifier ok', got: () => isCIdentifier('MY_VAR'), want: [] },
    {
      name: 'c identifier bad',
      got: () => isCIdentifier('1x'),
      want: [
        "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(c.got(), c.want));
});

describe('name validators (ValidateNameFunc)', () => {
  const cases: { name: string; fn: typeof nameIsDns1035Label; value: string; prefix: boolean; ok: boolean }[] = [
    { name: '1035 generateName with trailing dash', fn: nameIsDns1035Label, value: 'web-', prefix: true, ok: true },
    { name: '1035 name with trailing dash', fn: nameIsDns1035Label, value: 'web-', prefix: false, ok: false },
    { name: '1123 label prefix', fn: nameIsDns1123Label, value: 'pod-', prefix: true, ok: true },
    { name: 'subdomain prefix', fn: nameIsDns1123Subdomain, value: 'my.app-', prefix: true, ok: true },
    { name: 'subdomain bad', fn: nameIsDns1123Subdomain, value: 'My.App', prefix: false, ok: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.fn(c.value, c.prefix).length === 0, c.ok));
});
