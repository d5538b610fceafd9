#!/usr/bin/env python3
"""Writes the generated seeds of tests/fuzz/corpus/ (docs/fuzzing.md).

Most seeds are files copied from the tests' own fixtures; the binary ones
(RTP streams, PCM, WAV, .xlsx) are made here so they can be read and
remade. Run from the repository: python3 tests/fuzz/seeds.py
"""
import io
import math
import os
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rtp(pt, seq, ts, ssrc, payload, marker=0, csrc=(), ext=None, pad=0):
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext else 0) | len(csrc)
    h = struct.pack("!BBHII", b0, (marker << 7) | pt, seq, ts, ssrc)
    h += b"".join(struct.pack("!I", c) for c in csrc)
    if ext:
        h += struct.pack("!HH", 0xBEDE, len(ext) // 4) + ext
    body = h + payload
    if pad:
        body += b"\0" * (pad - 1) + bytes([pad])
    return body


def stream(packets):
    out = b""
    for gap, p in packets:
        out += struct.pack("!HI", len(p), gap) + p
    return out


def tone(freqs, n, amp=8000):
    return [int(sum(amp * math.sin(2 * math.pi * f * i / 8000) for f in freqs) / len(freqs))
            for i in range(n)]


def alaw(pcm):
    # Not exact G.711: any byte is a valid A-law sample, the seed only needs variety.
    return bytes((s >> 8) & 0xFF for s in pcm)


def wav(fmt, channels, rate, bits, data, extensible=False):
    if extensible:
        fmt_chunk = struct.pack("<HHIIHHHHIH14s", 0xFFFE, channels, rate,
                                rate * channels * bits // 8, channels * bits // 8, bits, 22,
                                bits, 0, fmt, b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x008\x9bq")
    else:
        fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * channels * bits // 8,
                                channels * bits // 8, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    body += b"LIST" + struct.pack("<I", 4) + b"INFO"
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


class Fixed:
    """writestr with a fixed date, so the seeds are the same each time they are made."""

    def __init__(self, zf):
        self.zf = zf

    def writestr(self, name, text):
        self.zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text,
                         compress_type=zipfile.ZIP_DEFLATED)


def xlsx(rows, shared=True):
    strings = []
    sheet = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = chr(ord("A") + c) + str(r)
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif shared:
                strings.append(v)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        sheet.append(f'<row r="{r}">{"".join(cells)}</row>')
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        f = Fixed(zf)
        f.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        f.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        f.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        f.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + "".join(sheet) + "</sheetData></worksheet>")
        if shared:
            f.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    return z.getvalue()


def main():
    # RTP: a call's audio, a key press in RFC 4733 (three end packets), odd headers.
    voice = alaw(tone([440], 160))
    put("rtp", "pcma.bin", stream([(20000, rtp(8, 1000 + i, 160 * i, 0x1234, voice)) for i in range(6)]))
    ev = [(20000, rtp(101, 2000 + i, 8000, 0x55, struct.pack("!BBH", 5, 10 | (0x80 if i >= 3 else 0), 160 * (i + 1)), marker=int(i == 0))) for i in range(6)]
    put("rtp", "dtmf5.bin", stream(ev))
    put("rtp", "headers.bin", stream([(0, rtp(0, 7, 0, 9, voice[:40], csrc=(1, 2))),
                                      (5000, rtp(0, 8, 160, 9, voice[:40], ext=b"\1\2\3\4")),
                                      (5000, rtp(0, 9, 320, 9, voice[:40], pad=4)),
                                      (5000, bytes([0x80, 200, 0, 6]) + b"\0" * 24)]))
    put("rtp", "reorder.bin", stream([(20000, rtp(0, s, 160 * s, 7, voice[:160])) for s in (1, 3, 2, 2, 65535, 0, 40000)]))
    # PCM: silence, speech-like noise, a DTMF tone (7: 852 + 1209 Hz) in stereo.
    put("pcm", "silence.raw", b"\0" * 6400)
    put("pcm", "dtmf7.raw", b"".join(struct.pack("<hh", s, 0) for s in tone([852, 1209], 1600) + [0] * 800 + tone([852, 1209], 1600)))
    put("pcm", "speech.raw", b"".join(struct.pack("<hh", s, -s // 2) for s in tone([200, 450, 1100, 2300], 3200, 12000)))
    # WAV: the formats kefu plays and some it refuses.
    put("wav", "pcm16-mono.wav", wav(1, 1, 8000, 16, b"".join(struct.pack("<h", s) for s in tone([440], 400))))
    put("wav", "pcm16-stereo.wav", wav(1, 2, 8000, 16, b"\1\0\2\0" * 200))
    put("wav", "alaw.wav", wav(6, 1, 8000, 8, voice))
    put("wav", "ulaw-ext.wav", wav(7, 1, 8000, 8, voice, extensible=True))
    put("wav", "rate16k.wav", wav(1, 1, 16000, 16, b"\0\0" * 100))
    # .xlsx: a sheet as kefu writes it, and one with inline strings.
    put("xlsx", "kb.xlsx", xlsx([["标题", "类型", "用途", "分类", "标签", "正文"],
                                 ["退款多久到账", "文章", "", "售后", "退款, 到账", "一般 3 到 7 个工作日。"],
                                 ["开场白", "话术", "greeting", "", "", "您好，这里是客服中心。"]]))
    put("xlsx", "inline.xlsx", xlsx([["姓名", "电话", 3], ["张三", "13800138000", 4.5]], shared=False))


if __name__ == "__main__":
    main()
