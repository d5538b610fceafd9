// The complaint statistics (用户投诉统计表, RPT-2) and the daily callback
// report (每日回访报表, CB-3) in the browser. Complaints of today are opened
// through the API with their regions (one of a class that is no complaint);
// one is served on site and called back. The manager opens 投诉统计: the
// figures are the rows' counts, a region's count opens its orders, the form
// downloads as .xlsx; then 回访报表 shows the callback by its agent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

let srv, browser

function sql(text) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()
}

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('the manager reads the complaint statistics and the callback report', async () => {
  const agent = await srv.account('8101')
  const owner = await srv.account('2001')
  const open = async (body) => {
    const r = await srv.call('POST', '/api/orders', { summary: '洗车投诉', phone: '13800138000', ...body }, agent)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const o1 = await open({ complaint: 'svc_not_clean', region: '广东省深圳市' })
  await open({ complaint: 'svc_not_clean', region: '广东省深圳市' })
  await open({ complaint: 'pay_failed', region: '上海市' })
  await open({ class: 'E', summary: '咨询价格', region: '广东省深圳市' })
  for (const [action, who, body] of [['accept', owner], ['call', owner], ['onsite', owner], ['report', owner, { solution: '已重新清洗' }], ['callback', agent, { outcome: 'accepted' }]]) {
    const r = await srv.call('POST', `/api/orders/${o1.id}/${action}`, body || {}, who)
    assert.equal(r.status, 200, action + ' ' + JSON.stringify(r.body))
  }
  const complaints = sql("SELECT COUNT(*) FROM work_order WHERE class IN ('A1', 'A2', 'D')")
  const shenzhen = sql("SELECT COUNT(*) FROM work_order WHERE class IN ('A1', 'A2', 'D') AND region = '广东省深圳市'")
  assert.equal(complaints, '3')
  assert.equal(shenzhen, '2')

  const man = await newPage(browser)
  await login(man, srv, '8001')
  await man.goto(srv.url + '/reports/complaints')
  await man.waitForSelector('[data-test=rc-kpis]')
  assert.equal((await man.textContent('[data-test=rc-kpi-opened] .kpi-v')).trim(), complaints)
  assert.equal((await man.textContent('[data-test=rc-kpi-closed] .kpi-v')).trim(), sql("SELECT COUNT(*) FROM work_order WHERE class IN ('A1', 'A2', 'D') AND state = 'archived'"))
  assert.match(await man.textContent('[data-test=rc-table-complaint]'), /车没洗干净/)
  assert.match(await man.textContent('[data-test=rc-top_week]'), /车没洗干净/)
  await man.waitForSelector('[data-test=rc-trend] [data-test=chart] canvas')

  // A region's count opens its orders.
  const cell = man.locator('[data-test="rc-cell-region-广东省深圳市"]')
  assert.equal((await cell.textContent()).trim(), shenzhen)
  await cell.click()
  await man.waitForSelector(`[data-test="rc-drill-${o1.number}"]`)
  assert.equal(await man.locator('[data-test=rc-drill-table] tbody tr').count(), Number(shenzhen))
  await screenshot(man, 'report-complaints')
  await man.keyboard.press('Escape')

  const href = await man.getAttribute('[data-test=rc-xlsx]', 'href')
  assert.match(href, /^\/api\/reports\/complaints\.xlsx\?from=\d{4}-\d{2}-\d{2}&to=/)
  const file = await man.request.get(srv.url + href)
  assert.equal(file.status(), 200)
  assert.match(file.headers()['content-type'], /spreadsheetml/)

  // The callback report: 8101's accepted callback of today.
  await man.goto(srv.url + '/reports/callbacks')
  await man.waitForSelector('[data-test=rcb-kpis]')
  assert.equal((await man.textContent('[data-test=rcb-kpi-total] .kpi-v')).trim(), sql('SELECT COUNT(*) FROM wo_callback_attempt'))
  assert.equal((await man.textContent('[data-test=rcb-kpi-accepted] .kpi-v')).trim(), '1')
  assert.equal((await man.textContent('[data-test=rcb-kpi-satisfaction] .kpi-v')).trim(), '100%')
  await man.waitForSelector('[data-test=rcb-agents-8101]')
  // The live view of 客户回访记录: the attempt itself.
  const attempt = sql("SELECT id FROM wo_callback_attempt")
  assert.equal((await man.textContent(`[data-test=rcb-log-${attempt}]`)).trim(), '认可')
  const log = await man.request.get(srv.url + await man.getAttribute('[data-test=rcb-xlsx-log]', 'href'))
  assert.equal(log.status(), 200)
  await screenshot(man, 'report-callbacks')
})
