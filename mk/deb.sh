#!/bin/sh
# Builds the Debian package build/kefu_<version>_<arch>.deb (issue 22,
# docs/operations.md) with Debian's own tools: the tree `make install`
# stages with PREFIX=/usr, the maintainer scripts of mk/debian/, a control
# file whose Depends dpkg-shlibdeps computes from the libraries the binary
# links, and dpkg-deb --build (files owned by root without fakeroot).
# Called by `make deb` once the binary, the workbench and the prompts are
# built; tests/api/test_deb.py checks the result.
set -eu

out=build
stage=$out/deb/root
version=$(sed -n 's/^#define KEFU_VERSION "\(.*\)"$/\1/p' src/kefu.c)
arch=$(dpkg --print-architecture)
deb=$out/kefu_${version}_${arch}.deb

rm -rf "$out/deb"
mkdir -p "$stage"
${MAKE:-make} -s install DESTDIR="$(pwd)/$stage" PREFIX=/usr SYSCONFDIR=/etc \
	STATEDIR=/var/lib/kefu SYSTEMDDIR=/lib/systemd/system
# Debug symbols are not shipped (the build tree keeps them).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/kefu"

# The libraries' packages, as dpkg-shlibdeps reads them from the
# installed libraries' shlibs and symbols files (it wants a debian/control
# beside it, which the scratch directory gives).
mkdir -p "$out/deb/src/debian"
: > "$out/deb/src/debian/control"
shlibs=$(cd "$out/deb/src" && dpkg-shlibdeps -O -e "../root/usr/bin/kefu" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb: dpkg-shlibdeps found no libraries" >&2; exit 1; }

mkdir -p "$stage/DEBIAN"
install -m 755 mk/debian/postinst mk/debian/prerm mk/debian/postrm "$stage/DEBIAN/"
echo /etc/kefu/kefu.conf > "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
# tzdata: the center's time zone; adduser: the system user; espeak-ng and
# sox speak the hotline's announcements (notice_say, mk/say.sh).
cat > "$stage/DEBIAN/control" <<CTRL
Package: kefu
Version: $version
Architecture: $arch
Maintainer: kefu developers <root@localhost>
Installed-Size: $size
Depends: $shlibs, adduser, tzdata
Recommends: espeak-ng, sox
Suggests: nginx | haproxy
Section: net
Priority: optional
Description: customer service center: hotline, work orders, channels
 kefu runs a call center's hotline (SIP), its agents' workbench, work
 orders, the channels (email, WeChat, Weibo, SMS, web chat), quality
 inspection, the knowledge base, rosters, reports and the people ledger,
 on one SQLite database.
 .
 The package creates the system user kefu and /var/lib/kefu, a center
 with one administrator on the first install (its first password in
 /var/lib/kefu/first-passwords.txt), and the systemd unit kefu.service.
CTRL
# md5sums, as Debian's packages carry them (dpkg --verify).
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/md5sums" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
