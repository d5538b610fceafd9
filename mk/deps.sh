#!/bin/sh
# Installs the Debian packages kefu needs to build, run and test, if any
# are missing. Called by `make run` and `make test`; safe to run again.
set -eu

# libre-dev is SIP (src/sip/); libspandsp-dev hears in-band DTMF
# (src/media/inband.c); sip-tester (SIPp) drives the SIP tests.
# chromium drives the browser tests (playwright-core, no downloaded
# browser); fonts-noto-cjk lets it draw Chinese in screenshots. espeak-ng
# and sox generate the hotline's Mandarin IVR prompts (mk/prompts.sh).
# python3-jsonschema checks every answer the API tests receive against
# docs/openapi.json (tests/api/contract.py). libxlsxwriter-dev writes the
# .xlsx exports (src/export/); unzip lets its unit test read back the
# parts of the files it wrote (tests/export/test_export.c).
# libpcre2-dev (regular expressions), libutf8proc-dev (NFKC, case folding)
# and libopencc-dev (traditional → simplified, its data in libopencc-data)
# are quality inspection's rule engine (src/qa/). libcmark-dev renders the
# knowledge base's Markdown (src/kb/); unicode-data's Unihan readings give
# its search the pinyin initials of Chinese characters (mk/pinyin.sh, read
# with bzip2's bzcat). libzip-dev (the zip
# container) and libexpat1-dev (XML) read the .xlsx files imported into
# the knowledge base (src/kb/kb_xlsx.c): libxlsxwriter only writes.
# The channels (src/chan/, issue 18): libgmime-3.0-dev parses and writes
# mail (MIME), libcurl4-gnutls-dev fetches it by IMAP, sends it by SMTP and
# calls the WeChat, Weibo and SMS providers' HTTP APIs, libgnutls28-dev
# gives WeChat's AES and the providers' HMAC signatures. postfix and
# dovecot-imapd are the mail servers the email tests start in a temporary
# directory (never the system's services). openssl makes the test
# certificate kefu serves HTTPS with (tests/api/test_tls.py).
# libsystemd-dev gives sd_notify (Type=notify, the watchdog; src/cli/serve.c).
# nginx-light and haproxy are the proxies tests/api/test_proxy.py starts in
# front of kefu in a temporary directory (etc/nginx, etc/haproxy); never
# the system's services. dpkg-dev (dpkg-shlibdeps) and fakeroot build the
# Debian package (`make deb`, mk/deb.sh).
packages="make gcc clang libclang-rt-14-dev pkg-config libmicrohttpd-dev libsqlite3-dev
libjansson-dev libsodium-dev libcmocka-dev libre-dev libspandsp-dev libxlsxwriter-dev sip-tester
libpcre2-dev libutf8proc-dev libopencc-dev libopencc-data libcmark-dev unicode-data bzip2 libzip-dev libexpat1-dev
tzdata python3 python3-jsonschema sqlite3 ca-certificates gzip unzip chromium fonts-noto-cjk
espeak-ng sox libgmime-3.0-dev libcurl4-gnutls-dev libgnutls28-dev postfix dovecot-imapd
openssl libsystemd-dev nginx-light haproxy dpkg-dev fakeroot"

# The workbench is built with Node.js (20.19 or later, for Vite 7) and npm.
# Machines that bring their own Node keep it; otherwise Debian's packages.
if ! command -v node >/dev/null 2>&1; then
	packages="$packages nodejs"
fi
if ! command -v npm >/dev/null 2>&1; then
	packages="$packages npm"
fi

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
# The mail servers are for the tests, which start their own in a temporary
# directory: the packages must not start the system's services (a
# policy-rc.d that refuses, only while installing, only if none is there).
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy=1
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
if [ -n "$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
