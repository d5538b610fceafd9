// The month's evaluation in the browser (issue 19, PERF-1, PERF-3). Nine
// praises of 8101 are on record; the supervisor records the tenth through
// the dialog and computes the month: 8101's praise reward is ¥10.00, as the
// first tier says. The manager changes it to ¥15.00 (marked changed; the
// ledger shows the computed line voided and the new one), then closes the
// month: the buttons go. The agent 8101 opens 我的考评 and sees only their
// own row and their own ledger lines.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick, confirmBox } from './harness.mjs'

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

test('praise, compute, change a reward, close; the agent sees their own month', async () => {
  const now = await srv.advance(0)
  const month = new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 7)
  const sup = sql("SELECT id FROM person WHERE work_no = '8002'")
  let q = ''
  for (let k = 0; k < 9; k++)
    q += `INSERT INTO perf_praise(person_id, kind, origin, note, at, month, created_by, created_at)
          SELECT id, 'praise', 'supervisor', '客户来电表扬', ${now - 1000 * (k + 1)}, '${month}', ${sup}, ${now} FROM person WHERE work_no = '8101';`
  sql('BEGIN;' + q + 'COMMIT;')

  const p = await newPage(browser)
  await login(p, srv, '8002')
  await p.goto(srv.url + '/perf/month')
  await p.waitForSelector('[data-test=perf-month-page]')
  await p.click('[data-test=perf-add-praise]')
  await pick(p, 'perf-praise-person', '刘洋')
  await p.fill('[data-test=perf-praise-note]', '客户送来表扬信')
  const saved = p.waitForResponse((r) => r.url().endsWith('/api/perf/praise') && r.request().method() === 'POST')
  await p.click('[data-test=perf-praise-save]')
  assert.equal((await saved).status(), 201)
  const computed = p.waitForResponse((r) => r.url().endsWith(`/api/perf/months/${month}/compute`))
  await p.click('[data-test=perf-compute]')
  assert.equal((await computed).status(), 200)
  await p.waitForSelector('[data-test=perf-praise_reward-8101]')
  assert.equal((await p.textContent('[data-test=perf-praise_reward-8101]')).trim(), '¥10.00')
  // The supervisor neither changes rewards nor closes the month.
  assert.equal(await p.locator('[data-test=perf-close]').count(), 0)
  assert.equal(await p.locator('[data-test=perf-change-praise_reward-8101]').count(), 0)
  assert.deepEqual(p.problems, [])

  const m = await newPage(browser)
  await login(m, srv, '8001')
  await m.goto(srv.url + '/perf/month')
  await m.click('[data-test=perf-change-praise_reward-8101]')
  await m.fill('[data-test=perf-change-amount] input', '15')
  await m.fill('[data-test=perf-change-reason]', '表扬信另加')
  const changed = m.waitForResponse((r) => r.url().includes('/api/perf/rewards/') && r.request().method() === 'PUT')
  await m.click('[data-test=perf-change-save]')
  assert.equal((await changed).status(), 200)
  await m.locator('[data-test=perf-praise_reward-8101]', { hasText: '¥15.00' }).waitFor()
  assert.equal(sql(`SELECT group_concat(amount_fen || ':' || (voided_at IS NOT NULL), ',') FROM (SELECT * FROM perf_ledger
    WHERE rule = 'praise' AND person_id = (SELECT id FROM person WHERE work_no = '8101') ORDER BY id)`), '1000:1,1500:0')
  await m.click('.el-tabs__item:has-text("台账")')
  await m.waitForSelector('[data-test=perf-ledger]')
  await m.click('[data-test=perf-close]')
  await confirmBox(m)
  await m.waitForSelector('[data-test=perf-closed]')
  assert.equal(await m.locator('[data-test=perf-compute]').count(), 0)
  assert.equal(sql(`SELECT state FROM perf_month WHERE month = '${month}'`), 'closed')
  assert.deepEqual(m.problems, [])

  const a = await newPage(browser)
  await login(a, srv, '8101')
  await a.goto(srv.url + '/perf/me')
  await a.waitForSelector('[data-test=perf-mine-total]')
  await a.waitForSelector('[data-test=perf-ledger]')
  const names = await a.locator('[data-test=perf-ledger] tbody tr td:first-child').allTextContents()
  assert.ok(names.length >= 2)
  assert.ok(names.every((n) => n.includes('8101')), names.join())
  assert.deepEqual(a.problems, [])
})
