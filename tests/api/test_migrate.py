"""kefu migrate (issue 22): --dry-run names the current version and each
pending migration with its description and changes nothing; --to N builds
an older schema; a failed upgrade leaves the database at its old version
and schema, with the failing migration and SQLite's reason on stderr. The
data side (every earlier version, with rows, to the newest) is the unit test
tests/store/test_migrate.c."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import kefu_bin


def run(*args):
    return subprocess.run([kefu_bin(), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KEFU_LOG_LEVEL": "error"})


def version(db):
    with sqlite3.connect(db) as c:
        return c.execute("PRAGMA user_version").fetchone()[0]


def schema(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class MigrateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kefu-migrate-test-")
        latest = run("migrate", "--dry-run", "--db", os.path.join(cls.dir, "none.db"))
        assert latest.returncode == 0, latest.stderr
        cls.latest = int(latest.stdout.split("schema version ")[1].split()[0])
        cls.at = cls.latest - 2

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def old_db(self, name, at):
        db = os.path.join(self.dir, name)
        p = run("migrate", "--to", str(at), "--db", db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(version(db), at)
        return db

    def test_dry_run_changes_nothing(self):
        db = self.old_db("dry.db", self.at)
        before = (digest(db), os.stat(db).st_mtime_ns, os.stat(db).st_size)
        p = run("migrate", "--dry-run", "--db", db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("schema version %d; this kefu's is %d" % (self.at, self.latest), p.stdout)
        self.assertIn("would apply 2 migrations, all in one transaction", p.stdout)
        lines = [l.split(None, 1) for l in p.stdout.splitlines() if l.startswith("  ")]
        self.assertEqual([int(n) for n, _ in lines], [self.at + 1, self.at + 2])
        for _, note in lines:
            self.assertGreater(len(note), 10)
        self.assertIn("nothing was changed", p.stdout)
        self.assertEqual((digest(db), os.stat(db).st_mtime_ns, os.stat(db).st_size), before)
        self.assertEqual(version(db), self.at)
        # The real run then does what the plan said.
        p = run("migrate", "--db", db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("schema version %d -> %d" % (self.at, self.latest), p.stdout)
        self.assertEqual(run("check", "--db", db).returncode, 0)
        p = run("migrate", "--dry-run", "--db", db)
        self.assertIn("nothing to apply", p.stdout)

    def test_failed_upgrade_leaves_the_database_as_it_was(self):
        # Migration 42 creates report_built: made here first, in a database
        # of version 40, the upgrade must fail there and undo 41 too.
        db = self.old_db("fail.db", 40)
        with sqlite3.connect(db) as c:
            c.execute("CREATE TABLE report_built (kind TEXT PRIMARY KEY)")
            c.execute("INSERT INTO report_built VALUES ('mine')")
        v0 = version(db)
        before = schema(db)
        p = run("migrate", "--db", db)
        self.assertEqual(p.returncode, 1)
        self.assertIn("migration failed: table report_built already exists (migration 42:",
                      p.stderr)
        self.assertIn("the database is unchanged at schema version %d" % v0, p.stderr)
        self.assertEqual(version(db), v0)
        self.assertEqual(schema(db), before)
        self.assertNotIn("trn_course", [name for _, name, _ in before])
        with sqlite3.connect(db) as c:
            self.assertEqual(c.execute("SELECT kind FROM report_built").fetchall(), [("mine",)])

    def test_bad_version_is_refused(self):
        p = run("migrate", "--to", str(self.latest + 1), "--db", os.path.join(self.dir, "x.db"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("--to takes a schema version from 1 to %d" % self.latest, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.db")))


if __name__ == "__main__":
    unittest.main()
