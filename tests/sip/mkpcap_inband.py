#!/usr/bin/env python3
"""Writes a pcap of a caller's RTP that carries DTMF keys as in-band tones.

Usage: mkpcap_inband.py OUT.pcap [--digits 1] [--lead-ms 500] [--on-ms 100]
                        [--off-ms 100] [--tail-ms 1000] [--level -10]
                        [--ptime 20]

The stream is G.711 A-law (PCMA, RTP payload type 8) in packets of
--ptime ms: --lead-ms of silence, then for each key of --digits its two
tones (each at --level dBm0) for --on-ms and silence for --off-ms, then
--tail-ms of silence. It is for phones whose SDP offers no telephone-event,
so their keys reach kefu only as sound (src/media/inband.c).

SIPp plays it with <exec play_pcap_audio="OUT.pcap"/> (tests/sip/
call_inband.xml): SIPp reads classic pcap files with Ethernet (or Linux
cooked) framing, keeps each packet's UDP header and payload, sends them
from its media port to the one the other side answered with, and paces
them by the capture's timestamps, as in Debian's
/usr/share/sip-tester/g711a.pcap. So each packet here is Ethernet, IPv4
and UDP (checksums filled in) around an RTP packet, all to one port, with
timestamps --ptime ms apart. Standard library only; the file is made at
test time and never committed.
"""
import argparse
import math
import struct
import sys

RATE = 8000
PT_PCMA = 8
# The key pad: rows are the low group, columns the high group.
LOW = (697, 770, 852, 941)
HIGH = (1209, 1336, 1477, 1633)
PAD = "123A456B789C*0#D"

SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")
SRC_IP = bytes([192, 0, 2, 1])  # TEST-NET-1 (RFC 5737): only ever replaced
DST_IP = bytes([192, 0, 2, 2])
SRC_PORT = 40000
DST_PORT = 40002
SSRC = 0x6B656675  # "kefu"


def key_freqs(key):
    i = PAD.index(key.upper())
    return LOW[i // 4], HIGH[i % 4]


def peak(dbm0):
    """The peak of a sine of dbm0: a full-scale sine is +3.14 dBm0 (A-law)."""
    return 32767.0 * 10 ** ((dbm0 - 3.14) / 20)


def alaw(x):
    """G.711 A-law code of a 16-bit sample, as src/media/g711.c computes it."""
    if x >= 0:
        mag, mask = x >> 3, 0xD5
    else:
        mag, mask = (~x) >> 3, 0x55
    seg = 0
    while seg < 8 and mag > (0x20 << seg) - 1:
        seg += 1
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((mag >> max(seg, 1)) & 0x0F)) ^ mask


def samples(digits, lead_ms, on_ms, off_ms, tail_ms, level):
    out = [0] * (lead_ms * RATE // 1000)
    a = peak(level)
    for key in digits:
        lo, hi = key_freqs(key)
        for n in range(on_ms * RATE // 1000):
            t = n / RATE
            v = a * math.sin(2 * math.pi * lo * t) + a * math.sin(2 * math.pi * hi * t)
            out.append(max(-32768, min(32767, round(v))))
        out += [0] * (off_ms * RATE // 1000)
    out += [0] * (tail_ms * RATE // 1000)
    return out


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(rtp):
    udp_len = 8 + len(rtp)
    pseudo = SRC_IP + DST_IP + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", SRC_PORT, DST_PORT, udp_len, 0) + rtp
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xB8, 20 + udp_len, 0, 0x4000, 64, 17, 0,
                     SRC_IP, DST_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return DST_MAC + SRC_MAC + struct.pack("!H", 0x0800) + ip + udp


def pcap(pcm, ptime):
    per = ptime * RATE // 1000
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]  # LINKTYPE_ETHERNET
    start_us = 1_700_000_000 * 1_000_000
    for i in range(0, len(pcm), per):
        chunk = pcm[i:i + per]
        chunk += [0] * (per - len(chunk))
        n = i // per
        rtp = struct.pack("!BBHII", 0x80, (0x80 if n == 0 else 0) | PT_PCMA, n & 0xFFFF,
                          i & 0xFFFFFFFF, SSRC) + bytes(alaw(s) for s in chunk)
        pkt = frame(rtp)
        us = start_us + n * ptime * 1000
        out.append(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(pkt), len(pkt)))
        out.append(pkt)
    return b"".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", help="the pcap file to write")
    p.add_argument("--digits", default="1", help="keys to press: 0-9 * # A-D (default 1)")
    p.add_argument("--lead-ms", type=int, default=500, help="silence before the first key")
    p.add_argument("--on-ms", type=int, default=100, help="tone of each key")
    p.add_argument("--off-ms", type=int, default=100, help="silence after each key")
    p.add_argument("--tail-ms", type=int, default=1000, help="silence after the last key")
    p.add_argument("--level", type=float, default=-10, help="dBm0 of each of the two tones")
    p.add_argument("--ptime", type=int, choices=(10, 20, 30, 40), default=20,
                   help="ms of audio per packet")
    a = p.parse_args(argv)
    bad = [k for k in a.digits if k.upper() not in PAD]
    if bad or min(a.lead_ms, a.on_ms, a.off_ms, a.tail_ms) < 0:
        p.error(f"not keys: {''.join(bad)}" if bad else "durations cannot be negative")
    pcm = samples(a.digits, a.lead_ms, a.on_ms, a.off_ms, a.tail_ms, a.level)
    with open(a.out, "wb") as f:
        f.write(pcap(pcm, a.ptime))
    return 0


if __name__ == "__main__":
    sys.exit(main())
