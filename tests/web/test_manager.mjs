// The manager's dashboard (WO-2 deadlines, WO-3 levels, CB-3 callbacks,
// RPT-2 overdue list) and the audit log (SEC-2 exports): the figures on
// screen equal GET /api/reports/daily, every bar opens exactly the orders
// the API lists behind it, the CSV is the manager's alone and audited, and
// text people typed (a department name, a cancel reason) stays text.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Server, launchBrowser, newPage, login, screenshot, XSS, pick } from './harness.mjs'

const MINUTE = 60000
const METRICS = ['callback', 'onsite', 'report', 'resolve', 'reply']
// Department names hold at most 64 characters, so the dashboard's probe is
// a shorter cousin of XSS.
const XSS_DEPT = '部门<img src=x onerror="window.__xss=3">'

let srv, browser, tz
const tok = {}
const o = {}
let day, from, to, city, xssDept

function centerDay(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms))
}

function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

// The center's wall clock minus UTC at a moment, in ms.
function zoneOffset(ms) {
  const p = {}
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000
}

async function api(method, path, body, who = '8001') {
  const r = await srv.call(method, path, body, tok[who])
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

async function allPages(path, who = '8001') {
  const items = []
  let cursor = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page = await api('GET', path + sep + 'limit=500' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''), undefined, who)
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return items
}

const drillNumbers = async (q) => (await allPages('/api/reports/orders?' + new URLSearchParams(q))).map((x) => x.number).sort()

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  const h = (await srv.call('GET', '/healthz')).body
  tz = h.timezone
  // 09:00 of the center's next day: everything below happens that morning,
  // so no step crosses the center's midnight.
  const next = addDays(centerDay(h.time), 1)
  const [y, m, d] = next.split('-').map(Number)
  const guess = Date.UTC(y, m - 1, d, 9)
  const target = guess - zoneOffset(guess - zoneOffset(guess))
  await srv.advance(target - h.time)
  // Tokens after the jump: a session ends 30 minutes unused.
  for (const w of ['8101', '8001', '2001', 'admin', '8002', '1001']) tok[w] = await srv.account(w)

  // No customer on record: the number the owner calls back on (a callback deadline needs one).
  const open = (body) => api('POST', '/api/orders', { phone: '13800138000', ...body }, '8101')
  o.a = await open({ class: 'A1', level: 'Ⅲ', summary: '洗车时车门划伤，无人联系' })
  o.b = await open({ class: 'A1', level: 'Ⅲ', summary: '洗车后车漆受损' })
  o.c = await open({ class: 'B', summary: '想加盟洗车联盟' })
  o.e = await open({ class: 'E', summary: '咨询会员价格' })
  o.x = await open({ class: 'A2', level: 'Ⅱ', summary: '商家结算有误' })
  o.m = await open({ class: 'C', summary: '记者询问服务情况' })
  // B: its owner (城市客服部's head 2001) calls back after 3 minutes, visits, reports (WO-6).
  await api('POST', `/api/orders/${o.b.id}/accept`, {}, '2001')
  await srv.advance(3 * MINUTE)
  await api('POST', `/api/orders/${o.b.id}/call`, {}, '2001')
  await api('POST', `/api/orders/${o.b.id}/onsite`, {}, '2001')
  await api('POST', `/api/orders/${o.b.id}/report`, { solution: '已上门核实并赔付' }, '2001')
  // X is cancelled with the XSS probe as its reason: it lands in the audit detail.
  await api('POST', `/api/orders/${o.x.id}/cancel`, { reason: XSS })
  // M moves to a department whose name is a probe, so the name is on the dashboard.
  xssDept = await api('POST', '/api/departments', { name: XSS_DEPT, kind: 'other' })
  const staff = await api('POST', '/api/people', { work_no: '9901', name: '探针员', roles: ['staff'], department_id: xssDept.id })
  await api('POST', `/api/orders/${o.m.id}/assign`, { person_id: staff.id, reason: '改派到探针部门' })
  // Eight more minutes: A's 10-minute callback clock breaches (WO-2) and escalates (WO-4).
  await srv.advance(8 * MINUTE)
  const now = (await srv.call('GET', '/healthz')).body.time
  day = centerDay(now)
  to = day
  from = addDays(day, -6)
  city = (await allPages('/api/departments')).find((x) => x.name === '城市客服部').id
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function openDashboard(page) {
  await page.goto(srv.url + '/dashboard')
  await page.waitForSelector(`[data-test=toolbar][data-from="${from}"][data-to="${to}"]`)
  await page.waitForSelector('[data-test=kpi-overdue] .kpi-value[data-value]:not([data-value=""])')
}

const kpi = (page, key) => page.getAttribute(`[data-test=kpi-${key}] .kpi-value`, 'data-value')

async function drillList(page, expected) {
  await page.waitForSelector('[data-test=drill-table]')
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=drill-table] a.order-link').length === n && !document.querySelector('[data-test=drill-more]'), expected.length)
  // The drawer has slid in all the way (so a screenshot shows all of it).
  await page.waitForFunction(() => {
    const r = document.querySelector('.el-drawer').getBoundingClientRect()
    return Math.abs(r.right - window.innerWidth) < 1
  })
  const shown = await page.$$eval('[data-test=drill-table] a.order-link', (as) => as.map((a) => a.textContent.trim()))
  return shown.sort()
}

async function closeDrill(page) {
  await page.keyboard.press('Escape')
  await page.waitForSelector('[data-test=drill-table]', { state: 'hidden' })
}

test('manager: the KPIs and charts show what GET /api/reports/daily says for the last 7 center days (WO-2, CB-3, RPT-2)', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await openDashboard(page)
  const r = await api('GET', `/api/reports/daily?from=${from}&to=${to}`)
  assert.equal(r.days.length, 7)
  const sum = (f) => r.days.reduce((n, d) => n + f(d), 0)
  for (const key of ['opened', 'archived', 'cancelled', 'escalated']) assert.equal(Number(await kpi(page, key)), sum((d) => d.total[key]), key)
  assert.equal(Number(await kpi(page, 'opened')), 6)
  assert.equal(Number(await kpi(page, 'cancelled')), 1)
  assert.equal(Number(await kpi(page, 'escalated')), 1)
  // On-time rate = met on time / (met on time + breached), all clocks of the range.
  const ok = sum((d) => METRICS.reduce((n, m) => n + d.total.sla[m].met_on_time, 0))
  const bad = sum((d) => METRICS.reduce((n, m) => n + d.total.sla[m].breached, 0))
  assert.ok(ok > 0 && bad > 0)
  assert.equal(Number(await kpi(page, 'ontime')), Math.round((ok / (ok + bad)) * 1000) / 10)
  // The mean time to call back, weighted by the callback clocks met each day.
  const w = (x) => x.sla.callback.met_on_time + x.sla.callback.met_late
  const n = sum((d) => (d.total.callback_minutes_avg === null ? 0 : w(d.total)))
  const avg = Math.round((sum((d) => (d.total.callback_minutes_avg === null ? 0 : d.total.callback_minutes_avg * w(d.total))) / n) * 10) / 10
  assert.equal(Number(await kpi(page, 'callback')), avg)
  assert.equal(avg, 3)
  // Overdue now: A's callback clock, listed with its order (RPT-2).
  const overdue = await allPages('/api/reports/overdue')
  assert.equal(Number(await kpi(page, 'overdue')), overdue.length)
  assert.ok(overdue.some((x) => x.order_id === o.a.id && x.metric === 'callback'))
  const row = page.locator('[data-test=overdue-table] tr', { has: page.locator(`[data-test="overdue-${o.a.number}"]`) })
  await row.waitFor()
  assert.match(await row.textContent(), /联系客户/)
  assert.match(await row.textContent(), /孙强（2001）/)
  // Four charts drawn on canvas.
  for (const c of ['opened', 'ontime', 'breached', 'callback']) await page.waitForSelector(`[data-test=card-${c}] [data-test=chart] canvas`)
  assert.equal(await page.locator('[data-test=chart] canvas').count() >= 4, true)
  // CB-3: B was reported, the center has not called back yet.
  assert.equal(await page.textContent('[data-test=cb-accepted]'), '0')
  await screenshot(page, 'manager-dashboard')

  // Today only, then one department: the figures follow the filters, and
  // so does the CSV link.
  // This year by month (issue 20, RPT-1): the period's buckets are months and the
  // KPIs are the year's, as GET /api/reports/daily?group=month gives them.
  await pick(page, 'period-preset', '今年')
  const jan1 = day.slice(0, 4) + '-01-01'
  await page.waitForSelector(`[data-test=toolbar][data-from="${jan1}"][data-to="${day}"][data-group="month"]`)
  const year = await api('GET', `/api/reports/daily?from=${jan1}&to=${day}&group=month`)
  assert.equal(year.days.length, Number(day.slice(5, 7)))
  assert.equal(year.days.at(-1).date, day.slice(0, 8) + '01')
  assert.equal(Number(await kpi(page, 'opened')), year.days.reduce((n, d) => n + d.total.opened, 0))
  assert.equal(Number(await kpi(page, 'opened')), 6)
  await page.waitForSelector('[data-test=csv-daily][href*="group=month"]')
  await pick(page, 'period-preset', '今天')
  await page.waitForSelector(`[data-test=toolbar][data-from="${day}"][data-to="${day}"][data-group="day"]`)
  const today = await api('GET', `/api/reports/daily?from=${day}&to=${day}`)
  assert.equal(Number(await kpi(page, 'opened')), today.days[0].total.opened)
  await pick(page, 'dept-filter', '城市客服部')
  await page.waitForSelector(`[data-test=csv-daily][href*="department_id=${city}"]`)
  const cityReport = await api('GET', `/api/reports/daily?from=${day}&to=${day}&department_id=${city}`)
  assert.equal(cityReport.days[0].total.opened, 2)
  assert.equal(Number(await kpi(page, 'opened')), 2)
  assert.equal(Number(await kpi(page, 'overdue')), (await allPages(`/api/reports/overdue?department_id=${city}`)).length)
  assert.equal(await page.getAttribute('[data-test=csv-daily]', 'download'), `kefu-daily-${day}-${day}.csv`)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('manager: a click on a bar or a table number opens exactly the orders behind that figure', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await openDashboard(page)

  // The chart itself: today's column of "opened by class"; its bottom
  // segment is A1 (the first series of the stack). The plot area has fixed
  // margins (48 left, 16 right, 30 bottom), so the column's place follows.
  const chart = page.locator('[data-test=card-opened] [data-test=chart]')
  const at = async () => {
    const box = await chart.boundingBox()
    return [box.x + 48 + (6 + 0.5) * ((box.width - 64) / 7), box.y + box.height - 30 - 3]
  }
  await page.waitForSelector('[data-test=card-opened] canvas')
  await page.mouse.move(...(await at()))
  // The tooltip shows the chart is drawn and listening; measured again in
  // case the page's scrollbar narrowed the chart meanwhile.
  await page.waitForSelector('[data-test=card-opened] [data-test=chart] div:has-text("A1 用户投诉")')
  await page.mouse.click(...(await at()))
  let expected = await drillNumbers({ day, outcome: 'opened', class: 'A1' })
  assert.deepEqual(expected, [o.a.number, o.b.number].sort())
  assert.deepEqual(await drillList(page, expected), expected)
  assert.match(await page.textContent('[data-test=drill-summary]'), /共 2 项/)
  await screenshot(page, 'manager-drilldown')
  await closeDrill(page)

  // The same figures as a table, for the keyboard: 城市客服部's callback
  // compliance lists the clocks met on time and the breached one.
  await page.click('[data-test=view-toggle-ontime]')
  const cell = page.locator(`[data-test="cell-${city}-callback"] button`)
  assert.match(await cell.textContent(), /50%/)
  await cell.focus()
  await page.keyboard.press('Enter')
  expected = [
    ...(await drillNumbers({ day, outcome: 'met', metric: 'callback', department_id: city })),
    ...(await drillNumbers({ day, outcome: 'breached', metric: 'callback', department_id: city })),
  ].sort()
  assert.deepEqual(expected, [o.a.number, o.b.number].sort())
  assert.deepEqual(await drillList(page, expected), expected)
  await closeDrill(page)

  // By level (WO-3): level Ⅲ today holds A and B; the API has no level
  // filter, so the page keeps the day's opened orders of that level.
  await page.click('[data-test=opened-by] label:has-text("按等级")')
  await page.click('[data-test=view-toggle-opened]')
  await page.click(`[data-test="cell-${day}-Ⅲ"] button`)
  expected = (await allPages(`/api/reports/orders?day=${day}&outcome=opened`)).filter((i) => i.level === 'Ⅲ').map((i) => i.number).sort()
  assert.deepEqual(await drillList(page, expected), expected)
  await closeDrill(page)

  // The overdue trend: today's breached callback clocks — A alone.
  await page.click('[data-test=view-toggle-breached]')
  await page.click(`[data-test="cell-${day}-callback"] button`)
  expected = await drillNumbers({ day, outcome: 'breached', metric: 'callback' })
  assert.deepEqual(expected, [o.a.number])
  assert.deepEqual(await drillList(page, expected), expected)
  // A number links to its order.
  await page.click(`[data-test="drill-${o.a.number}"]`)
  await page.waitForURL(new RegExp(`/orders/${o.a.id}$`))
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('manager: the daily CSV downloads with a BOM and 日期 first, and the export is audited (SEC-2)', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await openDashboard(page)
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=csv-daily]')])
  assert.equal(download.suggestedFilename(), `kefu-daily-${from}-${to}.csv`)
  const bytes = readFileSync(await download.path())
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  assert.ok(bytes.subarray(3).toString('utf8').startsWith('日期,'))
  const audit = await api('GET', '/api/audit?action=report.export', undefined, 'admin')
  const e = audit.items.find((x) => x.detail && x.detail.report === 'daily')
  assert.ok(e, 'report.export entry')
  assert.equal(e.actor, '8001')
  assert.equal(e.detail.from, from)
  assert.equal(e.detail.to, to)
  assert.equal(e.detail.filename, `kefu-daily-${from}-${to}.csv`)

  const [d2] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=csv-overdue]')])
  const text = readFileSync(await d2.path()).toString('utf8')
  assert.ok(text.startsWith('\ufeff工单号'))
  assert.ok(text.includes(o.a.number))
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a department name with markup stays text in the chart tooltip, the table and the drill-down', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await openDashboard(page)
  // The compliance chart's departments: those with clocks, in the report's order.
  const r = await api('GET', `/api/reports/daily?from=${from}&to=${to}`)
  const cats = r.days.at(-1).departments.filter((d) => METRICS.some((m) => d.sla[m].started || d.sla[m].met_on_time || d.sla[m].breached || d.sla[m].met_late))
  const i = cats.findIndex((d) => d.department_id === xssDept.id)
  assert.ok(i >= 0, 'the probe department has a clock')
  const box = await page.locator('[data-test=card-ontime] [data-test=chart]').boundingBox()
  await page.mouse.move(box.x + 48 + (i + 0.5) * ((box.width - 64) / cats.length), box.y + box.height / 2)
  const tip = page.locator('[data-test=card-ontime] [data-test=chart] div', { hasText: XSS_DEPT }).last()
  await tip.waitFor()
  assert.ok((await tip.textContent()).includes(XSS_DEPT))

  await page.click('[data-test=view-toggle-ontime]')
  const head = page.locator('[data-test=table-ontime] th.cat', { hasText: XSS_DEPT })
  assert.equal(await head.textContent(), XSS_DEPT)
  // Its callback clock still runs: no rate yet, and so no drill-down.
  assert.equal((await page.textContent(`[data-test="cell-${xssDept.id}-callback"]`)).trim().startsWith('—'), true)
  // The opened C order, by class, shows the department's name as text.
  await page.click('[data-test=view-toggle-opened]')
  await page.click(`[data-test="cell-${day}-C"] button`)
  const list = await drillList(page, [o.m.number])
  assert.deepEqual(list, [o.m.number])
  assert.ok((await page.textContent('[data-test=drill-table]')).includes(XSS_DEPT))
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('supervisor: the dashboard without CSV buttons; the CSV itself is 403', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await openDashboard(page)
  assert.equal(Number(await kpi(page, 'opened')), 6)
  assert.equal(await page.locator('[data-test=csv-daily]').count(), 0)
  assert.equal(await page.locator('[data-test=csv-overdue]').count(), 0)
  assert.equal((await srv.call('GET', `/api/reports/daily.csv?from=${from}&to=${to}`, undefined, tok['8002'])).status, 403)
  assert.equal((await srv.call('GET', '/api/reports/overdue.csv', undefined, tok['8002'])).status, 403)
  // Nor may a supervisor open the audit log.
  await page.goto(srv.url + '/audit')
  await page.waitForURL(/forbidden/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('office: the dashboard is visible read-only and its numbers open too', async () => {
  const page = await newPage(browser)
  await login(page, srv, '1001')
  await openDashboard(page)
  assert.equal(await page.locator('[data-test=csv-daily]').count(), 0)
  assert.equal(Number(await kpi(page, 'escalated')), 1)
  await page.click('[data-test=kpi-escalated]')
  const expected = await drillNumbers({ day, outcome: 'escalated' })
  assert.deepEqual(await drillList(page, expected), [o.a.number])
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

async function auditRows(page) {
  await page.waitForSelector('[data-test=audit-table], [data-test=empty]')
  return page.$$eval('[data-test=audit-table] tbody tr', (trs) =>
    trs.map((tr) => ({
      action: tr.querySelector('[data-test=audit-row-action]').textContent.trim(),
      actor: tr.querySelector('[data-test=audit-row-actor]').textContent.trim(),
      detail: tr.querySelector('[data-test=audit-row-detail]')?.textContent || null,
    })),
  )
}

test('admin: the audit log filters by action and actor and shows the detail as text', async () => {
  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await page.goto(srv.url + '/audit')
  await page.waitForSelector('[data-test=audit-table]')

  await pick(page, 'audit-action', 'login')
  await page.click('[data-test=audit-search]')
  await page.waitForURL(/action=login/)
  await page.waitForFunction(() => {
    const acts = [...document.querySelectorAll('[data-test=audit-row-action]')]
    return acts.length > 0 && acts.every((e) => e.textContent.trim() === 'login')
  })
  let rows = await auditRows(page)
  const logins = await api('GET', '/api/audit?action=login&limit=50', undefined, 'admin')
  assert.equal(rows.length, logins.items.length)
  assert.ok(rows.length >= 6)

  // A work number is turned into the person's id (actor_id).
  await page.fill('[data-test=audit-actor]', '8101')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=audit-row-actor]')].every((e) => e.textContent.includes('8101')))
  rows = await auditRows(page)
  assert.ok(rows.length >= 1 && rows.every((x) => x.action === 'login' && x.actor.includes('8101')))
  await page.fill('[data-test=audit-actor]', 'nobody-here')
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=audit-actor-error]')

  // The cancel reason with markup, in the detail of order.cancel, as text.
  await page.fill('[data-test=audit-actor]', '')
  await pick(page, 'audit-action', 'order.cancel')
  await page.click('[data-test=audit-search]')
  await page.waitForURL(/action=order\.cancel/)
  await page.waitForFunction(() => {
    const acts = [...document.querySelectorAll('[data-test=audit-row-action]')]
    return acts.length > 0 && acts.every((e) => e.textContent.trim() === 'order.cancel')
  })
  rows = await auditRows(page)
  assert.equal(rows.length, 1)
  assert.deepEqual(JSON.parse(rows[0].detail), { reason: XSS })
  assert.equal(await page.evaluate(() => window.__xss), undefined)

  // The department created with a probe for a name, by entity.
  await page.click('[data-test=audit-reset]')
  await pick(page, 'audit-entity', 'department')
  await page.click('[data-test=audit-search]')
  await page.waitForURL(/entity=department/)
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=audit-row-action]')].length > 0 && [...document.querySelectorAll('[data-test=audit-row-action]')].every((e) => e.textContent.startsWith('department.')))
  rows = await auditRows(page)
  assert.ok(rows.some((x) => x.detail && x.detail.includes(XSS_DEPT.replace(/"/g, '\\"'))))
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  await screenshot(page, 'audit-log')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
