/**
 * core/v1 Volume, every volume source of a Pod, and PersistentVolumeClaim (used by StatefulSet
 * volumeClaimTemplates and ephemeral volumes). All sources are described field by field, so that
 * kubectl can compute apply patches for any of them.
 */

import {
  CORE,
  META,
  bool,
  int32,
  int64,
  obj,
  objectProps,
  quantity,
  quantityMap,
  ref,
  refArr,
  str,
  strArr,
  strMap,
  time,
  gvk,
} from '../schema-dsl.js';
import type { OpenApiSchema, SchemaMap } from '../schema-dsl.js';

const readOnly = (dflt = 'false'): OpenApiSchema => bool(`Mount the volume read-only. Defaults to ${dflt}.`);
const fsType = (dflt = '"ext4"'): OpenApiSchema =>
  str(`Filesystem type to mount, e.g. "ext4", "xfs" or "ntfs"; implicitly ${dflt} when unset.`);
const secretRef = (what: string): OpenApiSchema => ref(CORE + 'LocalObjectReference', `Secret holding ${what}.`);
const defaultMode = (): OpenApiSchema =>
  int32(
    'Permission bits for created files, 0000-0777 (octal in YAML, decimal in JSON). Defaults to 0644. Directories get execute bits; the result may be altered by fsGroup.',
  );
const itemMode = (): OpenApiSchema =>
  int32('Permission bits for this file, 0000-0777; defaults to the volume\'s defaultMode.');

/** Upstream tags PersistentVolumeClaim with its GVK wherever the schema appears (e.g. apps/v1). */
const PVC_GVK = gvk('', 'v1', 'PersistentVolumeClaim');

export const coreVolumeSchemas: SchemaMap = {
  [CORE + 'Volume']: obj({
    description:
      'A named volume of a Pod that containers can mount. Exactly one source field must be set besides name.',
    properties: {
      awsElasticBlockStore: ref(CORE + 'AWSElasticBlockStoreVolumeSource', 'Deprecated: an AWS EBS disk; use the CSI driver.'),
      azureDisk: ref(CORE + 'AzureDiskVolumeSource', 'Deprecated: an Azure data disk; use the CSI driver.'),
      azureFile: ref(CORE + 'AzureFileVolumeSource', 'Deprecated: an Azure File share; use the CSI driver.'),
      cephfs: ref(CORE + 'CephFSVolumeSource', 'Deprecated: a CephFS mount.'),
      cinder: ref(CORE + 'CinderVolumeSource', 'Deprecated: an OpenStack Cinder volume; use the CSI driver.'),
      configMap: ref(CORE + 'ConfigMapVolumeSource', 'Files created from the keys of a ConfigMap.'),
      csi: ref(CORE + 'CSIVolumeSource', 'An inline ephemeral volume provided by a CSI driver.'),
      downwardAPI: ref(CORE + 'DownwardAPIVolumeSource', 'Files holding information about the Pod itself.'),
      emptyDir: ref(CORE + 'EmptyDirVolumeSource', 'A directory that starts empty and lives as long as the Pod.'),
      ephemeral: ref(
        CORE + 'EphemeralVolumeSource',
        'A PersistentVolumeClaim created for the Pod from a template and deleted with it.',
      ),
      fc: ref(CORE + 'FCVolumeSource', 'A Fibre Channel disk.'),
      flexVolume: ref(CORE + 'FlexVolumeSource', 'Deprecated: a volume provided by a FlexVolume driver.'),
      flocker: ref(CORE + 'FlockerVolumeSource', 'Deprecated: a Flocker dataset.'),
      gcePersistentDisk: ref(CORE + 'GCEPersistentDiskVolumeSource', 'Deprecated: a GCE persistent disk; use the CSI driver.'),
      gitRepo: ref(CORE + 'GitRepoVolumeSource', 'Deprecated: a git repository cloned into an empty directory.'),
      glusterfs: ref(CORE + 'GlusterfsVolumeSource', 'Deprecated: a GlusterFS mount.'),
      hostPath: ref(
        CORE + 'HostPathVolumeSource',
        'A file or directory of the node\'s filesystem. Grants access to the host; mostly for system agents.',
      ),
      image: ref(CORE + 'ImageVolumeSource', 'The content of an OCI image or artifact, mounted read-only.'),
      iscsi: ref(CORE + 'ISCSIVolumeSource', 'An iSCSI disk.'),
      name: str('Name of the volume, a DNS label unique within the Pod; volume mounts refer to it.'),
      nfs: ref(CORE + 'NFSVolumeSource', 'An NFS export.'),
      persistentVolumeClaim: ref(
        CORE + 'PersistentVolumeClaimVolumeSource',
        'A PersistentVolumeClaim in the Pod\'s namespace.',
      ),
      photonPersistentDisk: ref(CORE + 'PhotonPersistentDiskVolumeSource', 'Deprecated: a Photon Controller disk.'),
      portworxVolume: ref(CORE + 'PortworxVolumeSource', 'Deprecated: a Portworx volume.'),
      projected: ref(
        CORE + 'ProjectedVolumeSource',
        'One directory combining Secrets, ConfigMaps, downward API data, service account tokens and trust bundles.',
      ),
      quobyte: ref(CORE + 'QuobyteVolumeSource', 'Deprecated: a Quobyte mount.'),
      rbd: ref(CORE + 'RBDVolumeSource', 'Deprecated: a Rados block device.'),
      scaleIO: ref(CORE + 'ScaleIOVolumeSource', 'Deprecated: a ScaleIO volume.'),
      secret: ref(CORE + 'SecretVolumeSource', 'Files created from the keys of a Secret.'),
      storageos: ref(CORE + 'StorageOSVolumeSource', 'Deprecated: a StorageOS volume.'),
      vsphereVolume: ref(CORE + 'VsphereVirtualDiskVolumeSource', 'Deprecated: a vSphere disk; use the CSI driver.'),
    },
    required: ['name'],
  }),

  [CORE + 'ConfigMapVolumeSource']: obj({
    description: 'Projects the keys of a ConfigMap as files: each key becomes a file named after it, unless items is given.',
    properties: {
      defaultMode: defaultMode(),
      items: refArr(
        CORE + 'KeyToPath',
        'Which keys to project and to which paths; when given, other keys are left out and listed missing keys are an error unless optional.',
        { listType: 'atomic' },
      ),
      name: str('Name of the ConfigMap in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing ConfigMap (or listed key) is not an error.'),
    },
  }),

  [CORE + 'SecretVolumeSource']: obj({
    description: 'Projects the keys of a Secret as files: each key becomes a file named after it, unless items is given.',
    properties: {
      defaultMode: defaultMode(),
      items: refArr(
        CORE + 'KeyToPath',
        'Which keys to project and to which paths; when given, other keys are left out.',
        { listType: 'atomic' },
      ),
      optional: bool('When true, a missing Secret (or listed key) is not an error.'),
      secretName: str('Name of the Secret in the Pod\'s namespace.'),
    },
  }),

  [CORE + 'KeyToPath']: obj({
    description: 'Maps one key of a ConfigMap or Secret to a file path.',
    properties: {
      key: str('The key to project.'),
      mode: itemMode(),
      path: str('Relative path of the file; must not be absolute or contain "..".'),
    },
    required: ['key', 'path'],
  }),

  [CORE + 'EmptyDirVolumeSource']: obj({
    description: 'A temporary directory that shares the Pod\'s lifetime.',
    properties: {
      medium: str('Storage medium: "" (default) uses the node\'s disk; "Memory" uses a RAM-backed tmpfs.'),
      sizeLimit: quantity(
        'Maximum size of the volume; the Pod is evicted when it is exceeded. For Memory, also capped by the Pod\'s memory limits.',
      ),
    },
  }),

  [CORE + 'HostPathVolumeSource']: obj({
    description: 'A path on the node mounted into the Pod.',
    properties: {
      path: str('Path on the node; a symlink is followed to its target.'),
      type: str(
        'Check or action before mounting: "" (none, default), "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice" or "BlockDevice".',
        { enum: ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'] },
      ),
    },
    required: ['path'],
  }),

  [CORE + 'PersistentVolumeClaimVolumeSource']: obj({
    description: 'Mounts the volume bound to a PersistentVolumeClaim.',
    properties: {
      claimName: str('Name of the PersistentVolumeClaim in the Pod\'s namespace.'),
      readOnly: readOnly(),
    },
    required: ['claimName'],
  }),

  [CORE + 'NFSVolumeSource']: obj({
    description: 'An NFS export mounted into the Pod.',
    properties: {
      path: str('Path exported by the NFS server.'),
      readOnly: readOnly(),
      server: str('Hostname or IP address of the NFS server.'),
    },
    required: ['server', 'path'],
  }),

  [CORE + 'CSIVolumeSource']: obj({
    description: 'An ephemeral volume provided inline by a CSI driver.',
    properties: {
      driver: str('Name of the CSI driver, as registered in the cluster.'),
      fsType: str('Filesystem type to mount; passed to the driver, which picks a default when unset.'),
      nodePublishSecretRef: secretRef('credentials passed to the driver\'s NodePublishVolume and NodeUnpublishVolume calls'),
      readOnly: readOnly(),
      volumeAttributes: strMap('Driver-specific properties; see the driver\'s documentation.'),
    },
    required: ['driver'],
  }),

  [CORE + 'DownwardAPIVolumeSource']: obj({
    description: 'Files holding fields of the Pod (labels, annotations, resource limits, …).',
    properties: {
      defaultMode: defaultMode(),
      items: refArr(CORE + 'DownwardAPIVolumeFile', 'The files to create.', { listType: 'atomic' }),
    },
  }),

  [CORE + 'DownwardAPIVolumeFile']: obj({
    description: 'One file with information about the Pod.',
    properties: {
      fieldRef: ref(
        CORE + 'ObjectFieldSelector',
        'A Pod field: metadata.name, metadata.namespace, metadata.uid, metadata.labels or metadata.annotations (whole or by key).',
      ),
      mode: itemMode(),
      path: str('Relative path of the file; must not be absolute or contain "..".'),
      resourceFieldRef: ref(CORE + 'ResourceFieldSelector', 'A container resource limit or request (limits.cpu, requests.memory, …).'),
    },
    required: ['path'],
  }),

  [CORE + 'ProjectedVolumeSource']: obj({
    description: 'Several sources projected into one directory.',
    properties: {
      defaultMode: defaultMode(),
      sources: refArr(CORE + 'VolumeProjection', 'The sources to project; each may be of a different kind.', {
        listType: 'atomic',
      }),
    },
  }),

  [CORE + 'VolumeProjection']: obj({
    description: 'One source of a projected volume; exactly one field must be set.',
    properties: {
      clusterTrustBundle: ref(CORE + 'ClusterTrustBundleProjection', 'Certificates from ClusterTrustBundle objects.'),
      configMap: ref(CORE + 'ConfigMapProjection', 'Keys of a ConfigMap.'),
      downwardAPI: ref(CORE + 'DownwardAPIProjection', 'Fields of the Pod.'),
      secret: ref(CORE + 'SecretProjection', 'Keys of a Secret.'),
      serviceAccountToken: ref(CORE + 'ServiceAccountTokenProjection', 'A service account token for the Pod.'),
    },
  }),

  [CORE + 'ConfigMapProjection']: obj({
    description: 'Keys of a ConfigMap projected into a projected volume.',
    properties: {
      items: refArr(CORE + 'KeyToPath', 'Which keys to project and to which paths; all keys when unset.', {
        listType: 'atomic',
      }),
      name: str('Name of the ConfigMap in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing ConfigMap (or listed key) is not an error.'),
    },
  }),

  [CORE + 'SecretProjection']: obj({
    description: 'Keys of a Secret projected into a projected volume.',
    properties: {
      items: refArr(CORE + 'KeyToPath', 'Which keys to project and to which paths; all keys when unset.', {
        listType: 'atomic',
      }),
      name: str('Name of the Secret in the Pod\'s namespace.', { default: '' }),
      optional: bool('When true, a missing Secret (or listed key) is not an error.'),
    },
  }),

  [CORE + 'DownwardAPIProjection']: obj({
    description: 'Pod fields projected into a projected volume.',
    properties: {
      items: refArr(CORE + 'DownwardAPIVolumeFile', 'The files to create.', { listType: 'atomic' }),
    },
  }),

  [CORE + 'ServiceAccountTokenProjection']: obj({
    description: 'A token of the Pod\'s service account, refreshed by the kubelet before it expires.',
    properties: {
      audience: str('Intended audience of the token; defaults to the API server\'s identifier.'),
      expirationSeconds: int64('Requested lifetime of the token; at least 600 seconds. Defaults to 1 hour.'),
      path: str('Relative path of the token file.'),
    },
    required: ['path'],
  }),

  [CORE + 'ClusterTrustBundleProjection']: obj({
    description: 'Certificates from one or more ClusterTrustBundles written to a file.',
    properties: {
      labelSelector: ref(META + 'LabelSelector', 'Selects bundles of signerName by label; all of them when empty.'),
      name: str('Name of one bundle; mutually exclusive with signerName and labelSelector.'),
      optional: bool('When true, missing bundles are not an error (an empty file is written).'),
      path: str('Relative path of the file.'),
      signerName: str('Signer whose bundles are selected.'),
    },
    required: ['path'],
  }),

  [CORE + 'EphemeralVolumeSource']: obj({
    description: 'A generic ephemeral volume: a PersistentVolumeClaim created for the Pod and deleted with it.',
    properties: {
      volumeClaimTemplate: ref(
        CORE + 'PersistentVolumeClaimTemplate',
        'Template of the claim, named <pod name>-<volume name> and owned by the Pod. Required.',
      ),
    },
  }),

  [CORE + 'PersistentVolumeClaimTemplate']: obj({
    description: 'Template from which a PersistentVolumeClaim is created.',
    properties: {
      metadata: ref(META + 'ObjectMeta', 'Labels and annotations copied to the claim.', { default: {} }),
      spec: ref(CORE + 'PersistentVolumeClaimSpec', 'Spec of the claim, copied unchanged.', { default: {} }),
    },
    required: ['spec'],
  }),

  [CORE + 'ImageVolumeSource']: obj({
    description: 'An OCI image or artifact mounted read-only (the ImageVolume feature).',
    properties: {
      pullPolicy: str(
        'When to pull: "Always", "Never" or "IfNotPresent". Defaults to Always for ":latest", IfNotPresent otherwise.',
        { enum: ['Always', 'IfNotPresent', 'Never'] },
      ),
      reference: str('Image or artifact reference to mount, as for a container image.'),
    },
  }),

  [CORE + 'AWSElasticBlockStoreVolumeSource']: obj({
    description: 'An AWS EBS disk; it must be in the same availability zone as the node.',
    properties: {
      fsType: fsType(),
      partition: int32('Partition to mount; 0 (default) mounts the whole disk.'),
      readOnly: readOnly(),
      volumeID: str('ID of the EBS volume.'),
    },
    required: ['volumeID'],
  }),

  [CORE + 'AzureDiskVolumeSource']: obj({
    description: 'An Azure data disk.',
    properties: {
      cachingMode: str('Host caching mode: None, ReadOnly or ReadWrite.', {
        enum: ['None', 'ReadOnly', 'ReadWrite'],
        default: 'ReadWrite',
      }),
      diskName: str('Name of the data disk in blob storage.'),
      diskURI: str('URI of the data disk in blob storage.'),
      fsType: str('Filesystem type to mount; implicitly "ext4" when unset.', { default: 'ext4' }),
      kind: str('Kind of disk: Shared, Dedicated or Managed.', {
        enum: ['Dedicated', 'Managed', 'Shared'],
        default: 'Shared',
      }),
      readOnly: bool('Mount the volume read-only. Defaults to false.', { default: false }),
    },
    required: ['diskName', 'diskURI'],
  }),

  [CORE + 'AzureFileVolumeSource']: obj({
    description: 'An Azure File share.',
    properties: {
      readOnly: readOnly(),
      secretName: str('Secret holding the storage account name and key.'),
      shareName: str('Name of the share.'),
    },
    required: ['secretName', 'shareName'],
  }),

  [CORE + 'CephFSVolumeSource']: obj({
    description: 'A CephFS mount.',
    properties: {
      monitors: strArr('Ceph monitor addresses.'),
      path: str('Path within the filesystem to mount; defaults to "/".'),
      readOnly: readOnly(),
      secretFile: str('Path of the keyring file; defaults to /etc/ceph/user.secret.'),
      secretRef: secretRef('the authentication secret; overrides secretFile'),
      user: str('RADOS user name; defaults to "admin".'),
    },
    required: ['monitors'],
  }),

  [CORE + 'CinderVolumeSource']: obj({
    description: 'An OpenStack Cinder volume.',
    properties: {
      fsType: fsType(),
      readOnly: readOnly(),
      secretRef: secretRef('parameters for connecting to OpenStack'),
      volumeID: str('ID of the Cinder volume.'),
    },
    required: ['volumeID'],
  }),

  [CORE + 'FCVolumeSource']: obj({
    description: 'A Fibre Channel disk; give either targetWWNs with lun, or wwids.',
    properties: {
      fsType: fsType(),
      lun: int32('Target LUN number.'),
      readOnly: readOnly(),
      targetWWNs: strArr('Target world-wide names.'),
      wwids: strArr('World-wide identifiers of the volume.'),
    },
  }),

  [CORE + 'FlexVolumeSource']: obj({
    description: 'A volume handled by a FlexVolume driver binary on the node.',
    properties: {
      driver: str('Name of the driver.'),
      fsType: str('Filesystem type to mount; the default depends on the driver.'),
      options: strMap('Extra options passed to the driver.'),
      readOnly: readOnly(),
      secretRef: secretRef('credentials passed to the driver'),
    },
    required: ['driver'],
  }),

  [CORE + 'FlockerVolumeSource']: obj({
    description: 'A Flocker dataset; give exactly one of datasetName and datasetUUID.',
    properties: {
      datasetName: str('Name of the dataset (metadata).'),
      datasetUUID: str('UUID of the dataset.'),
    },
  }),

  [CORE + 'GCEPersistentDiskVolumeSource']: obj({
    description: 'A GCE persistent disk.',
    properties: {
      fsType: fsType(),
      partition: int32('Partition to mount; 0 (default) mounts the whole disk.'),
      pdName: str('Name of the persistent disk in GCE.'),
      readOnly: readOnly(),
    },
    required: ['pdName'],
  }),

  [CORE + 'GitRepoVolumeSource']: obj({
    description: 'A git repository cloned into an empty directory when the Pod starts.',
    properties: {
      directory: str('Target directory name, without "..". "." clones into the volume root; defaults to the repository name.'),
      repository: str('URL of the repository.'),
      revision: str('Commit hash to check out.'),
    },
    required: ['repository'],
  }),

  [CORE + 'GlusterfsVolumeSource']: obj({
    description: 'A GlusterFS mount.',
    properties: {
      endpoints: str('Name of the Endpoints object listing the Glusterfs servers.'),
      path: str('Glusterfs volume path.'),
      readOnly: readOnly(),
    },
    required: ['endpoints', 'path'],
  }),

  [CORE + 'ISCSIVolumeSource']: obj({
    description: 'An iSCSI disk.',
    properties: {
      chapAuthDiscovery: bool('Use CHAP authentication for iSCSI discovery.'),
      chapAuthSession: bool('Use CHAP authentication for the iSCSI session.'),
      fsType: fsType(),
      initiatorName: str('Custom iSCSI initiator name; a new iSCSI interface <target portal>:<volume name> is created.'),
      iqn: str('iSCSI qualified name of the target.'),
      iscsiInterface: str('iSCSI interface name using the iSCSI transport.', { default: 'default' }),
      lun: int32('Target LUN number.'),
      portals: strArr('Additional target portals, as IP or IP:port (default port 3260).'),
      readOnly: readOnly(),
      secretRef: secretRef('the CHAP credentials'),
      targetPortal: str('Target portal, as IP or IP:port (default port 3260).'),
    },
    required: ['targetPortal', 'iqn', 'lun'],
  }),

  [CORE + 'PhotonPersistentDiskVolumeSource']: obj({
    description: 'A Photon Controller persistent disk.',
    properties: {
      fsType: fsType(),
      pdID: str('ID of the persistent disk.'),
    },
    required: ['pdID'],
  }),

  [CORE + 'PortworxVolumeSource']: obj({
    description: 'A Portworx volume.',
    properties: {
      fsType: fsType(),
      readOnly: readOnly(),
      volumeID: str('ID of the Portworx volume.'),
    },
    required: ['volumeID'],
  }),

  [CORE + 'QuobyteVolumeSource']: obj({
    description: 'A Quobyte mount.',
    properties: {
      group: str('Group to map volume access to; defaults to no group.'),
      readOnly: readOnly(),
      registry: str('Quobyte registry services, as host:port pairs separated by commas.'),
      tenant: str('Tenant owning the volume, for dynamically provisioned volumes.'),
      user: str('User to map volume access to; defaults to the service account user.'),
      volume: str('Name of an existing Quobyte volume.'),
    },
    required: ['registry', 'volume'],
  }),

  [CORE + 'RBDVolumeSource']: obj({
    description: 'A Rados block device.',
    properties: {
      fsType: fsType(),
      image: str('Name of the RADOS image.'),
      keyring: str('Path of the keyring for the user.', { default: '/etc/ceph/keyring' }),
      monitors: strArr('Ceph monitor addresses.'),
      pool: str('RADOS pool name.', { default: 'rbd' }),
      readOnly: readOnly(),
      secretRef: secretRef('the authentication secret; overrides keyring'),
      user: str('RADOS user name.', { default: 'admin' }),
    },
    required: ['monitors', 'image'],
  }),

  [CORE + 'ScaleIOVolumeSource']: obj({
    description: 'A ScaleIO volume.',
    properties: {
      fsType: str('Filesystem type to mount.', { default: 'xfs' }),
      gateway: str('Host address of the ScaleIO API gateway.'),
      protectionDomain: str('ScaleIO protection domain of the storage.'),
      readOnly: readOnly(),
      secretRef: secretRef('the ScaleIO user credentials'),
      sslEnabled: bool('Use SSL to talk to the gateway. Defaults to false.'),
      storageMode: str('"ThickProvisioned" or "ThinProvisioned".', { default: 'ThinProvisioned' }),
      storagePool: str('ScaleIO storage pool of the protection domain.'),
      system: str('Name of the storage system in ScaleIO.'),
      volumeName: str('Name of an existing volume in the ScaleIO system.'),
    },
    required: ['gateway', 'system', 'secretRef'],
  }),

  [CORE + 'StorageOSVolumeSource']: obj({
    description: 'A StorageOS volume.',
    properties: {
      fsType: fsType(),
      readOnly: readOnly(),
      secretRef: secretRef('the StorageOS API credentials'),
      volumeName: str('Name of the StorageOS volume, unique within its namespace.'),
      volumeNamespace: str('StorageOS namespace of the volume; defaults to the Pod\'s namespace.'),
    },
  }),

  [CORE + 'VsphereVirtualDiskVolumeSource']: obj({
    description: 'A vSphere virtual disk.',
    properties: {
      fsType: fsType(),
      storagePolicyID: str('ID of the storage policy matching storagePolicyName.'),
      storagePolicyName: str('Storage policy-based management profile name.'),
      volumePath: str('Path identifying the vSphere volume vmdk.'),
    },
    required: ['volumePath'],
  }),

  [CORE + 'PersistentVolumeClaim']: obj({
    description: 'A PersistentVolumeClaim is a user\'s request for storage, bound to a PersistentVolume that satisfies it.',
    properties: {
      ...objectProps('PersistentVolumeClaim'),
      spec: ref(CORE + 'PersistentVolumeClaimSpec', 'The storage requested.', { default: {} }),
      status: ref(CORE + 'PersistentVolumeClaimStatus', 'Observed state of the claim. Read-only.', { default: {} }),
    },
    gvk: [PVC_GVK],
  }),

  [CORE + 'PersistentVolumeClaimSpec']: obj({
    description: 'The storage requested by a claim and how it is provisioned.',
    properties: {
      accessModes: strArr('Access modes wanted, e.g. "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod".'),
      dataSource: ref(
        CORE + 'TypedLocalObjectReference',
        'An existing VolumeSnapshot or PersistentVolumeClaim to populate the new volume from.',
      ),
      dataSourceRef: ref(
        CORE + 'TypedObjectReference',
        'Any object to populate the volume from, via a volume populator; supersedes dataSource.',
      ),
      resources: ref(CORE + 'VolumeResourceRequirements', 'Minimum (and maximum) size of the volume.', { default: {} }),
      selector: ref(META + 'LabelSelector', 'Label query over existing PersistentVolumes to bind to.'),
      storageClassName: str('StorageClass to provision from; the cluster default when unset, no class when "".'),
      volumeAttributesClassName: str('VolumeAttributesClass giving mutable attributes (e.g. IOPS) of the volume.'),
      volumeMode: str('"Filesystem" (default) or "Block".', { enum: ['Block', 'Filesystem'] }),
      volumeName: str('Name of a specific PersistentVolume to bind to.'),
    },
  }),

  [CORE + 'VolumeResourceRequirements']: obj({
    description: 'Storage requests and limits of a claim.',
    properties: {
      limits: quantityMap('Maximum resources, e.g. {"storage": "10Gi"}.'),
      requests: quantityMap('Minimum resources, e.g. {"storage": "1Gi"}; defaults to limits.'),
    },
  }),

  [CORE + 'PersistentVolumeClaimStatus']: obj({
    description: 'The observed state of a claim.',
    properties: {
      accessModes: strArr('Access modes of the bound volume.'),
      allocatedResourceStatuses: {
        ...strMap('State of ongoing resize operations per resource.'),
        'x-kubernetes-map-type': 'granular',
      },
      allocatedResources: quantityMap('Resources allocated to the claim, including pending resizes.'),
      capacity: quantityMap('Actual resources of the bound volume.'),
      conditions: refArr(CORE + 'PersistentVolumeClaimCondition', 'Current conditions, e.g. Resizing.', {
        listType: 'map',
        mapKeys: ['type'],
        mergeKey: 'type',
        strategy: 'merge',
      }),
      currentVolumeAttributesClassName: str('VolumeAttributesClass currently applied.'),
      modifyVolumeStatus: ref(CORE + 'ModifyVolumeStatus', 'State of an ongoing attribute modification.'),
      phase: str('"Pending", "Bound" or "Lost".', { enum: ['Bound', 'Lost', 'Pending'] }),
    },
  }),

  [CORE + 'PersistentVolumeClaimCondition']: obj({
    description: 'One condition of a claim.',
    properties: {
      lastProbeTime: time('When the condition was last probed.'),
      lastTransitionTime: time('When the condition last changed status.'),
      message: str('Human-readable details.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('"True", "False" or "Unknown".'),
      type: str('Type of the condition, e.g. "Resizing".'),
    },
    required: ['type', 'status'],
  }),

  [CORE + 'ModifyVolumeStatus']: obj({
    description: 'State of a volume attribute modification.',
    properties: {
      status: str('"Pending", "InProgress" or "Infeasible".', { enum: ['InProgress', 'Infeasible', 'Pending'] }),
      targetVolumeAttributesClassName: str('VolumeAttributesClass being applied.'),
    },
    required: ['status'],
  }),
};

