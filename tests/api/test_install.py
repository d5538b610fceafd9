"""make install (issue 22): the binary, the workbench, the prompts, the
announcement script, a configuration that points at the installed tree and
the state directory, and a hardened systemd unit; the installed tree runs
(init, serve, the workbench's page, /healthz); an operator's configuration
survives the next install."""
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import kefu_bin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def read(path):
    with open(path) as f:
        return f.read()


@unittest.skipIf("build-asan" in kefu_bin(), "make install installs the release build")
class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kefu-install-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.dest = os.path.join(cls.dir, "root")
        p = cls.make()
        assert p.returncode == 0, p.stdout + p.stderr

    @classmethod
    def make(cls):
        return subprocess.run(
            ["make", "-s", "-C", ROOT, "install", "DESTDIR=" + cls.dest, "PREFIX=/usr"],
            capture_output=True, text=True, timeout=300)

    def path(self, *parts):
        return os.path.join(self.dest, *parts)

    def test_1_tree_config_and_unit(self):
        self.assertTrue(os.access(self.path("usr/bin/kefu"), os.X_OK))
        with open(self.path("usr/share/kefu/web/index.html")) as f, \
                open(os.path.join(ROOT, "web/dist/index.html")) as g:
            self.assertEqual(f.read(), g.read())
        self.assertIn("welcome.wav", os.listdir(self.path("usr/share/kefu/prompts")))
        self.assertTrue(os.access(self.path("usr/share/kefu/mk/say.sh"), os.X_OK))
        self.assertTrue(os.path.exists(self.path("usr/share/kefu/mk/prompt-voice.sh")))
        conf = read(self.path("etc/kefu/kefu.conf"))
        for line in ("db = /var/lib/kefu/kefu.db", "web_root = /usr/share/kefu/web",
                     "prompts_dir = /usr/share/kefu/prompts",
                     "notice_say = /usr/share/kefu/mk/say.sh",
                     "recordings_dir = /var/lib/kefu/recordings",
                     "attachments_dir = /var/lib/kefu/attachments"):
            self.assertIn("\n" + line + "\n", conf)
        self.assertEqual(os.stat(self.path("etc/kefu/kefu.conf")).st_mode & 0o777, 0o640)
        unit = read(self.path("lib/systemd/system/kefu.service"))
        keys = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
        self.assertEqual(keys["ExecStart"], "/usr/bin/kefu serve --config /etc/kefu/kefu.conf")
        self.assertEqual((keys["User"], keys["Restart"]), ("kefu", "on-failure"))
        for k, v in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                     ("ReadWritePaths", "/var/lib/kefu"), ("PrivateTmp", "yes"),
                     ("ProtectHome", "yes"), ("CapabilityBoundingSet", ""),
                     ("AmbientCapabilities", ""), ("StateDirectory", "kefu"),
                     # sd_notify: READY=1 once serving, the watchdog fed while ready,
                     # SIGHUP reloads (tests/api/test_service.py).
                     ("Type", "notify"), ("NotifyAccess", "main"), ("WatchdogSec", "30"),
                     ("ExecReload", "/bin/kill -HUP $MAINPID")):
            self.assertEqual(keys[k], v, k)
        if shutil.which("systemd-analyze"):
            p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                self.path("lib/systemd/system/kefu.service")],
                               capture_output=True, text=True)
            self.assertNotIn("Unknown key", p.stderr)
            self.assertNotIn("Unknown lvalue", p.stderr)

    def test_2_installed_tree_runs(self):
        state = os.path.join(self.dir, "state")
        os.makedirs(state)
        conf = self.path("etc/kefu/kefu.conf")
        share = self.path("usr/share/kefu")
        # The installed configuration, its paths moved under DESTDIR.
        env = dict(os.environ, KEFU_PWHASH="min", KEFU_WEB_ROOT=share + "/web",
                   KEFU_PROMPTS_DIR=share + "/prompts", KEFU_NOTICE_SAY=share + "/mk/say.sh",
                   KEFU_RECORDINGS_DIR=state + "/recordings",
                   KEFU_ATTACHMENTS_DIR=state + "/attachments")
        kefu = self.path("usr/bin/kefu")
        db = os.path.join(state, "kefu.db")
        p = subprocess.run([kefu, "init", "--config", conf, "--db", db], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        log = open(os.path.join(self.dir, "serve.log"), "w+")
        proc = subprocess.Popen([kefu, "serve", "--config", conf, "--db", db,
                                 "--listen", "127.0.0.1:0"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            port = None
            deadline = time.time() + 30
            while port is None and time.time() < deadline and proc.poll() is None:
                log.seek(0)
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", log.read())
                port = int(m.group(1)) if m else None
                time.sleep(0.05)
            self.assertIsNotNone(port, read(log.name))
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/")
            r = c.getresponse()
            page = r.read().decode()
            self.assertEqual(r.status, 200)
            with open(share + "/web/index.html") as f:
                self.assertEqual(page, f.read())
            c.request("GET", "/healthz")
            r = c.getresponse()
            self.assertEqual(r.status, 200, r.read())
            r.read()
            c.close()
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=30), 0)
            log.close()

    def test_3_an_operators_configuration_survives(self):
        conf = self.path("etc/kefu/kefu.conf")
        with open(conf, "a") as f:
            f.write("\ncenter_name = 滴滴客服中心\n")
        p = self.make()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("keeping", p.stdout)
        self.assertIn("center_name = 滴滴客服中心", read(conf))
        self.assertNotIn("滴滴", read(conf + ".new"))


if __name__ == "__main__":
    unittest.main()
