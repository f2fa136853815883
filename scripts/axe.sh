#!/usr/bin/env bash
# Installs axe-core, the accessibility checker the browser tests inject into
# every page (internal/browsertest), into .cache/axe-core-VERSION/axe.min.js
# (ignored by git). The version is pinned and the package's tarball is checked
# against the registry's sha512 integrity for that version before use.
#
# With npm, "npm pack" fetches the tarball; without npm (a fresh Debian machine
# may have none) curl does. Running it again with the file in place does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.14.1
# dist.integrity of axe-core@4.14.1 on registry.npmjs.org.
integrity='sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=='
dest=".cache/axe-core-$version"
tarball="axe-core-$version.tgz"

if [ -s "$dest/axe.min.js" ]; then
  echo "axe: $dest/axe.min.js is installed"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v npm >/dev/null 2>&1; then
  echo "axe: npm pack axe-core@$version"
  npm pack "axe-core@$version" --pack-destination "$tmp" --silent >/dev/null
elif command -v curl >/dev/null 2>&1; then
  echo "axe: curl $tarball"
  curl -fsSL --retry 3 -o "$tmp/$tarball" "https://registry.npmjs.org/axe-core/-/$tarball"
else
  echo "axe: neither npm nor curl is installed: install one (apt-get install curl ca-certificates)" >&2
  exit 1
fi

# The integrity is base64 of the raw digest: compare it as hex with sha512sum's.
want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
got=$(sha512sum "$tmp/$tarball" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "axe: $tarball does not match the pinned integrity (sha512 $got, want $want)" >&2
  exit 1
fi

tar -xzf "$tmp/$tarball" -C "$tmp" package/axe.min.js package/LICENSE
mkdir -p "$dest"
mv "$tmp/package/LICENSE" "$dest/LICENSE"
mv "$tmp/package/axe.min.js" "$dest/axe.min.js"
echo "axe: installed $dest/axe.min.js"
