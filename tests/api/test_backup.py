"""kefu backup and kefu restore (issue 22, SEC-1, CUST-2): a copy taken while
the center writes holds every write acknowledged before it began, restores
into a working database with the same rows and file bytes, is refused when
tampered with, encrypted copies open only with their key, a running server's
database is never restored over, and serve makes the daily backup itself
keeping the newest backup_keep."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
from urllib.parse import quote

from apihelp import HOUR, advance_to_local, db_rows, png
from harness import KefuTestCase, Server, kefu_bin


def run(*args, env=None):
    return subprocess.run([kefu_bin(), *args], capture_output=True, text=True, timeout=120,
                          env=env)


class BackupTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = cls.class_temp_dir("kefu-backup-test-")
        s = cls.srv
        cls.agent = s.login("8101")
        cls.head = s.login("2001")
        st, o, _ = s.call("POST", "/api/orders", {
            "complaint": "vehicle_damage", "summary": "备份测试：车门划痕",
            "phone": "13800138000"}, token=cls.agent)
        assert st == 201, o
        cls.order = o["id"]
        cls.photo = png(7, 5, (10, 200, 90))
        h = {"Authorization": "Bearer " + cls.agent, "Content-Type": "application/octet-stream",
             "X-Filename": quote("划痕.png")}
        st, a, _ = s.call("POST", f"/api/orders/{cls.order}/attachments", cls.photo, headers=h)
        assert st == 201, a
        # A recording as the writer leaves it: kefu copies whatever the folder holds.
        rec = os.path.join(s.dir, "recordings", "2026", "12")
        os.makedirs(rec, exist_ok=True)
        cls.wav = os.urandom(50000)
        with open(os.path.join(rec, "call-1.wav"), "wb") as f:
            f.write(cls.wav)

    def env_for(self, db_dir):
        return dict(self.srv.env, KEFU_RECORDINGS_DIR=os.path.join(db_dir, "recordings"),
                    KEFU_ATTACHMENTS_DIR=os.path.join(db_dir, "attachments"))

    def backup(self, dest, *extra):
        p = run("backup", "--db", self.srv.db, *extra, dest, env=self.srv.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = p.stdout.strip().splitlines()[-1]
        self.assertTrue(os.path.isdir(path), p.stdout)
        return path

    def test_1_under_load_then_restore(self):
        """Orders keep coming while the copy is taken; every one acknowledged
        before the backup began is in the restored database, with the files."""
        acked, stop = [], threading.Event()

        def writer():
            while not stop.is_set():
                st, o, _ = self.srv.call("POST", "/api/orders", {
                    "complaint": "vehicle_damage", "summary": "负载中的工单",
                    "phone": "13800138001"}, token=self.agent)
                if st == 201:
                    acked.append((time.monotonic(), o["id"]))

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.5)
        began = time.monotonic()
        path = self.backup(os.path.join(self.tmp, "plain"))
        time.sleep(0.3)
        stop.set()
        t.join()
        before = [i for at, i in acked if at < began]
        self.assertGreater(len(before), 5, "the writer made too few orders to prove anything")
        self.assertGreater(len(acked), len(before), "no order was written during the backup")

        p = run("backup", "--verify", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ok", p.stdout)

        place = os.path.join(self.tmp, "restored")
        os.makedirs(place)
        db = os.path.join(place, "kefu.db")
        env = self.env_for(place)
        p = run("restore", "--db", db, path, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        ids = {r["id"] for r in db_rows(type("S", (), {"db": db}), "SELECT id FROM work_order")}
        self.assertTrue(set(before) <= ids, sorted(set(before) - ids))
        self.assertIn(self.order, ids)
        # The restored database passes kefu's own check.
        p = run("check", "--db", db, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # Files byte for byte: the attachment by its hash, the recording by its path.
        sha = db_rows(type("S", (), {"db": db}),
                      f"SELECT sha256 FROM attachment WHERE order_id = {self.order}")[0]["sha256"]
        with open(os.path.join(place, "attachments", sha[:2], sha), "rb") as f:
            self.assertEqual(f.read(), self.photo)
        with open(os.path.join(place, "recordings", "2026", "12", "call-1.wav"), "rb") as f:
            self.assertEqual(f.read(), self.wav)

        # Over an existing database only with --force; never under a running server.
        p = run("restore", "--db", db, path, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--force", p.stderr)
        p = run("restore", "--db", db, "--force", path, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("restore", "--db", self.srv.db, "--force", path, env=self.srv.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("in use", p.stderr)
        # A second server on a database one is serving stays off it.
        p = run("serve", "--db", self.srv.db, "--listen", "127.0.0.1:0", env=self.srv.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("in use", p.stderr)

    def test_2_tampered_copy_is_refused(self):
        path = self.backup(os.path.join(self.tmp, "tamper"))
        files = [os.path.join(d, n) for d, _, ns in os.walk(os.path.join(path, "attachments"))
                 for n in ns]
        self.assertEqual(len(files), 1)
        with open(files[0], "r+b") as f:
            f.seek(20)
            b = f.read(1)
            f.seek(20)
            f.write(bytes([b[0] ^ 0xFF]))
        p = run("backup", "--verify", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("changed since the backup", p.stderr)
        os.remove(os.path.join(path, "recordings", "2026", "12", "call-1.wav"))
        p = run("backup", "--verify", path)
        self.assertIn("recordings/2026/12/call-1.wav: missing", p.stderr)
        place = os.path.join(self.tmp, "from-tampered")
        os.makedirs(place)
        p = run("restore", "--db", os.path.join(place, "kefu.db"), path, env=self.env_for(place))
        self.assertEqual(p.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(place, "kefu.db")))

    def test_3_encrypted(self):
        key = os.path.join(self.tmp, "backup.key")
        p = run("backup", "--new-key", key)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        path = self.backup(os.path.join(self.tmp, "enc"), "--key", key)
        names = sorted(os.listdir(path))
        self.assertEqual(names, ["MANIFEST.enc", "attachments", "kefu.db.enc", "recordings"])
        # Nothing of the center readable in the copy.
        with open(os.path.join(path, "kefu.db.enc"), "rb") as f:
            blob = f.read()
        self.assertNotIn(b"SQLite format 3", blob)
        self.assertNotIn("备份测试".encode(), blob)
        self.assertEqual(run("backup", "--verify", path).returncode, 1)
        other = os.path.join(self.tmp, "other.key")
        run("backup", "--new-key", other)
        p = run("backup", "--verify", "--key", other, path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not open with this key", p.stderr)
        p = run("backup", "--verify", "--key", key, path)
        self.assertEqual(p.returncode, 0, p.stderr)
        # A copy cut short is refused, even with the key.
        cut = os.path.join(self.tmp, "enc-cut")
        shutil.copytree(path, cut)
        with open(os.path.join(cut, "kefu.db.enc"), "r+b") as f:
            f.truncate(len(blob) - 100)
        p = run("backup", "--verify", "--key", key, cut)
        self.assertEqual(p.returncode, 1)
        self.assertIn("kefu.db", p.stderr)
        place = os.path.join(self.tmp, "from-enc")
        os.makedirs(place)
        db = os.path.join(place, "kefu.db")
        p = run("restore", "--db", db, "--key", key, path, env=self.env_for(place))
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = db_rows(type("S", (), {"db": db}),
                       f"SELECT summary FROM work_order WHERE id = {self.order}")
        self.assertEqual(rows[0]["summary"], "备份测试：车门划痕")


class ScheduledBackupTest(unittest.TestCase):
    """serve backs up at backup_at each day of the center (at once when it
    starts later in a day without one) and keeps the newest backup_keep; a
    restart the same day makes no second one."""

    def test_daily_backups_keep_the_newest(self):
        dest = tempfile.mkdtemp(prefix="kefu-backup-daily-")
        srv = Server(extra_env={"KEFU_BACKUP_DIR": dest, "KEFU_BACKUP_AT": "03:00",
                                "KEFU_BACKUP_KEEP": "2"})
        try:
            def backups(n):
                deadline = time.time() + 30
                while time.time() < deadline:
                    done = sorted(x for x in os.listdir(dest) if not x.endswith(".partial"))
                    if len(done) == n and not any(x.endswith(".partial") for x in os.listdir(dest)):
                        return done
                    time.sleep(0.1)
                self.fail(f"expected {n} backups in {os.listdir(dest)}")

            # Started after 03:00 with no backup today: today's is made at once.
            srv.advance(0)
            first = backups(1)
            # The same day again, after a restart: nothing new.
            srv.restart()
            srv.advance(0)
            time.sleep(0.5)
            self.assertEqual(backups(1), first)
            # The next day, not before 03:00.
            advance_to_local(srv, 2, 50)
            srv.advance(61000)
            time.sleep(0.5)
            self.assertEqual(backups(1), first)
            advance_to_local(srv, 3, 1)
            srv.advance(0)
            self.assertEqual(len(backups(2)), 2)
            advance_to_local(srv, 3, 1)
            srv.advance(0)
            time.sleep(0.3)
            srv.advance(61000)
            kept = backups(2)
            self.assertNotIn(first[0], kept)
            p = run("backup", "--verify", os.path.join(dest, kept[-1]))
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            srv.stop()
            shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
