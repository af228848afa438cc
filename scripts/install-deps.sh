#!/usr/bin/env bash
# Installs every Debian package coretel needs to build, test and benchmark.
# Idempotent; run as root on a fresh Debian 12 (bookworm) machine.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-14 clang-format libclang-rt-14-dev
  libfuzzer-14-dev
  # libraries
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libcpp-httplib-dev libcurl4-openssl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc zlib1g-dev libhwloc-dev libnuma-dev libboost-dev
  libcli11-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev prometheus-cpp-dev libspdlog-dev valgrind
  # real peers used by the integration tests
  prometheus bsdutils curl procps python3 openssl
  # the Python package (python/): its extension and its tests, on Debian's interpreter
  python3-dev pybind11-dev python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
