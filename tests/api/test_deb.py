"""The Debian package (issue 22, `make deb`, mk/deb.sh): built from the tree
with Debian's tools over the release binary already built; its metadata
(Depends from dpkg-shlibdeps, the conffile, the maintainer scripts) read
back with dpkg-deb; unpacked by dpkg itself into a scratch root (its own
status database, nothing of this machine touched), checked against its
md5sums, and the unpacked binary run: --version, and init on a temporary
database with the packaged configuration, whose paths point where
docs/operations.md says."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import kefu_bin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kw)


def version():
    with open(os.path.join(ROOT, "src/kefu.c")) as f:
        return re.search(r'#define KEFU_VERSION "([^"]+)"', f.read()).group(1)


@unittest.skipIf("build-asan" in kefu_bin(), "the package holds the release build")
class DebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        p = run("make", "-s", "-C", ROOT, "deb")
        assert p.returncode == 0, p.stdout + p.stderr
        arch = run("dpkg", "--print-architecture").stdout.strip()
        cls.deb = os.path.join(ROOT, "build", f"kefu_{version()}_{arch}.deb")
        assert p.stdout.strip().endswith(os.path.basename(cls.deb)), p.stdout
        cls.dir = tempfile.mkdtemp(prefix="kefu-deb-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)

    def field(self, name):
        return run("dpkg-deb", "--field", self.deb, name).stdout.strip()

    def test_1_control(self):
        self.assertEqual(self.field("Package"), "kefu")
        self.assertEqual(self.field("Version"), version())
        self.assertEqual(self.field("Architecture"),
                         run("dpkg", "--print-architecture").stdout.strip())
        depends = [d.strip().split()[0] for d in self.field("Depends").split(",")]
        # From dpkg-shlibdeps: the libraries the binary links, by their packages.
        for pkg in ("libc6", "libmicrohttpd12", "libsqlite3-0", "libjansson4", "libsodium23",
                    "libsystemd0", "libgnutls30", "libre0", "adduser", "tzdata"):
            self.assertIn(pkg, depends)
        self.assertEqual(len(depends), len(set(depends)))
        info = run("dpkg-deb", "-I", self.deb, "conffiles")
        self.assertEqual(info.stdout.split(), ["/etc/kefu/kefu.conf"])
        for script in ("postinst", "prerm", "postrm"):
            text = run("dpkg-deb", "-I", self.deb, script).stdout
            self.assertTrue(text.startswith("#!/bin/sh\n"), script)
            p = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, script + p.stderr)
        postinst = run("dpkg-deb", "-I", self.deb, "postinst").stdout
        self.assertIn("adduser --system --group", postinst)
        self.assertIn("install -d -o kefu -g kefu -m 750", postinst)
        self.assertIn("dpkg-statoverride --update --add root kefu 640", postinst)
        self.assertIn("kefu init --config", postinst)
        self.assertIn("kefu migrate --config", postinst)
        postrm = run("dpkg-deb", "-I", self.deb, "postrm").stdout
        # The data goes on purge only.
        self.assertRegex(postrm, r'if \[ "\$1" = purge \]; then(.|\n)*rm -rf /var/lib/kefu')
        self.assertEqual(postrm.count("rm -rf /var/lib/kefu"), 1)

    def test_2_contents(self):
        listing = run("dpkg-deb", "-c", self.deb).stdout
        entries = {}
        for line in listing.splitlines():
            parts = line.split()
            entries[parts[5].lstrip(".")] = (parts[0], parts[1])
        self.assertEqual(entries["/usr/bin/kefu"], ("-rwxr-xr-x", "root/root"))
        self.assertEqual(entries["/etc/kefu/kefu.conf"], ("-rw-r-----", "root/root"))
        self.assertEqual(entries["/lib/systemd/system/kefu.service"][0], "-rw-r--r--")
        for path in ("/usr/share/kefu/web/index.html", "/usr/share/kefu/prompts/welcome.wav",
                     "/usr/share/kefu/mk/say.sh"):
            self.assertIn(path, entries)
        # Nothing under the state directory or /usr/local: postinst makes /var/lib/kefu.
        self.assertFalse([p for p in entries if p.startswith(("/var", "/usr/local"))])

    def test_3_unpacked_by_dpkg_into_a_scratch_root_runs(self):
        root = os.path.join(self.dir, "root")
        admin = os.path.join(root, "var/lib/dpkg")
        os.makedirs(os.path.join(admin, "info"))
        os.makedirs(os.path.join(admin, "updates"))
        for f in ("status", "available"):
            open(os.path.join(admin, f), "w").close()
        # --unpack runs no maintainer script (the package has no preinst), so
        # nothing needs a chroot and nothing of this machine changes.
        p = run("dpkg", "--root=" + root, "--log=/dev/null", "--force-depends",
                "--force-not-root", "--unpack", self.deb)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        st = run("dpkg", "--root=" + root, "-s", "kefu").stdout
        self.assertIn("Status: install ok unpacked", st)
        p = run("dpkg", "--root=" + root, "--verify", "kefu")
        # The conffile waits as .dpkg-new until configure; every other file matches.
        self.assertEqual([l for l in p.stdout.splitlines() if "/etc/kefu/kefu.conf" not in l],
                         [])
        kefu = os.path.join(root, "usr/bin/kefu")
        p = run(kefu, "--version")
        self.assertEqual(p.stdout.strip(), "kefu " + version())
        conf = os.path.join(root, "etc/kefu/kefu.conf.dpkg-new")
        with open(conf) as f:
            text = f.read()
        for line in ("db = /var/lib/kefu/kefu.db", "web_root = /usr/share/kefu/web",
                     "prompts_dir = /usr/share/kefu/prompts",
                     "recordings_dir = /var/lib/kefu/recordings"):
            self.assertIn("\n" + line + "\n", text)
        for d in ("web_root", "prompts_dir"):
            path = re.search(rf"^{d} = (.*)$", text, re.M).group(1)
            self.assertTrue(os.path.isdir(root + path), path)
        with open(os.path.join(root, "lib/systemd/system/kefu.service")) as f:
            unit = f.read()
        self.assertIn("\nExecStart=/usr/bin/kefu serve --config /etc/kefu/kefu.conf\n", unit)
        self.assertIn("\nType=notify\n", unit)
        db = os.path.join(self.dir, "kefu.db")
        p = run(kefu, "init", "--config", conf, "--db", db,
                env=dict(os.environ, KEFU_PWHASH="min"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Initial passwords", p.stdout)
        self.assertEqual(os.stat(db).st_mode & 0o777, 0o600)


if __name__ == "__main__":
    unittest.main()
