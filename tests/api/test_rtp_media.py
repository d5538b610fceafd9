"""Where kefu sends a call's RTP (issue 11: RTP reflection, symmetric RTP).

An SDP names any address it likes. kefu used to send there, so one INVITE
and ACK naming someone else's address made kefu stream RTP at it for a
minute (an amplifier), and a phone whose SDP names an address that does not
reach it (NAT, a host with several addresses) heard nothing. Now media goes
only to the address the signalling came from (with the SDP's port) until
the party's own RTP arrives, and then to where that RTP comes from
(symmetric RTP, "latching"); configured trunks (sip_trunks) are followed by
their SDP.

Every phone here is a Python socket on its own loopback address (the guard
counts per address). Callers press 1 and wait in the market_consult queue,
where kefu plays music on hold without a pause, so there is always a
stream to look for. The "elsewhere" sockets listen where an SDP points:
what they receive is what kefu would have reflected."""
import socket
import struct

from test_hotline import HotlineCase, rtp, sdp
from test_ivr import offer

TRUNK = "127.0.3.30"


def udp(ip, port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    return s


def udp_pair(ip_a, ip_b):
    """Two sockets with the same port, on two addresses."""
    for _ in range(50):
        a = udp(ip_a)
        try:
            return a, udp(ip_b, a.getsockname()[1])
        except OSError:
            a.close()
    raise AssertionError("no port free on both addresses")


def kefu_packets(sock, count, timeout=3.0, constant=False):
    """The next count RTP packets kefu sends to sock: (pt, seq, payload length);
    with constant, only those whose payload is one value repeated (what the test
    phones say, never the music kefu plays)."""
    out = []
    sock.settimeout(timeout)
    try:
        while len(out) < count:
            data, _ = sock.recvfrom(2048)
            b1, b2, seq = struct.unpack("!BBH", data[:4])
            assert b1 >> 6 == 2, "RTP version 2"
            if not constant or len(set(data[12:])) == 1:
                out.append((b2 & 0x7F, seq, len(data) - 12))
    except socket.timeout:
        pass
    return out


def waiting(sock):
    """What has arrived at sock so far, without waiting."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recvfrom(2048)[0])
    except BlockingIOError:
        pass
    return out


def talk(sock, to, count=5, pt=8, ssrc=0x5EED):
    """count packets of 20 ms of silence in G.711 (A-law for pt 8, else µ-law)."""
    for i in range(count):
        sock.sendto(rtp(pt, i, i * 160, ssrc, (b"\xd5" if pt == 8 else b"\xff") * 160), to)


class RtpMedia(HotlineCase):
    server_env = dict(HotlineCase.server_env, KEFU_SIP_TRUNKS=TRUNK)

    def sock(self, ip, port=0):
        s = udp(ip, port)
        self.addCleanup(s.close)
        return s

    def pair(self, ip_a, ip_b):
        a, b = udp_pair(ip_a, ip_b)
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        return a, b

    def queued_caller(self, ip, sdp_ip, sdp_port):
        """A caller from ip whose SDP names sdp_ip:sdp_port, waiting in a queue
        nobody here serves (3: complaint), hearing music."""
        c = self.caller(ip)
        self.assertEqual(c.invite(sdp=offer(sdp_ip, sdp_port)).code, 200)
        self.assertEqual(c.info("3"), 200)
        self.addCleanup(c.bye)
        return c

    def test_a_foreign_address_in_the_sdp_gets_nothing(self):
        """RTP reflection (issue 11, defect 7): the INVITE names 127.0.3.11, where a
        socket listens; kefu sends to the caller's own address with the SDP's port."""
        own, elsewhere = self.pair("127.0.3.10", "127.0.3.11")
        port = own.getsockname()[1]
        c = self.queued_caller("127.0.3.10", "127.0.3.11", port)
        got = kefu_packets(own, 50)
        self.assertEqual(len(got), 50, "kefu's stream reaches the signalling's address")
        self.assertEqual({pt for pt, _, _ in got}, {8})
        self.assertEqual(waiting(elsewhere), [], "nothing was reflected to the SDP's address")
        # The caller's own RTP, from yet another port, moves the stream there; the
        # address its SDP named still gets nothing.
        talk(c.rtp, c.kefu_rtp())
        self.assertEqual(len(kefu_packets(c.rtp, 20)), 20)
        self.assertEqual(waiting(elsewhere), [])

    def test_media_follows_the_port_the_phone_sends_from(self):
        """Symmetric RTP (defect 6): the SDP names port P on the caller's address, but
        the phone sends (and listens) on port Q: once its RTP arrives, kefu sends to Q."""
        c = self.caller("127.0.3.20")
        named = self.sock("127.0.3.20")
        self.assertEqual(c.invite(sdp=offer(c.ip, named.getsockname()[1])).code, 200)
        self.assertEqual(c.info("3"), 200)
        self.addCleanup(c.bye)
        # Until the phone's RTP arrives, the SDP's port is all kefu knows.
        self.assertEqual(len(kefu_packets(named, 5)), 5)
        talk(c.rtp, c.kefu_rtp())
        at_q = kefu_packets(c.rtp, 25)
        self.assertEqual(len(at_q), 25, "the phone hears kefu at the port it sends from")
        self.assertEqual({pt for pt, _, _ in at_q}, {8})
        # Every packet to P was sent before the first to Q: the stream moved, it
        # is not copied.
        first_q = at_q[0][1]
        before = [struct.unpack("!H", d[2:4])[0] for d in waiting(named)]
        self.assertTrue(all(0 < (first_q - seq) % 65536 < 32768 for seq in before), before)

    def test_rtp_from_the_sdp_address_alone_does_not_move_the_stream(self):
        """Only the signalling's address may move the media: a packet from the foreign
        address the SDP named (anyone can send one, spoofed) changes nothing."""
        own, elsewhere = self.pair("127.0.3.12", "127.0.3.13")
        c = self.queued_caller("127.0.3.12", "127.0.3.13", own.getsockname()[1])
        self.assertEqual(len(kefu_packets(own, 5)), 5)
        talk(elsewhere, c.kefu_rtp())
        self.assertEqual(len(kefu_packets(own, 25)), 25)
        self.assertEqual(waiting(elsewhere), [])

    def test_a_trunk_gets_media_at_its_sdp_address(self):
        """sip_trunks: a carrier's media gateway has an address of its own (and
        often sends from another port than it receives on): its SDP is followed."""
        gateway = self.sock("127.0.3.31")
        c = self.queued_caller(TRUNK, "127.0.3.31", gateway.getsockname()[1])
        self.assertEqual(len(kefu_packets(gateway, 25)), 25)
        # RTP from the trunk's own address does not move the stream either.
        talk(c.rtp, c.kefu_rtp())
        self.assertEqual(len(kefu_packets(gateway, 25)), 25)
        self.assertEqual(waiting(c.rtp), [])

    def test_agents_phone_the_same(self):
        """The agent's leg: its 200 OK's SDP names 127.0.3.41, its SIP and RTP are on
        127.0.3.40. The caller's voice reaches the agent's own address (with the SDP's
        port), then the port the agent's phone sends from; the agent's voice, sent
        from an address its SDP did not name, reaches the caller."""
        phone = self.agent("8103", "127.0.3.40")
        own, elsewhere = self.pair("127.0.3.40", "127.0.3.41")
        c = self.caller("127.0.3.42")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        self.addCleanup(c.bye)
        phone.ring()
        phone.fmts = ((0, "PCMU"),)
        phone.reply(phone.invite, 200, "OK", sdp("127.0.3.41", own.getsockname()[1],
                                                 phone.fmts))
        self.assertIsNotNone(phone.wait_request("ACK"), "no ACK")
        self.call(c.call_id, "connected")
        talk(c.rtp, c.kefu_rtp(), count=10)
        relayed = kefu_packets(own, 10, constant=True)
        self.assertEqual(len(relayed), 10, "the caller's voice reaches the agent")
        self.assertEqual({(pt, n) for pt, _, n in relayed}, {(0, 160)})
        self.assertEqual(waiting(elsewhere), [])
        # The agent talks from its RTP socket (another port, an address its SDP
        # did not name): the caller hears it, and the agent now hears the caller there.
        talk(phone.rtp, phone.kefu_media, count=10, pt=0, ssrc=0xA6E47)
        heard = kefu_packets(c.rtp, 10, constant=True)
        self.assertEqual(len(heard), 10, "the agent's voice reaches the caller")
        self.assertEqual({(pt, n) for pt, _, n in heard}, {(8, 160)})
        talk(c.rtp, c.kefu_rtp(), count=10, ssrc=0x5EEE)
        self.assertEqual(len(kefu_packets(phone.rtp, 10, constant=True)), 10)
        self.assertEqual(waiting(elsewhere), [])
