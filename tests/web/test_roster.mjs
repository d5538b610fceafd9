// The duty roster page (排班; WFM-2, WFM-3): the supervisor opens next
// month, lets kefu propose it, edits a cell so that a hard rule breaks and
// sees the rule listed at once, cannot publish it so, repairs it, and
// publishes (with a reason when soft rules are broken); the grid shows the
// published state and the history its version. Agents have no such page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, confirmBox, menuItem } from './harness.mjs'

let srv, browser

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

// Waits for the answer to the request a click causes.
async function clickFor(page, selector, method, part) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && r.url().includes(part)),
    page.click(selector),
  ])
  return resp
}

// Sets one cell through its dialog; returns the answer's body.
async function setCell(page, workNo, date, code) {
  await page.click(`[data-test=roster-cell-${workNo}-${date}]`)
  await page.waitForSelector('[data-test=roster-cell-dialog]')
  await page.click(`[data-test=roster-cell-dialog] [data-test=roster-type-${code}]`)
  const resp = await clickFor(page, '[data-test=roster-cell-save]', 'PUT', '/cells')
  assert.equal(resp.status(), 200)
  await page.locator('[data-test=roster-cell-dialog]').waitFor({ state: 'hidden' })
  return resp.json()
}

test('the supervisor proposes, edits, sees a broken rule, repairs it and publishes', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  // The shift pages sit under one menu of the top bar.
  await page.click('[data-test=nav-wfm]')
  await menuItem(page, '.el-dropdown-menu:visible [data-test=nav-roster]')
  await page.waitForURL((u) => u.pathname === '/wfm/roster')
  await page.waitForSelector('[data-test=roster-grid]')
  const month = await page.getAttribute('[data-test=roster-page]', 'data-month')
  assert.match(month, /^\d{4}-\d{2}$/)
  assert.equal(await page.getAttribute('[data-test=roster-state]', 'data-state'), 'draft')

  // Propose: the manager's and supervisor's 行政班 appear in the grid.
  await page.click('[data-test=roster-propose]')
  const [proposed] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/propose')),
    confirmBox(page),
  ])
  assert.equal(proposed.status(), 200)
  const p = await proposed.json()
  const officeDays = p.agents.find((a) => a.work_no === '8001').days.filter((d) => d.shift_code === 'office')
  assert.ok(officeDays.length > 0)
  await page.waitForSelector(`[data-test=roster-cell-8001-${officeDays[0].date}][data-shift=office]`)

  // A night shift right after a middle one: no rest between, a hard rule broken.
  const d2 = `${month}-02`
  const d3 = `${month}-03`
  await setCell(page, '8101', d2, 'middle')
  await page.waitForSelector(`[data-test=roster-cell-8101-${d2}][data-shift=middle]`)
  const broken = await setCell(page, '8101', d3, 'night')
  assert.ok(broken.violations.some((v) => v.rule === 'rest_between' && v.severity === 'hard'))
  const item = page.locator('[data-test=roster-violation-rest_between]')
  await item.waitFor()
  assert.equal(await item.getAttribute('data-severity'), 'hard')
  assert.match(await item.textContent(), /刘洋/)
  await screenshot(page, 'roster-violation')

  // Publishing is refused: the dialog lists the hard rules and sends nothing.
  await page.click('[data-test=roster-publish]')
  await page.waitForSelector('[data-test=roster-publish-dialog]')
  assert.match(await page.textContent('[data-test=roster-publish-dialog]'), /硬性规则/)
  assert.ok(await page.locator('[data-test=roster-publish-item]').count() >= 1)
  await page.click('[data-test=roster-publish-confirm]')
  await page.locator('[data-test=roster-publish-dialog]').waitFor({ state: 'hidden' })
  assert.equal(await page.getAttribute('[data-test=roster-state]', 'data-state'), 'draft')

  // Repaired: the rule leaves the list.
  const fixed = await setCell(page, '8101', d3, 'rest')
  assert.ok(!fixed.violations.some((v) => v.rule === 'rest_between'))
  await page.locator('[data-test=roster-violation-rest_between]').waitFor({ state: 'detached' })

  // Coverage of the 2nd from 16:00 (the 33rd half hour): the middle shifts of the grid,
  // 8101's among them (行政班 never counts).
  const middle = fixed.agents.filter((a) => a.days.some((d) => d.date === d2 && d.shift_code === 'middle'))
  assert.ok(middle.some((a) => a.work_no === '8101'))
  await page.click(`[data-test=roster-day-${d2}]`)
  await page.waitForSelector(`[data-test=roster-bar-32][data-value="${middle.length}"]`)

  // Publish: with a reason when soft rules remain, at once otherwise.
  const soft = Number(await page.getAttribute('[data-test=roster-counts]', 'data-soft'))
  if (soft > 0) {
    await page.click('[data-test=roster-publish]')
    await page.waitForSelector('[data-test=roster-publish-dialog]')
    await page.fill('[data-test=roster-publish-reason]', '人员不足，先行发布')
    const resp = await clickFor(page, '[data-test=roster-publish-confirm]', 'POST', '/publish')
    assert.equal(resp.status(), 200)
  } else {
    const resp = await clickFor(page, '[data-test=roster-publish]', 'POST', '/publish')
    assert.equal(resp.status(), 200)
  }
  await page.waitForSelector('[data-test=roster-state][data-state=published]')
  assert.match(await page.textContent('[data-test=roster-version]'), /1/)
  const resp = await clickFor(page, '[data-test=roster-versions]', 'GET', '/versions')
  assert.equal(resp.status(), 200)
  await page.waitForSelector('[data-test=roster-versions-dialog] .el-table__row')
  // The published month as the center's 排班表, with the page's session.
  const href = await page.getAttribute('[data-test=roster-xlsx]', 'href')
  assert.match(href, /^\/api\/wfm\/roster\/\d{4}-\d{2}\/export$/)
  const file = await page.request.get(srv.url + href)
  assert.equal(file.status(), 200)
  assert.match(file.headers()['content-type'], /spreadsheetml/)
  assert.deepEqual(page.problems, [])
})

test('outside the roster an agent asks to go ready; the supervisor approves on the roster page', async () => {
  // This month's roster, published, with a shift for 8105 only: 8103 has none today.
  const sup = await srv.account('8002')
  const now = await srv.advance(0)
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(now))
  const month = today.slice(0, 7)
  let r = await srv.call('GET', `/api/wfm/roster/${month}`, undefined, sup)
  const ids = Object.fromEntries(r.body.agents.map((a) => [a.work_no, a.id]))
  const early = r.body.shift_types.find((x) => x.code === 'early').id
  r = await srv.call('PUT', `/api/wfm/roster/${month}/cells`, { updated_at: r.body.updated_at, cells: [{ person_id: ids['8105'], date: `${month}-01`, shift_type_id: early }] }, sup)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  r = await srv.call('POST', `/api/wfm/roster/${month}/publish`, { updated_at: r.body.updated_at, reason: '测试' }, sup)
  assert.equal(r.status, 200, JSON.stringify(r.body))

  const agent = await newPage(browser)
  await login(agent, srv, '8103')
  await agent.click('[data-test=agent-status]')
  await agent.click('.el-dropdown-menu:visible [data-test=set-ready]')
  const box = agent.locator('.el-message-box')
  await box.waitFor()
  assert.match(await box.textContent(), /客服经理批准/)
  await box.locator('input').fill('话务高峰')
  const [asked] = await Promise.all([
    agent.waitForResponse((x) => x.request().method() === 'POST' && x.url().endsWith('/api/wfm/outside-work')),
    box.locator('.el-button--primary').click(),
  ])
  assert.equal(asked.status(), 201)
  const req = await asked.json()
  assert.equal(await agent.getAttribute('[data-test=agent-status]', 'data-status'), 'logged_out')

  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/wfm/roster')
  await page.waitForSelector(`[data-test=roster-outside-${req.id}]`)
  const resp = await clickFor(page, `[data-test=roster-outside-approve-${req.id}]`, 'POST', '/approve')
  assert.equal(resp.status(), 200)
  await page.locator(`[data-test=roster-outside-${req.id}]`).waitFor({ state: 'detached' })

  await agent.click('[data-test=agent-status]')
  await agent.click('.el-dropdown-menu:visible [data-test=set-ready]')
  await agent.waitForSelector('[data-test=agent-status][data-status=ready]')
  assert.deepEqual(agent.problems, [])
  assert.deepEqual(page.problems, [])
})

test('agents have no roster page', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8101')
  await page.goto(srv.url + '/wfm/roster')
  await page.waitForURL(/forbidden/)
  assert.equal(await page.locator('[data-test=roster-page]').count(), 0)
  // Their 排班 menu holds their own pages, not the roster.
  await page.goto(srv.url + '/')
  await page.click('[data-test=nav-wfm]')
  await page.locator('.el-dropdown-menu:visible [data-test=nav-handover]').waitFor()
  assert.equal(await page.locator('.el-dropdown-menu:visible [data-test=nav-roster]').count(), 0)
})
