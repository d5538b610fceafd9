"""The hotline's settings as data a manager edits (CALL-1, ORG-2, WFM-1): the IVR
menu tree, the opening hours with closed days and make-up days, the prompts there
are and the queues. Who may read and change them (SEC-1), validation that names the
field and writes nothing, stale versions, the audit trail (SEC-2), and calls that
come outside the hours: they hear the closed notice and are hung up."""
import copy
import os
import shutil
import struct
import tempfile
import unittest
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from harness import KefuTestCase

# The demo accounts (ORG-1).
ACCOUNTS = {"admin": "admin", "manager": "8001", "supervisor": "8002", "agent": "8101",
            "staff": "2002", "office": "1001"}
READERS = {"admin", "manager", "supervisor", "office"}
WRITERS = {"admin", "manager"}
READS = ["/api/hotline/menu", "/api/hotline/hours", "/api/hotline/prompts", "/api/acd/queues"]

CALL1 = [
    {"digit": "1", "label": "业务咨询", "action": "queue", "queue": "market_consult",
     "prompt": "transfer"},
    {"digit": "2", "label": "业务办理", "action": "queue", "queue": "tech_service",
     "prompt": "transfer"},
    {"digit": "3", "label": "投诉", "action": "queue", "queue": "complaint", "prompt": "transfer"},
    {"digit": "0", "label": "人工服务", "action": "queue", "queue": "agent", "prompt": "to_agent"},
]

ALWAYS = {"always_open": True, "weekly": [], "closed_days": [], "open_days": []}


def wav(path, rate=8000, seconds=0.5, fmt=1, bits=16):
    """A WAV of silence: 16-bit PCM (fmt 1) or A-law (fmt 6, 8 bits)."""
    frames = int(rate * seconds)
    data = bytes(frames * bits // 8)
    align = bits // 8
    hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    hdr += b"fmt " + struct.pack("<IHHIIHH", 16, fmt, 1, rate, rate * align, align, bits)
    hdr += b"data" + struct.pack("<I", len(data))
    with open(path, "wb") as f:
        f.write(hdr + data)


def local_today(srv):
    """The server's (test-clock) date in the center's zone, Asia/Shanghai."""
    st, body, _ = srv.call("GET", "/healthz")
    assert st == 200, body
    return datetime.fromtimestamp(body["time"] / 1000, ZoneInfo(body["timezone"]))


class HotlineCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.prompts = tempfile.mkdtemp(prefix="kefu-prompts-")
        wav(os.path.join(cls.prompts, "menu_broadband.wav"))
        wav(os.path.join(cls.prompts, "website.wav"), fmt=6, bits=8)
        wav(os.path.join(cls.prompts, "studio.wav"), rate=44100)
        wav(os.path.join(cls.prompts, "menu.wav"))
        with open(os.path.join(cls.prompts, "Bad Name.wav"), "wb") as f:
            f.write(b"x")
        with open(os.path.join(cls.prompts, "notes.txt"), "w") as f:
            f.write("not a prompt")
        cls.server_env = {"KEFU_PROMPTS_DIR": cls.prompts}
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.prompts, ignore_errors=True)

    def call(self, method, path, body=None, role="manager"):
        return self.srv.call(method, path, body, token=self.tokens[role])

    def ok(self, method, path, body=None, role="manager"):
        st, b, _ = self.call(method, path, body, role)
        self.assertEqual(st, 200, b)
        return b

    def menu(self):
        return self.ok("GET", "/api/hotline/menu")

    def put_menu(self, nodes, **extra):
        return self.call("PUT", "/api/hotline/menu", dict(extra, nodes=nodes))

    def count(self, table):
        return self.srv.count(f"SELECT count(*) FROM {table}")


class Permissions(HotlineCase):
    def test_who_reads(self):
        for path in READS:
            for role in ACCOUNTS:
                with self.subTest(path=path, role=role):
                    st, body, _ = self.call("GET", path, role=role)
                    self.assertEqual(st, 200 if role in READERS else 403, body)
            self.assertError(self.srv.call("GET", path), 401, "unauthenticated")
        denied = self.srv.audit(self.tokens["manager"], action="access.denied")
        self.assertTrue(any(d["detail"]["path"] == "/api/hotline/menu" and
                            d["actor"] == "8101" for d in denied))

    def test_only_admin_and_manager_change(self):
        hours = dict(ALWAYS)
        for role in ACCOUNTS:
            with self.subTest(role=role):
                want = 200 if role in WRITERS else 403
                st, body, _ = self.call("PUT", "/api/hotline/menu", {"nodes": CALL1}, role)
                self.assertEqual(st, want, body)
                st, body, _ = self.call("PUT", "/api/hotline/hours", hours, role)
                self.assertEqual(st, want, body)
                st, body, _ = self.call("PATCH", "/api/acd/queues/agent",
                                        {"announce_sec": 30}, role)
                self.assertEqual(st, want, body)
        # Refusals are audited as denials of hotline.config.
        denied = [d for d in self.srv.audit(self.tokens["manager"], action="access.denied")
                  if d["detail"]["permission"] == "hotline.config"]
        self.assertEqual({d["actor"] for d in denied}, {"8002", "8101", "2002", "1001"})
        # Nothing changed, so nothing was saved or audited as a change.
        self.assertEqual(self.menu()["version"], 1)
        self.assertEqual(self.srv.audit(self.tokens["manager"], action="hotline.menu.update"), [])


class Menu(HotlineCase):
    def test_default_is_call1(self):
        m = self.menu()
        self.assertEqual(m["welcome"], "welcome")
        self.assertEqual(m["prompt"], "menu")
        self.assertEqual([{k: n[k] for k in ("digit", "label", "action", "queue", "prompt")}
                          for n in m["nodes"]], CALL1)

    def test_a_tree_round_trips_and_is_audited(self):
        before = self.menu()
        tree = CALL1[:3] + [
            {"digit": "4", "label": "宽带", "action": "menu", "prompt": "menu_broadband",
             "children": [
                 {"digit": "1", "label": "办理", "action": "queue", "queue": "tech_service",
                  "prompt": "transfer"},
                 {"digit": "2", "label": "故障", "action": "menu", "prompt": "menu",
                  "children": [{"digit": "9", "label": "网上营业厅",
                                "action": "announce_hangup", "prompt": "website"}]}]},
            CALL1[3]]
        st, body, _ = self.put_menu(tree, version=before["version"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body["version"], before["version"] + 1)
        got = self.menu()
        self.assertEqual(got, body)
        sub = got["nodes"][3]
        self.assertEqual(sub["children"][1]["children"][0],
                         {"digit": "9", "label": "网上营业厅", "action": "announce_hangup",
                          "queue": None, "prompt": "website"})
        self.assertNotIn("children", got["nodes"][0])
        self.assertEqual(self.count("ivr_node"), 8)
        self.assertEqual(self.count("ivr_node WHERE parent_id IS NULL"), 5)
        # SEC-2: who changed what, [old, new].
        entry = self.srv.audit(self.tokens["manager"], action="hotline.menu.update")[0]
        self.assertEqual(entry["actor"], "8001")
        self.assertEqual(entry["detail"]["version"], body["version"])
        old, new = entry["detail"]["fields"]["nodes"]
        self.assertEqual(len(old), len(before["nodes"]))
        self.assertEqual(new[3]["label"], "宽带")
        self.assertNotIn("welcome", entry["detail"]["fields"])
        # The same again changes nothing: no new version, no audit entry.
        st, again, _ = self.put_menu(tree)
        self.assertEqual(st, 200, again)
        self.assertEqual(again["version"], body["version"])
        self.assertEqual(len(self.srv.audit(self.tokens["manager"],
                                            action="hotline.menu.update")), 1)
        # A stale version is 409 and writes nothing.
        self.assertError(self.put_menu(CALL1, version=before["version"]), 409, "conflict",
                         "version")
        self.assertEqual(self.menu()["version"], body["version"])
        # Back to CALL-1, the admin this time, with the welcome and menu prompts named.
        st, body, _ = self.srv.call("PUT", "/api/hotline/menu",
                                    {"nodes": CALL1, "welcome": "welcome", "prompt": "menu"},
                                    token=self.tokens["admin"])
        self.assertEqual(st, 200, body)
        self.assertEqual(self.count("ivr_node"), 4)

    def test_invalid_menus_are_refused_and_write_nothing(self):
        version = self.menu()["version"]

        def sub(children, **node):
            return CALL1 + [dict({"digit": "5", "label": "子菜单", "action": "menu",
                                  "prompt": "menu", "children": children}, **node)]

        def change(i, **fields):
            nodes = copy.deepcopy(CALL1)
            nodes[i].update(fields)
            return nodes

        leaf = {"digit": "1", "label": "叶", "action": "queue", "queue": "agent",
                "prompt": "transfer"}
        cases = [
            (change(1, digit="1"), "nodes[1].digit"),
            (change(1, digit="a"), "nodes[1].digit"),
            (change(1, digit="12"), "nodes[1].digit"),
            (change(1, label=""), "nodes[1].label"),
            (change(1, label="长" * 33), "nodes[1].label"),
            (change(1, queue="nope"), "nodes[1].queue"),
            (change(1, prompt="nope"), "nodes[1].prompt"),
            (change(1, prompt="studio_take"), "nodes[1].prompt"),
            (change(1, action="transfer"), "nodes[1].action"),
            (change(1, action="announce_hangup"), "nodes[1].queue"),
            (change(1, children=[leaf]), "nodes[1].children"),
            (sub([]), "nodes[4].children"),
            (sub([dict(leaf, digit="1"), dict(leaf, digit="1")]),
             "nodes[4].children[1].digit"),
            (sub([{"digit": "1", "label": "二", "action": "menu", "prompt": "menu",
                   "children": [{"digit": "1", "label": "三", "action": "menu",
                                 "prompt": "menu", "children": [leaf]}]}]),
             "nodes[4].children[0].children[0].children"),
            ([{"digit": "9", "label": "网站", "action": "announce_hangup",
               "prompt": "website"}], "nodes"),
            ([], "nodes"),
            # 44 choices: more than 32.
            ([{"digit": str(i), "label": f"m{i}", "action": "menu", "prompt": "menu",
               "children": [dict(leaf, digit=str(j)) for j in range(10)]} for i in range(4)],
             "nodes"),
        ]
        for nodes, field in cases:
            with self.subTest(field=field):
                self.assertError(self.put_menu(nodes), 422, "unprocessable", field)
        self.assertError(self.call("PUT", "/api/hotline/menu", {"nodes": CALL1,
                                                                "welcome": "nope"}),
                         422, "unprocessable", "welcome")
        # Wrong types and unknown fields are 400.
        for body, field in [({"nodes": "1"}, "nodes"), ({}, "nodes"),
                            ({"nodes": [dict(leaf, label=5)]}, "nodes[0].label"),
                            ({"nodes": [dict(leaf, extra=1)]}, "nodes[0]"),
                            ({"nodes": CALL1, "version": "1"}, "version"),
                            ({"nodes": CALL1, "colour": "red"}, "colour")]:
            with self.subTest(body=body):
                self.assertError(self.call("PUT", "/api/hotline/menu", body), 400,
                                 "bad_request", field)
        self.assertEqual(self.menu()["version"], version)
        self.assertEqual(self.count("ivr_node"), 4)


class Hours(HotlineCase):
    def hours(self):
        return self.ok("GET", "/api/hotline/hours")

    def test_default_is_always_open(self):
        h = self.hours()
        self.assertTrue(h["always_open"])  # WFM-1: staffed 24 h
        self.assertTrue(h["open_now"])
        self.assertEqual(h["closed_prompt"], "out_of_hours")
        self.assertEqual(h["timezone"], "Asia/Shanghai")
        self.assertEqual((h["weekly"], h["closed_days"], h["open_days"]), ([], [], []))

    def test_calendar_round_trips_and_decides_open_now(self):
        today = local_today(self.srv)
        h = self.hours()
        cal = {"version": h["version"], "always_open": False,
               "weekly": [{"weekday": wd, "opens": "00:00", "closes": "24:00"}
                          for wd in range(7, 0, -1)] + [
                   {"weekday": 5, "opens": "22:00", "closes": "02:00"}],
               "closed_days": [{"date": today.strftime("%Y-%m-%d"), "name": "测试假日"}],
               "open_days": [{"date": (today + timedelta(days=1)).strftime("%Y-%m-%d"),
                              "name": "调休", "as_weekday": 3}]}
        st, body, _ = self.call("PUT", "/api/hotline/hours", cal)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["version"], h["version"] + 1)
        self.assertFalse(body["open_now"])  # today is a closed day
        self.assertEqual([r["weekday"] for r in body["weekly"]], [1, 2, 3, 4, 5, 5, 6, 7])
        self.assertEqual(body["weekly"][4], {"weekday": 5, "opens": "00:00", "closes": "24:00"})
        self.assertEqual(body["open_days"][0]["as_weekday"], 3)
        self.assertEqual(self.hours(), body)
        entry = self.srv.audit(self.tokens["manager"], action="hotline.hours.update")[0]
        self.assertEqual(entry["detail"]["fields"]["always_open"], [True, False])
        self.assertEqual(entry["detail"]["fields"]["closed_days"][1][0]["name"], "测试假日")
        # A day later the hotline is open again (the make-up day keeps Wednesday's hours).
        self.srv.advance(24 * 3600 * 1000)
        self.tokens["manager"] = self.srv.login("8001")  # the session expired meanwhile
        self.assertTrue(self.hours()["open_now"])
        # Stale version: 409, nothing written.
        self.assertError(self.call("PUT", "/api/hotline/hours", dict(ALWAYS, version=1)),
                         409, "conflict", "version")
        self.assertFalse(self.hours()["always_open"])
        st, body, _ = self.call("PUT", "/api/hotline/hours", ALWAYS)
        self.assertEqual(st, 200, body)
        self.assertTrue(body["always_open"])

    def test_invalid_calendars_are_refused(self):
        version = self.hours()["version"]
        rng = {"weekday": 1, "opens": "08:00", "closes": "20:00"}
        base = {"always_open": False, "weekly": [rng], "closed_days": [], "open_days": []}
        cases = [
            (dict(base, weekly=[]), "weekly"),
            (dict(base, weekly=[dict(rng, weekday=8)]), "weekly[0].weekday"),
            (dict(base, weekly=[rng, dict(rng, opens="25:00")]), "weekly[1].opens"),
            (dict(base, weekly=[dict(rng, closes="8:00")]), "weekly[0].closes"),
            (dict(base, weekly=[dict(rng, closes="08:00")]), "weekly[0].closes"),
            (dict(base, weekly=[rng] * 29), "weekly"),
            (dict(base, closed_days=[{"date": "2026-02-30"}]), "closed_days[0].date"),
            (dict(base, closed_days=[{"date": "2026-10-01"}, {"date": "2026-10-01"}]),
             "closed_days[1].date"),
            (dict(base, closed_days=[{"date": "2026-10-01"}],
                  open_days=[{"date": "2026-10-01"}]), "closed_days[0].date"),
            (dict(base, open_days=[{"date": "2026-10-11", "as_weekday": 0}]),
             "open_days[0].as_weekday"),
            (dict(base, closed_days=[{"date": "2026-10-01", "name": "长" * 33}]),
             "closed_days[0].name"),
            (dict(base, closed_prompt="nope"), "closed_prompt"),
        ]
        for body, field in cases:
            with self.subTest(field=field):
                self.assertError(self.call("PUT", "/api/hotline/hours", body), 422,
                                 "unprocessable", field)
        for body, field in [({"weekly": [], "closed_days": [], "open_days": []}, "always_open"),
                            (dict(base, weekly=[dict(rng, weekday="1")]), "weekly[0].weekday"),
                            (dict(base, closed_days="2026-10-01"), "closed_days"),
                            (dict(base, open_days=None), "open_days"),
                            (dict(base, extra=1), "extra")]:
            with self.subTest(body=body):
                self.assertError(self.call("PUT", "/api/hotline/hours", body), 400,
                                 "bad_request", field)
        self.assertEqual(self.hours()["version"], version)
        self.assertEqual(self.count("hotline_hours"), 0)


class Prompts(HotlineCase):
    def test_prompts_are_listed_and_checked(self):
        body = self.ok("GET", "/api/hotline/prompts")
        self.assertEqual(body["prompts_dir"], self.prompts)
        items = {p["key"]: p for p in body["items"]}
        self.assertEqual(list(items), sorted(items))
        # The IVR's own, whether there or not.
        for key in ("welcome", "menu", "invalid", "no_input", "to_agent", "transfer",
                    "out_of_hours"):
            self.assertTrue(items[key]["builtin"], key)
        self.assertFalse(items["welcome"]["exists"])
        self.assertIsNone(items["welcome"]["bytes"])
        self.assertTrue(items["menu"]["exists"])
        self.assertEqual(items["menu"]["ms"], 500)
        # A center's own: 16-bit PCM and G.711 A-law play; 44.1 kHz does not.
        self.assertEqual(items["menu_broadband"]["ms"], 500)
        self.assertFalse(items["menu_broadband"]["builtin"])
        self.assertEqual(items["website"]["ms"], 500)
        self.assertIsNone(items["website"]["problem"])
        self.assertIn("8000 Hz", items["studio"]["problem"])
        self.assertIsNone(items["studio"]["ms"])
        self.assertNotIn("Bad Name", items)
        self.assertNotIn("notes", items)


class Queues(HotlineCase):
    def queues(self):
        return {q["code"]: q for q in self.ok("GET", "/api/acd/queues")["items"]}

    def test_queues_per_skill(self):
        q = self.queues()
        self.assertEqual(sorted(q), ["agent", "complaint", "market_consult", "tech_service"])
        self.assertEqual(q["complaint"]["skill"], "supervising")  # ORG-2
        self.assertIsNone(q["agent"]["skill"])
        # The default strategy (the other tests of this class change complaint's).
        self.assertEqual(q["market_consult"]["strategy"], "longest_idle")
        self.assertEqual(q["agent"]["max_wait_sec"], 120)

    def test_change_and_audit(self):
        st, body, _ = self.call("PATCH", "/api/acd/queues/complaint",
                                {"strategy": "ring_all", "max_wait_sec": 300,
                                 "announce_sec": 0, "name": "投诉受理", "skill": None})
        self.assertEqual(st, 200, body)
        self.assertEqual((body["strategy"], body["max_wait_sec"], body["announce_sec"],
                          body["name"], body["skill"]), ("ring_all", 300, 0, "投诉受理", None))
        self.assertEqual(self.queues()["complaint"], body)
        entry = self.srv.audit(self.tokens["manager"], action="acd.queue.update")[0]
        self.assertEqual(entry["detail"]["code"], "complaint")
        self.assertEqual(entry["detail"]["fields"]["strategy"], ["longest_idle", "ring_all"])
        self.assertEqual(entry["detail"]["fields"]["skill"], ["supervising", None])
        st, body, _ = self.call("PATCH", "/api/acd/queues/complaint", {"skill": "supervising"})
        self.assertEqual(body["skill"], "supervising")

    def test_invalid_changes(self):
        before = self.queues()["tech_service"]
        for body, field in [({"strategy": "random"}, "strategy"),
                            ({"max_wait_sec": 9}, "max_wait_sec"),
                            ({"max_wait_sec": 3601}, "max_wait_sec"),
                            ({"announce_sec": -1}, "announce_sec"),
                            ({"announce_sec": 601}, "announce_sec"),
                            ({"name": ""}, "name"),
                            ({"skill": "nope"}, "skill")]:
            with self.subTest(body=body):
                self.assertError(self.call("PATCH", "/api/acd/queues/tech_service", body), 422,
                                 "unprocessable", field)
        for body, field in [({"code": "x"}, "code"), ({"max_wait_sec": "60"}, "max_wait_sec"),
                            ({"colour": 1}, "colour")]:
            with self.subTest(body=body):
                self.assertError(self.call("PATCH", "/api/acd/queues/tech_service", body), 400,
                                 "bad_request", field)
        self.assertError(self.call("PATCH", "/api/acd/queues/nope", {"announce_sec": 5}), 404)
        self.assertEqual(self.queues()["tech_service"], before)


if __name__ == "__main__":
    unittest.main()
