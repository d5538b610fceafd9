// Attendance in the browser (WFM-5): a roster day is written into the
// roster's table (migration 15), the test clock runs through the day while
// 8101 logs in five minutes late and 8102 never comes; the supervisor opens
// 考勤, sees 8101 late and 8102 absent, excuses 8102's absence with the late
// shuttle bus as the reason, and the row shows it excused, as kefu stored
// it. The agent sees only their own row, without the excuse button.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

const MIN = 60 * 1000
let srv, browser

function sql(text) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()
}

// The instant of minute m of a local day (Asia/Shanghai, UTC+8, the demo center's zone).
const localMs = (day, m) => Date.parse(day + 'T00:00:00+08:00') + m * MIN

async function moveTo(ms) {
  const now = await srv.advance(0)
  assert.ok(ms >= now)
  await srv.advance(ms - now)
}

before(async () => {
  // A day of test clock passes: sessions must outlive it.
  srv = await new Server().start({ KEFU_SESSION_IDLE_MIN: '1440', KEFU_SESSION_MAX_HOURS: '720' })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('the supervisor excuses an absence in the day view', async () => {
  const now = await srv.advance(0)
  const day = new Date(now + 8 * 60 * MIN + 24 * 60 * MIN).toISOString().slice(0, 10) // tomorrow, local
  sql(`INSERT OR IGNORE INTO wfm_roster(month, state, version, updated_at) VALUES ('${day.slice(0, 7)}', 'published', 1, 0)`)
  for (const w of ['8101', '8102']) {
    sql(`INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, updated_at) SELECT '${day}', p.id, t.id, 0 FROM person p, wfm_shift_type t WHERE p.work_no = '${w}' AND t.code = 'early'`)
  }
  await moveTo(localMs(day, 7 * 60))
  const agent = await srv.account('8101')
  await moveTo(localMs(day, 8 * 60 + 5))
  let r = await srv.call('POST', '/api/acd/me/status', { status: 'ready' }, agent)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  await moveTo(localMs(day, 17 * 60))

  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.goto(srv.url + '/wfm/attendance')
  await sup.waitForSelector('[data-test=att-day-table] [data-test=att-row-8102]')
  assert.match(await sup.textContent('[data-test=att-status-8101]'), /迟到/)
  assert.match(await sup.textContent('[data-test=att-status-8102]'), /旷工/)
  assert.equal(await sup.locator('[data-test=att-excused-8102]').count(), 0)

  await sup.click('[data-test=att-excuse-8102]')
  await sup.waitForSelector('[data-test=att-excuse-dialog]')
  // No reason: kefu refuses, the dialog says why next to the field and stays.
  const refused = sup.waitForResponse((res) => res.url().endsWith('/api/wfm/attendance/excuses') && res.request().method() === 'POST')
  await sup.click('[data-test=att-excuse-confirm]')
  assert.equal((await refused).status(), 422)
  await sup.waitForSelector('[data-test=att-excuse-dialog] .el-form-item__error')
  assert.equal(sql('SELECT count(*) FROM wfm_attend_excuse'), '0')

  await sup.click('[data-test=att-reason-shuttle]')
  const sent = sup.waitForResponse((res) => res.url().endsWith('/api/wfm/attendance/excuses') && res.request().method() === 'POST')
  await sup.click('[data-test=att-excuse-confirm]')
  assert.equal((await sent).status(), 201)
  await sup.waitForSelector('[data-test=att-excused-8102]')
  assert.match(await sup.textContent('[data-test=att-status-8102]'), /班车晚点/)
  assert.equal(sql(`SELECT x.reason || '|' || x.day || '|' || c.work_no FROM wfm_attend_excuse x JOIN person p ON p.id = x.person_id JOIN person c ON c.id = x.created_by WHERE p.work_no = '8102'`), `班车晚点|${day}|8002`)
  assert.equal(await sup.locator('[data-test=att-excuse-8102]').count(), 0)
  await screenshot(sup, 'attendance-day')

  // The month's sheet counts the day excused, and offers it as the center's 考勤表.
  const month = sup.waitForResponse((res) => res.url().includes('/api/wfm/attendance/month?'))
  await sup.click('[data-test=att-view-month]')
  assert.equal((await month).status(), 200)
  await sup.waitForSelector('[data-test=att-month-table] [data-test=att-sheet-8102]')
  const cells = await sup.locator('[data-test=att-month-table] tr:has([data-test=att-sheet-8102]) td').allTextContents()
  // 应出勤 1, 实出勤 0, 迟到 0/0, 早退 0/0, 旷工 0, 有事由 1.
  assert.deepEqual(cells.slice(1, 9).map((x) => x.trim()), ['1', '0', '0', '0', '0', '0', '0', '1'])
  const href = await sup.getAttribute('[data-test=att-xlsx]', 'href')
  assert.equal(href, '/api/wfm/attendance/month/export?month=' + day.slice(0, 7))
  const file = await sup.request.get(srv.url + href)
  assert.equal(file.status(), 200)
  assert.match(file.headers()['content-type'], /spreadsheetml/)

  // The agent sees their own day only, and cannot excuse.
  const me = await newPage(browser)
  await login(me, srv, '8101')
  await me.goto(srv.url + '/wfm/attendance')
  await me.waitForSelector('[data-test=att-day-table] [data-test=att-row-8101]')
  assert.equal(await me.locator('[data-test=att-row-8102]').count(), 0)
  assert.equal(await me.locator('[data-test^=att-excuse-]').count(), 0)
})
