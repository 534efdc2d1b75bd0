#!/usr/bin/env bash
# `make package`: a Debian package of statusd, made offline with dpkg-deb: the binary (the Swift runtime
# is linked in: Package.swift, staticRuntime), the systemd unit, the configuration as a conffile, the
# documentation, and the maintainer scripts of docs/deploy/debian; its Depends are what dpkg-shlibdeps
# finds the binary needs.
#
#   scripts/package.sh [--binary PATH] [--output DIR] [--uncompressed]
#
# Without --binary it builds the release binary (swift build -c release) when it is missing. The tests
# package the debug binary CI already built (--uncompressed: no time spent compressing 250 MB).
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
output=".build/package"
compression=(-Zxz)
while (($# > 0)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        --uncompressed) compression=(-Znone); shift ;;
        *) echo "package: unknown option $1 (use --binary PATH, --output DIR, --uncompressed)" >&2; exit 2 ;;
    esac
done
for tool in dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || { echo "package: $tool is missing: run scripts/setup.sh --deploy" >&2; exit 1; }
done
if [[ -z $binary ]]; then
    binary=.build/release/statusd
    [[ -x $binary ]] || swift build -c release --product statusd
fi
if ldd "$binary" | grep -q "/swift/"; then
    echo "package: $binary needs the Swift toolchain's libraries (it must be linked with the runtime in)" >&2
    exit 1
fi

version=$("$binary" --version)
architecture=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/statusd_${version}_${architecture}"

install -D -m 0755 "$binary" "$root/usr/bin/statusd"
install -D -m 0644 docs/deploy/statusd.service "$root/lib/systemd/system/statusd.service"
install -D -m 0640 docs/deploy/statusd.conf "$root/etc/statusd/statusd.conf"
for document in README.md docs/DEPLOY.md docs/FORMAT.md docs/CLUSTER.md docs/SUBSCRIBERS.md LICENSE; do
    install -D -m 0644 "$document" "$root/usr/share/doc/statusd/$(basename "$document")"
done
install -D -m 0644 docs/deploy/nginx.conf "$root/usr/share/doc/statusd/examples/nginx.conf"

# dpkg-shlibdeps reads debian/control of a source package: a minimal one, in a directory of its own.
mkdir -p "$stage/source/debian"
printf 'Source: statusd\n\nPackage: statusd\nArchitecture: any\n' >"$stage/source/debian/control"
depends=$(cd "$stage/source" && dpkg-shlibdeps -O "$root/usr/bin/statusd" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n $depends ]] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d "$root/DEBIAN"
install -m 0755 docs/deploy/debian/postinst docs/deploy/debian/prerm docs/deploy/debian/postrm "$root/DEBIAN/"
echo /etc/statusd/statusd.conf >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: statusd
Version: $version
Architecture: $architecture
Maintainer: statusd maintainers <maintainers@statusd.invalid>
Depends: adduser, $depends
Installed-Size: $size
Section: web
Priority: optional
Homepage: https://github.com/statusd/statusd
Description: self-hosted, multi-tenant status page server
 Organizations publish the health of their services, their incidents and their
 scheduled maintenance; the public reads it on a status page, in Statuspage's
 formats and over live WebSocket and SSE feeds. One binary, one data directory
 (/var/lib/statusd), a systemd unit, and a configuration in /etc/statusd.
CONTROL

mkdir -p "$output"
dpkg-deb --root-owner-group "${compression[@]}" --build "$root" "$output" >/dev/null
echo "$output/statusd_${version}_${architecture}.deb"
