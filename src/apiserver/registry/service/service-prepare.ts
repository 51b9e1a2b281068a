/**
 * The ways upstream infers what a client meant when Service fields that depend
 * on each other disagree (pkg/registry/core/service/strategy.go): keeping
 * allocated values a client did not resend, syncing clusterIP with clusterIPs,
 * and wiping type-dependent fields on a type change. All functions mutate the
 * new object in place and are idempotent, so both the strategy and the
 * allocator may call them.
 */
import type { KubeObject } from '../../../api/object.js';
import {
  TYPE_LOAD_BALANCER,
  externallyAccessible,
  int,
  needsClusterIP,
  needsHealthCheck,
  needsNodePort,
  portsOf,
  sameStrings,
  specOf,
  statusOf,
  str,
  strList,
  svcType,
} from './service-spec.js';

/**
 * Keep clusterIP(s), node ports (matched by port name) and healthCheckNodePort
 * from `old` when the client left them empty, so re-submitting the original
 * manifest is idempotent (upstream patchAllocatedValues).
 */
export function patchAllocatedValues(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const oldSpec = specOf(old);
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (str(spec, 'clusterIP') === '' && str(oldSpec, 'clusterIP') !== '') spec['clusterIP'] = oldSpec['clusterIP'];
    if (strList(spec, 'clusterIPs').length === 0 && strList(oldSpec, 'clusterIPs').length > 0) {
      spec['clusterIPs'] = [...strList(oldSpec, 'clusterIPs')];
    }
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const byName = new Map<string, number>();
    for (const p of portsOf(oldSpec)) byName.set(str(p, 'name'), int(p, 'nodePort'));
    for (const p of portsOf(spec)) {
      const np = byName.get(str(p, 'name')) ?? 0;
      if (int(p, 'nodePort') === 0 && np !== 0) p['nodePort'] = np;
    }
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec)) {
    if (int(spec, 'healthCheckNodePort') === 0 && int(oldSpec, 'healthCheckNodePort') !== 0) {
      spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
    }
  }
}

/**
 * Keep clusterIPs in step with clusterIP (upstream NormalizeClusterIPs). On
 * create a lone clusterIP seeds clusterIPs; on update, a client that changed or
 * cleared only clusterIP gets clusterIPs changed or cleared to match, and one
 * that dropped clusterIPs but kept clusterIP gets the old list back.
 */
export function normalizeClusterIPs(svc: KubeObject, old: KubeObject | undefined): void {
  const spec = specOf(svc);
  const clusterIP = str(spec, 'clusterIP');
  if (!old) {
    if (clusterIP !== '' && strList(spec, 'clusterIPs').length === 0) spec['clusterIPs'] = [clusterIP];
    return;
  }
  const oldSpec = specOf(old);
  const oldClusterIP = str(oldSpec, 'clusterIP');
  const oldIPs = strList(oldSpec, 'clusterIPs');
  if (oldIPs.length > 0 && strList(spec, 'clusterIPs').length === 0 && oldClusterIP === clusterIP) {
    spec['clusterIPs'] = [...oldIPs];
  }
  if (oldClusterIP !== clusterIP) {
    const same = sameStrings(oldIPs, strList(spec, 'clusterIPs'));
    if (oldClusterIP !== '' && clusterIP === '') {
      if (same) delete spec['clusterIPs'];
    } else if (same) {
      spec['clusterIPs'] = [clusterIP];
    }
  }
}

/**
 * On a type change, wipe the fields the new type cannot use when the client did
 * not also edit them (upstream dropTypeDependentFields): clusterIP(s) and family
 * fields when going to ExternalName, node ports when leaving NodePort /
 * LoadBalancer, healthCheckNodePort, allocateLoadBalancerNodePorts,
 * loadBalancerClass, externalTrafficPolicy, and LB status when not LoadBalancer.
 * The allocator releases what was wiped.
 */
export function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const oldSpec = specOf(old);

  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    const sameIPs =
      str(oldSpec, 'clusterIP') === str(spec, 'clusterIP') && sameStrings(strList(oldSpec, 'clusterIPs'), strList(spec, 'clusterIPs'));
    if (sameIPs) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (sameStrings(strList(oldSpec, 'ipFamilies'), strList(spec, 'ipFamilies'))) delete spec['ipFamilies'];
    if (str(oldSpec, 'ipFamilyPolicy') === str(spec, 'ipFamilyPolicy')) delete spec['ipFamilyPolicy'];
  }

  if (needsNodePort(oldSpec) && !needsNodePort(spec)) {
    // Users may add/remove/modify ports, as long as no net-new node port appears.
    const oldPorts = new Set(portsOf(oldSpec).map((p) => int(p, 'nodePort')));
    const noNew = portsOf(spec).every((p) => int(p, 'nodePort') === 0 || oldPorts.has(int(p, 'nodePort')));
    if (noNew) for (const p of portsOf(spec)) delete p['nodePort'];
  }

  if (needsHealthCheck(oldSpec) && !needsHealthCheck(spec) && int(oldSpec, 'healthCheckNodePort') === int(spec, 'healthCheckNodePort')) {
    delete spec['healthCheckNodePort'];
  }

  if (svcType(oldSpec) === TYPE_LOAD_BALANCER && svcType(spec) !== TYPE_LOAD_BALANCER) {
    const a = oldSpec['allocateLoadBalancerNodePorts'];
    const b = spec['allocateLoadBalancerNodePorts'];
    if (typeof a === 'boolean' && typeof b === 'boolean' && a === b) delete spec['allocateLoadBalancerNodePorts'];
    if (oldSpec['loadBalancerClass'] === spec['loadBalancerClass']) delete spec['loadBalancerClass'];
  }

  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && str(oldSpec, 'externalTrafficPolicy') === str(spec, 'externalTrafficPolicy')) {
    delete spec['externalTrafficPolicy'];
  }

  if (svcType(spec) !== TYPE_LOAD_BALANCER) statusOf(svc)['loadBalancer'] = {};
}

/** Going from a dual-stack policy to SingleStack drops the secondary IP and family (upstream trimFieldsForDualStackDowngrade). */
export function trimFieldsForDualStackDowngrade(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc);
  const oldPolicy = str(specOf(old), 'ipFamilyPolicy');
  const wasDual = oldPolicy === 'RequireDualStack' || oldPolicy === 'PreferDualStack';
  if (!wasDual || str(spec, 'ipFamilyPolicy') !== 'SingleStack') return;
  if (strList(spec, 'clusterIPs').length > 1) spec['clusterIPs'] = strList(spec, 'clusterIPs').slice(0, 1);
  if (strList(spec, 'ipFamilies').length > 1) spec['ipFamilies'] = strList(spec, 'ipFamilies').slice(0, 1);
}

/** All of upstream's update-time inference, in upstream's order. */
export function prepareServiceUpdate(svc: KubeObject, old: KubeObject): void {
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(svc, old);
  dropTypeDependentFields(svc, old);
  trimFieldsForDualStackDowngrade(svc, old);
}
