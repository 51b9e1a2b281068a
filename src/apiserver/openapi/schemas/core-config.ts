/** core/v1 Secret, ConfigMap and ServiceAccount. */

import { CORE, bool, bytesMap, gvk, listOf, obj, objectProps, refArr, str, strMap } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const SECRET_GVK = gvk('', 'v1', 'Secret');
const CONFIGMAP_GVK = gvk('', 'v1', 'ConfigMap');
const SA_GVK = gvk('', 'v1', 'ServiceAccount');

export const coreConfigSchemas: SchemaMap = {
  [CORE + 'Secret']: obj({
    description:
      'A Secret holds a small amount of sensitive data, such as passwords, tokens or keys, for use by Pods as files or environment variables. The total size is limited to 1 MiB.',
    properties: {
      ...objectProps('Secret'),
      data: bytesMap(
        'The secret content: keys made of alphanumerics, "-", "_" and ".", values base64-encoded in JSON and YAML.',
      ),
      immutable: bool(
        'When true, data cannot be changed after creation (only metadata can); the Secret must be deleted and recreated. Defaults to false.',
      ),
      stringData: strMap(
        'Write-only convenience for plain-text values: each entry is merged into data on write, overriding data keys of the same name. Never returned on read.',
      ),
      type: str(
        'Used to validate and handle the secret content, e.g. "Opaque" (default, arbitrary data), "kubernetes.io/tls", "kubernetes.io/dockerconfigjson" or "kubernetes.io/service-account-token". Cannot be changed.',
      ),
    },
    gvk: [SECRET_GVK],
  }),
  [CORE + 'SecretList']: listOf(CORE + 'Secret', 'Secret', SECRET_GVK, 'Secrets'),

  [CORE + 'ConfigMap']: obj({
    description:
      'A ConfigMap holds non-confidential configuration data as key/value pairs, for use by Pods as files, environment variables or command-line arguments. The total size is limited to 1 MiB.',
    properties: {
      ...objectProps('ConfigMap'),
      binaryData: bytesMap(
        'Binary values, base64-encoded. Keys follow the same rules as data keys and must not also appear in data.',
      ),
      data: strMap('UTF-8 values. Keys are made of alphanumerics, "-", "_" and "."; they must not also appear in binaryData.'),
      immutable: bool(
        'When true, data and binaryData cannot be changed after creation (only metadata can). Defaults to false.',
      ),
    },
    gvk: [CONFIGMAP_GVK],
  }),
  [CORE + 'ConfigMapList']: listOf(CORE + 'ConfigMap', 'ConfigMap', CONFIGMAP_GVK, 'ConfigMaps'),

  [CORE + 'ServiceAccount']: obj({
    description:
      'A ServiceAccount is an identity for processes running in Pods, used to authenticate to the API server; it can also supply image pull secrets to Pods.',
    properties: {
      ...objectProps('ServiceAccount'),
      automountServiceAccountToken: bool(
        'Whether Pods running as this account get an API token mounted automatically. A Pod\'s own setting overrides this. Defaults to true.',
      ),
      imagePullSecrets: refArr(
        CORE + 'LocalObjectReference',
        'Secrets in the same namespace used to pull images for Pods running as this account, added to those Pods when they are created.',
        { listType: 'atomic' },
      ),
      secrets: refArr(
        CORE + 'ObjectReference',
        'Secrets that Pods running as this account may use. Legacy token secrets were listed here; new tokens are requested on demand.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
      ),
    },
    gvk: [SA_GVK],
  }),
  [CORE + 'ServiceAccountList']: listOf(CORE + 'ServiceAccount', 'ServiceAccount', SA_GVK, 'ServiceAccounts'),
};
