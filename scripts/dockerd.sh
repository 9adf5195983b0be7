#!/usr/bin/env bash
# Starts (or stops) a private Docker engine for the tests: Debian's dockerd with its state under DIR, as a
# single-node swarm manager. Prints the DOCKER_HOST to use. Usage: scripts/dockerd.sh start|stop [DIR]
set -euo pipefail

cmd=${1:-}
dir=${2:-/tmp/swarmlab-dockerd}
sock="unix://$dir/docker.sock"
# /usr/local/bin/docker may be a different client; the Debian one matches the Debian engine.
docker=(/usr/bin/docker -H "$sock")

running() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }

case "$cmd" in
start)
  mkdir -p "$dir"
  if ! running; then
    nohup /usr/sbin/dockerd --storage-driver=overlay2 --data-root="$dir/data" --exec-root="$dir/exec" \
      --pidfile="$dir/pid" -H "$sock" >"$dir/dockerd.log" 2>&1 &
  fi
  for _ in $(seq 1 150); do
    "${docker[@]}" info >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! "${docker[@]}" info >/dev/null 2>&1; then
    echo "dockerd did not come up; see $dir/dockerd.log" >&2
    tail -n 20 "$dir/dockerd.log" >&2 || true
    exit 1
  fi
  if [ "$("${docker[@]}" info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    # Another engine's swarm on this machine may hold 2377 (and 4789): take the next free ports. Its gossip
    # port (7946) cannot move, which only costs overlay networks; the tests use the host network.
    port=2377
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    init=(--advertise-addr "127.0.0.1:$port" --listen-addr "127.0.0.1:$port")
    [ "$port" = 2377 ] || init+=(--data-path-port $((4789 + port - 2377)))
    "${docker[@]}" swarm init "${init[@]}" >/dev/null
  fi
  echo "DOCKER_HOST=$sock"
  ;;
stop)
  if running; then
    pid=$(cat "$dir/pid")
    kill "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dockerd ($pid) did not stop within 30 s" >&2
      exit 1
    fi
  fi
  # dockerd leaves mounts behind (exec/netns/default), which would keep DIR from being removed.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount || true
  ;;
*)
  echo "usage: $0 start|stop [DIR]" >&2
  exit 2
  ;;
esac
