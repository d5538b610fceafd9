// The main path, end to end across roles in one center, each in
// its own browser: the agent records a complaint and opens the order →
// the department's responsible person sees it arrive live (queue and
// bell) → works it and reports back (WO-6) → the agent makes the center's
// callback (CB-1, CB-2) and the order is archived (WO-7) → the supervisor
// finds it archived → the manager's dashboard counts it and drills down
// to it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, pick } from './harness.mjs'

let srv, browser, agentTok, number, orderId

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  agentTok = await srv.account('8101')
  for (const w of ['2001', '8002', '8001']) await srv.account(w)
  const c = await srv.call('POST', '/api/customers', { name: '李雷', surname: '李', title: 'mr', phones: [{ phone: '13655556666', label: '手机' }] }, agentTok)
  assert.equal(c.status, 201)
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('agent → staff (live) → report → callback → archived → counted on the dashboard', async () => {
  // The responsible person of 城市客服部 has the queue open.
  const staff = await newPage(browser)
  await login(staff, srv, '2001')
  await staff.goto(srv.url + '/queue')
  await staff.waitForSelector('[data-test=empty]')

  // The agent takes the call: screen pop by number, a complaint with its type.
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.waitForSelector('[data-test=contact-form]')
  await agent.fill('[data-test=lookup-phone]', '136 5555 6666')
  await agent.press('[data-test=lookup-phone]', 'Enter')
  await agent.waitForSelector('[data-test=customer-card]')
  await agent.click('[data-test=class-A]')
  await pick(agent, 'complaint', '车没洗干净')
  await agent.fill('[data-test=fivew-what]', '洗车后车身仍有泥点')
  await agent.fill('[data-test=summary]', '客户投诉车没洗干净，要求重洗')
  await agent.waitForSelector('[data-test=deadline-preview]')
  await agent.click('[data-test=save-order]')
  await agent.waitForSelector('[data-test=created-order]')
  number = (await agent.textContent('[data-test=created-order]')).trim()
  orderId = Number((await agent.getAttribute('[data-test=created-order]', 'href')).split('/').pop())
  assert.match(number, /^A1-\d{8}-\d{4}$/)

  // Staff: it appears without a reload, and the bell counts it.
  await staff.waitForSelector(`[data-test="order-${number}"]`)
  await staff.waitForFunction(() => Number(document.querySelector('.bell .el-badge__content')?.textContent || 0) >= 1)
  await staff.click(`[data-test="accept-${number}"]`)
  await staff.waitForSelector(`[data-test="accept-${number}"]`, { state: 'detached' })
  await staff.click(`[data-test="order-${number}"]`)
  await staff.waitForSelector('[data-test=order-state]:has-text("已受理")')
  await staff.click('[data-test=act-call]')
  await staff.click('[data-test=action-submit]')
  await staff.waitForSelector('[data-test=sla-callback][data-tone=done]')
  await staff.click('[data-test=act-onsite]')
  await staff.click('[data-test=action-submit]')
  await staff.waitForSelector('[data-test=sla-onsite][data-tone=done]')
  await staff.click('[data-test=act-finish]')
  await staff.waitForSelector('[data-test=sla-report]')
  await staff.click('[data-test=act-report]')
  await staff.fill('[data-test=f-solution]', '已安排门店重新清洗，并赠送一次洗车券')
  await staff.fill('[data-test=f-effect]', '客户表示满意')
  await staff.click('[data-test=action-submit]')
  await staff.waitForSelector('[data-test=order-state]:has-text("已反馈")')

  // The agent's follow-up follows it (WO-8); the callback queue holds it (CB-1).
  await agent.click('[data-test=nav-callbacks]')
  const card = agent.locator(`[data-test=cb-${number}]`)
  await card.waitFor()
  assert.match(await card.locator('[data-test=cb-script]').textContent(), /请问是李先生吗/)
  await card.locator('[data-test=cb-outcome-accepted]').click()
  await card.locator('[data-test=cb-note]').fill('客户认可处理结果')
  await card.locator(`[data-test=cb-submit-${number}]`).click()
  await card.waitFor({ state: 'detached' })
  const r = await srv.call('GET', `/api/orders/${orderId}`, undefined, agentTok)
  assert.equal(r.body.state, 'archived')

  // The supervisor finds it archived.
  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.goto(srv.url + '/orders')
  await sup.fill('[data-test=orders-search]', number)
  await sup.press('[data-test=orders-search]', 'Enter')
  const row = sup.locator(`tr:has([data-test="order-${number}"])`)
  await row.waitFor()
  assert.match(await row.textContent(), /已归档/)
  await screenshot(sup, 'supervisor-orders')

  // The manager's dashboard counts it: opened 1, archived 1, and the
  // orders behind "opened" are this one.
  const mgr = await newPage(browser)
  await login(mgr, srv, '8001')
  await mgr.goto(srv.url + '/dashboard')
  await mgr.waitForSelector('[data-test=kpi-opened] .kpi-value[data-value="1"]')
  await mgr.waitForSelector('[data-test=kpi-archived] .kpi-value[data-value="1"]')
  await mgr.waitForSelector('[data-test=card-opened] [data-test=chart] canvas')
  await mgr.click('[data-test=kpi-opened]')
  await mgr.waitForSelector(`[data-test=drill-table] a.order-link:text-is("${number}")`)
  for (const p of [staff, agent, sup, mgr]) {
    assert.deepEqual(p.problems, [])
    assert.equal(await p.evaluate(() => window.__xss), undefined)
    await p.context().close()
  }
})
