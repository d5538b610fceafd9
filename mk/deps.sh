#!/bin/sh
# Installs the Debian packages kefu needs to build, run and test, if any
# are missing. Called by `make run` and `make test`; safe to run again.
set -eu

packages="make gcc clang libclang-rt-14-dev pkg-config libmicrohttpd-dev libsqlite3-dev
libjansson-dev libsodium-dev libcmocka-dev tzdata python3 sqlite3 ca-certificates"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install these packages):$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
