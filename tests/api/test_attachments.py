"""Attachments on work orders and contacts (seed 003 Case受理规范: photos of the
damage, documents, the on-site report): the type is read from the content, the
size is limited on the upload routes only, the files live outside the database,
only those who may see the order or contact get them, never as a page, and every
upload, download and deletion is audited."""
import os
from urllib.parse import quote

from apihelp import PDF, db_value, png
from harness import KefuTestCase

LIMIT = 64 * 1024        # attachment_max in these tests
BODY_LIMIT = 16 * 1024   # body_limit: every other route




JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) + b"\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


class AttachmentCase(KefuTestCase):
    server_env = {"KEFU_ATTACHMENT_MAX": str(LIMIT), "KEFU_BODY_LIMIT": str(BODY_LIMIT)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.agent = s.login("8101")      # takes the call, opens the order
        cls.agent2 = s.login("8102")
        cls.sup = s.login("8002")
        cls.head = s.login("2001")       # 城市客服部, the order's department
        cls.staff = s.login("2002")      # 城市客服部 staff
        cls.other = s.login("3002")      # 集团市场部 staff: another department
        cls.hr = s.login("7001")
        st, o, _ = s.call("POST", "/api/orders", {
            "complaint": "vehicle_damage", "summary": "洗车过程中车辆损伤，左前门划痕",
            "phone": "13800138000"}, token=cls.agent)
        assert st == 201, o
        cls.order = o["id"]
        st, k, _ = s.call("POST", "/api/contacts", {"channel": "phone", "direction": "in"},
                          token=cls.agent)
        assert st == 201, k
        cls.contact = k["id"]
        cls.dir = os.path.join(s.dir, "attachments")

    def upload(self, data, name, token, owner="orders", oid=None, kind=None,
               ctype="application/octet-stream"):
        path = f"/api/{owner}/{oid or (self.order if owner == 'orders' else self.contact)}/attachments"
        if kind:
            path += "?kind=" + kind
        h = {"Authorization": "Bearer " + token, "Content-Type": ctype}
        if name is not None:
            h["X-Filename"] = quote(name)
        return self.srv.call("POST", path, data, headers=h)

    def download(self, aid, token, owner="orders", oid=None):
        oid = oid or (self.order if owner == "orders" else self.contact)
        return self.srv.raw("GET", f"/api/{owner}/{oid}/attachments/{aid}",
                            headers={"Authorization": "Bearer " + token})

    def files(self):
        out = []
        for d, _, names in os.walk(self.dir):
            out += [os.path.join(d, n) for n in names]
        return sorted(out)

    def state(self):
        return (self.srv.count("SELECT count(*) FROM attachment"), self.files(),
                self.srv.count("SELECT count(*) FROM audit WHERE action LIKE 'attachment.%'"))


class UploadTest(AttachmentCase):
    def test_photos_and_documents_come_back_byte_for_byte(self):
        """Seed 003: JPEG, PNG, WebP photos and a PDF report are taken; the type is the
        sniffed one whatever the client claimed; the bytes come back identical."""
        for data, name, mime, kind in ((JPEG, "左前门划痕.jpg", "image/jpeg", "photo"),
                                       (png(), "damage.png", "image/png", "photo"),
                                       (WEBP, "d.webp", "image/webp", "photo"),
                                       (PDF, "现场报告.pdf", "application/pdf", "document")):
            with self.subTest(name=name):
                st, a, _ = self.upload(data, name, self.agent, ctype="text/html")
                self.assertEqual(st, 201, a)
                self.assertEqual((a["mime"], a["kind"], a["filename"], a["size"], a["order_id"]),
                                 (mime, kind, name, len(data), self.order))
                st, h, body = self.download(a["id"], self.staff)
                self.assertEqual(st, 200)
                self.assertEqual(body, data)
                self.assertEqual(h["content-type"], mime)
                self.assertEqual(h["x-content-type-options"], "nosniff")
                disp = h["content-disposition"]
                # Never shown as a page: documents are downloads, images themselves.
                self.assertTrue(disp.startswith("attachment;" if kind == "document" else "inline;"), disp)
                self.assertIn("filename*=UTF-8''" + quote(name, safe=""), disp)
        st, l, _ = self.srv.call("GET", f"/api/orders/{self.order}/attachments", token=self.head)
        self.assertEqual(st, 200, l)
        self.assertEqual([x["filename"] for x in l["items"]][-4:],
                         ["左前门划痕.jpg", "damage.png", "d.webp", "现场报告.pdf"])

    def test_the_on_site_report_is_a_kind_of_its_own(self):
        st, a, _ = self.upload(PDF, "report.pdf", self.head, kind="onsite_report")
        self.assertEqual(st, 201, a)
        self.assertEqual(a["kind"], "onsite_report")
        self.assertError(self.upload(PDF, "r.pdf", self.head, kind="selfie"), 400, "bad_request", "kind")

    def test_a_file_that_is_not_what_its_name_says_is_refused(self):
        """A .png that is really HTML, or a program, never gets stored."""
        before = self.state()
        for data in (b"<html><script>alert(document.cookie)</script></html>",
                     b"\x7fELF\x02\x01\x01\x00" + bytes(64),
                     b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64),
                     b"GIF89a" + bytes(32),
                     b"\x89PNG" + b"<html>"):
            with self.subTest(head=data[:8]):
                self.assertError(self.upload(data, "photo.png", self.agent, ctype="image/png"),
                                 422, "unprocessable", "file")
        self.assertEqual(self.state(), before)

    def test_names_are_checked_and_paths_dropped(self):
        self.assertError(self.upload(JPEG, None, self.agent), 400, "bad_request", "filename")
        self.assertError(self.upload(JPEG, "a\nb.jpg", self.agent), 400, "bad_request", "filename")
        self.assertError(self.upload(JPEG, "x" * 201, self.agent), 400, "bad_request", "filename")
        self.assertError(self.upload(b"", "empty.jpg", self.agent), 400, "bad_request", "file")
        st, a, _ = self.upload(JPEG, "../../etc/照片.jpg", self.agent)
        self.assertEqual(st, 201, a)
        self.assertEqual(a["filename"], "照片.jpg")

    def test_size_limit_on_the_upload_route_only(self):
        """attachment_max bounds uploads (413, nothing written); it does not widen
        body_limit on any other route."""
        before = self.state()
        big = JPEG + bytes(LIMIT - len(JPEG) + 1)
        self.assertError(self.upload(big, "big.jpg", self.agent), 413, "too_large")
        self.assertEqual(self.state(), before)
        fits = JPEG + bytes(BODY_LIMIT * 2)
        st, a, _ = self.upload(fits, "fits.jpg", self.agent)
        self.assertEqual(st, 201, a)
        self.assertEqual(self.download(a["id"], self.agent)[2], fits)
        self.assertError(self.srv.call("POST", "/api/contacts",
                                       {"channel": "phone", "direction": "in", "summary": "x" * (BODY_LIMIT * 2)},
                                       token=self.agent), 413, "too_large")

    def test_the_same_bytes_are_stored_once(self):
        data = JPEG + b"same"
        st, a, _ = self.upload(data, "a.jpg", self.agent)
        st, b, _ = self.upload(data, "b.jpg", self.agent2)
        self.assertEqual(a["sha256"], b["sha256"])
        path = [f for f in self.files() if f.endswith(a["sha256"])]
        self.assertEqual(len(path), 1)
        with open(path[0], "rb") as f:
            self.assertEqual(f.read(), data)
        # Removing one keeps the file for the other; removing both removes it.
        self.assertEqual(self.srv.call("DELETE", f"/api/orders/{self.order}/attachments/{a['id']}",
                                       token=self.agent)[0], 204)
        self.assertTrue(os.path.exists(path[0]))
        self.assertEqual(self.download(b["id"], self.agent)[2], data)
        self.assertEqual(self.srv.call("DELETE", f"/api/orders/{self.order}/attachments/{b['id']}",
                                       token=self.agent2)[0], 204)
        self.assertFalse(os.path.exists(path[0]))
        self.assertEqual(self.download(b["id"], self.agent)[0], 404)


class PermissionTest(AttachmentCase):
    def test_only_those_who_may_see_the_order_see_its_files(self):
        st, a, _ = self.upload(png(), "划痕.png", self.agent)
        self.assertEqual(st, 201, a)
        url = f"/api/orders/{self.order}/attachments"
        for who in (self.agent, self.staff, self.head, self.sup):
            self.assertEqual(self.download(a["id"], who)[0], 200)
        before = self.state()
        for who in (self.other, self.hr):
            with self.subTest(who=who):
                self.assertError(self.srv.call("GET", url, token=who), 403, "forbidden")
                st, _, body = self.download(a["id"], who)
                self.assertEqual(st, 403)
                self.assertNotIn(png(), body)
                self.assertError(self.upload(JPEG, "x.jpg", who), 403, "forbidden")
        self.assertEqual(self.state()[:2], before[:2])
        # The refusals are audited as denials.
        self.assertGreaterEqual(self.srv.count(
            "SELECT count(*) FROM audit WHERE outcome = 'denied' AND actor_id = "
            "(SELECT id FROM person WHERE work_no = '3002')"), 3)
        # An attachment is reached only through its own order.
        st, o2, _ = self.srv.call("POST", "/api/orders", {"complaint": "vehicle_damage",
                                                          "summary": "另一单", "phone": "13800138000"},
                                  token=self.agent)
        self.assertEqual(self.download(a["id"], self.agent, oid=o2["id"])[0], 404)

    def test_the_uploader_or_a_supervisor_removes_an_attachment(self):
        st, a, _ = self.upload(PDF, "a.pdf", self.staff)
        st, b, _ = self.upload(JPEG + b"b", "b.jpg", self.agent)
        url = f"/api/orders/{self.order}/attachments/"
        before = self.state()
        self.assertError(self.srv.call("DELETE", url + str(a["id"]), token=self.head), 403, "forbidden")
        self.assertError(self.srv.call("DELETE", url + str(b["id"]), token=self.agent2), 403, "forbidden")
        self.assertEqual(self.state()[:2], before[:2])
        self.assertEqual(self.srv.call("DELETE", url + str(a["id"]), token=self.staff)[0], 204)
        self.assertEqual(self.srv.call("DELETE", url + str(b["id"]), token=self.sup)[0], 204)
        st, l, _ = self.srv.call("GET", f"/api/orders/{self.order}/attachments", token=self.sup)
        self.assertNotIn(a["id"], [x["id"] for x in l["items"]])
        self.assertNotIn(b["id"], [x["id"] for x in l["items"]])

    def test_contacts_attachments_follow_the_contact(self):
        st, a, _ = self.upload(JPEG + b"c", "来电照片.jpg", self.agent, owner="contacts")
        self.assertEqual(st, 201, a)
        self.assertEqual((a["contact_id"], a["order_id"]), (self.contact, None))
        self.assertEqual(self.download(a["id"], self.sup, owner="contacts")[2], JPEG + b"c")
        # Department staff have no customer data (SEC-1): neither the contact nor its files.
        self.assertEqual(self.download(a["id"], self.staff, owner="contacts")[0], 403)
        self.assertError(self.upload(JPEG, "x.jpg", self.staff, owner="contacts"), 403, "forbidden")
        # The contact's attachment is not the order's.
        self.assertEqual(self.download(a["id"], self.agent)[0], 404)


class AuditTest(AttachmentCase):
    def test_upload_download_and_deletion_are_audited(self):
        st, a, _ = self.upload(PDF, "报告.pdf", self.staff, kind="onsite_report")
        self.download(a["id"], self.head)
        self.srv.call("DELETE", f"/api/orders/{self.order}/attachments/{a['id']}", token=self.staff)
        mgr = self.srv.login("8001")
        rows = [e for e in self.srv.audit(mgr, entity="work_order", entity_id=self.order)
                if e["action"].startswith("attachment.")]
        got = sorted((e["action"], e["detail"]["attachment_id"], e["detail"]["filename"]) for e in rows)
        self.assertEqual(got, [("attachment.add", a["id"], "报告.pdf"),
                               ("attachment.delete", a["id"], "报告.pdf"),
                               ("attachment.download", a["id"], "报告.pdf")])
        add = next(e for e in rows if e["action"] == "attachment.add")
        self.assertEqual(add["detail"]["sha256"], a["sha256"])
        self.assertEqual(add["detail"]["size"], len(PDF))
