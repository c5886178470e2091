#!/usr/bin/env bash
# Builds a Java 17 runtime base image from Debian's packages alone (debootstrap + openjdk-17-jre-headless),
# as a docker-archive tarball that the image builder takes with -Dimage.base=tar:///path/to/base.tar.
# For machines that reach Debian's mirror but no container registry (this project's CI); elsewhere the
# default base (UBI 9 OpenJDK 17 runtime) is pulled from its registry. Needs root and debootstrap.
#   deployment/image/debian-jre-base.sh target/debian-jre17-base.tar
set -euo pipefail
out="$(realpath -m "${1:?usage: $0 OUT.tar}")"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$work/rootfs" "$mirror" >/dev/null
# The user the chart and the image run as (uid 185, group 0, as in Red Hat's OpenJDK images).
chroot "$work/rootfs" useradd --system --uid 185 --gid 0 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin default
mkdir -p "$work/rootfs/deployments"
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
       "$work/rootfs"/usr/share/doc "$work/rootfs"/usr/share/man "$work/rootfs"/usr/share/locale

mkdir -p "$work/image"
tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/image/layer.tar" .
diff_id="sha256:$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"],"User":"185","WorkingDir":"/deployments"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]}}
JSON
echo '[{"Config":"config.json","RepoTags":["fleethook/debian-jre17:local"],"Layers":["layer.tar"]}]' > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work/image" -cf "$out" manifest.json config.json layer.tar
echo "Wrote $out ($(du -h "$out" | cut -f1))"
