import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from './pod-types.js';
import { envVariableName, serviceEnvForPod } from './service-env.js';

function svc(namespace: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[]): Service {
  return { metadata: { namespace, name }, spec: { clusterIP, ports } };
}

const KUBERNETES = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const KUBERNETES_ENV = {
  KUBERNETES_SERVICE_HOST: '10.96.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  KUBERNETES_SERVICE_PORT_HTTPS: '443',
  KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
  KUBERNETES_PORT_443_TCP_PORT: '443',
  KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
};

describe('serviceEnvForPod', () => {
  const cases: { name: string; services: Service[]; ns: string; links?: boolean; want: Record<string, string> }[] = [
    { name: 'kubernetes service only', services: [KUBERNETES], ns: 'default', want: KUBERNETES_ENV },
    { name: 'kubernetes service also for other namespaces', services: [KUBERNETES], ns: 'team-a', want: KUBERNETES_ENV },
    {
      name: 'multi-port service with names and UDP, dashes upper-cased',
      services: [
        svc('default', 'my-svc', '10.96.5.5', [
          { name: 'http-web', port: 80, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ]),
      ],
      ns: 'default',
      want: {
        MY_SVC_SERVICE_HOST: '10.96.5.5',
        MY_SVC_SERVICE_PORT: '80',
        MY_SVC_SERVICE_PORT_HTTP_WEB: '80',
        MY_SVC_SERVICE_PORT_DNS: '53',
        MY_SVC_PORT: 'tcp://10.96.5.5:80',
        MY_SVC_PORT_80_TCP: 'tcp://10.96.5.5:80',
        MY_SVC_PORT_80_TCP_PROTO: 'tcp',
        MY_SVC_PORT_80_TCP_PORT: '80',
        MY_SVC_PORT_80_TCP_ADDR: '10.96.5.5',
        MY_SVC_PORT_53_UDP: 'udp://10.96.5.5:53',
        MY_SVC_PORT_53_UDP_PROTO: 'udp',
        MY_SVC_PORT_53_UDP_PORT: '53',
        MY_SVC_PORT_53_UDP_ADDR: '10.96.5.5',
      },
    },
    {
      name: 'unnamed port, default protocol TCP',
      services: [svc('ns1', 'web', '10.96.0.20', [{ port: 8080 }])],
      ns: 'ns1',
      want: {
        WEB_SERVICE_HOST: '10.96.0.20',
        WEB_SERVICE_PORT: '8080',
        WEB_PORT: 'tcp://10.96.0.20:8080',
        WEB_PORT_8080_TCP: 'tcp://10.96.0.20:8080',
        WEB_PORT_8080_TCP_PROTO: 'tcp',
        WEB_PORT_8080_TCP_PORT: '8080',
        WEB_PORT_8080_TCP_ADDR: '10.96.0.20',
      },
    },
    { name: 'headless and ExternalName skipped', services: [svc('ns1', 'h', 'None', [{ port: 80 }]), svc('ns1', 'x', '', [{ port: 80 }])], ns: 'ns1', want: {} },
    { name: 'other namespaces skipped', services: [svc('other', 'web', '10.96.0.20', [{ port: 80 }])], ns: 'ns1', want: {} },
    { name: 'enableServiceLinks=false keeps only kubernetes', services: [KUBERNETES, svc('default', 'web', '10.96.0.20', [{ port: 80 }])], ns: 'default', links: false, want: KUBERNETES_ENV },
    {
      name: 'IPv6 bracketed in URLs',
      services: [svc('ns1', 'v6', 'fd00::10', [{ port: 80 }])],
      ns: 'ns1',
      want: {
        V6_SERVICE_HOST: 'fd00::10',
        V6_SERVICE_PORT: '80',
        V6_PORT: 'tcp://[fd00::10]:80',
        V6_PORT_80_TCP: 'tcp://[fd00::10]:80',
        V6_PORT_80_TCP_PROTO: 'tcp',
        V6_PORT_80_TCP_PORT: '80',
        V6_PORT_80_TCP_ADDR: 'fd00::10',
      },
    },
    {
      name: 'a kubernetes service in the pod namespace wins over the master one',
      services: [svc('ns1', 'kubernetes', '10.96.9.9', [{ port: 80 }]), KUBERNETES],
      ns: 'ns1',
      want: {
        KUBERNETES_SERVICE_HOST: '10.96.9.9',
        KUBERNETES_SERVICE_PORT: '80',
        KUBERNETES_PORT: 'tcp://10.96.9.9:80',
        KUBERNETES_PORT_80_TCP: 'tcp://10.96.9.9:80',
        KUBERNETES_PORT_80_TCP_PROTO: 'tcp',
        KUBERNETES_PORT_80_TCP_PORT: '80',
        KUBERNETES_PORT_80_TCP_ADDR: '10.96.9.9',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(Object.fromEntries(serviceEnvForPod(c.services, c.ns, c.links ?? true)), c.want);
    });
  }
  test('envVariableName', () => assert.equal(envVariableName('a-b-c'), 'A_B_C'));
});
