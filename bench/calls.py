#!/usr/bin/env python3
"""make bench, part 4: hotline calls bridged by kefu (see bench/calls.sh and
docs/performance.md, "Hotline calls").

A ramp of steps, each a fresh set of N concurrent calls: callers (SIPp,
bench/sip/caller.xml) dial the hotline, press 0 and wait in the queue; kefu
offers each call to a ready agent's registered phone (SIPp answering for
many agents, bench/sip/agent.xml) and relays RTP both ways; both sides talk
for the whole call (SIPp's rtp_stream, 50 packets a second each way). Once
all N calls are connected the step is measured for BENCH_CALL_HOLD seconds:

- what kefu relays, as received by the phones: bench/rtpsink.c measures
  every stream kefu sends to callers and agents (loss; late = behind a
  60 ms playout buffer; jitter);
- that every call was answered and recorded with both people's voices
  (GET /api/calls/{id}: outcome, recording, and speech on each channel in
  the recording's metrics);
- what kefu itself received from callers: the `ended` event of each call
  (GET /api/calls/{id}: rtp_received, rtp_lost, rtp_late, jitter_us);
- kefu's CPU (the process and its busiest thread, the SIP thread) and RSS
  from /proc, the load generators' CPU, and the machine's.

The ramp stops at the first step where loss or late exceeds 0.1 % (the
quality bar of src/media, MEDIA_RTP_QUALITY_PERMILLE) on any measure, or a
call fails.

A second ramp (a fresh kefu whose prompts are 60 ms tones, so a call's menu
takes a fraction of a second) measures the call setup rate: for
BENCH_SETUP_SECS (20) at each of BENCH_SETUP_RATES new calls a second, every
caller presses 0, is answered at once, talks for 3 s and hangs up; with the
same measures plus the time from the key to the agent's answer (the call's
queued_at to connected_at). It stops at the same bar, or when a call is not
answered or not recorded.

BENCH_CALL_PHASES chooses ("concurrent setup", the default). Figures go to
standard output; docs/performance.md records them.
"""
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import wave

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("KEFU_BIN", os.path.join(ROOT, "build", "kefu"))
SINK = os.environ.get("KEFU_RTPSINK", os.path.join(ROOT, "build", "bench", "rtpsink"))
STEPS = [int(x) for x in os.environ.get("BENCH_CALL_STEPS",
                                         "100 200 300 400 450 500 550 600 700 800 1000").split()]
HOLD = int(os.environ.get("BENCH_CALL_HOLD", "30"))
# The second ramp: new calls a second, each rate for SETUP_SECS seconds.
SETUP_RATES = [float(x) for x in os.environ.get("BENCH_SETUP_RATES",
                                                "10 20 40 60 80 100 120").split()]
SETUP_SECS = int(os.environ.get("BENCH_SETUP_SECS", "20"))
SETUP_TALK_MS = 3000  # from the key to the caller's BYE: the queue, the answer, the talk
RATE = float(os.environ.get("BENCH_CALL_RATE", "20"))  # new calls per second
UACS = int(os.environ.get("BENCH_CALL_UACS", "8"))  # caller SIPp processes (addresses)
UASES = int(os.environ.get("BENCH_CALL_UASES", "8"))  # agents' SIPp processes (addresses)
LIMIT = 0.001  # loss or late above 0.1 % ends the ramp
SETUP = 12  # seconds from INVITE to connected: the welcome until 0 barges in, to_agent (5 s)
HOTLINE = "4000000000"
SINK_PORT = 7000
UAS_PORT = 5070
PCAP = "/usr/share/sip-tester/g711a.pcap"
TICK = os.sysconf("SC_CLK_TCK")
# The load generators (SIPp, the sink) run at a higher priority than kefu,
# so that when the two cores are short it is kefu that waits: their timing
# stays that of phones, and lateness measured is kefu's.
GEN_NICE = ["nice", "-n", "-10"] if os.geteuid() == 0 else []


def caller_ip(k):
    return f"127.0.30.{k + 1}"


def agent_ip(k):
    return f"127.0.40.{k + 1}"


def speech(path):
    """The A-law payload of g711a.pcap (7 s of speech), for SIPp's rtp_stream."""
    with open(PCAP, "rb") as f:
        data = f.read()
    link = struct.unpack("<I", data[20:24])[0]
    off, out = 24, bytearray()
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[14:] if link == 1 else pkt
        udp = ip[(ip[0] & 15) * 4:]
        out += udp[8 + 12:]
    with open(path, "wb") as f:
        f.write(out)


def short_prompts(d):
    """The built prompts' keys as 60 ms tones (music on hold 1 s), so a
    call's IVR takes a fraction of a second and the setup ramp measures
    kefu, not the length of the welcome."""
    os.makedirs(d)
    src = os.path.join(ROOT, "build", "prompts")
    for name in os.listdir(src):
        if not name.endswith(".wav"):
            continue
        n = 8000 if name == "moh.wav" else 480
        with wave.open(os.path.join(d, name), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                                   for i in range(n)))
    return d


class Api:
    def __init__(self, port):
        self.port = port
        self.token = None

    def call(self, method, path, body=None, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token or self.token:
            headers["Authorization"] = "Bearer " + (token or self.token)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, (json.loads(data) if data else None)

    def ok(self, method, path, body=None):
        st, out = self.call(method, path, body)
        if st >= 300:
            raise RuntimeError(f"{method} {path}: {st} {out}")
        return out


class Proc:
    """CPU seconds of a process (and of each of its threads) from /proc."""

    def __init__(self, pid):
        self.pid = pid

    def cpu(self):
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            return 0.0

    def threads(self):
        out = {}
        try:
            for tid in os.listdir(f"/proc/{self.pid}/task"):
                with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out[tid] = (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            pass
        return out

    def rss_mb(self):
        with open(f"/proc/{self.pid}/status") as f:
            m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
        return int(m.group(1)) / 1024 if m else 0.0

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def machine_cpu():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v), idle


class Bench:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kefu-bench-calls-")
        self.procs = []
        self.agents = []  # (person id, work number)
        self.registered = 0
        self.last_call_id = 0

    def spawn(self, cmd, log, **kw):
        if cmd[0] != BIN:
            cmd = GEN_NICE + cmd
        p = subprocess.Popen(cmd, cwd=self.dir, stdout=open(os.path.join(self.dir, log), "w"),
                             stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def start(self, prompts=None, env=None, trunks=(), sinks=()):
        """kefu, the sink and the agents' SIPp. env: more of kefu's
        settings; trunks: more addresses for sip_trunks; sinks: more of the
        sink's LABEL=IP:PORT (bench/out.py's carrier)."""
        speech(os.path.join(self.dir, "speech.al"))
        db = os.path.join(self.dir, "kefu.db")
        env_more, sinks_more = env, list(sinks)
        env = dict(os.environ, KEFU_PWHASH="min")
        out = subprocess.run([BIN, "init", "--demo", "--db", db], env=env, check=True,
                             capture_output=True, text=True).stdout
        pw = re.search(r"^  8001\s+\S+\s+(\S{16})", out, re.M).group(1)
        # Each SIPp address stands for many phones (or a carrier's trunk),
        # so they are trunks: outside the per-address limits of one phone,
        # and kefu sends their media where their SDP says (the sink), not
        # back to the port SIPp sends from (symmetric RTP is for phones).
        trunks = [caller_ip(k) for k in range(UACS)] + [agent_ip(k) for k in range(UASES)] \
            + list(trunks)
        env.update(KEFU_SIP_LISTEN="127.0.0.1:0", KEFU_WRAP_UP_SEC="0",
                   KEFU_SIP_TRUNKS=" ".join(trunks),
                   KEFU_CALLS_MAX=str(max(STEPS) + 100), KEFU_PROMPTS_DIR=prompts or os.path.join(
                       ROOT, "build", "prompts"), KEFU_RECORDINGS_DIR=os.path.join(self.dir, "recordings"))
        env.update(env_more or {})
        self.kefu = self.spawn([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                               "kefu.log", env=env)
        log = os.path.join(self.dir, "kefu.log")
        deadline = time.time() + 30
        http_port = sip_port = None
        while time.time() < deadline and not (http_port and sip_port):
            text = open(log).read()
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", text)
            s = re.search(r"sip: listening on udp:127\.0\.0\.1:(\d+)", text)
            http_port = m and int(m.group(1))
            sip_port = s and int(s.group(1))
            time.sleep(0.1)
        if not (http_port and sip_port):
            raise RuntimeError("kefu did not start:\n" + open(log).read()[-3000:])
        self.sip_port = sip_port
        self.api = Api(http_port)
        login = self.api.ok("POST", "/api/login", {"work_no": "8001", "password": pw})
        self.api.token = login["token"]
        if login["person"].get("must_change_password"):
            # The demo's initial passwords must be changed before anything else.
            self.api.ok("POST", "/api/me/password",
                        {"old_password": pw, "new_password": pw + "-bench"})
        depts = self.api.ok("GET", "/api/departments")["items"]
        self.dept = [d["id"] for d in depts if d["name"] == "客服中心"][0]
        sinks = [f"callers={caller_ip(k)}:{SINK_PORT}" for k in range(UACS)]
        sinks += [f"agents={agent_ip(k)}:{SINK_PORT}" for k in range(UASES)]
        sinks = sinks_more + sinks
        self.sink = subprocess.Popen(GEN_NICE + [SINK, *sinks], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.procs.append(self.sink)
        assert self.sink.stdout.readline().strip() == "ready"
        self.uas = []
        for k in range(UASES):
            self.uas.append(self.spawn(
                ["sipp", f"127.0.0.1:{sip_port}", "-sf", os.path.join(ROOT, "bench", "sip",
                                                                        "agent.xml"),
                 "-i", agent_ip(k), "-mi", agent_ip(k), "-mp", "6000", "-p", str(UAS_PORT),
                 "-bind_local", "-key", "sink_port", str(SINK_PORT), "-nostdin", "-f", "10",
                 "-trace_err", "-error_file", f"uas{k}_errors.log"], f"uas{k}.log"))
        time.sleep(0.5)

    def sink_cmd(self, cmd):
        self.sink.stdin.write(cmd + "\n")
        self.sink.stdin.flush()
        return self.sink.stdout.readline().strip()

    def add_agents(self, n, password=None):
        """Agents up to n: agent role, the market_consult seat, certified
        (ORG-4), a phone password, registered by SIPp (agent_register.xml),
        ready. password: a login password too (bench/out.py logs them in)."""
        new = []
        while len(self.agents) < n:
            work_no = f"7{len(self.agents) + 1:04d}"
            body = {"work_no": work_no, "name": f"坐席{work_no}", "roles": ["agent"],
                    "skills": ["market_consult"], "certified": True, "department_id": self.dept}
            if password:
                body["password"] = password
            p = self.api.ok("POST", "/api/people", body)
            sip = self.api.ok("POST", f"/api/people/{p['id']}/sip-password")
            self.agents.append((p["id"], work_no))
            new.append((p["id"], work_no, sip["password"]))
        if not new:
            return
        regs = []
        for k in range(UASES):
            mine = [a for i, a in enumerate(new) if (self.registered + i) % UASES == k]
            if not mine:
                continue
            csv = os.path.join(self.dir, f"agents{k}-{len(self.agents)}.csv")
            with open(csv, "w") as f:
                f.write("SEQUENTIAL\n")
                for _, work_no, password in mine:
                    f.write(f"{work_no};[authentication username={work_no} "
                            f"password={password}]\n")
            # Six registrations (twelve requests) a second per address: under
            # the guard's 20 a second (sip_guard_default_limits).
            regs.append(subprocess.Popen(
                ["sipp", f"127.0.0.1:{self.sip_port}", "-sf",
                 os.path.join(ROOT, "tests", "sip", "agent_register.xml"), "-inf", csv,
                 "-i", agent_ip(k), "-bind_local", "-p", str(UAS_PORT + 1), "-key", "uas_port",
                 str(UAS_PORT), "-key", "expires", "3600", "-m", str(len(mine)), "-r", "6",
                 "-l", "6", "-nostdin", "-timeout", "300s", "-max_retrans", "3"],
                cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        for r in regs:
            out = r.communicate()[0]
            m = re.search(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", out)
            if r.returncode != 0 or not m or int(m.group(1)) != 0:
                raise RuntimeError("registration failed:\n" + out[-3000:])
        self.registered += len(new)
        for pid, _, _ in new:
            self.api.ok("POST", f"/api/acd/agents/{pid}/status", {"status": "ready"})

    def ready(self):
        return self.api.ok("GET", "/api/acd/agents")["counts"]

    def callers(self, n, rate, length_ms, timeout_s, tag):
        """n calls at `rate` a second from the UACS caller addresses (SIPp,
        bench/sip/caller.xml), each hanging up length_ms after its key."""
        uacs = []
        per = [n // UACS + (1 if k < n % UACS else 0) for k in range(UACS)]
        for k in range(UACS):
            if not per[k]:
                continue
            uacs.append(self.spawn(
                ["sipp", f"127.0.0.1:{self.sip_port}", "-sf",
                 os.path.join(ROOT, "bench", "sip", "caller.xml"), "-s", HOTLINE,
                 "-i", caller_ip(k), "-mi", caller_ip(k), "-mp", "6000", "-bind_local",
                 "-key", "sink_port", str(SINK_PORT), "-r", f"{rate / UACS:.3f}", "-m",
                 str(per[k]), "-l", str(per[k]), "-d", str(length_ms), "-nostdin", "-f", "10",
                 "-timeout", f"{timeout_s}s", "-max_retrans", "4",
                 "-trace_err", "-error_file", f"uac{k}_{tag}_errors.log"], f"uac{k}_{tag}.log"))
        return uacs

    def failed(self, tag):
        """Failed calls in the final statistics of the callers' SIPp logs."""
        fails = 0
        for k in range(UACS):
            path = os.path.join(self.dir, f"uac{k}_{tag}.log")
            if os.path.exists(path):
                m = re.findall(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)",
                               open(path, errors="replace").read())
                fails += int(m[-1]) if m else 0
        return fails

    def step(self, n):
        self.add_agents(n)
        deadline = time.time() + 30
        while self.ready().get("ready", 0) < n and time.time() < deadline:
            time.sleep(0.5)
        counts = self.ready()
        if counts.get("ready", 0) < n:
            raise RuntimeError(f"only {counts} agents ready for {n} calls")
        ramp = n / RATE
        length_ms = int((ramp + SETUP + HOLD + 5) * 1000)
        uacs = self.callers(n, RATE, length_ms, int(length_ms / 1000 + ramp + 120), str(n))
        t0 = time.time()
        talking = 0
        deadline = t0 + ramp + SETUP + 20
        while time.time() < deadline:
            talking = self.ready().get("talking", 0)
            if talking >= n:
                break
            time.sleep(1)
        connected_s = time.time() - t0
        # The window: every call connected (or as many as made it).
        kefu = Proc(self.kefu.pid)
        gens = [Proc(p.pid) for p in self.uas + uacs + [self.sink]]
        self.sink_cmd("reset")
        c0, th0, g0, m0, w0 = kefu.cpu(), kefu.threads(), sum(g.cpu() for g in gens), \
            machine_cpu(), time.time()
        time.sleep(HOLD)
        sink = json.loads(self.sink_cmd("report"))
        c1, th1, g1, m1, w1 = kefu.cpu(), kefu.threads(), sum(g.cpu() for g in gens), \
            machine_cpu(), time.time()
        talking_end = self.ready().get("talking", 0)
        wall = w1 - w0
        busiest = max((th1[t] - th0.get(t, 0.0)) for t in th1) / wall
        cores = os.cpu_count()
        machine = 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0])
        res = {
            "calls": n, "connected": talking, "connected_after_s": round(connected_s, 1),
            "talking_at_end": talking_end,
            "kefu_cpu": (c1 - c0) / wall, "sip_thread_cpu": busiest,
            "kefu_rss_mb": kefu.rss_mb(), "kefu_fds": kefu.fds(),
            "generators_cpu": (g1 - g0) / wall,
            "machine_busy": machine,
            # Everything else on the machine, in cores: a benchmark is only
            # as good as this is small.
            "other_cpu": max(0.0, machine * cores - (c1 - c0) / wall - (g1 - g0) / wall),
            "loadavg": open("/proc/loadavg").read().split()[0],
            "sink": sink,
        }
        # The calls end (the callers hang up in the order they called).
        for p in uacs:
            p.wait(timeout=length_ms / 1000 + ramp + 180)
        res["sipp_failed"] = self.failed(str(n))
        res.update(self.kefu_view(n))
        return res

    def rate_step(self, rate):
        """SETUP_SECS seconds of new calls at `rate` a second, each answered
        at once, talking SETUP_TALK_MS after the key, then hung up."""
        n = int(rate * SETUP_SECS)
        self.add_agents(int(rate * (SETUP_TALK_MS / 1000 + 3)) + 10)
        deadline = time.time() + 30
        while self.ready().get("ready", 0) < len(self.agents) and time.time() < deadline:
            time.sleep(0.5)
        kefu = Proc(self.kefu.pid)
        gens = [Proc(p.pid) for p in self.uas + [self.sink]]
        self.sink_cmd("reset")
        uacs = self.callers(n, rate, SETUP_TALK_MS, SETUP_SECS + 120, f"r{rate:g}")
        gens += [Proc(p.pid) for p in uacs]
        c0, m0, w0 = kefu.cpu(), machine_cpu(), time.time()
        g0 = sum(g.cpu() for g in gens)
        th0 = kefu.threads()
        # Measured while calls arrive; the last ones end a few seconds later.
        time.sleep(SETUP_SECS)
        c1, m1, w1 = kefu.cpu(), machine_cpu(), time.time()
        g1 = sum(g.cpu() for g in gens)
        th1 = kefu.threads()
        for p in uacs:
            p.wait(timeout=SETUP_SECS + 180)
        time.sleep(1)
        sink = json.loads(self.sink_cmd("report"))
        wall = w1 - w0
        res = {"rate": rate, "calls": n, "sipp_failed": self.failed(f"r{rate:g}"),
               "kefu_cpu": (c1 - c0) / wall,
               "sip_thread_cpu": max((th1[t] - th0.get(t, 0.0)) for t in th1) / wall,
               "kefu_rss_mb": kefu.rss_mb(), "generators_cpu": (g1 - g0) / wall,
               "machine_busy": 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0]), "sink": sink}
        res.update(self.kefu_view(n))
        return res

    def kefu_view(self, n):
        """The step's calls as kefu logged them: outcomes and the callers' RTP."""
        ids, cursor = [], None
        while True:
            q = "/api/calls?limit=200" + (f"&cursor={cursor}" if cursor else "")
            page = self.api.ok("GET", q)
            for c in page["items"]:
                if c["id"] > self.last_call_id:
                    ids.append(c["id"])
            cursor = page.get("next_cursor")
            if not cursor or not page["items"] or page["items"][-1]["id"] <= self.last_call_id:
                break
        deadline = time.time() + 60
        calls = []
        for i in sorted(ids):
            while True:
                c = self.api.ok("GET", f"/api/calls/{i}")
                if c["ended_at"] or time.time() > deadline:
                    break
                time.sleep(0.5)
            calls.append(c)
        if ids:
            self.last_call_id = max(ids)
        rx = {"received": 0, "lost": 0, "late": 0}
        jitter = []
        outcomes = {}
        recorded = 0
        setup = []
        for c in calls:
            outcomes[c["outcome"]] = outcomes.get(c["outcome"], 0) + 1
            # Recorded means a file that holds both people: the recording's
            # voice activity found speech on each channel (both sides talk
            # for the whole call), not just a file of the right length.
            m = c.get("metrics") or {}
            recorded += 1 if (c.get("recording") and m.get("speech_caller_ms", 0) > 0
                              and m.get("speech_agent_ms", 0) > 0) else 0
            if c.get("connected_at") and c.get("queued_at"):
                # From the key (the queue) to the agent's answer: kefu's part
                # of the setup, without the caller's own pause before the key.
                setup.append(c["connected_at"] - c["queued_at"])
            ended = [e["detail"] for e in c["events"] if e["kind"] == "ended"]
            if ended:
                for k in rx:
                    rx[k] += ended[0].get(f"rtp_{k}", 0)
                jitter.append(ended[0].get("jitter_us", 0))
        jitter.sort()
        setup.sort()
        return {"kefu_calls": len(calls), "outcomes": outcomes, "recorded": recorded,
                "setup_p50_ms": setup[len(setup) // 2] if setup else 0,
                "setup_p99_ms": setup[min(len(setup) - 1, len(setup) * 99 // 100)] if setup else 0,
                "kefu_rx": rx,
                "kefu_jitter_p50_us": jitter[len(jitter) // 2] if jitter else 0,
                "kefu_jitter_max_us": jitter[-1] if jitter else 0}

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def rate(part, whole):
    return part / whole if whole else 0.0


def worst_of(r):
    s, rx = r["sink"], r["kefu_rx"]
    to_c, to_a = s["callers"], s["agents"]
    return max(rate(to_c["lost"], to_c["expected"]), rate(to_c["late"], to_c["expected"]),
               rate(to_a["lost"], to_a["expected"]), rate(to_a["late"], to_a["expected"]),
               rate(rx["lost"], rx["received"] + rx["lost"]),
               rate(rx["late"], rx["received"] + rx["lost"]))


def quality(r):
    s, rx = r["sink"], r["kefu_rx"]
    to_c, to_a = s["callers"], s["agents"]
    return (f"| {100 * rate(to_c['lost'], to_c['expected']):.3f} / "
            f"{100 * rate(to_c['late'], to_c['expected']):.3f} % "
            f"| {100 * rate(to_a['lost'], to_a['expected']):.3f} / "
            f"{100 * rate(to_a['late'], to_a['expected']):.3f} % "
            f"| {100 * rate(rx['lost'], rx['received'] + rx['lost']):.3f} / "
            f"{100 * rate(rx['late'], rx['received'] + rx['lost']):.3f} % ")


def concurrent_ramp():
    """Concurrent bridged, recorded calls: the steps of STEPS."""
    b = Bench()
    print(f"concurrent calls: steps {STEPS}, {HOLD} s held each, {RATE:g} new calls/s, "
          f"{UACS} caller and {UASES} agent SIPp processes, {os.cpu_count()} cores",
          flush=True)
    print("| calls | connected | kefu CPU | SIP thread | RSS MB | SIPp + sink CPU | other CPU "
          "| to callers: loss / late | to agents: loss / late | from callers (kefu): "
          "loss / late | jitter p50 / max |", flush=True)
    try:
        b.start()
        for n in STEPS:
            r = b.step(n)
            print(f"| {n} | {r['connected']} ({r['connected_after_s']} s) "
                  f"| {100 * r['kefu_cpu']:.0f} % | {100 * r['sip_thread_cpu']:.0f} % "
                  f"| {r['kefu_rss_mb']:.0f} | {100 * r['generators_cpu']:.0f} % "
                  f"| {100 * r['other_cpu']:.0f} % " + quality(r) +
                  f"| {r['kefu_jitter_p50_us'] / 1000:.1f} / {r['kefu_jitter_max_us'] / 1000:.1f} ms |",
                  flush=True)
            print("  " + json.dumps(r, ensure_ascii=False), flush=True)
            answered = r["outcomes"].get("answered", 0)
            worst = worst_of(r)
            if worst > LIMIT or r["sipp_failed"] or answered < n or r["connected"] < n \
                    or r["recorded"] < n:
                print(f"stop: at {n} calls quality or completion fell below the bar "
                      f"(worst loss/late {100 * worst:.3f} %, {r['sipp_failed']} SIPp failures, "
                      f"{answered} of {n} answered, {r['recorded']} recorded)", flush=True)
                break
            time.sleep(3)
    finally:
        b.stop()


def setup_ramp():
    """Call setup rate: SETUP_RATES new calls a second, short prompts."""
    b = Bench()
    print(f"call setup rate: {SETUP_RATES} new calls/s, {SETUP_SECS} s each, "
          f"{SETUP_TALK_MS} ms from the key to the hang-up, 60 ms prompts", flush=True)
    print("| calls/s | calls | answered | recorded | SIPp failed | key → answer p50 / p99 "
          "| kefu CPU | SIP thread | RSS MB | SIPp + sink CPU "
          "| to callers: loss / late | to agents: loss / late | from callers (kefu): "
          "loss / late |", flush=True)
    try:
        b.start(prompts=short_prompts(os.path.join(b.dir, "prompts")))
        for r_ in SETUP_RATES:
            r = b.rate_step(r_)
            answered = r["outcomes"].get("answered", 0)
            print(f"| {r_:g} | {r['calls']} | {answered} | {r['recorded']} | {r['sipp_failed']} "
                  f"| {r['setup_p50_ms']} / {r['setup_p99_ms']} ms "
                  f"| {100 * r['kefu_cpu']:.0f} % | {100 * r['sip_thread_cpu']:.0f} % "
                  f"| {r['kefu_rss_mb']:.0f} | {100 * r['generators_cpu']:.0f} % " + quality(r) + "|",
                  flush=True)
            print("  " + json.dumps(r, ensure_ascii=False), flush=True)
            worst = worst_of(r)
            if worst > LIMIT or r["sipp_failed"] or answered < r["calls"] \
                    or r["recorded"] < r["calls"]:
                print(f"stop: at {r_:g} calls/s quality or completion fell below the bar "
                      f"(worst loss/late {100 * worst:.3f} %, {r['sipp_failed']} SIPp failures, "
                      f"{answered} of {r['calls']} answered, {r['recorded']} recorded)", flush=True)
                break
            time.sleep(3)
    finally:
        b.stop()


def main():
    phases = os.environ.get("BENCH_CALL_PHASES", "concurrent setup").split()
    if "concurrent" in phases:
        concurrent_ramp()
    if "setup" in phases:
        setup_ramp()


if __name__ == "__main__":
    sys.exit(main())
