#!/usr/bin/env python3
"""Runs every kefu test and prints one closing line: "N passed, N failed".

Usage: tests/run.py BUILD_DIR [BUILD_DIR ...]

First the layering check (tests/check_layers.py: every #include between
folders of src/ is one docs/architecture.md allows). Then, for each build
directory (e.g. build and build-asan), it runs the cmocka
unit tests in BUILD_DIR/tests/; then the API tests in tests/api/ against
each BUILD_DIR/kefu, the builds side by side (each pass in a process of
its own: the tests mostly wait on servers and phones, so two passes take
little longer than one); then the browser tests in tests/web/ (Node's test
runner, playwright-core driving Debian's chromium) against the first build
and the built workbench in web/dist, two files at a time. Exits non-zero if
any test failed.

A browser file that fails is run once more; if it passes then, the file is
reported FLAKY (its first output is kept), counted in a "flaky:" line just
above the closing line, and the flakiness is a defect to fix.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))


def run_units(build):
    passed = failed = 0
    root = os.path.join(build, "tests")
    bins = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            if f.startswith("test_") and os.access(path, os.X_OK) and not f.endswith((".o", ".d")):
                bins.append(path)
    for path in sorted(bins):
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
        proc = subprocess.run([path], env=env, capture_output=True, text=True, timeout=600)
        ok = sum(1 for line in proc.stdout.splitlines() if line.startswith("ok "))
        bad = sum(1 for line in proc.stdout.splitlines() if line.startswith("not ok "))
        if proc.returncode != 0 and bad == 0:
            bad = 1  # crashed or a sanitizer stopped it before it could report
        passed += ok
        failed += bad
        status = "ok" if bad == 0 else "FAILED"
        print(f"unit {path}: {ok} passed, {bad} failed [{status}]")
        if bad:
            sys.stdout.write(proc.stdout[-4000:])
            sys.stdout.write(proc.stderr[-4000:])
    return passed, failed


def run_api(build):
    os.environ["KEFU_BIN"] = os.path.abspath(os.path.join(build, "kefu"))
    sys.path.insert(0, os.path.join(HERE, "api"))
    suite = unittest.defaultTestLoader.discover(os.path.join(HERE, "api"), pattern="test_*.py",
                                                top_level_dir=os.path.join(HERE, "api"))
    result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    # A test with failing subtests is one failed test; errors in class set-up count once.
    failed = set()
    for test, _ in result.failures + result.errors:
        failed.add(getattr(test, "test_case", test).id())
    for test in result.unexpectedSuccesses:
        failed.add(test.id())
    ran = max(result.testsRun, len(failed))
    print(f"api {build}: {ran - len(failed)} passed, {len(failed)} failed")
    return ran - len(failed), len(failed)


def run_web_file(f, env):
    with tempfile.NamedTemporaryFile(mode="w+", prefix="kefu-web-log-", suffix=".log") as log:
        env = dict(env, KEFU_WEB_SERVER_LOG=log.name)
        proc = subprocess.run(["node", "--test", "--test-reporter=tap", "--test-concurrency=1",
                               os.path.join(HERE, "web", f)],
                              env=env, capture_output=True, text=True, timeout=900)
        # The servers' logs (kept by tests/web/harness.mjs), for a failed file's report.
        proc.server_log = log.read()
    ok = bad = 0
    for line in proc.stdout.splitlines():
        if line.startswith("# pass "):
            ok = int(line.split()[2])
        elif line.startswith("# fail ") or line.startswith("# cancelled "):
            bad += int(line.split()[2])
    if proc.returncode != 0 and bad == 0:
        bad = 1  # the file itself failed (a hook, a crash)
    return ok, bad, proc


def run_web(build, flaky):
    """Each test file starts its own kefu and browser; a file counts its tests."""
    files = sorted(f for f in os.listdir(os.path.join(HERE, "web"))
                   if f.startswith("test_") and f.endswith(".mjs"))
    env = dict(os.environ, KEFU_BIN=os.path.abspath(os.path.join(build, "kefu")))

    def one(f):
        ok, bad, proc = run_web_file(f, env)
        out = []
        if bad:
            # A browser is a second program with its own timing; a file that
            # fails is run once more, and a pass then is reported as flaky
            # (with the first run's output), never hidden.
            out.append(proc.stdout[-8000:])
            out.append(proc.stderr[-4000:])
            out.append(f"web {f}: the end of kefu's log:\n{proc.server_log[-4000:]}\n")
            ok2, bad2, proc2 = run_web_file(f, env)
            if not bad2:
                out.append(f"web {f}: FLAKY: failed once, passed when run again\n")
                flaky.append(f)
            ok, bad, proc = ok2, bad2, proc2
        status = "ok" if bad == 0 else "FAILED"
        out.append(f"web {f}: {ok} passed, {bad} failed [{status}]\n")
        if bad:
            out.append(proc.stdout[-8000:])
            out.append(proc.stderr[-4000:])
            out.append(f"web {f}: the end of kefu's log:\n{proc.server_log[-4000:]}\n")
        return ok, bad, "".join(out)

    passed = failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for ok, bad, text in pool.map(one, files):
            sys.stdout.write(text)
            sys.stdout.flush()
            passed += ok
            failed += bad
    return passed, failed


def run_api_passes(builds):
    """The API suite against each build, the passes side by side."""
    procs = []
    for build in builds:
        log = tempfile.TemporaryFile(mode="w+")
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--api", build],
                             stdout=log, stderr=subprocess.STDOUT, text=True)
        procs.append((build, p, log))
    passed = failed = 0
    for build, p, log in procs:
        p.wait()
        log.seek(0)
        text = log.read()
        log.close()
        sys.stdout.write(text)
        sys.stdout.flush()
        counted = False
        for line in text.splitlines():
            if line.startswith(f"api {build}: "):
                words = line.split()
                passed += int(words[2])
                failed += int(words[4])
                counted = True
        if not counted or (p.returncode != 0 and failed == 0):
            print(f"api {build}: the pass itself failed (exit {p.returncode})")
            failed += 1
    return passed, failed


def main():
    if sys.argv[1:2] == ["--api"]:
        _, failed = run_api(sys.argv[2])
        return 1 if failed else 0
    builds = sys.argv[1:] or ["build"]
    proc = subprocess.run([sys.executable, os.path.join(HERE, "check_layers.py")],
                          capture_output=True, text=True)
    sys.stdout.write(proc.stdout + proc.stderr)
    m = re.search(r"^layers: (\d+) passed, (\d+) failed$", proc.stdout, re.M)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
    if proc.returncode != 0 and failed == 0:
        failed = 1
    for build in builds:
        p, f = run_units(build)
        passed += p
        failed += f
    p, f = run_api_passes(builds)
    passed += p
    failed += f
    flaky = []
    p, f = run_web(builds[0], flaky)
    passed += p
    failed += f
    print(f"flaky: {len(flaky)} browser file(s) passed only when run again" +
          (f" ({', '.join(flaky)})" if flaky else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
