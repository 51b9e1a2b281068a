#!/usr/bin/env bash
# Start a multi-node Switchyard cluster on this machine, one network namespace per node
# (root only). Layout and usage: docs/MULTINODE.md. Stop it with scripts/cluster-down.sh.
#
#   <prefix>ul       underlay "switch": bridge br0
#   <prefix>n1..nN   nodes: eth0 = 172.30.0.1<k>/24 on the underlay; node 1 runs the server
#   <prefix>pod-*    pod namespaces, created by the agents
#
# Nothing is created in the machine's own network namespace: every veth is made inside the
# underlay namespace with its peer moved straight into the node namespace.
#
# Environment: SWITCHYARD_MN_PREFIX (default sy-mn-dev-), SWITCHYARD_MN_NODES (3),
# SWITCHYARD_MN_DIR (state and logs, default /tmp/<prefix>), SWITCHYARD_MN_CLI (default
# "node <repo>/dist/src/cli/main.js"), SWITCHYARD_MN_PROXY_MODE (the agents' --proxy-mode:
# userspace (default), nftables, iptables or none).
set -euo pipefail

PREFIX=${SWITCHYARD_MN_PREFIX:-sy-mn-dev-}
NODES=${SWITCHYARD_MN_NODES:-3}
STATE=${SWITCHYARD_MN_DIR:-/tmp/${PREFIX%-}}
REPO=$(cd "$(dirname "$0")/.." && pwd)
# SWITCHYARD_MN_CLI overrides how the CLI is run (e.g. "node /path/to/main.js").
read -r -a CLI <<<"${SWITCHYARD_MN_CLI:-node $REPO/dist/src/cli/main.js}"
SUBNET=172.30.0
PORT=6443
SERVICE_CIDR=10.96.0.0/12
PROXY_MODE=${SWITCHYARD_MN_PROXY_MODE:-userspace}

die() { echo "cluster-up: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, veth, bridges)"
[[ "$PREFIX" =~ ^sy-[a-z0-9-]+-$ ]] || die "SWITCHYARD_MN_PREFIX must look like sy-<name>- (got $PREFIX)"
[ -f "${CLI[-1]}" ] || die "${CLI[-1]} is missing: build first (npm run build)"
if ls /run/netns 2>/dev/null | grep -q "^$PREFIX"; then
  die "namespaces with prefix $PREFIX exist already; run scripts/cluster-down.sh first"
fi
mkdir -p "$STATE"

UL=${PREFIX}ul
ip netns add "$UL"
ip -n "$UL" link set lo up
ip -n "$UL" link add br0 type bridge
ip -n "$UL" link set br0 up
for i in $(seq 1 "$NODES"); do
  ns=${PREFIX}n$i
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$UL" link add "n$i" type veth peer name eth0 netns "$ns"
  ip -n "$UL" link set "n$i" master br0 up
  ip -n "$ns" addr add "$SUBNET.$((10 + i))/24" dev eth0
  ip -n "$ns" link set eth0 up
  # Stands in for a node's default route: the kernel proxy modes rewrite the node's own
  # connections to a ClusterIP in the output hook, which runs only after a route lookup.
  ip -n "$ns" route add "$SERVICE_CIDR" dev eth0
  mkdir -p "$STATE/node-$i"
done

# nsenter keeps the machine's mount namespace, so pod namespaces made by the agents are
# visible machine-wide under /run/netns (and survive an agent restart).
start() { # <label> <namespace> <argv...>
  local label=$1 ns=$2
  shift 2
  SWITCHYARD_NETNS_PREFIX=${PREFIX}pod- nohup nsenter --net="/run/netns/$ns" "$@" >"$STATE/$label.log" 2>&1 &
  echo $! >"$STATE/$label.pid"
}

SERVER_IP=$SUBNET.11
start server "${PREFIX}n1" "${CLI[@]}" server --data-dir "$STATE/node-1/server" \
  --bind-address "$SERVER_IP" --https-listen-port "$PORT" --dns-listen "$SERVER_IP:53" --disable-agent
for _ in $(seq 1 300); do
  [ -f "$STATE/node-1/server/server/token" ] && [ -f "$STATE/node-1/server/kubeconfig.yaml" ] && break
  sleep 0.1
done
[ -f "$STATE/node-1/server/server/token" ] || die "the server did not start; see $STATE/server.log"
TOKEN=$(cat "$STATE/node-1/server/server/token")

for i in $(seq 1 "$NODES"); do
  start "agent-node-$i" "${PREFIX}n$i" "${CLI[@]}" agent --server "https://$SERVER_IP:$PORT" --token "$TOKEN" \
    --server-ca "$STATE/node-1/server/server/tls/server-ca.crt" --node-ip "$SUBNET.$((10 + i))" --node-name "node-$i" --data-dir "$STATE/node-$i/agent" --runtime netns --proxy-mode "$PROXY_MODE"
done

cat >"$STATE/kubectl" <<KUBECTL
#!/bin/sh
# kubectl for the $PREFIX cluster: runs inside node 1's network namespace.
exec nsenter --net=/run/netns/${PREFIX}n1 kubectl --kubeconfig "$STATE/node-1/server/kubeconfig.yaml" "\$@"
KUBECTL
chmod +x "$STATE/kubectl"

for _ in $(seq 1 120); do
  ready=$("$STATE/kubectl" get nodes --no-headers 2>/dev/null | grep -c ' Ready ' || true)
  [ "$ready" = "$NODES" ] && break
  sleep 0.5
done
[ "$ready" = "$NODES" ] || echo "cluster-up: only $ready of $NODES nodes are Ready so far; see $STATE/agent-node-*.log" >&2

echo "cluster $PREFIX: server https://$SERVER_IP:$PORT in ${PREFIX}n1, $NODES agents; logs in $STATE/*.log"
echo "kubectl:  $STATE/kubectl get nodes -o wide"
echo "stop:     SWITCHYARD_MN_PREFIX=$PREFIX $REPO/scripts/cluster-down.sh"
