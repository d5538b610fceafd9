"""Local fakes of the providers' documented APIs kefu sends through (issue 18),
on loopback, for the channel tests (no internet here; the real endpoints are
configuration: an account's api_base).

- WeChat: GET /cgi-bin/token?grant_type=client_credential&appid=&secret= gives
  an access_token; POST /cgi-bin/message/custom/send?access_token= takes the
  customer-service message {touser, msgtype: text, text: {content}};
  GET /cgi-bin/user/info?access_token=&openid= gives the user with the unionid
  of `unionids`; GET /cgi-bin/media/get?access_token=&media_id= gives the bytes
  of `media` (a picture, an AMR voice) or errcode 40007.
- Weibo's media: GET /2/mss/msget?access_token=&fid= gives the bytes of `media`.
- Weibo fans service: POST /2/messages/reply.json, form access_token, type=text,
  data={"text": …} (URL-encoded JSON), receiver_id.
- SMS in the shape of Alibaba Cloud's SendSms: POST / with the form of the RPC
  API; the fake recomputes the HMAC-SHA1 signature of the sorted,
  percent-encoded parameters with the secret and refuses a wrong one.

Each request is recorded in `received` (a list of dicts, kind first), checked.
"""
import base64
import hashlib
import hmac
import json
import struct
import threading
import zlib
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WX_APPID = "wx5823bf96d3bd56c7"
WX_SECRET = "wx-secret-0123456789"
WEIBO_TOKEN = "2.00weibo-token"
SMS_KEY_ID = "LTAI-test-key"
SMS_SECRET = "sms-secret-abc"


def pct(s):
    """RFC 3986 percent-encoding as Alibaba Cloud's signature wants it."""
    return urllib.parse.quote(s, safe="-_.~")


def tiny_png():
    """A real 1x1 PNG (a customer's picture, as WeChat's media server gives it)."""
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG = tiny_png()
# A voice as WeChat's media API gives it: AMR (the storage format), three frames of 13 bytes.
AMR = b"#!AMR\n" + b"".join(bytes([0x04]) + bytes([17 * i + j for j in range(12)]) for i in range(3))


def sms_signature(params, secret, method="POST"):
    q = "&".join(pct(k) + "=" + pct(v) for k, v in sorted(params.items()))
    sts = method + "&%2F&" + pct(q)
    return base64.b64encode(hmac.new((secret + "&").encode(), sts.encode(),
                                     hashlib.sha1).digest()).decode()


class FakeProviders:
    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        self.tokens_issued = 0
        self.fail_next = None  # an answer to give once (status, body) instead
        # WeChat's users (openid → unionid) and media (media id / Weibo fid → (type, bytes));
        # media_fail: how many media requests to answer 500 first.
        self.unionids = {}
        self.media = {"media1": ("image/png", PNG), "media2": ("audio/amr", AMR),
                      "fid123": ("image/png", PNG)}
        self.media_fail = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                u = urllib.parse.urlparse(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                if u.path == "/cgi-bin/token":
                    ok = (q.get("grant_type") == "client_credential" and
                          q.get("appid") == WX_APPID and q.get("secret") == WX_SECRET)
                    fake.record({"kind": "wx_token", "ok": ok, "query": q})
                    if not ok:
                        return self.answer(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
                    with fake.lock:
                        fake.tokens_issued += 1
                        tok = f"ACCESS_TOKEN_{fake.tokens_issued}"
                    return self.answer(200, {"access_token": tok, "expires_in": 7200})
                if u.path == "/cgi-bin/user/info":
                    ok = q.get("access_token", "").startswith("ACCESS_TOKEN_")
                    fake.record({"kind": "wx_user_info", "ok": ok, "query": q})
                    if not ok:
                        return self.answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                    info = {"subscribe": 1, "openid": q.get("openid"), "nickname": "客户"}
                    if q.get("openid") in fake.unionids:
                        info["unionid"] = fake.unionids[q["openid"]]
                    return self.answer(200, info)
                if u.path in ("/cgi-bin/media/get", "/2/mss/msget"):
                    weibo = u.path == "/2/mss/msget"
                    key = q.get("fid" if weibo else "media_id")
                    ok = (q.get("access_token") == WEIBO_TOKEN if weibo else
                          q.get("access_token", "").startswith("ACCESS_TOKEN_"))
                    fake.record({"kind": "media_get", "ok": ok, "query": q})
                    with fake.lock:
                        fail = fake.media_fail > 0
                        fake.media_fail -= 1 if fail else 0
                    if fail:
                        return self.answer(500, {"errcode": -1, "errmsg": "system error"})
                    if not ok or key not in fake.media:
                        return self.answer(200, {"errcode": 40007, "errmsg": "invalid media_id"})
                    ctype, data = fake.media[key]
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if u.path == "/media/p.png":
                    fake.record({"kind": "media_get", "ok": True})
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PNG)))
                    self.end_headers()
                    self.wfile.write(PNG)
                    return
                self.answer(404, {"error": "no such path"})

            def do_POST(self):
                u = urllib.parse.urlparse(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode()
                if fake.fail_next:
                    st, obj = fake.fail_next
                    fake.fail_next = None
                    return self.answer(st, obj)
                if u.path == "/cgi-bin/message/custom/send":
                    tok = q.get("access_token", "")
                    ok = tok.startswith("ACCESS_TOKEN_")
                    msg = json.loads(body)
                    fake.record({"kind": "wx_send", "ok": ok, "token": tok, "body": msg})
                    if not ok:
                        return self.answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                    return self.answer(200, {"errcode": 0, "errmsg": "ok"})
                if u.path == "/2/messages/reply.json":
                    form = dict(urllib.parse.parse_qsl(body))
                    ok = form.get("access_token") == WEIBO_TOKEN and form.get("type") == "text"
                    data = json.loads(form.get("data") or "{}")
                    fake.record({"kind": "weibo_send", "ok": ok, "form": form, "data": data})
                    if not ok:
                        return self.answer(403, {"error": "auth faild!", "error_code": 21301})
                    return self.answer(200, {"id": 4200000001, "result": True})
                if u.path == "/":
                    form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                    sig = form.pop("Signature", "")
                    want = sms_signature(form, SMS_SECRET)
                    ok = (sig == want and form.get("AccessKeyId") == SMS_KEY_ID and
                          form.get("Action") == "SendSms")
                    fake.record({"kind": "sms_send", "ok": ok, "signature": sig,
                                 "recomputed": want, "form": form})
                    if not ok:
                        return self.answer(400, {"Code": "SignatureDoesNotMatch",
                                                 "Message": "Specified signature is not matched"})
                    return self.answer(200, {"Code": "OK", "Message": "OK",
                                             "BizId": f"biz{len(fake.received)}",
                                             "RequestId": "req"})
                self.answer(404, {"error": "no such path"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def record(self, item):
        with self.lock:
            self.received.append(item)

    def of(self, kind):
        with self.lock:
            return [r for r in self.received if r["kind"] == kind]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
