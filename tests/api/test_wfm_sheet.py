"""The roster as a spreadsheet (issue 14, WFM-2): GET /api/wfm/roster/{month}/export.

A month's roster is written straight into the contract tables of migration 15
(wfm_roster, wfm_roster_entry, wfm_leave) and the hotline calendar, as the
roster's own code will write them; the .xlsx downloaded is opened with
zipfile and xml.etree and every agent's row, every day's cell, the colours,
the counts per shift type and the totals are checked against values
recomputed here from those rows. Also: the file name, supervisors and the
manager only (403 for an agent), 400 for a malformed month, 404 for a month
without a roster, and the audit entry of every export."""
import datetime
import io
import re
import sqlite3
import urllib.parse
import zipfile
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
MONTH = "2026-12"
YEAR, MON, NDAYS = 2026, 12, 31
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
LEAVE_ZH = {"annual": "年假", "sick": "病假", "personal": "事假", "compensatory": "调休"}
HOLIDAY_FILL = "FFF8CBAD"
WEEKEND_FILL = "FFE2EFDA"
HEADER_FILL = "FFE7E6E6"  # the other header cells' light grey


def col_name(i):
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class Workbook:
    """The first sheet of an .xlsx: cell values by reference (shared strings
    resolved, numbers as float), each cell's fill colour, the merges."""

    def __init__(self, data):
        z = zipfile.ZipFile(io.BytesIO(data))
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fills = []
        for f in styles.find("m:fills", NS).findall("m:fill", NS):
            fg = f.find("m:patternFill/m:fgColor", NS)
            fills.append(fg.get("rgb") if fg is not None else None)
        self.xf_fill = [fills[int(xf.get("fillId", 0))]
                        for xf in styles.find("m:cellXfs", NS).findall("m:xf", NS)]
        self.sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        self.workbook_xml = z.read("xl/workbook.xml").decode()
        sheet = ET.fromstring(self.sheet_xml)
        self.cells, self.fill = {}, {}
        for c in sheet.iter(f"{{{NS['m']}}}c"):
            ref, v = c.get("r"), c.find("m:v", NS)
            self.fill[ref] = self.xf_fill[int(c.get("s", 0))]
            if v is None:
                self.cells[ref] = None
            elif c.get("t") == "s":
                self.cells[ref] = strings[int(v.text)]
            else:
                self.cells[ref] = float(v.text)
        self.merges = {m.get("ref") for m in sheet.iter(f"{{{NS['m']}}}mergeCell")}

    def at(self, row, col):
        """The value at 1-based row and 0-based column."""
        return self.cells.get(f"{col_name(col)}{row}")

    def fill_at(self, row, col):
        return self.fill.get(f"{col_name(col)}{row}")


def local_ms(y, m, d, hh=0, mm=0):
    return int(datetime.datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp() * 1000)


class WfmSheetTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "admin", "2002", "7002",
                                           "1001")}
        db = sqlite3.connect(srv.db, timeout=10)
        db.execute("INSERT INTO wfm_shift_type(code, name, seg1_start, seg1_end, paid_min,"
                   " break_min, colour, office) VALUES"
                   " ('late_night', '跨夜班', 1320, 360, 420, 60, '#203864', 0)")
        types = {}
        for row in db.execute("SELECT id, code, name, seg1_start, seg1_end, paid_min, colour,"
                              " office, active FROM wfm_shift_type"):
            types[row[1]] = dict(zip(("id", "code", "name", "start", "end", "paid", "colour",
                                      "office", "active"), row))
        cls.types = types
        ids = {w: db.execute("SELECT id FROM person WHERE work_no = ?", (w,)).fetchone()[0]
               for w in ("8001", "8002", "8101", "8102", "8103")}
        cls.ids = ids
        agents = [r[0] for r in db.execute(
            "SELECT id FROM person WHERE active = 1 AND (roles & 8) != 0 ORDER BY id")]
        # Each agent's days follow a pattern of its own; 8103 has approved annual
        # leave on the 10th to the 12th (no shifts there, as leave blocks rostering)
        # and a sick leave only asked for, which does not show.
        pattern = ["early", "early", "middle", None, "night", "late_night", None]
        cls.entries = {}
        for k, pid in enumerate(agents):
            for d in range(1, NDAYS + 1):
                code = pattern[(d + 2 * k) % len(pattern)]
                if pid == ids["8103"] and 10 <= d <= 12:
                    code = None
                if code:
                    cls.entries[(pid, d)] = code
        # The manager (not an agent) works 行政班 on the first five working days.
        for d in (1, 2, 3, 4, 7):
            cls.entries[(ids["8001"], d)] = "office"
        for (pid, d), code in cls.entries.items():
            db.execute("INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, skill,"
                       " updated_by, updated_at) VALUES (?, ?, ?, NULL, ?, 0)",
                       (f"{MONTH}-{d:02d}", pid, types[code]["id"], ids["8002"]))
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state,"
                   " requested_at, updated_at) VALUES (?, 'annual', '2026-12-10', '2026-12-12',"
                   " 'approved', 0, 0)", (ids["8103"],))
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state,"
                   " requested_at, updated_at) VALUES (?, 'sick', '2026-12-20', '2026-12-21',"
                   " 'requested', 0, 0)", (ids["8102"],))
        cls.leave = {(ids["8103"], d): "annual" for d in (10, 11, 12)}
        cls.published_at = local_ms(2026, 11, 24, 10, 30)
        db.execute("INSERT INTO wfm_roster(month, state, version, published_at, published_by,"
                   " updated_at) VALUES (?, 'published', 2, ?, ?, ?)",
                   (MONTH, cls.published_at, ids["8002"], cls.published_at))
        # The calendar: 2026-12-25 a holiday (a Friday), 2026-12-26 (Saturday) a
        # make-up working day; a holiday of another month does not show.
        db.execute("INSERT INTO hotline_closed_day(day, name) VALUES ('2026-12-25', '测试节'),"
                   " ('2026-11-30', '别的月')")
        db.execute("INSERT INTO hotline_open_day(day, name, as_weekday) VALUES"
                   " ('2026-12-26', '调休', 5)")
        db.commit()
        # The rows the sheet must show: active agents and whoever has a shift.
        with_entries = {pid for (pid, _d) in cls.entries}
        cls.people = []
        for pid, work_no, name in db.execute("SELECT id, work_no, name FROM person"
                                             " ORDER BY work_no"):
            if pid in agents or pid in with_entries:
                skills = [r[0] for r in db.execute(
                    "SELECT k.name FROM person_skill ps JOIN skill k ON k.code = ps.skill"
                    " WHERE ps.person_id = ? ORDER BY k.code", (pid,))]
                cls.people.append((pid, work_no, name, "、".join(skills)))
        cls.supervisor_name = db.execute("SELECT name FROM person WHERE id = ?",
                                         (ids["8002"],)).fetchone()[0]
        cls.manager_name = db.execute("SELECT name FROM person WHERE id = ?",
                                      (ids["8001"],)).fetchone()[0]
        db.close()

    def download(self, who, month=MONTH, lang="zh-CN"):
        return self.srv.raw("GET", f"/api/wfm/roster/{month}/export",
                            headers={"Authorization": "Bearer " + self.t[who],
                                     "Accept-Language": lang})

    def exports(self):
        return self.srv.count("SELECT count(*) FROM audit WHERE action = 'wfm.roster.export'")

    @staticmethod
    def is_night(t):
        # A night shift runs past midnight or starts before 06:00.
        return t["end"] <= t["start"] or t["start"] < 360

    def test_every_cell_holds_what_was_rostered(self):
        before = self.exports()
        status, headers, data = self.download("8002")
        self.assertEqual(status, 200, data[:300])
        self.assertEqual(headers["content-type"], XLSX)
        self.assertEqual(headers["content-disposition"],
                         "attachment; filename=\"roster-2026-12.xlsx\"; filename*=UTF-8''" +
                         urllib.parse.quote("客服中心排班表-2026-12.xlsx", safe=""))
        self.assertEqual(headers["cache-control"], "no-store")
        wb = Workbook(data)

        self.assertEqual(wb.at(1, 0), "客服中心排班表 2026年12月")
        self.assertEqual(wb.at(2, 0), "第 2 版 · 发布日期 2026-11-24")
        last = 3 + NDAYS + 4 - 1
        self.assertIn(f"A1:{col_name(last)}1", wb.merges)
        self.assertIn("<sheet name=\"排班表\"", wb.workbook_xml)
        # The dates and weekdays; the holiday and the weekends coloured, the
        # make-up Saturday not.
        self.assertEqual(wb.at(3, 0), "工号")
        self.assertIn("A3:A4", wb.merges)
        for d in range(1, NDAYS + 1):
            date = datetime.date(YEAR, MON, d)
            self.assertEqual(wb.at(3, 2 + d), str(d))
            self.assertEqual(wb.at(4, 2 + d), WEEKDAYS[date.weekday()])
            want = (HOLIDAY_FILL if d == 25 else
                    WEEKEND_FILL if date.weekday() >= 5 and d != 26 else HEADER_FILL)
            self.assertEqual(wb.fill_at(3, 2 + d), want, f"day {d}")
            self.assertEqual(wb.fill_at(4, 2 + d), want, f"day {d}")
        tc = 3 + NDAYS
        self.assertEqual([wb.at(4, tc + i) for i in range(4)], ["班次", "工时", "夜班", "周末"])

        # One row per person, by work number: who, each day, the totals.
        by_code = self.types
        grand = [0, 0, 0, 0]
        for i, (pid, work_no, name, skills) in enumerate(self.people):
            row = 5 + i
            self.assertEqual(wb.at(row, 0), work_no)
            self.assertEqual(wb.at(row, 1), name)
            self.assertEqual(wb.at(row, 2), skills or None)
            shifts = paid = nights = weekends = 0
            for d in range(1, NDAYS + 1):
                code = self.entries.get((pid, d))
                leave = self.leave.get((pid, d))
                cell, fill = wb.at(row, 2 + d), wb.fill_at(row, 2 + d)
                if leave:
                    self.assertEqual(cell, LEAVE_ZH[leave], f"{work_no} day {d}")
                    self.assertEqual(fill, "FFD9D9D9")
                elif code:
                    t = by_code[code]
                    self.assertEqual(cell, t["name"], f"{work_no} day {d}")
                    self.assertEqual(fill, "FF" + t["colour"][1:].upper())
                    shifts += 1
                    paid += t["paid"]
                    nights += self.is_night(t)
                    weekends += datetime.date(YEAR, MON, d).weekday() >= 5
                else:
                    self.assertEqual(cell, "休", f"{work_no} day {d}")
                    self.assertIsNone(fill)
            self.assertEqual(wb.at(row, tc), shifts, work_no)
            self.assertAlmostEqual(wb.at(row, tc + 1), paid / 60, places=9)
            self.assertEqual(wb.at(row, tc + 2), nights, work_no)
            self.assertEqual(wb.at(row, tc + 3), weekends, work_no)
            for k, v in enumerate((shifts, paid, nights, weekends)):
                grand[k] += v
        self.assertGreater(grand[2], 0)
        self.assertGreater(grand[3], 0)

        # Under the people: a count per shift type per day (the types in use or
        # active, not the office hours unless worked), leave, then the totals.
        row = 5 + len(self.people)
        listed = sorted((t for t in by_code.values()
                         if (t["active"] and not t["office"]) or
                         t["code"] in set(self.entries.values())),
                        key=lambda t: (t["office"], t["start"], t["id"]))
        for t in listed:
            self.assertEqual(wb.at(row, 0), f"{t['name']}人数")
            self.assertIn(f"A{row}:C{row}", wb.merges)
            total = 0
            for d in range(1, NDAYS + 1):
                n = sum(1 for (pid, dd), c in self.entries.items()
                        if dd == d and c == t["code"] and (pid, d) not in self.leave)
                self.assertEqual(wb.at(row, 2 + d), n, f"{t['code']} day {d}")
                total += n
            self.assertEqual(wb.at(row, tc), total)
            row += 1
        self.assertEqual(wb.at(row, 0), "请假人数")
        for d in range(1, NDAYS + 1):
            self.assertEqual(wb.at(row, 2 + d), sum(1 for (_p, dd) in self.leave if dd == d))
        row += 1
        self.assertEqual(wb.at(row, 0), "合计（在岗人数）")
        for d in range(1, NDAYS + 1):
            self.assertEqual(wb.at(row, 2 + d),
                             sum(1 for (_p, dd) in self.entries if dd == d), f"day {d}")
        self.assertEqual(wb.at(row, tc), grand[0])
        self.assertAlmostEqual(wb.at(row, tc + 1), grand[1] / 60, places=9)
        self.assertEqual(wb.at(row, tc + 2), grand[2])
        self.assertEqual(wb.at(row, tc + 3), grand[3])
        # The lines under the table, and the form's print and freeze setup.
        self.assertEqual(wb.at(row + 2, 0), f"制表：{self.supervisor_name}        审核：____________"
                                            "        发布日期：2026-11-24")
        self.assertEqual(wb.at(row + 3, 0), "版本：第 2 版")
        self.assertIn('xSplit="3" ySplit="4" topLeftCell="D5"', wb.sheet_xml)
        self.assertIn('orientation="landscape"', wb.sheet_xml)
        self.assertIn(f"&amp;L制表人：{self.supervisor_name}&amp;C第 &amp;P 页", wb.sheet_xml)

        # Audited: who, which month, in what state.
        self.assertEqual(self.exports(), before + 1)
        entries = self.srv.audit(self.t["8001"], action="wfm.roster.export")
        e = entries[0]
        self.assertEqual(e["actor_id"], self.ids["8002"])
        self.assertEqual(e["actor"], "8002")
        self.assertEqual((e["entity"], e["entity_id"]), ("wfm_roster", "202612"))
        self.assertEqual(e["detail"]["month"], MONTH)
        self.assertEqual(e["detail"]["state"], "published")
        self.assertEqual(e["detail"]["version"], 2)
        self.assertEqual(e["detail"]["agents"], len(self.people))
        self.assertEqual(e["detail"]["language"], "zh-CN")

    def test_english_and_the_manager(self):
        status, headers, data = self.download("8001", lang="en")
        self.assertEqual(status, 200)
        # An English client gets kefu's plain name alone.
        self.assertEqual(headers["content-disposition"],
                         "attachment; filename=\"roster-2026-12.xlsx\"")
        wb = Workbook(data)
        self.assertEqual(wb.at(1, 0), "客服中心 Roster, December 2026")
        self.assertEqual(wb.at(2, 0), "Version 2, published 2026-11-24")
        self.assertEqual(wb.at(4, 3), "Tue")
        self.assertIn("<sheet name=\"Roster\"", wb.workbook_xml)
        pid = self.people[0][0]
        want = self.types[self.entries[(pid, 1)]]["name"] if (pid, 1) in self.entries else "Off"
        self.assertEqual(wb.at(5, 3), want)

    def test_a_draft_is_marked_and_made_by_its_exporter(self):
        db = sqlite3.connect(self.srv.db, timeout=10)
        db.execute("INSERT INTO wfm_roster(month, state, version, updated_at)"
                   " VALUES ('2027-02', 'draft', 0, 0)")
        db.commit()
        db.close()
        status, _h, data = self.download("8001", month="2027-02")
        self.assertEqual(status, 200)
        wb = Workbook(data)
        self.assertEqual(wb.at(1, 0), "客服中心排班表 2027年2月")
        self.assertEqual(wb.at(2, 0), "草稿（未发布）")
        # 28 days, no shifts: everyone rests, every count is 0.
        self.assertEqual(wb.at(3, 3 + 27), "28")
        self.assertIsNone(wb.at(3, 3 + 28 + 4))
        for i in range(len(self.people) - 1):  # the manager has no shifts in February
            self.assertEqual(wb.at(5 + i, 3), "休")
        notes = [v for v in wb.cells.values() if isinstance(v, str) and v.startswith("制表：")]
        self.assertEqual(notes, [f"制表：{self.manager_name}        审核：____________"
                                 "        发布日期：未发布"])
        self.assertIn("版本：草稿（未发布）", wb.cells.values())

    def test_refusals(self):
        before = self.exports()
        # Supervisors and the manager only: not an agent, IT, staff, HR or the office.
        for who in ("8101", "admin", "2002", "7002", "1001"):
            status, _h, body = self.download(who)
            self.assertEqual(status, 403, (who, body))
        for bad in ("2026-13", "2026-1", "december", "2026-00"):
            st, _h, body = self.download("8002", month=bad)
            self.assertEqual(st, 400, (bad, body))
            self.assertIn(b'"field":"month"', body)
        st, _h, body = self.download("8002", month="2031-01")
        self.assertEqual(st, 404, body)
        self.assertIn("这个月还没有排班表".encode(), body)
        self.assertEqual(self.exports(), before)
        self.assertGreaterEqual(self.srv.count(
            "SELECT count(*) FROM audit WHERE action = 'access.denied'"
            f" AND actor_id = {self.ids['8101']}"), 1)


if __name__ == "__main__":
    import unittest
    unittest.main()
