"""Real Postfix and Dovecot on loopback for the email channel's tests (issue 18).

MailServers() starts, in a fresh temporary directory and on free high ports
of 127.0.0.1, a Dovecot (IMAP for the mailboxes, its LDA for delivery; users in
a passwd-file, mail in Maildir under the directory) and a Postfix master
with its own config_directory, queue_directory and data_directory there,
smtpd on one port, delivering every test domain through its pipe
transport to dovecot-lda (Debian's dovecot-lmtpd is not installed here;
the LDA is the same delivery code without the socket). Nothing of the
system's own mail setup is read or started: no port 25, 143, 993 or 24, no
/etc/postfix/main.cf, no /etc/dovecot/dovecot.conf. stop() ends both and
removes the directory; it is safe to call after a failed start.

Postfix runs as root (its master must), its daemons as the packages' user
"postfix"; the master is started directly (master -c DIR -i... foreground)
rather than through postfix-script, which wants the system's postfix-files.

Usage:
    with MailServers(users={"service@kefu.test": "pw", ...}) as ms:
        ms.smtp_port, ms.imap_port, ms.imap_url("service@kefu.test") ...
"""
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

POSTFIX_DAEMONS = "/usr/lib/postfix/sbin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=15.0, log=None):
    """Until the server on port greets (SMTP's 220, IMAP's * OK): a bound socket is not yet a server."""
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as c:
                if c.recv(64)[:4] in (b"220 ", b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    extra = ""
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            extra = f.read()[-3000:]
    raise RuntimeError(f"mail test server on port {port} did not start\n{extra}")


class MailServers:
    def __init__(self, users=None, domains=("kefu.test", "example.cn", "example.com")):
        self.users = dict(users or {})
        self.domains = list(domains)
        self.dir = None
        self.dovecot = None
        self.postfix = None

    # -- life --
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix="kefu-mail-")
        # Dovecot's login processes (dovenull) and Postfix's daemons walk into it.
        os.chmod(self.dir, 0o755)
        self.imap_port = free_port()
        self.smtp_port = free_port()
        self._start_dovecot()
        self._start_postfix()

    def stop(self):
        for name in ("postfix", "dovecot"):
            proc = getattr(self, name)
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            setattr(self, name, None)
        if self.dir:
            # Dovecot's master ends its children itself; give them a moment before the files go.
            time.sleep(0.1)
            if not os.environ.get("KEFU_MAIL_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # -- Dovecot --
    def _start_dovecot(self):
        d = self.dir
        mailuser = pwd.getpwnam("nobody")
        os.makedirs(f"{d}/mail")
        os.chown(f"{d}/mail", mailuser.pw_uid, mailuser.pw_gid)
        with open(f"{d}/passwd", "w") as f:
            for user, pw in self.users.items():
                f.write(f"{user}:{{PLAIN}}{pw}::::::\n")
        conf = f"""
instance_name = kefu-mail-{os.getpid()}-{self.imap_port}
base_dir = {d}/dovecot-run
state_dir = {d}/dovecot-state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = {mailuser.pw_uid}
mail_uid = {mailuser.pw_uid}
mail_gid = {mailuser.pw_gid}
default_login_user = dovenull
default_internal_user = dovecot
login_trusted_networks = 127.0.0.0/8
lmtp_save_to_detail_mailbox = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={mailuser.pw_uid} gid={mailuser.pw_gid} home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service auth {{
  # dovecot-lda, run by Postfix's pipe as the mail user, asks the userdb here.
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""
        # The log is shared with dovecot-lda, which runs as the mail user.
        with open(f"{d}/dovecot.log", "w"):
            pass
        os.chmod(f"{d}/dovecot.log", 0o666)
        with open(f"{d}/dovecot.conf", "w") as f:
            f.write(conf)
        with open(f"{d}/dovecot.err", "w") as err:
            self.dovecot = subprocess.Popen(["dovecot", "-F", "-c", f"{d}/dovecot.conf"],
                                            stdout=subprocess.DEVNULL, stderr=err)
        wait_port(self.imap_port, self.dovecot, log=f"{d}/dovecot.log")

    # -- Postfix --
    def _start_postfix(self):
        d = self.dir
        cfg = f"{d}/postfix"
        q = f"{d}/postfix-queue"
        data = f"{d}/postfix-data"
        pf = pwd.getpwnam("postfix")
        mailuser = "nobody:nogroup"
        postdrop = grp.getgrnam("postdrop").gr_gid
        os.makedirs(cfg)
        os.makedirs(q)
        os.chmod(q, 0o755)
        # What post-install would make: the queue's folders with their owners and modes.
        for sub, mode, gid in (("active", 0o700, pf.pw_gid), ("bounce", 0o700, pf.pw_gid),
                               ("corrupt", 0o700, pf.pw_gid), ("defer", 0o700, pf.pw_gid),
                               ("deferred", 0o700, pf.pw_gid), ("flush", 0o700, pf.pw_gid),
                               ("hold", 0o700, pf.pw_gid), ("incoming", 0o700, pf.pw_gid),
                               ("private", 0o700, pf.pw_gid), ("saved", 0o700, pf.pw_gid),
                               ("trace", 0o700, pf.pw_gid), ("maildrop", 0o730, postdrop),
                               ("public", 0o710, postdrop)):
            os.makedirs(f"{q}/{sub}")
            os.chown(f"{q}/{sub}", pf.pw_uid, gid)
            os.chmod(f"{q}/{sub}", mode)
        os.makedirs(f"{q}/pid")
        os.makedirs(data)
        os.chown(data, pf.pw_uid, pf.pw_gid)
        os.chmod(data, 0o700)
        main = f"""
compatibility_level = 3.6
config_directory = {cfg}
meta_directory = {cfg}
queue_directory = {q}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.kefu.test
mydomain = kefu.test
myorigin = kefu.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination = {", ".join(self.domains)}
local_recipient_maps =
alias_maps =
alias_database =
local_transport = dovecot
dovecot_destination_recipient_limit = 1
relay_transport = error:no relay from the test server
default_transport = error:no relay from the test server
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_banner = $myhostname ESMTP kefu test
# Mail is delivered as sent: no From, Date or Message-ID added to a client's mail, so the
# tests see exactly what a customer's mailer wrote (a mail with no From stays one).
local_header_rewrite_clients =
biff = no
append_dot_mydomain = no
readme_directory = no
maillog_file = {d}/postfix.log
maillog_file_prefixes = {d}
syslog_name = kefu-test-postfix
message_size_limit = 31457280
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
smtpd_tls_security_level = none
smtp_tls_security_level = none
lmtp_tls_security_level = none
"""
        with open(f"{cfg}/main.cf", "w") as f:
            f.write(main)
        master = f"""
127.0.0.1:{self.smtp_port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
dovecot   unix  -       n       n       -       -       pipe
  flags=DRh user={mailuser} argv=/usr/lib/dovecot/dovecot-lda -c {d}/dovecot.conf -f ${{sender}} -d ${{recipient}}
"""
        with open(f"{cfg}/master.cf", "w") as f:
            f.write(master)
        with open(f"{cfg}/dynamicmaps.cf", "w") as f:
            pass
        # -d: the master stays in the foreground as this process's child; -c: only this config.
        with open(f"{d}/postfix.err", "w") as err:
            self.postfix = subprocess.Popen([f"{POSTFIX_DAEMONS}/master", "-d", "-c", cfg],
                                            stdout=subprocess.DEVNULL, stderr=err,
                                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                                 "MAIL_CONFIG": cfg})
        wait_port(self.smtp_port, self.postfix, log=f"{d}/postfix.err")

    # -- helpers for tests --
    def imap_url(self):
        return f"imap://127.0.0.1:{self.imap_port}/INBOX"

    def smtp_url(self):
        return f"smtp://127.0.0.1:{self.smtp_port}"

    def doveadm(self, *args):
        """Runs doveadm against this Dovecot (its own config); returns stdout."""
        out = subprocess.run(["doveadm", "-c", f"{self.dir}/dovecot.conf", *args],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {out.stderr}")
        return out.stdout

    def logs(self):
        out = []
        for name in ("dovecot.log", "dovecot.err", "postfix.log", "postfix.err"):
            p = f"{self.dir}/{name}" if self.dir else None
            if p and os.path.exists(p):
                with open(p, errors="replace") as f:
                    out.append(f"== {name}\n{f.read()[-3000:]}")
        return "\n".join(out)

    def wait_mail(self, user, password, count=1, timeout=15.0, search="ALL", mailbox="INBOX"):
        """The raw bytes of the user's messages in mailbox (INBOX) once at least `count` are there."""
        import imaplib
        end = time.time() + timeout
        while True:
            with imaplib.IMAP4("127.0.0.1", self.imap_port) as im:
                im.login(user, password)
                im.select(mailbox)
                _, data = im.uid("SEARCH", None, search)
                uids = data[0].split()
                if len(uids) >= count or time.time() > end:
                    msgs = []
                    for uid in uids:
                        _, d = im.uid("FETCH", uid, "(RFC822)")
                        msgs.append(d[0][1])
                    return msgs
            time.sleep(0.2)
