"""Issue 12 item 27: API tests leave nothing in the temporary directory. A hotline class
(its own prompts and recordings) and an IVR class (the module's shared prompts) run in a
child process with a temporary directory of their own, which must be empty afterwards."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class TempCleanupTest(unittest.TestCase):
    def test_hotline_and_ivr_classes_remove_what_they_create(self):
        with tempfile.TemporaryDirectory(prefix="kefu-tmpcheck-") as tmp:
            proc = subprocess.run(
                [sys.executable, "-m", "unittest", "test_hotline.Queue", "test_ivr.IvrVanish"],
                cwd=HERE, env=dict(os.environ, TMPDIR=tmp), capture_output=True, text=True,
                timeout=600)
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
            self.assertEqual(sorted(os.listdir(tmp)), [], "left behind in the temporary directory")


if __name__ == "__main__":
    unittest.main()
