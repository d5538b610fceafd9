// The call report in the browser (issue 20, RPT-1). Today's calls are
// written as the call engine writes them (migrations 4, 5): three answered
// in 业务咨询 (two within 20 s), one abandoned while waiting, one left in the
// menu. The manager opens 话务报表 for today: the headline figures are those
// counts, the charts are drawn, the abandon reason opens the call behind it
// with the number masked, and both spreadsheets download. The dashboard
// shows today's figures too.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

const SEC = 1000
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

test('the manager reads today\'s calls, opens the calls behind a figure and downloads the forms', async () => {
  // Half an hour back must still be today in the center's zone (UTC+8).
  let now = await srv.advance(0)
  if ((now + 8 * 3600 * SEC) % (86400 * SEC) < 3600 * SEC) now = await srv.advance(3600 * SEC)
  const agent = sql("SELECT id FROM person WHERE work_no = '8101'")
  let q = ''
  const call = (start, queue, wait, outcome, end) => {
    const queued = queue ? start + 10 * SEC : null
    const conn = outcome === 'answered' ? queued + wait : null
    q += `INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, queue, queued_at, agent_id, connected_at, outcome, metrics)
          VALUES ('w-${start}', '13812345678', '4000000000', ${start}, ${start + end}, ${queue ? `'${queue}'` : 'NULL'}, ${queued ?? 'NULL'},
                  ${conn ? agent : 'NULL'}, ${conn ?? 'NULL'}, '${outcome}', ${conn ? `'{"talk_ms": 60000}'` : 'NULL'});`
  }
  const t0 = now - 30 * 60 * SEC
  call(t0, 'market_consult', 5 * SEC, 'answered', 120 * SEC)
  call(t0 + 60 * SEC, 'market_consult', 15 * SEC, 'answered', 120 * SEC)
  call(t0 + 120 * SEC, 'market_consult', 40 * SEC, 'answered', 160 * SEC)
  call(t0 + 180 * SEC, 'market_consult', 0, 'abandoned', 40 * SEC)
  call(t0 + 240 * SEC, null, 0, 'ivr', 20 * SEC)
  sql('BEGIN;' + q + 'COMMIT;')

  const man = await newPage(browser)
  await login(man, srv, '8001')
  await man.goto(srv.url + '/reports/calls')
  await man.waitForSelector('[data-test=call-figures]')
  const today = man.waitForResponse((r) => r.url().includes('/api/reports/calls?') && r.url().includes('group=day'))
  await man.click('[data-test=period-preset]')
  await man.click('[data-test=period-today]')
  assert.equal((await today).status(), 200)
  await man.waitForSelector('[data-test=cf-inbound] [data-value="5"]')
  assert.equal(await man.getAttribute('[data-test=cf-answered] .call-fig-value', 'data-value'), '3')
  assert.equal(await man.getAttribute('[data-test=cf-answer_rate] .call-fig-value', 'data-value'), '0.75')
  assert.equal(await man.getAttribute('[data-test=cf-service_level] .call-fig-value', 'data-value'), '0.5')
  assert.match(await man.textContent('[data-test=cf-answer_rate]'), /75\.0%/)
  assert.ok(await man.locator('[data-test=card-rc-buckets] [data-test=chart]').count())
  assert.ok(await man.locator('[data-test=card-rc-hours] [data-test=chart]').count())
  await screenshot(man, 'report-calls')

  // The abandoned call behind its reason, the number masked (CUST-2).
  await man.click('[data-test=rc-reason-queue]')
  await man.waitForSelector('[data-test=rc-drill-table] .el-table__row')
  assert.equal(await man.locator('[data-test=rc-drill-table] .el-table__row').count(), 1)
  assert.match(await man.textContent('[data-test=rc-drill-table]'), /138\*\*\*\*5678/)

  for (const sel of ['rc-xlsx-stats', 'rc-xlsx-sheet']) {
    const href = await man.getAttribute(`[data-test=${sel}]`, 'href')
    const file = await man.request.get(srv.url + href)
    assert.equal(file.status(), 200, sel)
    assert.match(file.headers()['content-type'], /spreadsheetml/)
  }

  await man.goto(srv.url + '/dashboard')
  await man.waitForSelector('[data-test=call-figures] [data-test=cf-inbound] [data-value="5"]')
  assert.deepEqual(man.problems, [])
})
