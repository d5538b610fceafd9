#!/usr/bin/env python3
"""make bench, part 5: calls out through the carrier's trunk (issue 17; see
bench/out.sh and docs/performance.md, "Calls out").

kefu as bench/calls.py starts it (the same agents' phones: SIPp answering
for many registered agents, bench/sip/agent.xml, talking until kefu's BYE;
the same sink, bench/rtpsink.c), plus the carrier: one SIPp on its own
loopback address (bench/sip/trunk.xml, listed in sip_trunks, so kefu sends
the customers' audio where its SDP says: the sink) that answers every call
kefu places through out_trunk (180, then 200 at once, no ring time, so what
is timed is kefu), talks for the whole call and hangs up after -d ms.
Customers are made through POST /api/customers, each with its own mobile
number; the outbound hours are opened all day and the daily cap raised
through PUT /api/out/settings. Calls are placed the way the workbench
places them: each agent logs in (a password given through the people API)
and POSTs /api/out/calls {purpose: "customer", customer_id}, at a rate the
bench sets (not a progressive campaign: this measures what kefu does with
the requests, not its own pacing). Each call: kefu rings the agent's phone,
the agent answers, kefu calls the customer through the trunk, bridges and
records.

Phase "setup": BENCH_OUT_SECS (20) seconds at each of BENCH_OUT_RATES
requests a second; the customer hangs up BENCH_OUT_TALK_MS (3000) after
answering. Measured: requests sent and refused (by HTTP status), attempts
by result, the time from the request to the agent's answer and to the
customer's (call_out requested_at -> agent_at, answered_at), each call
recorded with speech on both channels, kefu's CPU (process, SIP thread),
RSS, what the sink got (to customers, to agents: loss, late behind a 60 ms
playout buffer), what kefu got from the customers (its `ended` events). It
stops at the first rate where a call is refused, not answered, not
recorded, or loss or late passes 0.1 % (BENCH_OUT_BAR, a fraction: 0.01 is
1 %, for a shared machine whose other work makes packets late).

Phase "mix": for each N of BENCH_OUT_MIX, N hotline calls (bench/sip/
caller.xml: press 0, queue, a ready agent) and N calls out, both started at
BENCH_CALL_RATE (20) a second each, then all 2N held BENCH_OUT_HOLD (30)
seconds: the same measures on each side, and the same stop. The agents
who call out set themselves busy first (so the queues leave them alone:
docs/out.md); the hotline's agents are ready. kefu's prompts are 60 ms tones (calls.py's
short_prompts), so a hotline call reaches the queue within a second.

BENCH_OUT_PHASES chooses ("setup mix", the default). Figures go to
standard output; docs/performance.md records them.
"""
import concurrent.futures
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# kefu takes at most 16 sip_trunks: the callers' SIPp addresses, the agents'
# and the carrier's. Four caller processes carry this bench's hotline side.
os.environ.setdefault("BENCH_CALL_UACS", "4")
os.environ.setdefault("BENCH_CALL_UASES", "8")
from calls import (LIMIT, RATE, ROOT, SINK_PORT, Bench, Proc, machine_cpu, rate,  # noqa: E402
                   short_prompts)

RATES = [float(x) for x in os.environ.get("BENCH_OUT_RATES", "5 10 20 30 40").split()]
SECS = int(os.environ.get("BENCH_OUT_SECS", "20"))
TALK_MS = int(os.environ.get("BENCH_OUT_TALK_MS", "3000"))
MIX = [int(x) for x in os.environ.get("BENCH_OUT_MIX", "50 100 150").split()]
HOLD = int(os.environ.get("BENCH_OUT_HOLD", "30"))
TRUNK_IP = "127.0.50.1"
TRUNK_PORT = 5090
CALLER_ID = "4008001234"
PASSWORD = "bench-out-2026"  # the calling agents' login password
# Loss or late above this ends a ramp: calls.py's 0.1 % (src/media's bar);
# raise it on a shared machine to see how far the calls themselves go.
BAR = float(os.environ.get("BENCH_OUT_BAR", str(LIMIT)))
GAP = 5  # seconds an agent has between the end of one call and the next request


def pct(v):
    return f"{100 * v:.3f}"


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, len(xs) * p // 100)] if xs else 0


class OutBench:
    def __init__(self):
        self.b = Bench()
        self.out_agents = []  # (person id, work number, token)
        self.in_agents = []  # (person id, work number)
        self.customers = []
        self.next_customer = 0
        self.trunk = None
        self.seen_calls = 0  # hotline calls already counted (call ids)

    def start(self):
        b = self.b
        env = {"KEFU_OUT_TRUNK": f"{TRUNK_IP}:{TRUNK_PORT}", "KEFU_OUT_CALLER_ID": CALLER_ID,
               "KEFU_OUT_TRUNK_MAX": "5000",
               "KEFU_CALLS_MAX": str(max([2 * n for n in MIX] + [1000]) + 100)}
        b.start(prompts=short_prompts(os.path.join(b.dir, "prompts")), env=env,
                trunks=[TRUNK_IP], sinks=[f"customers={TRUNK_IP}:{SINK_PORT}"])
        self.api = b.api
        b.api.ok("PUT", "/api/out/settings",
                 {"hours_from": "00:00", "hours_to": "24:00", "daily_cap": 10000})

    # -- people --

    def add_out_agents(self, n):
        """Calling agents up to n: registered phones, a login each."""
        if len(self.out_agents) >= n:
            return
        before = len(self.b.agents)
        self.b.add_agents(before + n - len(self.out_agents), password=PASSWORD)
        for pid, work_no in self.b.agents[before:]:
            tok = self.api.ok("POST", "/api/login",
                              {"work_no": work_no, "password": PASSWORD})["token"]
            self.out_agents.append((pid, work_no, tok))

    def add_in_agents(self, n):
        if len(self.in_agents) >= n:
            return
        before = len(self.b.agents)
        self.b.add_agents(before + n - len(self.in_agents))
        self.in_agents += self.b.agents[before:]

    def add_customers(self, n):
        while len(self.customers) < n:
            k = len(self.customers) + 1
            c = self.api.ok("POST", "/api/customers", {
                "name": f"外呼客户{k}", "phones": [{"phone": f"139{k:08d}", "label": "手机"}]})
            self.customers.append(c["id"])

    def set_status(self, agents, status):
        body = {"status": status}
        if status == "busy":
            body["reason"] = "外呼"  # a busy agent says why
        for a in agents:
            self.api.ok("POST", f"/api/acd/agents/{a[0]}/status", body)

    # -- the carrier --

    def start_trunk(self, calls_n, hold_ms, tag):
        self.trunk = self.b.spawn(
            ["sipp", "-sf", os.path.join(ROOT, "bench", "sip", "trunk.xml"), "-i", TRUNK_IP,
             "-mi", TRUNK_IP, "-mp", "6000", "-p", str(TRUNK_PORT), "-bind_local",
             "-key", "sink_port", str(SINK_PORT), "-m", str(calls_n), "-d", str(hold_ms),
             "-nostdin", "-f", "10", "-max_retrans", "4", "-trace_err",
             "-error_file", f"trunk_{tag}_errors.log"], f"trunk_{tag}.log")
        time.sleep(0.3)  # listening before kefu dials

    def stop_trunk(self, timeout):
        """The carrier ends once it had every call; if kefu never sent some
        (refused, failed before the trunk), it is stopped."""
        p, self.trunk = self.trunk, None
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGUSR1)  # SIPp: no new calls, quit
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # -- placing calls --

    def place(self, n, per_sec, agents):
        """n requests at per_sec a second, agents in turn (each agent's
        next request comes len(agents)/per_sec seconds after its last),
        each to the next customer. Returns [(status, answer, sent_s,
        took_s)] in order."""
        results = [None] * n
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)

        def one(i, agent, cust):
            t = time.time()
            try:
                st, out = self.api.call("POST", "/api/out/calls",
                                        {"purpose": "customer", "customer_id": cust},
                                        token=agent[2])
            except Exception as e:  # noqa: BLE001 (a refused connection counts as a failure)
                st, out = 0, str(e)
            results[i] = (st, out, t, time.time() - t)

        t0 = time.time()
        futs = []
        for i in range(n):
            when = t0 + i / per_sec
            d = when - time.time()
            if d > 0:
                time.sleep(d)
            cust = self.customers[self.next_customer % len(self.customers)]
            self.next_customer += 1
            futs.append(pool.submit(one, i, agents[i % len(agents)], cust))
        concurrent.futures.wait(futs)
        pool.shutdown()
        return results

    def out_view(self, placed, deadline_s=90):
        """The attempts as kefu ended them, and their calls as the call log
        has them (recording, speech on both channels, kefu's RTP)."""
        ids = [out["id"] for st, out, _, _ in placed if st == 201]
        refused = {}
        for st, out, _, _ in placed:
            if st != 201:
                key = str(st) + (f" {out.get('error', '')}" if isinstance(out, dict) else "")
                refused[key] = refused.get(key, 0) + 1
        deadline = time.time() + deadline_s
        attempts = []
        for i in ids:
            while True:
                a = self.api.ok("GET", f"/api/out/calls/{i}")
                if a["state"] == "ended" or time.time() > deadline:
                    break
                time.sleep(0.5)
            attempts.append(a)
        results, to_agent, to_customer = {}, [], []
        for a in attempts:
            r = a["result"] or a["state"]
            results[r] = results.get(r, 0) + 1
            if a["agent_at"]:
                to_agent.append(a["agent_at"] - a["requested_at"])
            if a["answered_at"]:
                to_customer.append(a["answered_at"] - a["requested_at"])
        view = self.calls_view([a["call_id"] for a in attempts if a["call_id"]], deadline)
        view.update({"requests": len(placed), "accepted": len(ids), "refused": refused,
                     "results": results,
                     "to_agent_p50_ms": percentile(to_agent, 50),
                     "to_agent_p99_ms": percentile(to_agent, 99),
                     "to_customer_p50_ms": percentile(to_customer, 50),
                     "to_customer_p99_ms": percentile(to_customer, 99),
                     "to_customer_max_ms": max(to_customer) if to_customer else 0,
                     "http_p50_ms": int(1000 * percentile([p[3] for p in placed], 50)),
                     "http_p99_ms": int(1000 * percentile([p[3] for p in placed], 99))})
        return view

    def calls_view(self, ids, deadline):
        """Recorded with both voices (the recording's speech on each
        channel), and what kefu received on the far leg (its ended event)."""
        recorded = 0
        rx = {"received": 0, "lost": 0, "late": 0}
        outcomes = {}
        for i in ids:
            while True:
                c = self.api.ok("GET", f"/api/calls/{i}")
                kinds = [e["kind"] for e in c["events"]]
                if (c["ended_at"] and "recorded" in kinds) or time.time() > deadline:
                    break
                time.sleep(0.5)
            outcomes[c["outcome"]] = outcomes.get(c["outcome"], 0) + 1
            m = c.get("metrics") or {}
            recorded += 1 if (c.get("recording") and m.get("speech_caller_ms", 0) > 0
                              and m.get("speech_agent_ms", 0) > 0) else 0
            ended = [e["detail"] for e in c["events"] if e["kind"] == "ended"]
            if ended:
                for k in rx:
                    rx[k] += ended[0].get(f"rtp_{k}", 0)
        return {"calls": len(ids), "outcomes": outcomes, "recorded": recorded, "kefu_rx": rx}

    def hotline_ids(self):
        """Hotline calls (direction in) newer than the last counted."""
        ids, cursor = [], None
        while True:
            q = "/api/calls?limit=200" + (f"&cursor={cursor}" if cursor else "")
            page = self.api.ok("GET", q)
            for c in page["items"]:
                if c["id"] > self.seen_calls and c.get("direction", "in") == "in":
                    ids.append(c["id"])
            cursor = page.get("next_cursor")
            if not cursor or not page["items"] or page["items"][-1]["id"] <= self.seen_calls:
                break
        return ids

    def mark_calls(self):
        page = self.api.ok("GET", "/api/calls?limit=1")
        if page["items"]:
            self.seen_calls = page["items"][0]["id"]

    # -- measuring --

    def window_start(self, gens):
        self.kefu = Proc(self.b.kefu.pid)
        self.gens = [Proc(p.pid) for p in gens] + [Proc(os.getpid())]
        return (self.kefu.cpu(), self.kefu.threads(), sum(g.cpu() for g in self.gens),
                machine_cpu(), time.time(), open("/proc/loadavg").read().split()[0])

    def window_end(self, w):
        c0, th0, g0, m0, t0, load0 = w
        c1, th1, g1, m1, t1 = (self.kefu.cpu(), self.kefu.threads(),
                               sum(g.cpu() for g in self.gens), machine_cpu(), time.time())
        wall = t1 - t0
        machine = 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0])
        cores = os.cpu_count()
        return {"kefu_cpu": (c1 - c0) / wall,
                "sip_thread_cpu": max((th1[t] - th0.get(t, 0.0)) for t in th1) / wall,
                "kefu_rss_mb": self.kefu.rss_mb(), "generators_cpu": (g1 - g0) / wall,
                "machine_busy": machine,
                "other_cpu": max(0.0, machine * cores - (c1 - c0) / wall - (g1 - g0) / wall),
                "loadavg": f"{load0}-{open('/proc/loadavg').read().split()[0]}"}

    def ready_counts(self):
        return self.b.ready()

    # -- the phases --

    def setup_step(self, per_sec):
        n = int(per_sec * SECS)
        need = int(math.ceil(per_sec * (TALK_MS / 1000 + GAP)))
        self.add_out_agents(need)
        self.add_customers(2 * need)
        agents = self.out_agents[:need]
        self.set_status(agents, "ready")
        self.start_trunk(n, TALK_MS, f"r{per_sec:g}")
        self.b.sink_cmd("reset")
        w = self.window_start(self.b.uas + [self.trunk, self.b.sink])
        placed = self.place(n, per_sec, agents)
        res = self.window_end(w)
        self.stop_trunk(TALK_MS / 1000 + 60)
        time.sleep(1)
        res["sink"] = json.loads(self.b.sink_cmd("report"))
        res.update(self.out_view(placed))
        res.update({"rate": per_sec, "agents": need})
        return res

    def mix_step(self, n):
        """n hotline calls and n calls out at once, held HOLD seconds."""
        self.add_out_agents(n)
        self.add_in_agents(n)
        self.add_customers(n)
        self.set_status(self.out_agents, "busy")  # out of the queues: they call out
        self.set_status(self.in_agents[:n], "ready")
        self.mark_calls()
        ramp = n / RATE
        setup = 3  # the 60 ms prompts, the key, the queue; the agent's answer
        wait = ramp + setup + 20  # the longest wait for all 2n to be talking
        # Long enough that even after the longest wait the window ends
        # before the first hang-up.
        length_ms = int((wait + HOLD + 5) * 1000)
        self.b.sink_cmd("reset")
        self.start_trunk(n, length_ms, f"m{n}")
        uacs = self.b.callers(n, RATE, length_ms, int(length_ms / 1000 + ramp + 120), f"m{n}")
        placed = []
        placer = threading.Thread(
            target=lambda: placed.extend(self.place(n, RATE, self.out_agents[:n])))
        placer.start()
        t0 = time.time()
        talking = 0
        deadline = t0 + wait
        while time.time() < deadline:
            talking = self.ready_counts().get("talking", 0)
            if talking >= 2 * n:
                break
            time.sleep(1)
        connected_s = time.time() - t0
        placer.join()
        self.b.sink_cmd("reset")
        w = self.window_start(self.b.uas + uacs + [self.trunk, self.b.sink])
        time.sleep(HOLD)
        sink = json.loads(self.b.sink_cmd("report"))
        res = self.window_end(w)
        res.update({"pairs": n, "talking": talking, "connected_after_s": round(connected_s, 1),
                    "talking_at_end": self.ready_counts().get("talking", 0), "sink": sink})
        for p in uacs:
            p.wait(timeout=length_ms / 1000 + ramp + 180)
        self.stop_trunk(60)
        res["sipp_failed"] = self.b.failed(f"m{n}")
        res["out"] = self.out_view(placed)
        res["in"] = self.calls_view(self.hotline_ids(), time.time() + 60)
        return res

    def stop(self):
        if self.trunk and self.trunk.poll() is None:
            self.trunk.kill()
        self.b.stop()


def sink_rate(s, label, what):
    v = s.get(label) or {}
    return rate(v.get(what, 0), v.get("expected", 0))


def rx_rate(rx, what):
    return rate(rx[what], rx["received"] + rx["lost"])


def setup_phase(ob):
    print(f"calls out, setup rate: {RATES} requests/s, {SECS} s each, the customer hangs up "
          f"{TALK_MS} ms after answering; {os.cpu_count()} cores", flush=True)
    print("| requests/s | requests | answered | recorded | refused / failed "
          "| request → agent p50 / p99 | request → customer p50 / p99 "
          "| kefu CPU | SIP thread | RSS MB | SIPp + sink + bench CPU | other CPU "
          "| to customers loss / late | to agents loss / late | from customers (kefu) loss / late "
          "| load |", flush=True)
    for r_ in RATES:
        r = ob.setup_step(r_)
        answered = r["results"].get("answered", 0)
        bad = r["requests"] - answered
        s, rx = r["sink"], r["kefu_rx"]
        print(f"| {r_:g} | {r['requests']} | {answered} | {r['recorded']} "
              f"| {sum(r['refused'].values())} / {r['accepted'] - answered} "
              f"| {r['to_agent_p50_ms']} / {r['to_agent_p99_ms']} ms "
              f"| {r['to_customer_p50_ms']} / {r['to_customer_p99_ms']} ms "
              f"| {100 * r['kefu_cpu']:.0f} % | {100 * r['sip_thread_cpu']:.0f} % "
              f"| {r['kefu_rss_mb']:.0f} | {100 * r['generators_cpu']:.0f} % "
              f"| {100 * r['other_cpu']:.0f} % "
              f"| {pct(sink_rate(s, 'customers', 'lost'))} / {pct(sink_rate(s, 'customers', 'late'))} % "
              f"| {pct(sink_rate(s, 'agents', 'lost'))} / {pct(sink_rate(s, 'agents', 'late'))} % "
              f"| {pct(rx_rate(rx, 'lost'))} / {pct(rx_rate(rx, 'late'))} % | {r['loadavg']} |",
              flush=True)
        print("  " + json.dumps(r, ensure_ascii=False), flush=True)
        worst = max(sink_rate(s, l, w) for l in ("customers", "agents") for w in ("lost", "late"))
        worst = max(worst, rx_rate(rx, "lost"), rx_rate(rx, "late"))
        if bad or r["recorded"] < r["requests"] or worst > BAR:
            print(f"stop: at {r_:g} requests/s {bad} of {r['requests']} not answered "
                  f"({r['refused']}, {r['results']}), {r['recorded']} recorded, "
                  f"worst loss/late {100 * worst:.3f} %", flush=True)
            break
        time.sleep(3)


def mix_phase(ob):
    print(f"hotline and calls out at once: {MIX} pairs, {RATE:g} new calls/s each way, "
          f"{HOLD} s held", flush=True)
    print("| calls in + out | talking | in: answered / recorded | out: answered / recorded "
          "| request → customer p50 / p99 | kefu CPU | SIP thread | RSS MB "
          "| SIPp + sink + bench CPU | other CPU | to callers loss / late "
          "| to customers loss / late | to agents loss / late "
          "| from callers + customers (kefu) loss / late | load |", flush=True)
    for n in MIX:
        r = ob.mix_step(n)
        s, o, i = r["sink"], r["out"], r["in"]
        rx = {k: o["kefu_rx"][k] + i["kefu_rx"][k] for k in o["kefu_rx"]}
        out_answered = o["results"].get("answered", 0)
        in_answered = i["outcomes"].get("answered", 0)
        print(f"| {n} + {n} | {r['talking']} ({r['connected_after_s']} s) "
              f"| {in_answered} / {i['recorded']} | {out_answered} / {o['recorded']} "
              f"| {o['to_customer_p50_ms']} / {o['to_customer_p99_ms']} ms "
              f"| {100 * r['kefu_cpu']:.0f} % | {100 * r['sip_thread_cpu']:.0f} % "
              f"| {r['kefu_rss_mb']:.0f} | {100 * r['generators_cpu']:.0f} % "
              f"| {100 * r['other_cpu']:.0f} % "
              f"| {pct(sink_rate(s, 'callers', 'lost'))} / {pct(sink_rate(s, 'callers', 'late'))} % "
              f"| {pct(sink_rate(s, 'customers', 'lost'))} / {pct(sink_rate(s, 'customers', 'late'))} % "
              f"| {pct(sink_rate(s, 'agents', 'lost'))} / {pct(sink_rate(s, 'agents', 'late'))} % "
              f"| {pct(rx_rate(rx, 'lost'))} / {pct(rx_rate(rx, 'late'))} % | {r['loadavg']} |",
              flush=True)
        print("  " + json.dumps(r, ensure_ascii=False), flush=True)
        worst = max(sink_rate(s, l, w) for l in ("callers", "customers", "agents")
                    for w in ("lost", "late"))
        worst = max(worst, rx_rate(rx, "lost"), rx_rate(rx, "late"))
        if (out_answered < n or in_answered < n or o["recorded"] < n or i["recorded"] < n
                or r["sipp_failed"] or worst > BAR):
            print(f"stop: at {n} + {n} calls: in {in_answered} answered, {i['recorded']} "
                  f"recorded; out {out_answered} answered ({o['refused']}, {o['results']}), "
                  f"{o['recorded']} recorded; {r['sipp_failed']} SIPp failures; worst loss/late "
                  f"{100 * worst:.3f} %", flush=True)
            break
        time.sleep(3)


def main():
    phases = os.environ.get("BENCH_OUT_PHASES", "setup mix").split()
    ob = OutBench()
    try:
        ob.start()
        if "setup" in phases:
            setup_phase(ob)
        if "mix" in phases:
            mix_phase(ob)
    finally:
        ob.stop()


if __name__ == "__main__":
    sys.exit(main())
