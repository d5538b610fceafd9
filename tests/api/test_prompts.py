"""The IVR prompts (CALL-1, CALL-3): mk/prompts.sh speaks every text of
etc/prompts.txt with espeak-ng and writes 8 kHz 16-bit mono WAV files that
kefu's reader accepts. No server is needed; the tests that speak are
skipped, with the reason, where espeak-ng or sox is not installed."""
import array
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import wave

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "mk", "prompts.sh")
TEXTS = os.path.join(ROOT, "etc", "prompts.txt")
HAVE_TOOLS = bool(shutil.which("espeak-ng") and shutil.which("sox"))


def prompt_keys():
    keys = []
    with open(TEXTS, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(line.split("=", 1)[0].strip())
    return keys


def run(outdir, env=None, path=None):
    e = dict(os.environ)
    e.update(env or {})
    if path is not None:
        e["PATH"] = path
    return subprocess.run(["sh", SCRIPT, outdir], env=e, capture_output=True, text=True,
                          timeout=300)


def read_wav(path):
    with wave.open(path, "rb") as w:
        params = (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getcomptype())
        frames = w.readframes(w.getnframes())
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples


def dbfs(samples):
    if not samples:
        return -100.0
    ms = sum(s * s for s in samples) / len(samples)
    return 10 * math.log10(ms / 32768.0 ** 2) if ms else -100.0


@unittest.skipUnless(HAVE_TOOLS, "espeak-ng or sox is not installed (apt-get install espeak-ng sox)")
class PromptsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kefu-prompts-")
        cls.out = os.path.join(cls.tmp, "prompts")
        proc = run(cls.out)
        if proc.returncode != 0:
            raise AssertionError(f"mk/prompts.sh failed: {proc.stderr}")
        cls.stdout = proc.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_prompt_is_8k_mono_16bit_and_not_silent(self):
        keys = prompt_keys()
        for k in ("welcome", "menu", "invalid", "out_of_hours", "queue_ahead", "queue_people",
                  "wait_minutes", "transfer", "survey", "goodbye", "num_1", "num_20"):
            self.assertIn(k, keys)
        files = sorted(f for f in os.listdir(self.out) if f.endswith(".wav"))
        self.assertEqual(files, sorted(k + ".wav" for k in keys + ["moh"]))
        for f in files:
            with self.subTest(prompt=f):
                params, samples = read_wav(os.path.join(self.out, f))
                self.assertEqual(params, (1, 2, 8000, "NONE"))
                # The shortest clips are single syllables (位, 一): over 0.15 s.
                self.assertGreater(len(samples), 1200)
                self.assertGreater(dbfs(samples), -35)
                self.assertLessEqual(max(abs(min(samples)), max(samples)), 32767 * 0.75)
        self.assertIn(f"{len(keys)} prompts", self.stdout)

    def test_sentences_take_as_long_as_speaking_them(self):
        # About 150 characters a minute (seed 000): the welcome's 30 or so
        # characters take 8 to 16 s; the menu is longer than one digit.
        _, welcome = read_wav(os.path.join(self.out, "welcome.wav"))
        self.assertGreater(len(welcome), 8 * 8000)
        self.assertLess(len(welcome), 16 * 8000)
        _, one = read_wav(os.path.join(self.out, "num_1.wav"))
        _, menu = read_wav(os.path.join(self.out, "menu.wav"))
        self.assertGreater(len(menu), 5 * len(one))

    def test_music_on_hold_is_soft_tones(self):
        _, moh = read_wav(os.path.join(self.out, "moh.wav"))
        self.assertGreater(len(moh), 6 * 8000)
        self.assertLess(dbfs(moh), -15)
        self.assertGreater(dbfs(moh), -30)

    def test_idempotent_and_center_name(self):
        out = os.path.join(self.tmp, "again")
        self.assertEqual(run(out).returncode, 0)
        for f in ("welcome.wav", "menu.wav", "moh.wav"):
            with open(os.path.join(self.out, f), "rb") as a, open(os.path.join(out, f), "rb") as b:
                self.assertEqual(a.read(), b.read(), f)
        # Run again over its own output: replaced, same files.
        proc = run(out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(os.listdir(out)), sorted(os.listdir(self.out)))
        # A center's name goes into the welcome, and only there.
        named = os.path.join(self.tmp, "named")
        proc = run(named, env={"KEFU_CENTER_NAME": "北京示例科技有限公司客户服务中心"})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        _, default = read_wav(os.path.join(self.out, "welcome.wav"))
        _, longer = read_wav(os.path.join(named, "welcome.wav"))
        self.assertGreater(len(longer), len(default) + 8000)
        with open(os.path.join(self.out, "menu.wav"), "rb") as a, \
                open(os.path.join(named, "menu.wav"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_refuses_a_folder_it_did_not_make(self):
        other = os.path.join(self.tmp, "someone-elses")
        os.makedirs(other)
        with open(os.path.join(other, "keep.txt"), "w") as f:
            f.write("mine")
        proc = run(other)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("refusing", proc.stderr)
        self.assertEqual(os.listdir(other), ["keep.txt"])

    def test_bad_texts_stop_the_build_and_keep_the_old_prompts(self):
        out = os.path.join(self.tmp, "kept")
        self.assertEqual(run(out).returncode, 0)
        before = sorted(os.listdir(out))
        bad = os.path.join(self.tmp, "bad.txt")
        for text, line in (("welcome = 您好\nthis line has no key\n", 2),
                           ("welcome = 您好\nwelcome = 再见\n", 2),
                           ("Welcome = 您好\n", 1),
                           ("empty =\n", 1)):
            with self.subTest(text=text):
                with open(bad, "w", encoding="utf-8") as f:
                    f.write(text)
                proc = run(out, env={"KEFU_PROMPTS": bad})
                self.assertNotEqual(proc.returncode, 0)
                self.assertRegex(proc.stderr, re.escape(bad) + f":{line}:")
                self.assertEqual(sorted(os.listdir(out)), before)
        self.assertFalse([f for f in os.listdir(self.tmp) if ".tmp." in f])


class PromptsWithoutToolsTest(unittest.TestCase):
    def test_missing_espeak_fails_clearly(self):
        # A PATH with every command of this machine except espeak-ng.
        with tempfile.TemporaryDirectory() as tmp:
            bin_dir = os.path.join(tmp, "bin")
            os.makedirs(bin_dir)
            for d in ("/usr/local/bin", "/usr/bin", "/bin"):
                if not os.path.isdir(d):
                    continue
                for name in os.listdir(d):
                    dst = os.path.join(bin_dir, name)
                    if name != "espeak-ng" and not os.path.lexists(dst):
                        os.symlink(os.path.join(d, name), dst)
            out = os.path.join(tmp, "prompts")
            proc = run(out, path=bin_dir)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("espeak-ng", proc.stderr)
            self.assertIn("apt-get install", proc.stderr)
            self.assertFalse(os.path.exists(out))

    def test_usage(self):
        proc = subprocess.run(["sh", SCRIPT], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("usage", proc.stderr)


if __name__ == "__main__":
    unittest.main()
