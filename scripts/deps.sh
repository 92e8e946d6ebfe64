#!/bin/sh
# deps.sh: install what stird needs to build, test and run on Debian 12,
# non-interactively, and only what is missing.  Run as root.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config libgnutls28-dev
libtasn1-6-dev libtasn1-bin libsodium-dev libsqlite3-dev libjansson-dev
libuv1-dev libcurl4-gnutls-dev libseccomp-dev check libsystemd-dev libmicrohttpd-dev libosip2-dev
libhiredis-dev"
TEST="gnutls-bin openssl softhsm2 p11-kit secsipidx libsecsipid-dev socat util-linux
systemd sqlite3 clang libclang-rt-14-dev valgrind python3 curl wrk sip-tester
kamailio kamailio-utils-modules kamailio-extra-modules redis-server"

want=$BUILD
[ "${1:-}" = "--build-only" ] || want="$want $TEST"

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
