#!/usr/bin/env python3
"""The email channel end to end at 10⁴ mails (issue 18: "10⁴ emails fetched,
parsed and threaded"): Dovecot on loopback (tests/mail/mailservers.py) with
10⁴ mails in the service mailbox, a kefu server (the test clock) with one
email account, and the fetch tick run round after round (POST
/api/test/clock) until every mail is stored: IMAP UID SEARCH and UID FETCH
through libcurl, the GMime parse, chan_inbound in one transaction a mail.

The mails are written straight into the Maildir (as Postfix's delivery
would leave them, without spending minutes in 10⁴ deliveries): 1,000
customers, each thread's mails answering the previous one (In-Reply-To,
References), bodies of 200 to 2,000 characters in GBK labelled gb2312, in
UTF-8 base64 or multipart/alternative with an HTML part.

Usage: python3 bench/mail.py [mails] (KEFU_BIN, default build/kefu).
Prints the mails a second and the time per round (a batch of 50).
"""
import base64
import os
import pwd
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "mail"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
from mailservers import MailServers  # noqa: E402
from harness import Server  # noqa: E402
from apihelp import db_rows  # noqa: E402

WORDS = ("退款 支付 订单 发货 物流 快递 发票 会员 优惠券 积分 投诉 售后 维修 上门 取消 地址 电话 "
         "账户 密码 余额 充值 价格 套餐 保修 换货 质量 包装 破损 延迟 客服 处理 查询 进度 您好 谢谢 "
         "麻烦 尽快 回复 问题 商品 型号 颜色 尺寸 门店").split()


def text(rng, chars):
    out = []
    while chars > 0:
        out.append(rng.choice(WORDS))
        chars -= 2
        if rng.random() < 0.12:
            out.append("，" if rng.random() < 0.5 else "。\n")
    return "".join(out) + "。\n"


def mail(rng, c, k):
    kind = rng.randrange(3)
    subj = text(rng, 6 + rng.randrange(8)).split("，")[0].split("。")[0]
    body = text(rng, 200 + rng.randrange(1800))
    h = [f"From: =?UTF-8?B?{base64.b64encode('客户'.encode()).decode()}?= <customer{c}@example.cn>",
         "To: service@kefu.test",
         f"Message-ID: <m{c}.{k}@example.cn>", "Date: Mon, 07 Dec 2026 10:00:00 +0800",
         "MIME-Version: 1.0"]
    if k:
        h.append(f"In-Reply-To: <m{c}.{k - 1}@example.cn>")
        h.append("References: " + " ".join(f"<m{c}.{j}@example.cn>" for j in range(k)))
    if kind == 0:
        h.append(f"Subject: =?gb2312?B?{base64.b64encode(subj.encode('gbk')).decode()}?=")
        h += ["Content-Type: text/plain; charset=gb2312", "Content-Transfer-Encoding: 8bit"]
        return ("\r\n".join(h) + "\r\n\r\n").encode() + body.replace("\n", "\r\n").encode("gbk")
    h.append(f"Subject: =?UTF-8?B?{base64.b64encode(subj.encode()).decode()}?=")
    b64 = base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
    if kind == 1:
        h += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        return ("\r\n".join(h) + "\r\n\r\n" + b64).encode()
    html = base64.encodebytes(f"<html><body><p>{body}</p></body></html>".encode()).decode()
    h.append('Content-Type: multipart/alternative; boundary="ALT"')
    return ("\r\n".join(h) + "\r\n\r\n--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + b64 +
            "--ALT\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + html.replace("\n", "\r\n") + "--ALT--\r\n").encode()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    os.environ.setdefault("KEFU_BIN", os.path.join(HERE, "..", "build", "kefu"))
    rng = random.Random(18)
    customers = max(1, n // 10)
    thread = [0] * customers
    user = "service@kefu.test"
    with MailServers(users={user: "pw"}) as ms:
        # The mailbox as Dovecot's delivery leaves it: Maildir/new, one file a mail, the mail user's.
        box = os.path.join(ms.dir, "mail", user)
        new = os.path.join(box, "new")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(box, sub), exist_ok=True)
        nobody = pwd.getpwnam("nobody")
        size = 0
        for i in range(n):
            c = rng.randrange(customers)
            data = mail(rng, c, thread[c])
            thread[c] += 1
            size += len(data)
            p = os.path.join(new, f"{1796608800 + i}.M{i}P1.kefu-bench")
            with open(p, "wb") as f:
                f.write(data)
            os.chown(p, nobody.pw_uid, nobody.pw_gid)
        for root, dirs, _ in os.walk(os.path.join(ms.dir, "mail")):
            for d in dirs:
                os.chown(os.path.join(root, d), nobody.pw_uid, nobody.pw_gid)
        os.chown(box, nobody.pw_uid, nobody.pw_gid)
        print(f"{n} mails of {customers} customers in the Maildir, {size / 1e6:.1f} MB")
        srv = Server()
        try:
            tok = srv.login("8001")
            st, acc, _ = srv.call("POST", "/api/chan/accounts", {
                "channel": "email", "name": "bench", "queue": "",
                "config": {"imap_url": ms.imap_url(), "smtp_url": ms.smtp_url(), "username": user,
                           "password": "pw", "address": user, "poll_sec": 60, "tls": "none"}},
                token=tok)
            assert st == 201, acc
            rounds = []
            t0 = time.time()
            last = -1
            while True:
                r0 = time.time()
                srv.advance(0)
                rounds.append(time.time() - r0)
                row = db_rows(srv, f"SELECT last_uid, fetched, skipped, last_error FROM chan_mail_state"
                                   f" WHERE account_id = {acc['id']}")[0]
                if row["last_uid"] >= n or row["last_uid"] == last:
                    break
                last = row["last_uid"]
            wall = time.time() - t0
            convs = db_rows(srv, "SELECT count(*) AS n FROM conv")[0]["n"]
            msgs = db_rows(srv, "SELECT count(*) AS n FROM conv_msg WHERE direction = 'in'")[0]["n"]
            rounds.sort()
            print(f"fetched {row['fetched']} (skipped {row['skipped']}, last error "
                  f"{row['last_error']!r}) in {wall:.1f} s: {row['fetched'] / wall:.0f} mails/s; "
                  f"{len(rounds)} rounds, p50 {rounds[len(rounds) // 2] * 1000:.0f} ms, "
                  f"max {rounds[-1] * 1000:.0f} ms a round of up to 50 mails")
            print(f"{msgs} messages in {convs} conversations (customers: {customers})")
            if row["last_uid"] < n:
                print("stalled; the server's log ends:\n" + srv.read_log()[-3000:])
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
