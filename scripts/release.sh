#!/usr/bin/env bash
# `make release VERSION=x.y.z`: the files a Terraform registry release needs, in dist/:
#   terraform-provider-okta-msp_X.Y.Z_OS_ARCH.zip   (holds terraform-provider-okta-msp_vX.Y.Z)
#   terraform-provider-okta-msp_X.Y.Z_manifest.json (copy of terraform-registry-manifest.json)
#   terraform-provider-okta-msp_X.Y.Z_SHA256SUMS    (zip and manifest)
# Signing the SHA256SUMS (a binary GPG detached signature) is left to the publisher's key.
#
# BINARY overrides the binary to package (tests package the debug build); DIST the output folder.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${VERSION:?set VERSION=x.y.z}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "VERSION must look like 1.2.3 (got $version)" >&2
  exit 2
fi
crate_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
if [[ $version != "$crate_version" ]]; then
  echo "VERSION=$version differs from Cargo.toml's version $crate_version: bump Cargo.toml first" >&2
  exit 2
fi
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m); arch=${arch/x86_64/amd64}; arch=${arch/aarch64/arm64}
binary=${BINARY:-target/release/terraform-provider-okta-msp}
dist=${DIST:-dist}
name=terraform-provider-okta-msp

if [[ -z ${BINARY:-} ]]; then
  cargo build --release --bin "$name"
fi
rm -rf "$dist"
mkdir -p "$dist"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
install -m 0755 "$binary" "$staging/${name}_v$version"
python3 - "$staging/${name}_v$version" "$dist/${name}_${version}_${os}_${arch}.zip" <<'PY'
import os, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    info = zipfile.ZipInfo(os.path.basename(source), date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(source, "rb") as handle:
        archive.writestr(info, handle.read())
PY
cp terraform-registry-manifest.json "$dist/${name}_${version}_manifest.json"
(cd "$dist" && sha256sum "${name}_${version}_${os}_${arch}.zip" "${name}_${version}_manifest.json" > "${name}_${version}_SHA256SUMS")
echo "wrote $dist/:"
ls -1 "$dist"
