// Just enough SIP over UDP for browser tests of the hotline: a caller
// that dials the hotline and presses a key (SIP INFO), and an agent's phone
// that registers with digest authentication (MD5) and answers kefu's
// INVITE. Ported from tests/api/test_ivr.py (Caller) and test_hotline.py
// (AgentPhone, short_prompts). Each UA has its own loopback address, since
// kefu's guard counts per address; RTP sockets exist only so kefu's media
// reach a port that is open, and what arrives there is dropped.
import dgram from 'node:dgram'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const HOTLINE = '4000000000'
export const CALLER_NUMBER = '13900139000'
const REALM = 'kefu'

const hex = (n) => randomBytes(n).toString('hex')
const md5 = (s) => createHash('md5').update(s).digest('hex')

// The prompts kefu plays, as 60 ms tones (music on hold: 1 s), so calls
// move quickly; the directory goes to KEFU_PROMPTS_DIR.
const PROMPT_KEYS = `welcome menu invalid no_input transfer to_agent out_of_hours queue_busy queue_ahead
queue_people wait_expected wait_minutes wait_under num_many callback_offer callback_number
callback_done hold survey survey_thanks goodbye`
  .split(/\s+/)
  .concat(Array.from({ length: 20 }, (_, i) => `num_${i + 1}`))

function wav(samples, freq) {
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / 8000)), i * 2)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0)
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVEfmt ', 8)
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(8000, 24)
  h.writeUInt32LE(16000, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36)
  h.writeUInt32LE(data.length, 40)
  return Buffer.concat([h, data])
}

export function shortPrompts() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefu-web-prompts-'))
  for (const key of PROMPT_KEYS) writeFileSync(path.join(dir, key + '.wav'), wav(480, 1000))
  writeFileSync(path.join(dir, 'moh.wav'), wav(8000, 300))
  return dir
}

// G.711 A-law of one 16-bit sample (ITU-T G.711, as src/media/g711.c decodes it).
function alaw(pcm) {
  const END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff]
  let v = pcm >> 3
  let mask = 0xd5
  if (v < 0) {
    mask = 0x55
    v = -v - 1
  }
  const seg = END.findIndex((e) => v <= e)
  if (seg < 0) return 0x7f ^ mask
  return ((seg << 4) | ((seg < 2 ? v >> 1 : v >> seg) & 0xf)) ^ mask
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export class Msg {
  constructor(buf) {
    const text = buf.toString('utf8')
    const cut = text.indexOf('\r\n\r\n')
    const head = cut < 0 ? text : text.slice(0, cut)
    this.body = cut < 0 ? '' : text.slice(cut + 4)
    const lines = head.split('\r\n')
    this.first = lines[0]
    this.headers = lines.slice(1).map((l) => {
      const i = l.indexOf(':')
      return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]
    })
    this.isResponse = this.first.startsWith('SIP/2.0')
    this.code = this.isResponse ? Number(this.first.split(' ')[1]) : 0
    this.method = this.isResponse ? '' : this.first.split(' ')[0]
  }

  get(name) {
    const h = this.headers.find(([n]) => n === name)
    return h ? h[1] : undefined
  }

  cseqMethod() {
    return (this.get('cseq') || '').split(/\s+/)[1] || ''
  }
}

// A UDP endpoint with a queue of what arrived and waiters on it. Requests
// a test never waits for (a BYE or CANCEL from kefu) are answered 200 by
// `autoReply` before they are queued.
class Endpoint {
  constructor(sipPort, ip) {
    this.server = { port: sipPort, address: '127.0.0.1' }
    this.ip = ip
    this.queue = []
    this.waiters = []
    this.sock = dgram.createSocket('udp4')
    this.rtp = dgram.createSocket('udp4')
    this.sock.on('message', (buf) => this.onMessage(new Msg(buf)))
    this.rtp.on('message', () => {})
  }

  async open() {
    await new Promise((r) => this.sock.bind(0, this.ip, r))
    await new Promise((r) => this.rtp.bind(0, this.ip, r))
    this.port = this.sock.address().port
    this.rtpPort = this.rtp.address().port
    return this
  }

  close() {
    for (const s of [this.sock, this.rtp]) {
      try {
        s.close()
      } catch {
        /* closed already */
      }
    }
  }

  onMessage(m) {
    if (!m.isResponse && this.autoReply(m)) {
      this.seen = (this.seen || []).concat(m.method)
      return
    }
    const i = this.waiters.findIndex((w) => w.pred(m))
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1)
      clearTimeout(w.timer)
      w.resolve(m)
    } else {
      this.queue.push(m)
    }
  }

  autoReply() {
    return false
  }

  // The next message for which pred is true (queued or still to come).
  next(pred, timeoutMs = 10000, what = 'a SIP message') {
    const i = this.queue.findIndex(pred)
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0])
    return new Promise((resolve, reject) => {
      const w = { pred, resolve }
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1)
        reject(new Error(`${this.ip}: no ${what} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  send(text) {
    return new Promise((r) => this.sock.send(Buffer.from(text), this.server.port, this.server.address, r))
  }

  // A response to req: Via, From, Call-ID, CSeq copied; To with our tag.
  reply(req, code, reason = 'OK', body = '', contact = '') {
    const lines = [`SIP/2.0 ${code} ${reason}`]
    for (const [n, v] of req.headers) {
      if (n === 'via' || n === 'from' || n === 'call-id' || n === 'cseq') lines.push(`${n.replace(/(^|-)\w/g, (c) => c.toUpperCase())}: ${v}`)
      else if (n === 'to') lines.push(`To: ${v}` + (v.includes('tag=') || code === 100 ? '' : `;tag=${this.localTag}`))
    }
    if (contact) lines.push(`Contact: ${contact}`)
    if (body) lines.push('Content-Type: application/sdp')
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
    return this.send(lines.join('\r\n') + '\r\n\r\n' + body)
  }
}

function sdp(origin, ip, port, fmts, direction = 'sendrecv') {
  const lines = ['v=0', `o=${origin} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP ${fmts.map(([pt]) => pt).join(' ')}`]
  for (const [pt, name] of fmts) lines.push(`a=rtpmap:${pt} ${name}/8000`)
  if (direction) lines.push(`a=${direction}`)
  return lines.join('\r\n') + '\r\n'
}

// A phone calling the hotline from CALLER_NUMBER, offering PCMA.
export class Caller extends Endpoint {
  constructor(sipPort, ip) {
    super(sipPort, ip)
    this.callId = hex(8)
    this.tag = hex(4)
    this.localTag = this.tag
    this.cseq = 1
  }

  autoReply(m) {
    if (m.method === 'BYE' || m.method === 'OPTIONS') {
      this.reply(m, 200)
      if (m.method === 'BYE') this.hungUp = true
      return true
    }
    return false
  }

  head(method, uri, to, cseq, extra = []) {
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.ip}:${this.port};branch=z9hG4bK${hex(6)};rport`,
      `From: <sip:${CALLER_NUMBER}@${this.ip}>;tag=${this.tag}`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${CALLER_NUMBER}@${this.ip}:${this.port}>`,
      'Max-Forwards: 70',
      ...extra,
    ]
  }

  request(lines, body = '') {
    return this.send([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'))
  }

  // The INVITE; resolves to the final response (ACKed when 2xx).
  async invite(number = HOTLINE) {
    const uri = `sip:${number}@127.0.0.1:${this.server.port}`
    const body = sdp('caller', this.ip, this.rtpPort, [
      [8, 'PCMA'],
      [101, 'telephone-event'],
    ], '')
    await this.request(this.head('INVITE', uri, `<sip:${number}@127.0.0.1>`, 1, ['Content-Type: application/sdp']), body)
    const m = await this.next((x) => x.isResponse && x.cseqMethod() === 'INVITE' && x.code >= 200, 10000, 'final answer to INVITE')
    this.to = m.get('to')
    if (m.code < 300) {
      this.contact = m.get('contact').match(/<([^>]+)>/)[1]
      await this.request(this.head('ACK', this.contact, this.to, 1))
    }
    return m
  }

  async inDialog(method, extra = [], body = '') {
    this.cseq++
    const cseq = this.cseq
    await this.request(this.head(method, this.contact, this.to, cseq, extra), body)
    const m = await this.next((x) => x.isResponse && x.get('cseq') === `${cseq} ${method}` && x.code >= 200, 10000, `answer to ${method}`)
    return m.code
  }

  // A key press as SIP INFO (application/dtmf-relay).
  info(digit) {
    return this.inDialog('INFO', ['Content-Type: application/dtmf-relay'], `Signal=${digit}\r\nDuration=160\r\n`)
  }

  bye() {
    return this.inDialog('BYE')
  }

  // Speaks into the call: a tone of freq Hz as 20 ms PCMA packets, paced in
  // real time for ms milliseconds, sent from the RTP socket to the media
  // address in kefu's answer (the SDP of the INVITE's 200): what kefu
  // records on the caller's channel.
  async speak(answer, ms, freq = 440) {
    const ip = answer.body.match(/c=IN IP4 (\S+)/)[1]
    const port = Number(answer.body.match(/m=audio (\d+)/)[1])
    const ssrc = randomBytes(4).readUInt32BE(0)
    const t0 = Date.now()
    for (let i = 0; i < ms / 20; i++) {
      const pkt = Buffer.alloc(12 + 160)
      pkt[0] = 0x80
      pkt[1] = 8 // PCMA
      pkt.writeUInt16BE((this.rtpSeq = ((this.rtpSeq || 0) + 1) & 0xffff), 2)
      pkt.writeUInt32BE((i * 160) >>> 0, 4)
      pkt.writeUInt32BE(ssrc, 8)
      for (let k = 0; k < 160; k++) pkt[12 + k] = alaw(Math.round(8000 * Math.sin((2 * Math.PI * freq * (i * 160 + k)) / 8000)))
      await new Promise((r) => this.rtp.send(pkt, port, ip, r))
      const wait = t0 + (i + 1) * 20 - Date.now()
      if (wait > 0) await sleep(wait)
    }
  }
}

// An agent's phone: registers as the work number, then rings and answers.
export class AgentPhone extends Endpoint {
  constructor(sipPort, ip, workNo, password) {
    super(sipPort, ip)
    this.workNo = workNo
    this.password = password
    this.callId = hex(8)
    this.cseq = 0
    this.localTag = hex(4)
  }

  get contactUri() {
    return `<sip:${this.workNo}@${this.ip}:${this.port}>`
  }

  autoReply(m) {
    if (m.method === 'BYE' || m.method === 'NOTIFY' || m.method === 'OPTIONS') {
      this.reply(m, 200, 'OK', '', this.contactUri)
      return true
    }
    if (m.method === 'CANCEL') {
      // 200 to the CANCEL, then 487 to the INVITE it cancels (RFC 3261 §9.2).
      this.reply(m, 200)
      if (this.invite && this.invite.get('call-id') === m.get('call-id')) this.reply(this.invite, 487, 'Request Terminated')
      this.cancelled = true
      return true
    }
    return false
  }

  registerMessage(extra = []) {
    this.cseq++
    return [
      'REGISTER sip:127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP ${this.ip}:${this.port};branch=z9hG4bK${hex(6)};rport`,
      `From: <sip:${this.workNo}@${REALM}>;tag=${hex(4)}`,
      `To: <sip:${this.workNo}@${REALM}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      'Max-Forwards: 70',
      'User-Agent: kefu-test/1',
      `Contact: ${this.contactUri}`,
      'Expires: 3600',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
  }

  // REGISTER, the 401 challenge, REGISTER with digest credentials: the code.
  async register() {
    const answer = (cseq) => this.next((x) => x.isResponse && x.get('cseq') === `${cseq} REGISTER`, 5000, 'answer to REGISTER')
    await this.send(this.registerMessage())
    const first = await answer(this.cseq)
    if (first.code !== 401) throw new Error('REGISTER: expected 401, got ' + first.first)
    const ch = {}
    for (const [, k, v] of first.get('www-authenticate').slice(7).matchAll(/(\w+)="?([^",]*)"?/g)) ch[k] = v
    const uri = 'sip:127.0.0.1'
    const ha1 = md5(`${this.workNo}:${ch.realm}:${this.password}`)
    const ha2 = md5(`REGISTER:${uri}`)
    const cnonce = hex(4)
    const nc = '00000001'
    const response = md5(`${ha1}:${ch.nonce}:${nc}:${cnonce}:auth:${ha2}`)
    const auth =
      `Authorization: Digest username="${this.workNo}", realm="${ch.realm}", nonce="${ch.nonce}", ` +
      `uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`
    await this.send(this.registerMessage([auth]))
    return (await answer(this.cseq)).code
  }

  // Waits for kefu's INVITE and answers 180 Ringing.
  async ring(timeoutMs = 10000) {
    this.cancelled = false
    this.invite = await this.next((x) => x.method === 'INVITE', timeoutMs, 'INVITE')
    await this.reply(this.invite, 180, 'Ringing', '', this.contactUri)
    return this.invite
  }

  // 200 OK with PCMU, and the ACK.
  async answer() {
    await this.reply(this.invite, 200, 'OK', sdp('agent', this.ip, this.rtpPort, [[0, 'PCMU']]), this.contactUri)
    await this.next((x) => x.method === 'ACK', 5000, 'ACK')
    this.dialogCseq = 100
  }

  // Hold (sendonly) or resume (sendrecv) as a re-INVITE from the phone in
  // the dialog kefu opened; resolves to the final answer's code (ACKed).
  async hold(on) {
    const cseq = ++this.dialogCseq
    const kefu = this.invite.get('contact').match(/<([^>]+)>/)[1]
    const head = (method) => [
      `${method} ${kefu} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.ip}:${this.port};branch=z9hG4bK${hex(6)};rport`,
      `From: ${this.invite.get('to')};tag=${this.localTag}`,
      `To: ${this.invite.get('from')}`,
      `Call-ID: ${this.invite.get('call-id')}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: ${this.contactUri}`,
      'Max-Forwards: 70',
    ]
    const body = sdp('agent', this.ip, this.rtpPort, [[0, 'PCMU']], on ? 'sendonly' : 'sendrecv')
    await this.send([...head('INVITE'), 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'))
    const m = await this.next((x) => x.isResponse && x.get('cseq') === `${cseq} INVITE` && x.code >= 200, 5000, 'answer to the re-INVITE')
    await this.send([...head('ACK'), 'Content-Length: 0', '', ''].join('\r\n'))
    return m.code
  }
}
