"""The center's forms and scheduled reports (issue 20, LED-2, SEC-2).

Forms: GET /api/forms lists by role (an agent sees fewer forms than the
manager); every registered form of the existing modules downloads from
GET /api/forms/{code}.xlsx and opens as an .xlsx (zip + XML) with its
Chinese title in the sheet and its Chinese file name; a supervisor without
the export permission gets 403; each download leaves a "form.export" audit
entry with the form and the period; a bad period and an unknown form are
refused with zh-CN errors.

Scheduled reports: the manager creates a daily schedule (bad input listed
field by field, nothing written); the test clock passes its time; one
notification per recipient names a file that downloads with the form's
content; more rounds and a restart make nothing twice; a non-recipient
gets 403 (audited), the manager may read it; the file is mailed with the
.xlsx attached through the email account's SMTP server (a local SMTP sink
here), and the attachment opens with the right sheet title."""
import datetime
import email
import json
import email.policy
import io
import re
import socketserver
import sqlite3
import threading
import zipfile
from urllib.parse import quote
from zoneinfo import ZoneInfo

from apihelp import advance_to_local, db_rows, db_value, person_id
from harness import KefuTestCase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Every registered form with its Chinese title: those of the modules below
# report/, then report/'s own (a form registered without a line here fails
# test_1, so each one is downloaded by test_2).
FORMS = {"roster": "客服中心排班表", "attendance": "考勤表", "swap_requests": "调班申请单",
         "duty_log": "值班日志", "handover_records": "交接班记录表",
         "training_plan": "培训计划表", "qa_daily": "质量异常分析日报表",
         "answer_rate_tests": "每日接通率测试表", "payout": "奖惩发放表",
         "wo_stats": "工单统计表", "call_sheet": "电话接听记录表", "call_stats": "话务统计表",
         "agent_stats": "工作统计一览表", "complaint_stats": "用户投诉统计表",
         "callback_log": "客户回访记录", "callback_sheet": "用户回访表"}
DAY_FORMS = {"qa_daily", "callback_log"}


def local_day(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, ZoneInfo("Asia/Shanghai")).strftime(
        "%Y-%m-%d")


def sheet_texts(data):
    """Every text of the workbook's first sheet and its tab's name (zip + XML)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
    texts = re.findall(r"<t[^>]*>([^<]*)</t>", strings)
    tabs = re.findall(r'<sheet name="([^"]*)"', z.read("xl/workbook.xml").decode())
    assert "xl/worksheets/sheet1.xml" in names, names
    return texts, tabs


class Sink(socketserver.ThreadingTCPServer):
    """A local SMTP sink: takes every mail and keeps its bytes."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.mails = []
        super().__init__(("127.0.0.1", 0), SinkHandler)


class SinkHandler(socketserver.StreamRequestHandler):
    def handle(self):
        w = self.wfile.write
        w(b"220 sink ESMTP\r\n")
        rcpt = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                w(b"250-sink\r\n250 8BITMIME\r\n")
            elif cmd.startswith(b"HELO") or cmd.startswith(b"MAIL") or cmd.startswith(b"RSET"):
                w(b"250 ok\r\n")
            elif cmd.startswith(b"RCPT"):
                rcpt.append(line.decode().split(":", 1)[1].strip())
                w(b"250 ok\r\n")
            elif cmd == b"DATA":
                w(b"354 go\r\n")
                data = b""
                while True:
                    l2 = self.rfile.readline()
                    if l2 in (b".\r\n", b".\n", b""):
                        break
                    data += l2[1:] if l2.startswith(b"..") else l2
                self.server.mails.append((list(rcpt), data))
                rcpt = []
                w(b"250 queued\r\n")
            elif cmd == b"QUIT":
                w(b"221 bye\r\n")
                return
            else:
                w(b"250 ok\r\n")


class FormsTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.t = {w: s.login(w) for w in ("8001", "8002", "8101", "8301", "7002")}

    def get(self, path, who, headers=None):
        """GET in Chinese (the workbench's language) unless headers say otherwise."""
        return self.srv.call("GET", path, token=self.t[who],
                             headers=headers or {"Accept-Language": None})

    def xlsx(self, path, who):
        """(status, headers, bytes) of a download, in Chinese."""
        return self.srv.raw("GET", path, headers={"Authorization": "Bearer " + self.t[who]})

    def test_1_list_by_role(self):
        st, mgr, _ = self.get("/api/forms", "8001")
        self.assertEqual(st, 200, mgr)
        codes = [f["code"] for f in mgr["items"]]
        self.assertEqual(set(FORMS), set(codes))
        roster = next(f for f in mgr["items"] if f["code"] == "roster")
        self.assertEqual((roster["title"], roster["page"], roster["period"], roster["can_export"]),
                         ("客服中心排班表", "/wfm/roster", "month", True))
        st, agent, _ = self.get("/api/forms", "8101")
        self.assertEqual(st, 200, agent)
        acodes = {f["code"] for f in agent["items"]}
        self.assertLess(len(acodes), len(codes))
        self.assertTrue(acodes < set(codes))
        self.assertIn("training_plan", acodes)
        self.assertNotIn("payout", acodes)
        self.assertTrue(all(not f["can_export"] for f in agent["items"]))
        st, en, _ = self.get("/api/forms", "8001", headers={"Accept-Language": "en"})
        self.assertEqual(next(f for f in en["items"] if f["code"] == "roster")["title"],
                         "Duty roster")

    def test_2_each_form_downloads(self):
        period = "from=2026-11-01&to=2026-11-30"
        before = self.srv.count("SELECT count(*) FROM audit WHERE action = 'form.export'")
        for code, title in FORMS.items():
            st, h, body = self.xlsx(f"/api/forms/{code}.xlsx?{period}", "8001")
            if code == "roster" and st == 404:
                # No roster for the month: nothing to export, said in Chinese.
                self.assertEqual(json.loads(body)["error"]["message"], "该期间没有可导出的内容")
                continue
            self.assertEqual(st, 200, (code, body))
            self.assertEqual(h["content-type"], XLSX)
            # A day form covers the day of from; the others the month asked.
            to = "2026-11-01" if code in DAY_FORMS else "2026-11-30"
            want = quote(f"{title}_2026-11-01_{to}.xlsx")
            self.assertIn(f"filename*=UTF-8''{want}", h["content-disposition"])
            texts, tabs = sheet_texts(body)
            self.assertTrue(any(title in t for t in texts) or title in tabs, (code, tabs, texts[:5]))
        after = db_rows(self.srv, "SELECT detail FROM audit WHERE action = 'form.export'"
                        " ORDER BY id")
        self.assertGreaterEqual(len(after) - before, len(FORMS) - 1)
        payout = [a["detail"] for a in after if '"form":"payout"' in a["detail"]][-1]
        self.assertIn('"from":"2026-11-01"', payout)
        self.assertIn('"to":"2026-11-30"', payout)

    def test_3_month_form_covers_the_month_of_from(self):
        st, h, body = self.xlsx("/api/forms/training_plan.xlsx?from=2026-11-10&to=2026-11-12",
                                "8001")
        self.assertEqual(st, 200, body)
        self.assertIn(quote("培训计划表_2026-11-01_2026-11-30.xlsx"), h["content-disposition"])

    def test_4_refusals(self):
        denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
        # The supervisor reads the roster but has no export permission (SEC-2).
        self.assertError(self.get("/api/forms/roster.xlsx?from=2026-11-01&to=2026-11-30",
                                  "8002"), 403)
        # HR exports the payout from its own page, not as the center's form.
        self.assertError(self.get("/api/forms/payout.xlsx?from=2026-11-01&to=2026-11-30",
                                  "7002"), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"),
                         denied + 2)
        st, body, _ = self.get("/api/forms/nope.xlsx?from=2026-11-01&to=2026-11-30", "8001")
        self.assertEqual((st, body["error"]["message"]), (404, "报表不存在"))
        st, body, _ = self.get("/api/forms/roster?from=2026-11-01&to=2026-11-30", "8001")
        self.assertEqual(st, 404)
        st, body, _ = self.get("/api/forms/training_plan.xlsx?from=2026-11-31&to=2026-12-01",
                               "8001")
        self.assertEqual((st, body["error"]["field"]), (400, "from"))
        self.assertRegex(body["error"]["message"], r"[\u4e00-\u9fff]")
        st, body, _ = self.get("/api/forms/training_plan.xlsx?from=2026-12-02&to=2026-12-01",
                               "8001")
        self.assertEqual((st, body["error"]["field"]), (400, "to"))
        self.assertRegex(body["error"]["message"], r"[\u4e00-\u9fff]")


    def test_5_forms_carry_their_rows(self):
        srv = self.srv
        now = srv.advance(0)
        day = local_day(now)
        # A handover of the current change (a draft) and the day's quality texts.
        st, h, _ = srv.call("GET", "/api/handover/current", token=self.t["8002"])
        self.assertEqual(st, 200, h)
        st, b, _ = srv.call("PUT", f"/api/qa/daily/{day}",
                            {"anomaly": "三通电话未报工号", "causes": "新人培训不足",
                             "measures": "加强岗前培训"}, token=self.t["8002"])
        self.assertEqual(st, 200, b)
        change_day = local_day(h["change_at"])
        st, hd, data = self.xlsx(f"/api/forms/handover_records.xlsx?from={change_day}"
                                 f"&to={change_day}", "8001")
        self.assertEqual(st, 200, data)
        texts, _ = sheet_texts(data)
        self.assertIn("草稿", texts)
        self.assertIn(h["out_shift"]["name"], texts)
        # A swap request of the period (written as the swap page writes it) in 调班申请单's columns.
        db = sqlite3.connect(srv.db, timeout=10)
        with db:
            t1, t2 = [r[0] for r in db.execute("SELECT id FROM wfm_shift_type ORDER BY id LIMIT 2")]
            db.execute("INSERT INTO wfm_swap(kind, requester_id, partner_id, a_day, a_shift_type_id,"
                       " a_skill, b_day, b_shift_type_id, b_skill, reason, state, asked_at,"
                       " updated_at) VALUES ('exchange', ?, ?, '2026-11-12', ?, '', '2026-11-13',"
                       " ?, '', '家中有事', 'asked', ?, ?)",
                       (person_id(srv, "8101"), person_id(srv, "8102"), t1, t2, now, now))
        db.close()
        st, hd, data = self.xlsx("/api/forms/swap_requests.xlsx?from=2026-11-01&to=2026-11-30",
                                 "8001")
        self.assertEqual(st, 200, data)
        texts, _ = sheet_texts(data)
        for t in ("申请人", "调班原因", "互换", "2026-11-12", "2026-11-13", "家中有事", "待对方签字"):
            self.assertIn(t, texts)
        st, hd, data = self.xlsx(f"/api/forms/qa_daily.xlsx?from={day}&to={day}", "8001")
        self.assertEqual(st, 200, data)
        texts, _ = sheet_texts(data)
        for t in ("异常情况", "三通电话未报工号", "新人培训不足", "加强岗前培训"):
            self.assertIn(t, texts)


class ScheduleTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        threading.Thread(target=cls.sink.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.sink.server_close)
        cls.addClassCleanup(cls.sink.shutdown)
        super().setUpClass()
        s = cls.srv
        cls.t = {w: s.login(w) for w in ("8001", "8002", "8101", "8301")}
        port = cls.sink.server_address[1]
        st, acc, _ = s.call("POST", "/api/chan/accounts", {
            "channel": "email", "name": "客服邮箱", "queue": "",
            "config": {"imap_url": "imap://127.0.0.1:9/INBOX",
                       "smtp_url": f"smtp://127.0.0.1:{port}", "username": "", "password": "",
                       "address": "service@kefu.test", "from_name": "客服中心",
                       "poll_sec": 3600, "tls": "none"}}, token=cls.t["8001"])
        assert st == 201, acc

    def test_1_bad_input_writes_nothing(self):
        st, body, _ = self.srv.call("POST", "/api/report-schedules", {
            "form": "nope", "cadence": "hourly", "at": "25:00", "recipients": [],
            "emails": "not-an-address"}, token=self.t["8001"])
        self.assertEqual(st, 400, body)
        fields = {body["error"]["field"]} | {e["field"] for e in body["error"].get("errors", [])}
        self.assertEqual(fields, {"form", "cadence", "at", "recipients", "emails"})
        self.assertEqual(self.srv.count("SELECT count(*) FROM report_schedule"), 0)
        # Only the manager schedules reports.
        self.assertError(self.srv.call("POST", "/api/report-schedules", {
            "form": "training_plan", "cadence": "daily", "at": "08:00",
            "recipients": [person_id(self.srv, "8101")]}, token=self.t["8002"]), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM report_schedule"), 0)

    def test_2_delivered_once(self):
        srv = self.srv
        agent, sup = person_id(srv, "8101"), person_id(srv, "8002")
        st, sc, _ = srv.call("POST", "/api/report-schedules", {
            "form": "training_plan", "cadence": "daily", "at": "08:00",
            "recipients": [agent, sup], "emails": "boss@example.cn"}, token=self.t["8001"])
        self.assertEqual(st, 201, sc)
        self.assertEqual((sc["cadence"], sc["at"], sc["enabled"], sc["last"]),
                         ("daily", "08:00", True, None))
        self.assertEqual({p["id"] for p in sc["recipients"]}, {agent, sup})
        self.assertEqual(srv.count("SELECT count(*) FROM audit WHERE action ="
                                   " 'report.schedule.create'"), 1)
        advance_to_local(srv, 8, 1)
        self.t.update({w: srv.login(w) for w in self.t})
        files = db_rows(srv, "SELECT id, form, from_ymd, to_ymd, name, size, error FROM report_file")
        self.assertEqual(len(files), 1, files)
        f = files[0]
        self.assertIsNone(f["error"])
        self.assertEqual(f["form"], "training_plan")
        # A month form delivered daily covers the month of yesterday.
        self.assertTrue(f["name"].startswith("培训计划表_"), f)
        notes = db_rows(srv, "SELECT person_id, text FROM notification WHERE kind = 'report.file'")
        self.assertEqual(sorted(n["person_id"] for n in notes), sorted([agent, sup]))
        for n in notes:
            self.assertIn(f"（文件 {f['id']}）", n["text"])
        # The recipient downloads it; its content is the form.
        st, h, body = srv.raw("GET", f"/api/report-files/{f['id']}",
                              headers={"Authorization": "Bearer " + self.t["8101"]})
        self.assertEqual(st, 200, body)
        self.assertEqual(h["content-type"], XLSX)
        self.assertIn(quote(f["name"]), h["content-disposition"])
        self.assertEqual(len(body), f["size"])
        texts, tabs = sheet_texts(body)
        self.assertEqual(tabs, ["培训计划表"])
        self.assertTrue(any("培训计划表" in t for t in texts), texts)
        self.assertEqual(srv.count("SELECT count(*) FROM audit WHERE action ="
                                   " 'report.file.download'"), 1)
        # Someone it was not sent to is refused (audited); the manager may read it.
        denied = srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
        self.assertError(srv.call("GET", f"/api/report-files/{f['id']}", token=self.t["8301"]),
                         403)
        self.assertEqual(srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"),
                         denied + 1)
        st, _, _ = srv.call("GET", f"/api/report-files/{f['id']}", token=self.t["8001"])
        self.assertEqual(st, 200)
        # The mail went out with the file attached, and the attachment opens.
        self.assertEqual(len(self.sink.mails), 1)
        rcpt, raw = self.sink.mails[0]
        self.assertEqual(rcpt, ["<boss@example.cn>"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertIn("培训计划表", msg["subject"])
        self.assertFalse(msg["subject"].startswith("Re:"))
        att = [p for p in msg.iter_attachments()]
        self.assertEqual(len(att), 1)
        self.assertEqual(att[0].get_filename(), f["name"])
        data = att[0].get_payload(decode=True)
        self.assertEqual(data, body)
        self.assertEqual(sheet_texts(data)[1], ["培训计划表"])
        self.assertIsNotNone(db_value(srv, "SELECT emailed_at FROM report_file"))
        # The list shows the last delivery.
        st, lst, _ = srv.call("GET", "/api/report-schedules", token=self.t["8001"])
        self.assertEqual(lst["items"][0]["last"]["file_id"], f["id"])
        # More rounds, a minute later, and a restart: nothing twice.
        srv.advance(0)
        srv.advance(61000)
        srv.restart()
        srv.advance(61000)
        self.assertEqual(srv.count("SELECT count(*) FROM report_file"), 1)
        self.assertEqual(srv.count("SELECT count(*) FROM notification WHERE kind = 'report.file'"),
                         2)
        self.assertEqual(len(self.sink.mails), 1)

    def test_3_disable_and_delete(self):
        srv = self.srv
        self.t.update({w: srv.login(w) for w in self.t})
        sid = db_value(srv, "SELECT id FROM report_schedule")
        st, sc, _ = srv.call("PUT", f"/api/report-schedules/{sid}", {"enabled": False},
                             token=self.t["8001"])
        self.assertEqual((st, sc["enabled"]), (200, False))
        advance_to_local(srv, 8, 1)
        self.assertEqual(srv.count("SELECT count(*) FROM report_file"), 1)
        self.t.update({w: srv.login(w) for w in self.t})
        st, _, _ = srv.call("DELETE", f"/api/report-schedules/{sid}", token=self.t["8001"])
        self.assertEqual(st, 204)
        # The file stays with the people it went to.
        fid = db_value(srv, "SELECT id FROM report_file")
        st, _, _ = srv.call("GET", f"/api/report-files/{fid}", token=self.t["8101"])
        self.assertEqual(st, 200)
