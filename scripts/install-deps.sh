#!/usr/bin/env bash
# Installs the Debian 12 packages netc needs to build and test, if any is missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ gcc python3
  libhalide14-0-dev   # Halide 14 (brings LLVM 14)
  llvm-14-dev         # LLVM support library (diagnostics, command line, files)
  llvm-14-tools       # FileCheck and lit
  libfmt-dev libgtest-dev zlib1g-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
