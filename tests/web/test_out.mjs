// Calls out in the browser (issue 17). The agent presses 拨打 on a card of
// the callback queue (CB-1): the bar above the page shows the attempt, and
// since no phone of the agent's is registered the engine ends it at once
// ("your phone is not registered"); the outcome dialog then offers only what
// can be true of an attempt nobody answered (CALL-10), the agent records
// "no answer" with a note, and the order shows that callback attempt (CB-2)
// in its history while the queue counts it. A supervisor creates a campaign
// and adds its members from a customer filter (CUST-3); the agent named
// previews one among their tasks. With the agent's phone registered, the
// bar follows the attempt through its states until the agent hangs up.
//
// The server listens for SIP on loopback (KEFU_SIP_LISTEN), so the engine
// runs and ends requests itself. A trunk is set (a loopback socket that
// takes the INVITE and never answers) so the engine gets as far as the
// agent's phone: without one it would end every request "no_trunk". With
// no phone registered the attempt ends "agent_offline" at once; with one
// (sipua.mjs), the phone rings, is answered, the customer's number is
// dialled and rings unanswered until the agent hangs up from the bar.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { Server, launchBrowser, newPage, login, screenshot, XSS, pick } from './harness.mjs'
import { AgentPhone } from './sipua.mjs'

let srv, browser, manager, trunk, sipPort, phone
const closers = []
// A campaign's name holds 64 characters: a shorter probe that would run the same way.
const XSS_NAME = '<img src=x onerror=__xss=3>'

before(async () => {
  trunk = await carrier()
  srv = await new Server().start({ KEFU_SIP_LISTEN: '127.0.0.1:0', KEFU_OUT_TRUNK: `127.0.0.1:${trunk.port}`, KEFU_WRAP_UP_SEC: '0' })
  sipPort = Number((await srv.waitLog(/sip: listening on udp:127\.0\.0\.1:(\d+)/))[1])
  browser = await launchBrowser()
  manager = await srv.account('8001')
  // Calls out are allowed all day here: the test clock starts at the real
  // time, which may be night in the center's time zone.
  await api('PUT', '/api/out/settings', { hours_from: '00:00', hours_to: '24:00' })
})

after(async () => {
  for (const c of closers) c.close()
  await browser?.close()
  await srv?.stop()
  trunk?.close()
})

// Just enough of a carrier's SIP for the bar's states: it takes kefu's
// INVITE and either lets it ring (answer = false) or answers at once with
// PCMU, and hangs up (BYE) when told. Every message is kept in `seen`.
async function carrier() {
  const sock = dgram.createSocket('udp4')
  const rtp = dgram.createSocket('udp4')
  rtp.on('message', () => {})
  const c = { seen: [], answer: false, invite: null, kefu: null }
  const header = (m, name) => (m.match(new RegExp(`^${name}:\\s*(.*)$`, 'im')) || [])[1] || ''
  const send = (text) => new Promise((r) => sock.send(Buffer.from(text), c.kefu.port, c.kefu.address, r))
  const reply = (m, code, reason, body = '') => {
    const vias = m.split('\r\n').filter((l) => /^via:/i.test(l))
    const to = header(m, 'To')
    return send([`SIP/2.0 ${code} ${reason}`, ...vias, `From: ${header(m, 'From')}`, `To: ${to}${to.includes('tag=') ? '' : ';tag=carrier1'}`, `Call-ID: ${header(m, 'Call-ID')}`, `CSeq: ${header(m, 'CSeq')}`, `Contact: <sip:carrier@127.0.0.1:${c.port}>`, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'))
  }
  sock.on('message', (buf, rinfo) => {
    const m = buf.toString()
    c.seen.push(m)
    c.kefu = rinfo
    if (m.startsWith('INVITE ')) {
      c.invite = m
      if (c.answer) {
        const port = rtp.address().port
        const sdp = ['v=0', 'o=carrier 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n')
        reply(m, 200, 'OK', sdp)
      } else reply(m, 180, 'Ringing')
    } else if (m.startsWith('BYE ')) reply(m, 200, 'OK')
    else if (m.startsWith('CANCEL ')) {
      reply(m, 200, 'OK')
      if (c.invite) reply(c.invite, 487, 'Request Terminated')
    }
  })
  await new Promise((r) => sock.bind(0, '127.0.0.1', r))
  await new Promise((r) => rtp.bind(0, '127.0.0.1', r))
  c.port = sock.address().port
  // The customer hangs up: a BYE in the dialog of the INVITE answered.
  c.bye = () => {
    const m = c.invite
    const uri = (header(m, 'Contact').match(/<([^>]+)>/) || [])[1]
    return send([`BYE ${uri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${c.port};branch=z9hG4bKbye${Date.now()}`, `From: ${header(m, 'To')};tag=carrier1`, `To: ${header(m, 'From')}`, `Call-ID: ${header(m, 'Call-ID')}`, 'CSeq: 2 BYE', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'))
  }
  c.close = () => {
    sock.close()
    rtp.close()
  }
  return c
}

async function api(method, path, body, token = manager) {
  const r = await srv.call(method, path, body, token)
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

const isPath = (x, path) => new URL(x.url()).pathname === path

// An order of class B reported back by 市场运营部's head (4001): its
// callback is in the center's queue.
async function reportedOrder(customerId, summary) {
  const o = await api('POST', '/api/orders', { class: 'B', customer_id: customerId, summary }, await srv.account('8102'))
  const owner = await srv.account('4001')
  await api('POST', `/api/orders/${o.id}/accept`, {}, owner)
  await api('POST', `/api/orders/${o.id}/call`, {}, owner)
  return api('POST', `/api/orders/${o.id}/report`, { solution: '已安排商务经理联系客户', effect: '客户已收到资料' }, owner)
}

test('an agent calls a callback from the queue; the attempt ends (no phone); the outcome recorded is the order\'s callback attempt', async () => {
  const cust = await api('POST', '/api/customers', { name: '韩梅梅', surname: '韩', title: 'ms', phones: [{ phone: '13912345678', label: '手机' }] })
  const order = await reportedOrder(cust.id, '咨询加盟条件')
  assert.equal(order.state, 'reported')

  const page = await newPage(browser)
  await login(page, srv, '8101')
  await page.goto(srv.url + '/callbacks')
  const card = page.locator(`[data-test=cb-${order.number}]`)
  await card.waitFor()
  // The number stays masked on the page (CUST-2); kefu dials the real one.
  assert.doesNotMatch(await card.textContent(), /13912345678/)

  const placed = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/out/calls'))
  await card.locator(`[data-test=cb-dial-${order.number}]`).click()
  const res = await placed
  assert.equal(res.status(), 201)
  assert.deepEqual(JSON.parse(res.request().postData()), { purpose: 'callback', ref_id: order.id })
  const call = await res.json()
  assert.equal(call.purpose, 'callback')
  assert.equal(call.ref_id, order.id)
  assert.doesNotMatch(JSON.stringify(call), /13912345678/, 'the answer has the number masked only')

  // The bar shows the attempt, whom it is for and the callback's script (CB-2).
  const bar = page.locator('[data-test=out-bar]')
  await bar.waitFor()
  assert.match(await bar.locator('[data-test=out-purpose]').textContent(), /回访/)
  assert.match(await bar.locator('[data-test=out-customer]').textContent(), /韩女士/)
  assert.match(await bar.locator('[data-test=out-script]').textContent(), /韩女士/)
  assert.equal((await bar.locator('[data-test=out-number]').textContent()).trim(), call.number)

  // No phone registered: the engine ends the attempt at once.
  await page.locator('[data-test=out-bar][data-state=ended][data-result=agent_offline]').waitFor()
  assert.match(await bar.locator('[data-test=out-state]').textContent(), /已结束.*您的话机未登录/)
  assert.match(await bar.locator('[data-test=out-agent-side]').textContent(), /客户没有被呼叫/)
  assert.equal((await api('GET', `/api/out/calls/${call.id}`)).result, 'agent_offline')
  await screenshot(page, 'out-call-ended')

  // The outcome dialog opens by itself with what can be said of an
  // unanswered attempt only: not "accepted" (the customer was not heard).
  const dialog = page.locator('[data-test=out-outcome-dialog]')
  await dialog.locator('[data-test=out-outcome-no_answer]').waitFor()
  // Left for later and the page reloaded: the bar brings the attempt back,
  // still waiting for its outcome (CALL-10).
  await dialog.locator('[data-test=out-outcome-later]').click()
  await page.reload()
  await page.locator('[data-test=out-bar][data-state=ended][data-result=agent_offline]').waitFor()
  await bar.locator('[data-test=out-record]').click()
  await dialog.locator('[data-test=out-outcome-no_answer]').waitFor()
  assert.equal(await dialog.locator('[data-test=out-outcome-accepted]').count(), 0)
  assert.equal(await dialog.locator('[data-test=out-outcome-busy]').count(), 1)
  await dialog.locator('[data-test=out-outcome-no_answer]').click()
  await dialog.locator('[data-test=out-note]').fill('话机未登录，改日再回访 ' + XSS)
  const recorded = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, `/api/out/calls/${call.id}/outcome`))
  await dialog.locator('[data-test=out-outcome-submit]').click()
  const out = await recorded
  assert.equal(out.status(), 200)
  assert.deepEqual(JSON.parse(out.request().postData()), { outcome: 'no_answer', note: '话机未登录，改日再回访 ' + XSS })
  await bar.locator('[data-test=out-recorded]').waitFor()
  assert.equal((await api('GET', `/api/out/calls/${call.id}`)).outcome, 'no_answer')

  // The order's callback attempt (CB-2): not reached, with the note; the
  // queue reloads and counts it.
  const events = await api('GET', `/api/orders/${order.id}/events`)
  const cb = events.events.filter((e) => e.kind === 'order.callback' && e.detail)
  assert.equal(cb.length, 1)
  assert.deepEqual([cb[0].detail.outcome, cb[0].detail.attempt, cb[0].detail.note], ['unreachable', 1, '话机未登录，改日再回访 ' + XSS])
  await card.locator('text=已回访 1 次').waitFor()
  await page.click('[data-test=out-close]')
  await bar.waitFor({ state: 'detached' })

  await page.goto(srv.url + '/orders/' + order.id)
  const history = page.locator('[data-test=order-history]')
  await history.locator('text=中心回访').first().waitFor()
  assert.match(await history.textContent(), /未接通：话机未登录，改日再回访 <img src=x/)

  // The log of calls out lists it with the result and the outcome.
  await page.goto(srv.url + '/out/calls')
  await page.locator(`[data-test=ol-row-${call.id}]`).waitFor()
  assert.equal((await page.textContent(`[data-test=ol-result-${call.id}]`)).trim(), '您的话机未登录')
  assert.equal((await page.textContent(`[data-test=ol-outcome-${call.id}]`)).trim(), '无人接听')
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a supervisor creates a VIP-care campaign, adds its members by a customer filter and starts it; the agent named finds the member among their tasks', async () => {
  const vip = await api('POST', '/api/customers', { name: '赵敏', surname: '赵', title: 'ms', vip_level: 3, phones: [{ phone: '13623456789' }] })
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/out/campaigns')
  await page.locator('[data-test=oc-page] [data-test=empty]').waitFor()

  await page.click('[data-test=oc-new]')
  const dialog = page.locator('[data-test=oc-dialog]')
  await dialog.locator('[data-test=oc-f-name]').fill('VIP 季度关怀 ' + XSS_NAME)
  await pick(page, 'oc-f-kind', 'VIP 关怀')
  await pick(page, 'oc-f-agents', '刘洋（8101）')
  await dialog.locator('.el-dialog__title').click()
  const created = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/out/campaigns'))
  await dialog.locator('[data-test=oc-save]').click()
  const c = await (await created).json()
  assert.equal(c.kind, 'vip_care')
  assert.equal(c.state, 'draft')
  assert.equal(c.agents.length, 1)
  const detail = page.locator('[data-test=oc-detail]')
  await detail.waitFor()
  assert.equal(await detail.locator('[data-test=oc-detail-name]').textContent(), 'VIP 季度关怀 ' + XSS_NAME)
  assert.match(await detail.locator('[data-test=oc-detail-agents]').textContent(), /刘洋（8101）/)

  // Members: the customers of VIP level 2 and above.
  await pick(page, 'oc-f-vip', 'VIP2 及以上')
  const added = page.waitForResponse((x) => isPath(x, `/api/out/campaigns/${c.id}/members`))
  await detail.locator('[data-test=oc-f-add]').click()
  const res = await added
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { filter: { vip_min: 2 } })
  const n = (await res.json()).added
  assert.ok(n >= 1)
  assert.equal((await detail.locator('[data-test=oc-add-result]').textContent()).trim(), `已加入 ${n} 位客户`)
  await detail.locator('[data-test=oc-members]', { hasText: '赵女士' }).waitFor()
  assert.match(await detail.locator('[data-test=oc-progress]').textContent(), new RegExp(`共 ${n} · 已拨完 0 · 联系上 0 · 待拨 ${n}`))
  assert.doesNotMatch(await detail.locator('[data-test=oc-members]').textContent(), /13623456789/, 'numbers masked')

  await detail.locator('[data-test=oc-start]').click()
  await page.locator(`[data-test=oc-state-${c.id}]`, { hasText: '进行中' }).waitFor()
  assert.equal((await api('GET', `/api/out/campaigns/${c.id}`)).state, 'running')
  await screenshot(page, 'out-campaign')
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()

  // The agent named sees the member among their tasks, customer first (preview).
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.goto(srv.url + '/out/tasks')
  // The hours set in before() and the call the agent placed in the first test.
  const mine = await api('GET', '/api/me/out', undefined, await srv.account('8101'))
  assert.equal(mine.used_today, 1)
  assert.equal((await agent.locator('[data-test=ot-me]').textContent()).trim(), `外呼时段 00:00–24:00 · 今日已拨 1/${mine.daily_cap}`)
  const task = (await api('GET', `/api/out/tasks?campaign_id=${c.id}`)).items.find((x) => x.customer_id === vip.id)
  assert.ok(task, 'the VIP customer is a member')
  await agent.locator(`[data-test=ot-row-${task.id}]`).click()
  await agent.locator('[data-test=ot-preview] [data-test=customer-card]').waitFor()
  assert.match(await agent.locator('[data-test=ot-preview] [data-test=cust-address]').textContent(), /赵女士/)
  await agent.locator(`[data-test=ot-dial-${task.id}]`).waitFor()
  assert.deepEqual(agent.problems, [])
  await agent.context().close()
})

test('with a phone registered the bar follows the attempt: the agent\'s phone rings, is answered, the customer\'s rings; 挂断 ends it; its outcome is recorded later from the log', async () => {
  const agent = await srv.account('8103')
  await api('POST', '/api/me/sip-password', { password: 'Phone-8103-pw' }, agent)
  phone = await new AgentPhone(sipPort, '127.0.7.31', '8103', 'Phone-8103-pw').open()
  closers.push(phone)
  assert.equal(await phone.register(), 200)
  await api('POST', '/api/acd/me/status', { status: 'ready' }, agent)
  const cust = await api('POST', '/api/customers', { name: '李雷', surname: '李', title: 'mr', phones: [{ phone: '13655556666' }] })

  const page = await newPage(browser)
  await login(page, srv, '8103')
  await page.waitForSelector('[data-test=contact-form]')
  await page.fill('[data-test=lookup-phone]', '13655556666')
  await page.press('[data-test=lookup-phone]', 'Enter')
  await page.locator('[data-test=customer-card]').waitFor()
  const placed = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/out/calls'))
  await page.click('[data-test=cust-dial]')
  const call = await (await placed).json()
  assert.equal(call.purpose, 'customer')
  assert.equal(call.customer_id, cust.id)

  // kefu rings the agent's own phone first.
  await phone.ring()
  const bar = page.locator('[data-test=out-bar]')
  await page.locator('[data-test=out-bar][data-state=agent]').waitFor()
  assert.equal((await bar.locator('[data-test=out-state]').textContent()).trim(), '正在呼叫您的话机')
  assert.match(await bar.locator('[data-test=out-customer]').textContent(), /李先生/)
  // The outbound script (CALL-9) with the agent's work number.
  assert.match(await bar.locator('[data-test=out-script]').textContent(), /外呼服务开始语/)
  // Rendered from the knowledge base's Markdown: no marks left to read aloud.
  const scriptText = await bar.locator('[data-test=out-script-html]').textContent()
  assert.doesNotMatch(scriptText, /\*\*|\\n|^#/m)
  // Answered: now the customer's phone rings (the trunk takes the INVITE).
  await phone.answer()
  await page.locator('[data-test=out-bar][data-state=dialing]').waitFor()
  assert.equal((await bar.locator('[data-test=out-state]').textContent()).trim(), '正在呼叫客户')
  // kefu dialled the customer's real number through the carrier (the page has the masked one).
  for (let i = 0; i < 50 && !trunk.seen.some((m) => m.startsWith('INVITE ')); i++) await new Promise((r) => setTimeout(r, 100))
  assert.match(trunk.seen.find((m) => m.startsWith('INVITE ')) || '', /^INVITE sip:\d*13655556666@/)
  await screenshot(page, 'out-call-dialing')

  // 挂断 before the customer answers.
  const cancelled = page.waitForResponse((x) => isPath(x, `/api/out/calls/${call.id}/cancel`))
  await bar.locator('[data-test=out-cancel]').click()
  assert.equal((await cancelled).status(), 200)
  await page.locator('[data-test=out-bar][data-state=ended][data-result=cancelled]').waitFor()
  assert.match(await bar.locator('[data-test=out-agent-side]').textContent(), /您在客户接听前挂断了这次呼叫/)
  assert.equal(await bar.locator('[data-test=out-cancel]').count(), 0)
  assert.equal((await api('GET', `/api/out/calls/${call.id}`)).result, 'cancelled')
  // The outcome can wait: "later" leaves the bar with its button.
  await page.locator('[data-test=out-outcome-dialog] [data-test=out-outcome-no_answer]').waitFor()
  await page.click('[data-test=out-outcome-later]')
  await bar.locator('[data-test=out-record]').waitFor()
  await page.click('[data-test=out-close]')
  await bar.waitFor({ state: 'detached' })
  // …and the log offers it to the agent later.
  await page.goto(srv.url + '/out/calls')
  await page.click(`[data-test=ol-record-${call.id}]`)
  const dialog = page.locator('[data-test=out-outcome-dialog]')
  await dialog.locator('[data-test=out-outcome-busy]').click()
  await dialog.locator('[data-test=out-outcome-submit]').click()
  await page.locator(`[data-test=ol-outcome-${call.id}]`, { hasText: '占线' }).waitFor()
  assert.equal((await api('GET', `/api/out/calls/${call.id}`)).outcome, 'busy')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('the customer answers a callback: the bar counts the talk time; after the hang-up the agent records "accepted" and the order is archived', async () => {
  const cust = await api('POST', '/api/customers', { name: '王芳', surname: '王', title: 'ms', phones: [{ phone: '13811112222' }] })
  const order = await reportedOrder(cust.id, '咨询开店流程')
  trunk.answer = true
  const page = await newPage(browser)
  await login(page, srv, '8103')
  await page.goto(srv.url + '/callbacks')
  const card = page.locator(`[data-test=cb-${order.number}]`)
  await card.waitFor()
  const placed = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/out/calls'))
  await card.locator(`[data-test=cb-dial-${order.number}]`).click()
  const call = await (await placed).json()
  await phone.ring()
  await phone.answer()
  // The carrier answers: bridged, the talk time runs.
  const bar = page.locator('[data-test=out-bar]')
  await page.locator('[data-test=out-bar][data-state=talking]').waitFor()
  assert.equal((await bar.locator('[data-test=out-state]').textContent()).trim(), '通话中')
  await bar.locator('[data-test=out-talk]').waitFor()
  assert.match(await bar.locator('[data-test=out-talk]').textContent(), /^通话 0分0\d秒$/)
  assert.equal(await bar.locator('[data-test=out-cancel]').count(), 0, 'no hang-up from the page once connected')
  await screenshot(page, 'out-call-talking')

  // The customer hangs up; the outcome dialog offers the callback's outcomes.
  await trunk.bye()
  await page.locator('[data-test=out-bar][data-state=ended][data-result=answered]').waitFor()
  const dialog = page.locator('[data-test=out-outcome-dialog]')
  await dialog.locator('[data-test=out-outcome-accepted]').waitFor()
  assert.equal(await dialog.locator('[data-test=out-outcome-no_answer]').count(), 0, 'the customer was heard')
  assert.equal(await dialog.locator('[data-test=out-outcome-reached]').count(), 0, 'a callback ends in its own outcomes')
  assert.match(await dialog.locator('[data-test=out-outcome-accepted]').getAttribute('class'), /is-active/, 'answered suggests accepted')
  await dialog.locator('[data-test=out-note]').fill('客户认可处理结果')
  const recorded = page.waitForResponse((x) => isPath(x, `/api/out/calls/${call.id}/outcome`))
  await dialog.locator('[data-test=out-outcome-submit]').click()
  assert.equal((await recorded).status(), 200)
  await bar.locator('[data-test=out-recorded]').waitFor()

  // CB-1: accepted archives the order; its callback attempt is this call's.
  const o = await api('GET', `/api/orders/${order.id}`)
  assert.equal(o.state, 'archived')
  const cb = (await api('GET', `/api/orders/${order.id}/events`)).events.filter((e) => e.kind === 'order.callback' && e.detail)
  assert.deepEqual([cb[0].detail.outcome, cb[0].detail.note], ['accepted', '客户认可处理结果'])
  const done = await api('GET', `/api/out/calls/${call.id}`)
  assert.deepEqual([done.result, done.outcome], ['answered', 'accepted'])
  assert.ok(done.call_id, 'the call out is in the call log')
  await card.waitFor({ state: 'detached' })
  assert.deepEqual(page.problems, [])
  await page.context().close()

  // The supervisor's call log, calls out only: this call, marked 外呼.
  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.goto(srv.url + '/calls')
  await sup.locator('[data-test=calls-table]').waitFor()
  await sup.click('[data-test=calls-direction] .el-select')
  const listed = sup.waitForResponse((x) => isPath(x, '/api/calls') && new URL(x.url()).searchParams.get('direction') === 'out')
  await sup.click('[data-test=calls-direction-out]')
  await sup.click('[data-test=calls-search]')
  const items = (await (await listed).json()).items
  assert.ok(items.length >= 1 && items.every((c) => c.direction === 'out'), 'only calls out')
  assert.ok(items.some((c) => c.id === done.call_id))
  await sup.locator(`[data-test=call-row-${done.call_id}]`).waitFor()
  assert.equal(await sup.locator('[data-test=call-row-out]').count(), items.length)
  assert.deepEqual(sup.problems, [])
  await sup.context().close()
})

test('a supervisor sees the calls out on the wallboard and sets the daily answer-rate test\'s times', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/wallboard')
  const line = page.locator('[data-test=live-out-attempts]')
  await line.waitFor()
  const out = (await api('GET', '/api/acd/live')).out
  assert.ok(out.attempts >= 3 && out.answered >= 1, JSON.stringify(out))
  assert.match(await line.textContent(), new RegExp(`^${out.attempts} 次 · 接通 ${out.answered}（${(out.answer_rate * 100).toFixed(1)}%）· 通话 `))

  // LED-2: the times of day and the menu keys (1: 业务咨询); the queue they reach is shown.
  await page.goto(srv.url + '/out/tests')
  await page.locator('[data-test=otest-form]').waitFor()
  await page.click('[data-test=otest-enabled]')
  await page.fill('[data-test=otest-times]', '09:30，14:00')
  await page.fill('[data-test=otest-keys]', '1')
  const saved = page.waitForResponse((x) => x.request().method() === 'PUT' && isPath(x, '/api/out/tests/schedule'))
  await page.click('[data-test=otest-save]')
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { enabled: true, times: ['09:30', '14:00'], keys: '1', wait_sec: 60 })
  const sch = await api('GET', '/api/out/tests/schedule')
  assert.deepEqual([sch.enabled, sch.times, sch.keys], [true, ['09:30', '14:00'], '1'])
  assert.equal((await page.textContent('[data-test=otest-route]')).trim(), '进入：业务咨询')
  await page.locator('[data-test=otest-next]').waitFor()
  // The month's sheet downloads as .xlsx.
  assert.equal(await page.getAttribute('[data-test=otest-xlsx]', 'href'), `/api/out/tests/export?month=${(await api('GET', '/api/out/tests')).month}`)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
