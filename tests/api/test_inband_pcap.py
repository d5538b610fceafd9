"""The pcap of in-band DTMF that SIPp plays for callers without telephone-event.

tests/sip/mkpcap_inband.py writes the capture at test time. Here it is read
back field by field (pcap, Ethernet, IPv4 and UDP checksums, RTP), its audio
is decoded and listened to with Goertzel filters for the keys it should
carry, and SIPp plays it through tests/sip/call_inband.xml to a stand-in
callee (a Python socket for SIP, one for RTP), which checks that every
packet arrives, unchanged and paced. kefu itself is not involved; the
detector that hears these keys is tested in tests/media/test_inband.c."""
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

SIPP = shutil.which("sipp")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(ROOT, "tests", "sip", "mkpcap_inband.py")
SCENARIO = os.path.join(ROOT, "tests", "sip", "call_inband.xml")

LOW = (697, 770, 852, 941)
HIGH = (1209, 1336, 1477, 1633)
PAD = "123A456B789C*0#D"


def make(path, *args):
    subprocess.run([sys.executable, SCRIPT, path, *args], check=True, capture_output=True)
    with open(path, "rb") as f:
        return f.read()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def alaw_decode(a):
    """G.711 A-law, as src/media/g711.c decodes it."""
    a ^= 0x55
    seg = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = t + 8 if seg == 0 else (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


def read_pcap(data):
    """The RTP packets of a capture, with their times, checking every layer."""
    magic, major, minor, _, _, snap, link = struct.unpack("<IHHiIII", data[:24])
    assert (magic, major, minor, link) == (0xA1B2C3D4, 2, 4, 1), "classic pcap, Ethernet"
    out, off = [], 24
    while off < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        assert incl == orig <= snap, "a packet cut short"
        pkt = data[off + 16:off + 16 + incl]
        assert len(pkt) == incl
        off += 16 + incl
        assert struct.unpack("!H", pkt[12:14])[0] == 0x0800, "IPv4"
        ip = pkt[14:34]
        assert ip[0] == 0x45 and ip[9] == 17, "IPv4 without options, UDP"
        assert struct.unpack("!H", ip[2:4])[0] == len(pkt) - 14
        assert csum(ip) == 0xFFFF, "IPv4 header checksum"
        udp = pkt[34:]
        assert struct.unpack("!H", udp[4:6])[0] == len(udp)
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
        assert csum(pseudo + udp) == 0xFFFF, "UDP checksum"
        out.append((sec * 1_000_000 + usec, struct.unpack("!HH", udp[:4]), udp[8:]))
    return out


def rtp(pkt):
    b0, b1, seq, ts, ssrc = struct.unpack("!BBHII", pkt[:12])
    assert b0 == 0x80, "RTP version 2, no padding, extension or CSRCs"
    return b1 & 0x7F, b1 >> 7, seq, ts, ssrc, pkt[12:]


def power(pcm, f):
    """Goertzel: the power at f over pcm, relative to its length."""
    k = 2 * math.cos(2 * math.pi * f / 8000)
    s1 = s2 = 0.0
    for x in pcm:
        s1, s2 = x + k * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / len(pcm) ** 2


def keys_heard(payloads):
    """Keys in the audio: each packet is a key when one row and one column
    frequency carry nearly all its power; a run of packets is one press."""
    keys, prev = "", None
    for p in payloads:
        pcm = [alaw_decode(a) for a in p]
        energy = sum(x * x for x in pcm) / len(pcm)
        key = None
        if energy > 1e5:
            lo = [power(pcm, f) for f in LOW]
            hi = [power(pcm, f) for f in HIGH]
            r, c = lo.index(max(lo)), hi.index(max(hi))
            # A sine of amplitude a has power a²/4 here and mean square a²/2.
            if 2 * (lo[r] + hi[c]) > 0.9 * energy:
                key = PAD[r * 4 + c]
        if key and key != prev:
            keys += key
        prev = key
    return keys


class PcapFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kefu-pcap-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_layout_and_keys(self):
        for ptime in (20, 30):
            with self.subTest(ptime=ptime):
                path = os.path.join(self.dir, f"keys{ptime}.pcap")
                data = make(path, "--digits", "1234567890*#", "--ptime", str(ptime),
                            "--lead-ms", "500", "--on-ms", "80", "--off-ms", "60",
                            "--tail-ms", "500")
                pkts = read_pcap(data)
                per = ptime * 8
                total = 4000 + 12 * (640 + 480) + 4000
                self.assertEqual(len(pkts), -(-total // per))
                t0 = pkts[0][0]
                first = rtp(pkts[0][2])
                for i, (t, ports, pkt) in enumerate(pkts):
                    pt, marker, seq, ts, ssrc, payload = rtp(pkt)
                    # One stream to one port, which SIPp maps to the callee's.
                    self.assertEqual(ports, pkts[0][1])
                    self.assertEqual((pt, marker, ssrc), (8, int(i == 0), first[4]))
                    self.assertEqual((seq, ts), (first[2] + i, first[3] + i * per))
                    self.assertEqual(t - t0, i * ptime * 1000)
                    self.assertEqual(len(payload), per)
                # Silence before the first key: A-law's code for 0.
                self.assertEqual(set(rtp(pkts[0][2])[5]), {0xD5})
                self.assertEqual(keys_heard(rtp(p[2])[5] for p in pkts), "1234567890*#")

    def test_level_and_options(self):
        path = os.path.join(self.dir, "k.pcap")
        pkts = read_pcap(make(path, "--digits", "#", "--lead-ms", "0", "--on-ms", "100",
                              "--tail-ms", "0", "--off-ms", "0", "--level", "-20"))
        self.assertEqual(len(pkts), 5)
        pcm = [alaw_decode(a) for a in rtp(pkts[2][2])[5]]
        # Two sines of −20 dBm0 each: 0 dBm0 is a mean square of 32767² / 2 − 3.14 dB.
        ms = sum(x * x for x in pcm) / len(pcm)
        dbm0 = 10 * math.log10(ms / 2 / (32767 ** 2 / 2)) + 3.14
        self.assertAlmostEqual(dbm0, -20, delta=0.3)
        bad = subprocess.run([sys.executable, SCRIPT, path, "--digits", "1x"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("not keys: x", bad.stderr)


def sip_headers(text):
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    return head[0], [tuple(h.split(":", 1)) for h in head[1:] if ":" in h]


def header(hs, name):
    return next(v.strip() for k, v in hs if k.strip().lower() == name.lower())


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class SippPlaysIt(unittest.TestCase):
    """SIPp calls a stand-in callee, which answers with PCMA, takes the RTP,
    hangs up once the stream has stopped, and compares it with the file."""

    def test_sipp_sends_the_capture(self):
        work = tempfile.mkdtemp(prefix="kefu-sipp-inband-")
        self.addCleanup(shutil.rmtree, work, True)
        data = make(os.path.join(work, "inband.pcap"), "--digits", "159#", "--lead-ms", "200",
                    "--tail-ms", "200")
        want = [rtp(p[2]) for p in read_pcap(data)]
        ip, sipp_ip = "127.0.0.186", "127.0.0.187"
        sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(sip.close)
        self.addCleanup(media.close)
        sip.bind((ip, 0))
        media.bind((ip, 0))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind((sipp_ip, 0))
        sipp_port = probe.getsockname()[1]
        probe.close()
        cmd = [SIPP, f"{ip}:{sip.getsockname()[1]}", "-sf", SCENARIO, "-s", "400",
               "-i", sipp_ip, "-mi", sipp_ip, "-bind_local", "-p", str(sipp_port), "-m", "1",
               "-nostdin", "-timeout", "30s", "-max_retrans", "2"]
        proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        # The INVITE (again if SIPp retransmits it before our answer).
        sip.settimeout(10)
        raw, peer = sip.recvfrom(65535)
        first, hs = sip_headers(raw.decode())
        self.assertTrue(first.startswith("INVITE sip:400@"), first)
        sdp = raw.decode().split("\r\n\r\n", 1)[1]
        self.assertIn("RTP/AVP 8\r\n", sdp)
        self.assertNotIn("telephone-event", sdp)
        to = header(hs, "To") + ";tag=standin"
        answer_sdp = (f"v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
                      f"m=audio {media.getsockname()[1]} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")
        vias = "".join(f"{k}:{v}\r\n" for k, v in hs if k.strip().lower() == "via")
        ok = (f"SIP/2.0 200 OK\r\n{vias}From: {header(hs, 'From')}\r\nTo: {to}\r\n"
              f"Call-ID: {header(hs, 'Call-ID')}\r\nCSeq: {header(hs, 'CSeq')}\r\n"
              f"Contact: <sip:400@{ip}:{sip.getsockname()[1]}>\r\n"
              f"Content-Type: application/sdp\r\nContent-Length: {len(answer_sdp)}\r\n\r\n"
              f"{answer_sdp}")
        sip.sendto(ok.encode(), peer)
        while True:
            raw, _ = sip.recvfrom(65535)
            if raw.startswith(b"ACK "):
                break
            sip.sendto(ok.encode(), peer)

        # The RTP, until it has stopped for a second.
        got = []
        media.settimeout(5)
        while True:
            try:
                pkt, _ = media.recvfrom(2048)
            except socket.timeout:
                break
            got.append((time.monotonic(), rtp(pkt)))
            media.settimeout(1)

        contact = re.search(r"<([^>]+)>", header(hs, "Contact")).group(1)
        bye = (f"BYE {contact} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {ip}:{sip.getsockname()[1]};branch=z9hG4bK-standin-bye\r\n"
               f"From: {to}\r\nTo: {header(hs, 'From')}\r\nCall-ID: {header(hs, 'Call-ID')}\r\n"
               f"CSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        sip.sendto(bye.encode(), peer)
        raw, _ = sip.recvfrom(65535)
        self.assertTrue(raw.startswith(b"SIP/2.0 200"), raw[:80])
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, out[-2000:] + err[-2000:])

        # Every packet, in order and unchanged (SIPp rewrites only the
        # addresses and ports), at about the capture's pace.
        self.assertEqual([g[1] for g in got], want)
        span = got[-1][0] - got[0][0]
        self.assertGreater(span, 0.8 * (len(want) - 1) * 0.020)
        self.assertEqual(keys_heard(g[1][5] for g in got), "159#")


if __name__ == "__main__":
    unittest.main()
