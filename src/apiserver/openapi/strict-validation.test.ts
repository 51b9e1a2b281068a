import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { duplicateFields, strictDecodingMessage, unknownFields } from './strict-validation.js';

function manifest(text: string): { obj: Record<string, unknown>; apiVersion: string; kind: string } {
  const obj = parse(text) as Record<string, unknown>;
  return { obj, apiVersion: String(obj['apiVersion']), kind: String(obj['kind']) };
}

const VALID: Record<string, string> = {
  'Service (full)': `
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  labels: {app: web}
  annotations: {example.com/owner: team-a}
spec:
  type: LoadBalancer
  selector: {app: web}
  clusterIP: 10.96.0.20
  clusterIPs: [10.96.0.20]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  externalTrafficPolicy: Local
  internalTrafficPolicy: Cluster
  healthCheckNodePort: 31000
  allocateLoadBalancerNodePorts: true
  loadBalancerClass: example.com/lb
  loadBalancerSourceRanges: [10.0.0.0/8]
  externalIPs: [192.0.2.10]
  publishNotReadyAddresses: false
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
  trafficDistribution: PreferClose
  ports:
  - name: http
    port: 80
    targetPort: http
    protocol: TCP
    appProtocol: http
    nodePort: 30080
  - name: https
    port: 443
    targetPort: 8443
status:
  loadBalancer:
    ingress:
    - ip: 192.0.2.1
      ipMode: VIP
      ports: [{port: 80, protocol: TCP}]
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2024-01-01T00:00:00Z", reason: Ok, message: ""}
`,
  'Service with topologyKeys (1.17-1.21 alpha)': `
apiVersion: v1
kind: Service
metadata: {name: legacy}
spec:
  selector: {app: legacy}
  topologyKeys: ["kubernetes.io/hostname", "*"]
  ports: [{port: 80}]
`,
  'Deployment with probes, env, resources, volumes, securityContext': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  minReadySeconds: 5
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: tier, operator: In, values: [frontend]}]
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web, tier: frontend}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      serviceAccountName: web
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        fsGroup: 2000
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app: web}}
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: kubernetes.io/os, operator: In, values: [linux]}]
      tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector: {matchLabels: {app: web}}
      initContainers:
      - name: init
        image: busybox:1.36
        command: [sh, -c, "echo init"]
      - name: sidecar
        image: envoyproxy/envoy:v1.30
        restartPolicy: Always
      containers:
      - name: app
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        args: ["--port=8080"]
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        env:
        - {name: MODE, value: production}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password, optional: false}}
        - name: LEVEL
          valueFrom: {configMapKeyRef: {name: cfg, key: level}}
        - name: MEM_LIMIT
          valueFrom: {resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
        envFrom:
        - configMapRef: {name: cfg}
          prefix: CFG_
        - secretRef: {name: extra, optional: true}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 256Mi}
        readinessProbe:
          httpGet:
            path: /ready
            port: http
            scheme: HTTP
            httpHeaders: [{name: X-Probe, value: "1"}]
          initialDelaySeconds: 5
          periodSeconds: 10
        livenessProbe:
          tcpSocket: {port: 8080}
          failureThreshold: 3
          timeoutSeconds: 2
        startupProbe:
          exec: {command: [cat, /tmp/started]}
          failureThreshold: 30
        lifecycle:
          preStop: {sleep: {seconds: 5}}
          postStart: {exec: {command: [sh, -c, "true"]}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: config, mountPath: /etc/app, readOnly: true}
        - {name: tls, mountPath: /etc/tls}
        - {name: tmp, mountPath: /tmp}
        - {name: projected, mountPath: /var/run/projected}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: web-data}
      - name: config
        configMap:
          name: cfg
          defaultMode: 420
          items: [{key: app.yaml, path: app.yaml}]
      - name: tls
        secret: {secretName: web-tls}
      - name: tmp
        emptyDir: {medium: Memory, sizeLimit: 64Mi}
      - name: host
        hostPath: {path: /var/log, type: Directory}
      - name: projected
        projected:
          sources:
          - serviceAccountToken: {path: token, expirationSeconds: 3600, audience: api}
          - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
          - configMap: {name: cfg}
      - name: nfs
        nfs: {server: nfs.example.com, path: /exports}
      - name: scratch
        ephemeral:
          volumeClaimTemplate:
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
      - name: csi
        csi: {driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: {secretProviderClass: x}}
`,
  StatefulSet: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Delete}
  ordinals: {start: 0}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        ports: [{containerPort: 5432, name: pg}]
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: standard
      resources: {requests: {storage: 10Gi}}
`,
  Ingress: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}
spec:
  ingressClassName: nginx
  defaultBackend:
    service: {name: default-http, port: {number: 80}}
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {name: http}}
      - path: /static
        pathType: ImplementationSpecific
        backend:
          resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}
`,
  EndpointSlice: `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc12
  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
  ownerReferences:
  - {apiVersion: v1, kind: Service, name: web, uid: 0b0f1a2c-0000-4000-8000-000000000001, controller: true, blockOwnerDeletion: true}
addressType: IPv4
ports:
- {name: http, port: 8080, protocol: TCP, appProtocol: http}
endpoints:
- addresses: [10.244.1.5]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: node-1
  zone: zone-a
  hostname: web-0
  hints: {forZones: [{name: zone-a}]}
  targetRef: {kind: Pod, namespace: default, name: web-0, uid: 1}
`,
  Endpoints: `
apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses:
  - ip: 10.244.1.5
    nodeName: node-1
    targetRef: {kind: Pod, name: web-0, namespace: default}
  notReadyAddresses: [{ip: 10.244.2.7}]
  ports: [{name: http, port: 8080, protocol: TCP}]
`,
  'Pod with managedFields (open fieldsV1)': `
apiVersion: v1
kind: Pod
metadata:
  name: p
  managedFields:
  - manager: kubectl
    operation: Apply
    apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1: {"f:spec": {"f:containers": {"k:{\\"name\\":\\"c\\"}": {".": {}}}}}
spec:
  containers: [{name: c, image: busybox}]
`,
};

/** Smaller kinds, as kubectl sends them (JSON). */
const OTHERS = [
  `{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"2024-01-01T00:00:00.000000Z"}}`,
  `{"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"nginx"},"spec":{"controller":"k8s.io/ingress-nginx","parameters":{"kind":"Cfg","name":"x","scope":"Cluster"}}}`,
  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"},"binaryData":{"z":"AA=="},"immutable":false}`,
  `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"a":"Yg=="},"stringData":{"b":"c"}}`,
  `{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},"eventTime":"2024-01-01T00:00:00.000000Z","regarding":{"kind":"Pod","name":"p"},"reason":"Started","note":"ok","type":"Normal","reportingController":"x","reportingInstance":"y","action":"Start"}`,
];

describe('unknownFields accepts realistic manifests', () => {
  for (const [name, text] of Object.entries(VALID)) {
    test(name, () => {
      const m = manifest(text);
      assert.deepEqual(unknownFields(m.obj, m.apiVersion, m.kind), []);
    });
  }
  for (const text of OTHERS) {
    const m = manifest(text);
    test(`${m.apiVersion} ${m.kind}`, () => {
      assert.deepEqual(unknownFields(m.obj, m.apiVersion, m.kind), []);
    });
  }
});

describe('unknownFields reports unknown fields with upstream paths', () => {
  const cases: { name: string; text: string; want: string[] }[] = [
    { name: 'spec.foo', text: '{"apiVersion":"v1","kind":"Service","spec":{"foo":1,"ports":[{"port":80}]}}', want: ['spec.foo'] },
    {
      name: 'inside a list item',
      text: '{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80},{"port":81,"bar":true}]}}',
      want: ['spec.ports[1].bar'],
    },
    { name: 'metadata typo', text: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labelz":{}}}', want: ['metadata.labelz'] },
    { name: 'top-level', text: '{"apiVersion":"v1","kind":"ConfigMap","spec":{}}', want: ['spec'] },
    {
      name: 'deep in a pod template, in document order',
      text: '{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"metadata":{"spec":{}},"spec":{"containers":[{"name":"a","lifecycle":{"preStart":{}}}]}},"replica":3}}',
      want: ['spec.template.metadata.spec', 'spec.template.spec.containers[0].lifecycle.preStart', 'spec.replica'],
    },
    {
      name: 'case matters',
      text: '{"apiVersion":"v1","kind":"Service","spec":{"Type":"NodePort"}}',
      want: ['spec.Type'],
    },
    {
      name: 'EndpointSlice endpoint condition',
      text: '{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4","endpoints":[{"addresses":["1.2.3.4"],"conditions":{"healthy":true}}]}',
      want: ['endpoints[0].conditions.healthy'],
    },
    { name: 'unknown kind', text: '{"apiVersion":"example.com/v1","kind":"Widget","spec":{"foo":1}}', want: [] },
    { name: 'wrong value type is not an unknown field', text: '{"apiVersion":"v1","kind":"Service","spec":"x"}', want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const m = manifest(c.text);
      assert.deepEqual(unknownFields(m.obj, m.apiVersion, m.kind), c.want);
    });
  }
});

describe('duplicateFields', () => {
  const cases: { name: string; json: string; want: string[] }[] = [
    { name: 'none', json: '{"a":1,"b":{"a":2}}', want: [] },
    { name: 'top-level', json: '{"kind":"Service","kind":"Service"}', want: ['kind'] },
    { name: 'nested', json: '{"metadata":{"name":"a","labels":{},"name":"b"}}', want: ['metadata.name'] },
    { name: 'in a list', json: '{"spec":{"ports":[{"port":1},{"port":2,"port":3}]}}', want: ['spec.ports[1].port'] },
    { name: 'escaped keys compare decoded', json: '{"a\\u0062":1,"ab":2}', want: ['ab'] },
    { name: 'strings with braces and escapes', json: '{"a":"}{\\"","a":"x"}', want: ['a'] },
    { name: 'invalid JSON', json: '{"a":1,"a":', want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(duplicateFields(c.json), c.want));
  }
});

describe('strictDecodingMessage', () => {
  test('formats like upstream', () => {
    assert.equal(strictDecodingMessage([]), undefined);
    assert.equal(strictDecodingMessage(['spec.foo']), 'strict decoding error: unknown field "spec.foo"');
    assert.equal(
      strictDecodingMessage(['a', 'b'], ['metadata.name']),
      'strict decoding error: unknown field "a", unknown field "b", duplicate field "metadata.name"',
    );
  });
});
