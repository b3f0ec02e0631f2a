#!/usr/bin/env bash
# Starts a Docker engine for CI when none answers: dockerd in the background (overlay2 first, then
# vfs, then without iptables), its log in $DOCKERD_LOG. Prints the PID it started to stdout (nothing
# when an engine was already running), so the caller can stop it. Exits non-zero, with dockerd's
# last log lines, when no engine comes up.
set -euo pipefail
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"

if docker info >/dev/null 2>&1; then
  echo "Docker engine already running" >&2
  exit 0
fi

wait_for_engine() {
  local pid=$1
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 1
  done
  return 1
}

for flags in "" "--storage-driver=vfs" "--storage-driver=vfs --iptables=false --ip6tables=false"; do
  echo "starting dockerd ${flags:-(default storage driver)}" >&2
  # shellcheck disable=SC2086
  setsid dockerd $flags >"$DOCKERD_LOG" 2>&1 </dev/null &
  pid=$!
  if wait_for_engine "$pid"; then
    echo "Docker engine up: $(docker info --format '{{.ServerVersion}}, storage driver {{.Driver}}')" >&2
    echo "$pid"
    exit 0
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  tail -5 "$DOCKERD_LOG" >&2
done
echo "start-docker: dockerd would not start (log: $DOCKERD_LOG)" >&2
exit 1
