#!/usr/bin/env bash
# Makes the Docker base image the Dockerfile's FROM names (node:20-bookworm-slim) available with no
# image registry: if Docker does not have it already, it is assembled offline from Debian's
# packages (debootstrap, minbase variant, from the mirror apt uses) plus this machine's Node 20
# (the node binary and npm), with a `node` user (uid 1000) as in the official image, then
# `docker import`ed under that name. Where a registry is reachable, `docker pull node:20-bookworm-slim`
# gives the official image instead (BASE_IMAGE_PULL=1 tries that first).
#
#   .ci/build-base-image.sh [IMAGE]      IMAGE defaults to the Dockerfile's FROM
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${1:-$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | head -1)}"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE: already present"
  exit 0
fi
if [ "${BASE_IMAGE_PULL:-0}" = 1 ] && timeout 120 docker pull "$IMAGE"; then
  exit 0
fi

node_bin="$(command -v node)"
node_version="$("$node_bin" --version)"
case "$IMAGE:$node_version" in
  node:20*:v20.*) ;;
  node:20*:*) echo "build-base-image: $IMAGE needs Node 20, this machine has $node_version" >&2; exit 1 ;;
esac
node_prefix="$(cd "$(dirname "$(readlink -f "$node_bin")")/.." && pwd)"
npm_dir="$node_prefix/lib/node_modules/npm"
[ -d "$npm_dir" ] || { echo "build-base-image: no npm beside $node_bin (looked in $npm_dir)" >&2; exit 1; }

# The Debian mirror apt already uses (deb822 sources or the classic list).
mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 || true)"
[ -n "$mirror" ] || mirror="$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi

rootfs="$(mktemp -d /tmp/base-image-XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "assembling $IMAGE offline: debootstrap bookworm (minbase) from $mirror + Node $node_version"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; exit 1; }
rm -f "$rootfs.log"

# Node and npm where the official image has them.
install -D -m 0755 "$(readlink -f "$node_bin")" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

# This machine's CA bundle, so npm in the image trusts what npm here trusts (a TLS-inspecting
# proxy's CA, say). minbase has no ca-certificates package; Node reads the file through
# NODE_EXTRA_CA_CERTS, set below.
ca_bundle=/etc/ssl/certs/ca-certificates.crt
ca_env=()
if [ -f "$ca_bundle" ]; then
  install -D -m 0644 "$ca_bundle" "$rootfs$ca_bundle"
  ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=$ca_bundle")
fi

# Slim it: no package caches, lists, docs or man pages.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  "${ca_env[@]}" \
  --change 'LABEL org.opencontainers.image.description="node:20-bookworm-slim stand-in assembled offline by .ci/build-base-image.sh"' \
  - "$IMAGE" >/dev/null
echo "base image $IMAGE: assembled ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
