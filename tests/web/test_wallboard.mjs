// Agent status in the browser (ORG-2, CALL-15): the agent chooses 示忙 with
// a reason in the top bar (by mouse and by keyboard); the supervisor's
// wallboard shows it with its duration and seat types; 16 minutes later
// (the test clock) the manager's bell rings with the CALL-15 alert and
// the wallboard marks the overrun; the supervisor logs the agent out;
// people without a seat see no control, and staff no wallboard.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot, XSS, menuItem } from './harness.mjs'

const MIN = 60 * 1000
let srv, browser, tokens

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  tokens = {}
  for (const w of ['8101', '8102', '8103', '8104', '8105', '8002', '8001']) tokens[w] = await srv.account(w)
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function setStatus(workNo, body) {
  const r = await srv.call('POST', '/api/acd/me/status', body, tokens[workNo])
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}

async function statusOf(workNo) {
  const r = await srv.call('GET', '/api/acd/me', undefined, tokens[workNo])
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}

// The row of one agent on the wallboard.
const row = (page, workNo) => page.locator(`.wb-table tr:has([data-test="agent-${workNo}"])`)

test('CALL-15: busy in the top bar, on the wallboard, alerted once to the manager, logged out by the supervisor', async () => {
  // Other agents in other states, so the board has something to count.
  await setStatus('8102', { status: 'ready' })
  await setStatus('8103', { status: 'break' })
  await setStatus('8105', { status: 'ready' })
  // The call engine's work, done from outside as another process would.
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db,
    "UPDATE agent_state SET status = 'talking' WHERE person_id = (SELECT id FROM person WHERE work_no = '8105')"])

  // The agent: logged out at first, then 示忙 with the reason 培训.
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  const control = agent.locator('[data-test=agent-status]')
  await control.waitFor()
  assert.equal(await control.getAttribute('data-status'), 'logged_out')
  assert.equal(await agent.textContent('[data-test=agent-status-label]'), '签出')
  await control.click()
  await agent.click('.el-dropdown-menu:visible [data-test=set-busy]')
  await agent.waitForSelector('[data-test=busy-dialog]')
  // No reason chosen: the dialog says so and nothing is sent.
  await agent.click('[data-test=busy-submit]')
  await agent.waitForSelector('[data-test=busy-error]')
  assert.equal((await statusOf('8101')).status, 'logged_out')
  await agent.click('[data-test=busy-reason-training]')
  await agent.click('[data-test=busy-submit]')
  await agent.waitForSelector('[data-test=agent-status][data-status=busy]')
  assert.equal(await agent.textContent('[data-test=agent-status-label]'), '示忙')
  assert.match(await agent.textContent('[data-test=agent-status-reason]'), /培训/)
  const me = await statusOf('8101')
  assert.equal(me.status, 'busy')
  assert.equal(me.reason, 'training')

  // The manager watches the wallboard with the bell in the top bar.
  const mgr = await newPage(browser)
  await login(mgr, srv, '8001')
  await mgr.click('[data-test=nav-wallboard]')
  await mgr.waitForSelector('[data-test=wb-table]')
  // The supervisor's wallboard shows the agent busy, with reason and skills.
  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.goto(srv.url + '/wallboard')
  const r8101 = row(sup, '8101')
  await r8101.locator('[data-test=status-8101][data-status=busy]').waitFor()
  assert.match(await r8101.textContent(), /刘洋/)
  assert.match(await r8101.textContent(), /培训/)
  assert.match(await r8101.textContent(), /技术服务/)
  assert.equal(await sup.textContent('[data-test=count-busy] .tile-n'), '1')
  assert.equal(await sup.textContent('[data-test=count-talking] .tile-n'), '1')
  assert.equal(await sup.textContent('[data-test=count-ready] .tile-n'), '1')
  assert.equal(await r8101.locator('[data-test=over-8101]').count(), 0)

  // 8103 is back from a short break first: breaks count against the same allowance.
  await setStatus('8103', { status: 'ready' })
  // 16 minutes later: the manager's bell rings, once, and the board marks the overrun.
  await srv.advance(16 * MIN)
  await mgr.waitForSelector('.bell .el-badge__content:text-is("1")')
  await mgr.click('[data-test=bell]')
  const list = mgr.locator('[data-test=bell-list]')
  await list.waitFor()
  assert.match(await list.textContent(), /坐席 刘洋（8101）示忙已超过 15 分钟（原因：培训）/)
  await mgr.keyboard.press('Escape')
  await row(mgr, '8101').locator('[data-test=over-8101]').waitFor()
  assert.equal(await mgr.textContent('[data-test=count-over] .tile-n'), '1')
  await srv.advance(10 * MIN)
  // Another agent goes busy now: on the board, not (yet) over.
  await setStatus('8104', { status: 'busy', reason: '客户回访 ' + XSS.slice(0, 40) })
  const inbox = await srv.call('GET', '/api/notifications', undefined, tokens['8001'])
  assert.equal(inbox.body.items.filter((n) => n.kind === 'agent.busy_long').length, 1)
  // The supervisor's board (polling every 5 s) marks it too; the screenshot shows it.
  await r8101.locator('[data-test=over-8101]').waitFor()
  await row(sup, '8104').locator('[data-test=status-8104][data-status=busy]').waitFor()
  assert.match(await row(sup, '8104').textContent(), /<img src=x/, 'a reason shows as text')
  assert.equal(await row(sup, '8104').locator('[data-test=over-8104]').count(), 0)
  await screenshot(sup, 'wallboard')

  // The supervisor logs the agent out; a talking seat cannot be put on break.
  await sup.click('[data-test=set-8101]')
  // What the page asked for, so that a missing answer says whether the
  // request was never made or never answered.
  const asked = []
  const onRequest = (q) => { if (/\/api\/acd\/agents\/\d+\/status$/.test(q.url())) asked.push(q.method() + ' ' + q.url()) }
  const onFailed = (q) => asked.push('failed: ' + q.url() + ' ' + (q.failure() || {}).errorText)
  sup.on('request', onRequest)
  sup.on('requestfailed', onFailed)
  const set = sup.waitForResponse((x) => /\/api\/acd\/agents\/\d+\/status$/.test(x.url()) && x.request().method() === 'POST')
  await menuItem(sup, '.el-dropdown-menu:visible [data-test=wb-set-8101-logged_out]')
  const answer = await set.catch(async (e) => {
    throw new Error(`${e.message}; the page asked: ${JSON.stringify(asked)}; menus open: ${await sup.locator('.el-dropdown-menu:visible').count()}; 8101 is ${JSON.stringify(await statusOf('8101'))}`)
  })
  sup.off('request', onRequest)
  sup.off('requestfailed', onFailed)
  assert.equal(answer.status(), 200, await answer.text())
  await r8101.locator('[data-test=status-8101][data-status=logged_out]').waitFor()
  assert.equal((await statusOf('8101')).status, 'logged_out')
  await sup.click('[data-test=set-8105]')
  await menuItem(sup, '.el-dropdown-menu:visible [data-test=wb-set-8105-break]')
  await sup.waitForSelector('.el-message--error')
  assert.equal((await statusOf('8105')).status, 'talking')
  // The log names who did what.
  await sup.click('[data-test=log-8101]')
  const drawer = sup.locator('[data-test=wb-log]')
  await drawer.locator('tr:has-text("张敏")').first().waitFor()
  assert.match(await drawer.textContent(), /示忙 → 签出/)
  assert.match(await drawer.textContent(), /签出 → 示忙/)

  // The agent's own bar follows after a reload.
  await agent.reload()
  await agent.waitForSelector('[data-test=agent-status][data-status=logged_out]')
  for (const p of [agent, mgr, sup]) {
    assert.equal(await p.evaluate(() => window.__xss), undefined)
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})

test('the status control works from the keyboard, in English too', async () => {
  const page = await newPage(browser, 'en')
  await login(page, srv, '8102')
  await page.click('[data-test=lang]')
  const control = page.locator('[data-test=agent-status]')
  await control.waitFor()
  assert.equal(await page.textContent('[data-test=agent-status-label]'), 'Ready')
  await control.focus()
  await page.keyboard.press('Enter')
  const menu = page.locator('.el-dropdown-menu:visible')
  await menu.waitFor()
  // The menu takes the focus; arrow down to 示忙 (Busy) and take it.
  await page.waitForFunction(() => document.activeElement && document.activeElement.closest('.el-dropdown-menu'))
  const focused = () => page.evaluate(() => document.activeElement.getAttribute('data-test'))
  const seen = [await focused()]
  for (let i = 0; i < 6 && seen[seen.length - 1] !== 'set-busy'; i++) {
    await page.keyboard.press('ArrowDown')
    seen.push(await focused())
  }
  assert.equal(seen[seen.length - 1], 'set-busy', JSON.stringify(seen))
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=busy-dialog]')
  await page.click('[data-test=busy-reason-other]')
  await page.waitForSelector('[data-test=busy-other]')
  await page.keyboard.type('Visiting the bank')
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=agent-status][data-status=busy]')
  assert.equal(await page.textContent('[data-test=agent-status-label]'), 'Busy')
  const me = await statusOf('8102')
  assert.equal(me.reason, 'Visiting the bank')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('who sees what: staff have no control and no wallboard; the office watches without changing', async () => {
  const staff = await newPage(browser)
  await login(staff, srv, '2001')
  assert.equal(await staff.locator('[data-test=agent-status]').count(), 0)
  assert.doesNotMatch(await staff.textContent('header nav'), /坐席监控/)
  await staff.goto(srv.url + '/wallboard')
  await staff.waitForSelector('[data-test=notfound]')
  await staff.context().close()

  const office = await newPage(browser)
  await login(office, srv, '1001')
  assert.equal(await office.locator('[data-test=agent-status]').count(), 0)
  await office.click('[data-test=nav-wallboard]')
  await office.waitForSelector('[data-test=wb-table]')
  assert.equal(await office.locator('[data-test^=set-]').count(), 0)
  assert.equal(await office.locator('[data-test=log-8101]').count(), 1)
  assert.deepEqual(office.problems, [])
  await office.context().close()
})

// The queues' live figures and callers' callback requests. The call engine
// is another part of the hotline: the test writes the call rows it would
// (queue, queued_at, connected_at, outcome) with sqlite3, as another
// process would, and the wallboard shows them over its event stream.
const SEC = 1000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()
const v = (x) => (x === null || x === undefined ? 'NULL' : typeof x === 'string' ? `'${x}'` : String(x))
function call(queue, queued, connected, ended, outcome) {
  return Number(sql("INSERT INTO call(sip_call_id, caller, called, started_at, queue, queued_at, connected_at, ended_at, outcome)" +
    ` VALUES ('w-${queued}', '13812345678', '4000000000', ${queued - 30 * SEC}, ${v(queue)}, ${queued}, ${v(connected)}, ${v(ended)}, ${v(outcome)}) RETURNING id`))
}

test('the wallboard shows the queues live; agents reveal and close callback requests', async () => {
  // Noon in Shanghai, so calls a few minutes old are today's.
  let now = await srv.advance(0)
  const local = now + 8 * HOUR
  let noon = local - (local % DAY) + 12 * HOUR
  if (noon <= local) noon += DAY
  const T = await srv.advance(noon - local)
  // 业务咨询: answered after 10 s and 30 s, abandoned, left a number; one waiting
  // (below, once the board is open: it must still be inside the 20 s target).
  call('market_consult', T - 600 * SEC, T - 590 * SEC, T - 300 * SEC, 'answered')
  call('market_consult', T - 500 * SEC, T - 470 * SEC, T - 300 * SEC, 'answered')
  call('market_consult', T - 400 * SEC, null, T - 350 * SEC, 'abandoned')
  const cb = call('market_consult', T - 300 * SEC, null, T - 170 * SEC, 'callback')
  // 业务办理: answered after 5 s.
  call('tech_service', T - 200 * SEC, T - 195 * SEC, T - 100 * SEC, 'answered')
  const first = Number(sql(`INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES (${cb}, 'market_consult', '13912345678', ${T - 170 * SEC}) RETURNING id`))
  const second = Number(sql(`INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES (${cb}, 'complaint', '01087654321', ${T - 60 * SEC}) RETURNING id`))

  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.click('[data-test=nav-wallboard]')
  await sup.waitForSelector('[data-test=live-table]')
  await sup.waitForSelector('[data-test=live-state].on')
  call('market_consult', (await srv.advance(0)) - 2 * SEC, null, null, null)
  await sup.waitForFunction(() => document.querySelector('[data-test=live-waiting] .tile-n')?.textContent === '1')
  const tile = (name) => sup.textContent(`[data-test=live-${name}] .tile-n`)
  // Service level: answered within 20 s / (offered - still waiting under 20 s) = 2 / 5.
  assert.equal(await tile('sl'), '40.0%')
  assert.equal(await tile('asa'), '15.0 秒')
  assert.equal(await tile('abandon'), '16.7%')
  assert.equal(await tile('answer'), '50.0%')
  assert.equal(await tile('offered'), '3 / 6')
  assert.equal(await tile('callbacks'), '2')
  assert.match(await sup.textContent('[data-test=live-longest] .tile-n'), /^0分\d\d秒$/)
  assert.equal(await sup.textContent('[data-test=live-sl-market_consult]'), '25.0%')
  assert.equal(await sup.textContent('[data-test=live-answer-market_consult]'), '40.0%')
  assert.equal(await sup.textContent('[data-test=live-sl-tech_service]'), '100.0%')
  assert.equal(await sup.textContent('[data-test=live-sl-agent]'), '—')
  assert.match(await sup.textContent('[data-test=live-table]'), /业务咨询.*业务办理|投诉/)

  // A caller enters the complaint queue (another process): the board follows by itself.
  call('complaint', await srv.advance(0), null, null, null)
  await sup.waitForFunction(() => document.querySelector('[data-test=live-waiting-complaint]')?.textContent === '1')
  await sup.waitForFunction(() => document.querySelector('[data-test=live-waiting] .tile-n')?.textContent === '2')
  // An agent goes ready: the agents' tiles follow the live figures without waiting for the poll.
  const agentToken = await srv.account('8103')
  await srv.call('POST', '/api/acd/me/status', { status: 'ready' }, agentToken)
  await sup.locator('[data-test=status-8103][data-status=ready]').waitFor()
  await screenshot(sup, 'wallboard-live')

  // The agent works the callback requests: masked, revealed for a reason, done.
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.click('[data-test=nav-callbackRequests]')
  await agent.waitForSelector('[data-test=cbr-table]')
  assert.equal(await agent.textContent(`[data-test=cbr-phone-${first}]`), '139****5678')
  assert.equal(await agent.textContent(`[data-test=cbr-phone-${second}]`), '010****4321')
  const rows = await agent.locator('[data-test=cbr-table] tbody tr').allTextContents()
  assert.match(rows[0], /投诉/, 'newest first')
  assert.match(rows[1], /业务咨询/)
  await agent.click(`[data-test=cbr-reveal-${first}]`)
  await agent.waitForSelector('[data-test=cbr-reveal-dialog]')
  await agent.click('[data-test=cbr-reveal-confirm]')
  await agent.waitForSelector('[data-test=cbr-reveal-dialog] .el-form-item__error')
  await agent.fill('[data-test=cbr-reveal-reason]', '回电客户')
  await agent.click('[data-test=cbr-reveal-confirm]')
  await agent.waitForFunction((id) => document.querySelector(`[data-test=cbr-phone-${id}]`)?.textContent === '13912345678', first)
  const mgr = await srv.account('8001')
  const audit = await srv.call('GET', '/api/audit?action=acd_callback.reveal', undefined, mgr)
  assert.equal(audit.body.items[0].detail.reason, '回电客户')
  assert.equal(audit.body.items[0].actor, '8101')
  await agent.waitForSelector('[data-test=cbr-reveal-dialog]', { state: 'hidden' })
  await screenshot(agent, 'callback-requests')

  await agent.click(`[data-test=cbr-done-${first}]`)
  await agent.waitForSelector('[data-test=cbr-done-dialog]')
  await agent.fill('[data-test=cbr-done-note]', '已回电 ' + XSS)
  await agent.click('[data-test=cbr-done-confirm]')
  await agent.waitForSelector(`[data-test=cbr-done-${first}]`, { state: 'detached' })
  // The supervisor's board counts one open request fewer.
  await sup.waitForFunction(() => document.querySelector('[data-test=live-callbacks] .tile-n')?.textContent === '1')

  // Someone else closed the other one meanwhile: 409 says so and the list follows.
  await agent.click(`[data-test=cbr-done-${second}]`)
  await agent.waitForSelector('[data-test=cbr-done-dialog]')
  const other = await srv.account('8102')
  assert.equal((await srv.call('POST', `/api/acd/callbacks/${second}/done`, { note: '已处理' }, other)).status, 200)
  await agent.click('[data-test=cbr-done-confirm]')
  await agent.waitForSelector('.el-message--warning')
  await agent.waitForSelector('[data-test=empty]')

  // The done ones, with who and the note as text.
  await agent.click('[data-test=cbr-state-done]')
  await agent.waitForSelector(`[data-test=cbr-note-${first}]`)
  assert.equal(await agent.textContent(`[data-test=cbr-note-${first}]`), '已回电 ' + XSS)
  assert.match(await agent.textContent('[data-test=cbr-table]'), /刘洋/)

  for (const p of [sup, agent]) {
    assert.equal(await p.evaluate(() => window.__xss), undefined)
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})
