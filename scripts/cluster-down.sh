#!/usr/bin/env bash
# Stop a cluster made by scripts/cluster-up.sh: stop the processes it started (by the pids it
# recorded), kill what still runs in the cluster's namespaces, delete every network namespace
# named <prefix>* (nodes, pods, underlay) and their /etc/netns files. --keep-state keeps logs.
set -uo pipefail

PREFIX=${SWITCHYARD_MN_PREFIX:-sy-mn-dev-}
STATE=${SWITCHYARD_MN_DIR:-/tmp/${PREFIX%-}}
[ "$(id -u)" = 0 ] || { echo "cluster-down: needs root" >&2; exit 1; }
[[ "$PREFIX" =~ ^sy-[a-z0-9-]+-$ ]] || { echo "cluster-down: SWITCHYARD_MN_PREFIX must look like sy-<name>-" >&2; exit 1; }

# 1. The server and agents, politely, by recorded pid (only if it still is our program).
for f in "$STATE"/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if grep -qs switchyard "/proc/$pid/cmdline" 2>/dev/null || grep -qs main.js "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
  fi
done
for _ in $(seq 1 50); do
  alive=0
  for f in "$STATE"/*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.1
done

# 2. Whatever still runs inside the cluster's namespaces (pods first), then the namespaces.
names=$(ls /run/netns 2>/dev/null | grep "^$PREFIX" || true)
ordered="$(echo "$names" | grep "^${PREFIX}pod-") $(echo "$names" | grep -v "^${PREFIX}pod-" | grep -v "^${PREFIX}ul$") $(echo "$names" | grep "^${PREFIX}ul$")"
for ns in $ordered; do
  [ -n "$ns" ] || continue
  for _ in 1 2 3 4 5; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -z "$pids" ] && break
    kill -KILL $pids 2>/dev/null
    sleep 0.1
  done
  ip netns del "$ns" 2>/dev/null && echo "deleted netns $ns"
done
rm -rf /etc/netns/"$PREFIX"* 2>/dev/null

if [ "${1:-}" != "--keep-state" ]; then rm -rf "$STATE"; fi
left=$(ls /run/netns 2>/dev/null | grep -c "^$PREFIX" || true)
[ "$left" = 0 ] && echo "cluster $PREFIX is gone" || { echo "cluster-down: $left namespaces left" >&2; exit 1; }
