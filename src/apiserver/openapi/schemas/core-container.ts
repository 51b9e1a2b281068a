/** core/v1 Container, EphemeralContainer and everything nested in them (probes, env, ports, …). */

import {
  CORE,
  arr,
  bool,
  int32,
  int64,
  intOrString,
  obj,
  quantity,
  quantityMap,
  ref,
  refArr,
  str,
  strArr,
  time,
} from '../schema-dsl.js';
import type { OpenApiSchema, SchemaMap } from '../schema-dsl.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** Fields shared by Container and EphemeralContainer (upstream's EphemeralContainerCommon). */
function containerProps(ephemeral: boolean): Record<string, OpenApiSchema> {
  const notForEphemeral = ephemeral ? ' Not allowed for ephemeral containers.' : '';
  return {
    args: strArr(
      'Arguments to the entrypoint; the image\'s CMD is used when not set. $(VAR) references to container environment variables are expanded; "$$" escapes a literal "$". Not run in a shell. Cannot be updated.',
    ),
    command: strArr(
      'Entrypoint array, replacing the image\'s ENTRYPOINT when set. $(VAR) references are expanded as in args. Not run in a shell. Cannot be updated.',
    ),
    env: refArr(CORE + 'EnvVar', 'Environment variables to set in the container. Cannot be updated.', {
      listType: 'map',
      mapKeys: ['name'],
      mergeKey: 'name',
      strategy: 'merge',
    }),
    envFrom: refArr(
      CORE + 'EnvFromSource',
      'Sources (ConfigMaps, Secrets) whose keys become environment variables. Variables in env take precedence; among sources, a later key overrides an earlier one. Cannot be updated.',
      { listType: 'atomic' },
    ),
    image: str(
      'Container image name, e.g. "nginx:1.27" or a digest reference. Optional in the API so that higher-level tools can fill it in, but a container cannot start without it.',
    ),
    imagePullPolicy: str(
      'When to pull the image: "Always", "Never" or "IfNotPresent". Defaults to Always when the tag is ":latest" or missing, IfNotPresent otherwise. Cannot be updated.',
      { enum: ['Always', 'IfNotPresent', 'Never'] },
    ),
    lifecycle: ref(CORE + 'Lifecycle', `Actions the system runs right after the container starts and right before it stops.${notForEphemeral}`),
    livenessProbe: ref(
      CORE + 'Probe',
      `Periodic check that the container is alive; the container is restarted when it fails. Cannot be updated.${notForEphemeral}`,
    ),
    name: str(
      ephemeral
        ? 'Name of the ephemeral container, a DNS label unique among all containers of the Pod.'
        : 'Name of the container, a DNS label unique within the Pod. Cannot be updated.',
    ),
    ports: refArr(
      CORE + 'ContainerPort',
      ephemeral
        ? 'Ports are not allowed for ephemeral containers.'
        : 'Ports the container exposes. Informational: any port the process listens on is reachable whether listed or not, but named ports can be referenced by Services and probes. Cannot be updated.',
      { listType: 'map', mapKeys: ['containerPort', 'protocol'], mergeKey: 'containerPort', strategy: 'merge' },
    ),
    readinessProbe: ref(
      CORE + 'Probe',
      `Periodic check that the container can serve; a failing Pod is removed from Service endpoints. Cannot be updated.${notForEphemeral}`,
    ),
    resizePolicy: refArr(CORE + 'ContainerResizePolicy', 'How each resource of the container is resized in place.', {
      listType: 'atomic',
    }),
    resources: ref(
      CORE + 'ResourceRequirements',
      ephemeral
        ? 'Resources are not allowed for ephemeral containers; they use the Pod\'s already allocated resources.'
        : 'Compute resources (cpu, memory, …) the container requests and its limits. Requests are used for scheduling; limits are enforced at run time.',
      { default: {} },
    ),
    restartPolicy: str(
      ephemeral
        ? 'Restart policy of the ephemeral container; ephemeral containers are never restarted.'
        : 'Restart behaviour of this container, only for init containers: "Always" turns an init container into a sidecar that keeps running alongside the regular containers. Unset means the Pod\'s restartPolicy applies.',
    ),
    securityContext: ref(
      CORE + 'SecurityContext',
      'Security options for the container (user, capabilities, privilege, …); overrides the matching PodSecurityContext fields.',
    ),
    startupProbe: ref(
      CORE + 'Probe',
      `Check that the container has started; liveness and readiness probes only begin after it succeeds, and the container is restarted if it fails. Cannot be updated.${notForEphemeral}`,
    ),
    stdin: bool('Whether the container allocates a stdin buffer, so reads from stdin do not get EOF. Defaults to false.'),
    stdinOnce: bool(
      'When stdin is true, close stdin after the first attached client detaches, so the container sees EOF. Defaults to false.',
    ),
    terminationMessagePath: str(
      'File inside the container whose content is used as the termination message (at most 4096 bytes). Defaults to /dev/termination-log. Cannot be updated.',
    ),
    terminationMessagePolicy: str(
      '"File" (default) reads the message only from terminationMessagePath; "FallbackToLogsOnError" uses the tail of the log when the file is empty and the container failed. Cannot be updated.',
      { enum: ['FallbackToLogsOnError', 'File'] },
    ),
    tty: bool('Whether the container allocates a TTY; requires stdin. Defaults to false.'),
    volumeDevices: refArr(CORE + 'VolumeDevice', 'Raw block devices from Pod volumes to expose inside the container.', {
      listType: 'map',
      mapKeys: ['devicePath'],
      mergeKey: 'devicePath',
      strategy: 'merge',
    }),
    volumeMounts: refArr(
      CORE + 'VolumeMount',
      ephemeral
        ? 'Pod volumes to mount into the ephemeral container\'s filesystem (subPath mounts are not allowed). Cannot be updated.'
        : 'Pod volumes to mount into the container\'s filesystem. Cannot be updated.',
      { listType: 'map', mapKeys: ['mountPath'], mergeKey: 'mountPath', strategy: 'merge' },
    ),
    workingDir: str('Working directory of the process; the image\'s default is used when not set. Cannot be updated.'),
  };
}

const handlerProps = (): Record<string, OpenApiSchema> => ({
  exec: ref(CORE + 'ExecAction', 'Runs a command inside the container.'),
  httpGet: ref(CORE + 'HTTPGetAction', 'Performs an HTTP GET request.'),
  tcpSocket: ref(CORE + 'TCPSocketAction', 'Opens a TCP connection to a port.'),
});

export const coreContainerSchemas: SchemaMap = {
  [CORE + 'Container']: obj({
    description: 'A single application container that runs within a Pod.',
    properties: containerProps(false),
    required: ['name'],
  }),

  [CORE + 'EphemeralContainer']: obj({
    description:
      'A temporary container added to a running Pod for troubleshooting (e.g. by "kubectl debug"). It has no resource guarantees, is never restarted and cannot be removed once added.',
    properties: {
      ...containerProps(true),
      targetContainerName: str(
        'Name of a container in the Pod whose process namespace (and so processes) this container shares, when the runtime supports it.',
      ),
    },
    required: ['name'],
  }),

  [CORE + 'ContainerPort']: obj({
    description: 'A network port of a container.',
    properties: {
      containerPort: int32('Port number on the Pod\'s IP address (1-65535).'),
      hostIP: str('Host IP to bind the host port to; rarely needed.'),
      hostPort: int32(
        'Port to open on the node and forward to containerPort (1-65535). Most containers do not need this; it limits scheduling. Must equal containerPort with hostNetwork.',
      ),
      name: str('An IANA_SVC_NAME (at most 15 characters, unique in the Pod) that Services and probes can refer to.'),
      protocol: str('Protocol of the port: "TCP" (default), "UDP" or "SCTP".', { enum: PROTOCOLS, default: 'TCP' }),
    },
    required: ['containerPort'],
  }),

  [CORE + 'EnvVar']: obj({
    description: 'An environment variable of a container.',
    properties: {
      name: str('Name of the variable; must be a C identifier.'),
      value: str(
        'Value of the variable. $(VAR) references to earlier variables are expanded; "$$" escapes a literal "$". Defaults to "". Mutually exclusive with valueFrom.',
      ),
      valueFrom: ref(CORE + 'EnvVarSource', 'Where to take the value from, when value is not given.'),
    },
    required: ['name'],
  }),

  [CORE + 'EnvVarSource']: obj({
    description: 'The source of an environment variable value; exactly one field must be set.',
    properties: {
      configMapKeyRef: ref(CORE + 'ConfigMapKeySelector', 'A key of a ConfigMap in the Pod\'s namespace.'),
      fieldRef: ref(
        CORE + 'ObjectFieldSelector',
        'A field of the Pod: metadata.name, metadata.namespace, metadata.uid, metadata.labels[\'<key>\'], metadata.annotations[\'<key>\'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP or status.podIPs.',
      ),
      resourceFieldRef: ref(
        CORE + 'ResourceFieldSelector',
        'A resource limit or request of a container: limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory or requests.ephemeral-storage.',
      ),
      secretKeyRef: ref(CORE + 'SecretKeySelector', 'A key of a Secret in the Pod\'s namespace.'),
    },
  }),

  [CORE + 'ConfigMapKeySelector']: obj({
    description: 'Selects one key of a ConfigMap.',
    properties: {
      key: str('The key to select.'),
      name: str('Name of the ConfigMap in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing ConfigMap or key is not an error (the variable is left unset).'),
    },
    required: ['key'],
    mapType: 'atomic',
  }),

  [CORE + 'SecretKeySelector']: obj({
    description: 'Selects one key of a Secret.',
    properties: {
      key: str('The key to select; must be a valid secret key.'),
      name: str('Name of the Secret in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing Secret or key is not an error (the variable is left unset).'),
    },
    required: ['key'],
    mapType: 'atomic',
  }),

  [CORE + 'ObjectFieldSelector']: obj({
    description: 'Selects a field of the Pod.',
    properties: {
      apiVersion: str('Schema version in which fieldPath is written; defaults to "v1".'),
      fieldPath: str('Path of the field to select, e.g. "metadata.name" or "status.podIP".'),
    },
    required: ['fieldPath'],
    mapType: 'atomic',
  }),

  [CORE + 'ResourceFieldSelector']: obj({
    description: 'Selects a resource limit or request of a container.',
    properties: {
      containerName: str('Container to read from; required for volumes, optional for environment variables (defaults to the current container).'),
      divisor: quantity('Unit the value is expressed in (the value is divided by it and rounded up). Defaults to "1".'),
      resource: str('The resource to select, e.g. "limits.memory" or "requests.cpu".'),
    },
    required: ['resource'],
    mapType: 'atomic',
  }),

  [CORE + 'EnvFromSource']: obj({
    description: 'A source of a set of environment variables: every key of a ConfigMap or Secret.',
    properties: {
      configMapRef: ref(CORE + 'ConfigMapEnvSource', 'The ConfigMap to take variables from.'),
      prefix: str('Prefix added to every variable name taken from the source; the result must be a C identifier.'),
      secretRef: ref(CORE + 'SecretEnvSource', 'The Secret to take variables from.'),
    },
  }),

  [CORE + 'ConfigMapEnvSource']: obj({
    description: 'A ConfigMap whose keys become environment variables.',
    properties: {
      name: str('Name of the ConfigMap in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing ConfigMap is not an error.'),
    },
  }),

  [CORE + 'SecretEnvSource']: obj({
    description: 'A Secret whose keys become environment variables.',
    properties: {
      name: str('Name of the Secret in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing Secret is not an error.'),
    },
  }),

  [CORE + 'ResourceRequirements']: obj({
    description: 'Compute resource requests and limits.',
    properties: {
      claims: refArr(
        CORE + 'ResourceClaim',
        'Dynamic resource claims (from spec.resourceClaims) this container uses. Requires the DynamicResourceAllocation feature.',
        { listType: 'map', mapKeys: ['name'] },
      ),
      limits: quantityMap('Maximum amount of each resource the container may use, e.g. {"cpu": "500m", "memory": "256Mi"}.'),
      requests: quantityMap(
        'Minimum amount of each resource the container needs, used for scheduling. Defaults to limits when only limits are given; must not exceed them.',
      ),
    },
  }),

  [CORE + 'ResourceClaim']: obj({
    description: 'A reference to a resource claim of the Pod.',
    properties: {
      name: str('Name of an entry in the Pod\'s spec.resourceClaims.'),
      request: str('Name of one request within the claim; empty means the whole claim.'),
    },
    required: ['name'],
  }),

  [CORE + 'ContainerResizePolicy']: obj({
    description: 'How one resource of a container is resized in place.',
    properties: {
      resourceName: str('Name of the resource: "cpu" or "memory".'),
      restartPolicy: str('"NotRequired" (default) resizes without restarting; "RestartContainer" restarts the container to apply the change.'),
    },
    required: ['resourceName', 'restartPolicy'],
  }),

  [CORE + 'Lifecycle']: obj({
    description: 'Actions run by the kubelet in response to container lifecycle events.',
    properties: {
      postStart: ref(
        CORE + 'LifecycleHandler',
        'Runs right after the container is created; if it fails, the container is terminated and restarted according to the restart policy.',
      ),
      preStop: ref(
        CORE + 'LifecycleHandler',
        'Runs before the container is terminated (API request or management event, not on exit). It must finish within the termination grace period.',
      ),
      stopSignal: str('Signal sent to stop the container; defaults to the image\'s STOPSIGNAL or SIGTERM.'),
    },
  }),

  [CORE + 'LifecycleHandler']: obj({
    description: 'One action run at a lifecycle hook; exactly one field must be set.',
    properties: {
      ...handlerProps(),
      sleep: ref(CORE + 'SleepAction', 'Waits for a number of seconds.'),
    },
  }),

  [CORE + 'Probe']: obj({
    description: 'A health check the kubelet runs against a container to decide whether it is alive, ready or started.',
    properties: {
      ...handlerProps(),
      failureThreshold: int32('Consecutive failures after which the probe is considered failed. Defaults to 3; minimum 1.'),
      grpc: ref(CORE + 'GRPCAction', 'Calls the standard gRPC health-checking service.'),
      initialDelaySeconds: int32('Seconds after the container starts before the first probe. Defaults to 0.'),
      periodSeconds: int32('How often to probe, in seconds. Defaults to 10; minimum 1.'),
      successThreshold: int32(
        'Consecutive successes after a failure for the probe to count as successful again. Defaults to 1; must be 1 for liveness and startup probes.',
      ),
      terminationGracePeriodSeconds: int64(
        'Grace period for a container killed because this probe failed, overriding the Pod\'s terminationGracePeriodSeconds. Not allowed for readiness probes.',
      ),
      timeoutSeconds: int32('Seconds after which one probe attempt times out. Defaults to 1; minimum 1.'),
    },
  }),

  [CORE + 'ExecAction']: obj({
    description: 'Runs a command inside the container.',
    properties: {
      command: strArr(
        'Command line to run, in the container\'s root directory; not run in a shell. Exit status 0 counts as success.',
      ),
    },
  }),

  [CORE + 'HTTPGetAction']: obj({
    description: 'An HTTP GET request made by the kubelet; a status code from 200 to 399 counts as success.',
    properties: {
      host: str('Host to connect to; defaults to the Pod IP. Set a "Host" entry in httpHeaders to change the virtual host instead.'),
      httpHeaders: refArr(CORE + 'HTTPHeader', 'Custom request headers; repeated headers are allowed.', {
        listType: 'atomic',
      }),
      path: str('Request path, e.g. "/healthz".'),
      port: intOrString('Port number (1-65535) or name of a container port to connect to.'),
      scheme: str('Scheme to connect with: "HTTP" (default) or "HTTPS" (certificates are not verified).', {
        enum: ['HTTP', 'HTTPS'],
      }),
    },
    required: ['port'],
  }),

  [CORE + 'HTTPHeader']: obj({
    description: 'A header of an HTTP probe request.',
    properties: {
      name: str('Header name; normalised on output, so differently capitalised names are the same header.'),
      value: str('Header value.'),
    },
    required: ['name', 'value'],
  }),

  [CORE + 'TCPSocketAction']: obj({
    description: 'Opens a TCP connection; success means the connection was established.',
    properties: {
      host: str('Host to connect to; defaults to the Pod IP.'),
      port: intOrString('Port number (1-65535) or name of a container port to connect to.'),
    },
    required: ['port'],
  }),

  [CORE + 'GRPCAction']: obj({
    description: 'Calls the gRPC health-checking protocol (grpc.health.v1.Health/Check).',
    properties: {
      port: int32('Port number of the gRPC service (1-65535).'),
      service: str('Service name sent in the HealthCheckRequest; empty checks the server as a whole.', { default: '' }),
    },
    required: ['port'],
  }),

  [CORE + 'SleepAction']: obj({
    description: 'Pauses for a while, e.g. to let load balancers drain before the container stops.',
    properties: {
      seconds: int64('Seconds to sleep.'),
    },
    required: ['seconds'],
  }),

  [CORE + 'SecurityContext']: obj({
    description:
      'Security options of one container. Where a field is also in PodSecurityContext, the container value takes precedence.',
    properties: {
      allowPrivilegeEscalation: bool(
        'Whether a process can gain more privileges than its parent (sets no_new_privs when false). Always true when privileged or with CAP_SYS_ADMIN. Not for Windows.',
      ),
      appArmorProfile: ref(CORE + 'AppArmorProfile', 'AppArmor profile of the container, overriding the Pod\'s. Not for Windows.'),
      capabilities: ref(CORE + 'Capabilities', 'Linux capabilities to add to or drop from the runtime default set. Not for Windows.'),
      privileged: bool('Runs the container as privileged, equivalent to root on the host. Defaults to false. Not for Windows.'),
      procMount: str(
        'Kind of /proc mount: "Default" masks and makes read-only the usual paths; "Unmasked" requires hostUsers=false. Not for Windows.',
        { enum: ['Default', 'Unmasked'] },
      ),
      readOnlyRootFilesystem: bool('Mounts the container\'s root filesystem read-only. Defaults to false. Not for Windows.'),
      runAsGroup: int64('Primary GID of the container process; defaults to the runtime default. Not for Windows.'),
      runAsNonRoot: bool(
        'When true, the kubelet refuses to start the container if it would run as UID 0.',
      ),
      runAsUser: int64('UID of the container process; defaults to the user in the image metadata. Not for Windows.'),
      seLinuxOptions: ref(CORE + 'SELinuxOptions', 'SELinux context of the container; random by default. Not for Windows.'),
      seccompProfile: ref(CORE + 'SeccompProfile', 'Seccomp profile of the container, overriding the Pod\'s. Not for Windows.'),
      windowsOptions: ref(CORE + 'WindowsSecurityContextOptions', 'Windows-specific options. Only for Windows.'),
    },
  }),

  [CORE + 'Capabilities']: obj({
    description: 'Linux capabilities to add and drop.',
    properties: {
      add: strArr('Capabilities to add, e.g. "NET_ADMIN".'),
      drop: strArr('Capabilities to drop, e.g. "ALL".'),
    },
  }),

  [CORE + 'SELinuxOptions']: obj({
    description: 'SELinux labels applied to a container.',
    properties: {
      level: str('SELinux level label.'),
      role: str('SELinux role label.'),
      type: str('SELinux type label.'),
      user: str('SELinux user label.'),
    },
  }),

  [CORE + 'SeccompProfile']: obj({
    description: 'A seccomp profile; exactly one kind must be chosen with type.',
    properties: {
      localhostProfile: str(
        'Path of a profile file on the node, relative to the kubelet\'s seccomp directory. Required, and only allowed, when type is Localhost.',
      ),
      type: str('Kind of profile: "RuntimeDefault", "Unconfined" or "Localhost".', {
        enum: ['Localhost', 'RuntimeDefault', 'Unconfined'],
      }),
    },
    required: ['type'],
  }),

  [CORE + 'AppArmorProfile']: obj({
    description: 'An AppArmor profile.',
    properties: {
      localhostProfile: str('Name of a profile loaded on the node. Required, and only allowed, when type is Localhost.'),
      type: str('Kind of profile: "RuntimeDefault", "Unconfined" or "Localhost".', {
        enum: ['Localhost', 'RuntimeDefault', 'Unconfined'],
      }),
    },
    required: ['type'],
  }),

  [CORE + 'WindowsSecurityContextOptions']: obj({
    description: 'Windows-specific security options.',
    properties: {
      gmsaCredentialSpec: str('Inline content of the GMSA credential spec named by gmsaCredentialSpecName.'),
      gmsaCredentialSpecName: str('Name of the GMSA credential spec to use.'),
      hostProcess: bool(
        'Runs the container as a Windows HostProcess container; all containers of the Pod must agree, and hostNetwork must be true.',
      ),
      runAsUserName: str('Windows user name to run the entrypoint as; defaults to the image user.'),
    },
  }),

  [CORE + 'VolumeMount']: obj({
    description: 'Mounts a Pod volume inside a container.',
    properties: {
      mountPath: str('Path inside the container where the volume is mounted; must not contain ":".'),
      mountPropagation: str(
        'How mounts propagate between host and container: "None" (default), "HostToContainer" or "Bidirectional" (privileged containers only).',
        { enum: ['Bidirectional', 'HostToContainer', 'None'] },
      ),
      name: str('Name of the Pod volume to mount.'),
      readOnly: bool('Mounts the volume read-only when true. Defaults to false.'),
      recursiveReadOnly: str(
        'Whether a read-only mount is also read-only in its submounts: "Disabled" (default), "IfPossible" or "Enabled". Requires readOnly.',
      ),
      subPath: str('Path within the volume to mount instead of its root. Defaults to "" (the root).'),
      subPathExpr: str(
        'Like subPath, but $(VAR) references to container environment variables are expanded. Mutually exclusive with subPath.',
      ),
    },
    required: ['name', 'mountPath'],
  }),

  [CORE + 'VolumeDevice']: obj({
    description: 'Maps a raw block volume into a container as a device.',
    properties: {
      devicePath: str('Path inside the container where the device appears.'),
      name: str('Name of a PersistentVolumeClaim volume of the Pod.'),
    },
    required: ['name', 'devicePath'],
  }),

  [CORE + 'ContainerStatus']: obj({
    description: 'The observed state of one container of a Pod.',
    properties: {
      allocatedResources: quantityMap('Resources the node has allocated to the container.'),
      allocatedResourcesStatus: refArr(CORE + 'ResourceStatus', 'Health of the resources allocated to the container.', {
        listType: 'map',
        mapKeys: ['name'],
        mergeKey: 'name',
        strategy: 'merge',
      }),
      containerID: str('Runtime ID of the container, as <type>://<id>.'),
      image: str('Image the container is running.'),
      imageID: str('ID (digest) of the image the container is running.'),
      lastState: ref(CORE + 'ContainerState', 'State of the previous run of the container, e.g. why it last terminated.', {
        default: {},
      }),
      name: str('Name of the container, as in the Pod spec.'),
      ready: bool('Whether the container passes its readiness probe (true when it has none and is running).'),
      resources: ref(CORE + 'ResourceRequirements', 'Requests and limits currently applied to the running container.'),
      restartCount: int32('Number of times the container has been restarted.'),
      started: bool('Whether the container has passed its startup probe (true when it has none and is running).'),
      state: ref(CORE + 'ContainerState', 'Current state of the container.', { default: {} }),
      stopSignal: str('Signal that will be sent to stop the container.'),
      user: ref(CORE + 'ContainerUser', 'Identity the container process runs as.'),
      volumeMounts: refArr(CORE + 'VolumeMountStatus', 'Status of the container\'s volume mounts.', {
        listType: 'map',
        mapKeys: ['mountPath'],
        mergeKey: 'mountPath',
        strategy: 'merge',
      }),
    },
    required: ['name', 'ready', 'restartCount', 'image', 'imageID'],
  }),

  [CORE + 'ContainerState']: obj({
    description: 'State of a container; exactly one field is set. Defaults to waiting.',
    properties: {
      running: ref(CORE + 'ContainerStateRunning', 'Set while the container is running.'),
      terminated: ref(CORE + 'ContainerStateTerminated', 'Set once the container has terminated.'),
      waiting: ref(CORE + 'ContainerStateWaiting', 'Set while the container is waiting to start.'),
    },
  }),

  [CORE + 'ContainerStateRunning']: obj({
    description: 'A running container.',
    properties: {
      startedAt: time('When the container last (re)started.'),
    },
  }),

  [CORE + 'ContainerStateTerminated']: obj({
    description: 'A terminated container.',
    properties: {
      containerID: str('Runtime ID of the container, as <type>://<id>.'),
      exitCode: int32('Exit status of the last run.'),
      finishedAt: time('When the container last terminated.'),
      message: str('Message about the termination.'),
      reason: str('Short reason for the termination, e.g. "Completed" or "OOMKilled".'),
      signal: int32('Signal that terminated the container, if any.'),
      startedAt: time('When the last run started.'),
    },
    required: ['exitCode'],
  }),

  [CORE + 'ContainerStateWaiting']: obj({
    description: 'A container that is not running yet.',
    properties: {
      message: str('Message about why the container is waiting.'),
      reason: str('Short reason, e.g. "ContainerCreating" or "CrashLoopBackOff".'),
    },
  }),

  [CORE + 'ContainerUser']: obj({
    description: 'The identity a container process runs as.',
    properties: {
      linux: ref(CORE + 'LinuxContainerUser', 'Linux user and groups.'),
    },
  }),

  [CORE + 'LinuxContainerUser']: obj({
    description: 'Linux identity of a container process.',
    properties: {
      gid: int64('Primary GID.'),
      supplementalGroups: arr({ type: 'integer', format: 'int64' }, 'Supplementary GIDs.', { listType: 'atomic' }),
      uid: int64('UID.'),
    },
    required: ['uid', 'gid'],
  }),

  [CORE + 'VolumeMountStatus']: obj({
    description: 'The status of one volume mount of a container.',
    properties: {
      mountPath: str('Path of the mount inside the container.'),
      name: str('Name of the volume mount.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str('Effective recursive read-only mode: "Disabled", "Enabled" or empty.'),
    },
    required: ['name', 'mountPath'],
  }),

  [CORE + 'ResourceStatus']: obj({
    description: 'Health of the devices behind one allocated resource.',
    properties: {
      name: str('Name of the resource, e.g. "claim:<name>/<request>" or a device-plugin resource name.'),
      resources: refArr(CORE + 'ResourceHealth', 'Health of each device.', { listType: 'map', mapKeys: ['resourceID'] }),
    },
    required: ['name'],
  }),

  [CORE + 'ResourceHealth']: obj({
    description: 'Health of one device.',
    properties: {
      health: str('"Healthy", "Unhealthy" or "Unknown".'),
      resourceID: str('Unique ID of the device.'),
    },
    required: ['resourceID'],
  }),
};
