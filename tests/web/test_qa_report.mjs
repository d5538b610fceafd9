// The quality reports in the browser (QA-2, QA-5). A day of automatic
// checks is written as the check engine writes them (migration 20): 8101
// eleven clean-ish calls, 8102 three with forbidden phrases, one fatal. The
// supervisor opens 质检日报 for the day, sees the figures kefu drafted (as
// recomputed here from the rows), writes the anomalies, causes and measures,
// saves and sends the report to the manager; the report is then read-only,
// and the manager reads it as sent. The manager opens 坐席质检 for the month:
// 8101 is the service star, the rows count the checks, the spreadsheet
// downloads; the agent 8101 sees only their own row.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot, confirmBox } from './harness.mjs'

const MIN = 60 * 1000
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

// The demo center's zone is Asia/Shanghai (UTC+8): the local day of an instant.
const localDay = (ms) => new Date(ms + 8 * 60 * MIN).toISOString().slice(0, 10)

function writeChecks(day) {
  const start = Date.parse(day + 'T00:00:00+08:00')
  const rows = [
    ['qa3.001', '服务禁语：喂'],
    ['qa4.001', '称呼用您'],
    ['qa3.fatal', '辱骂客户'],
  ]
  // kefu seeds some of these codes itself (qa3.001): those stay as seeded.
  let q = ''
  for (const [code, name] of rows) {
    q += `INSERT OR IGNORE INTO qa_rule(code, name, version, created_at, updated_at) VALUES ('${code}', '${name}', 1, 0, 0);`
    q += `INSERT OR IGNORE INTO qa_rule_version(rule_id, version, body, created_at) SELECT id, 1, '{}', 0 FROM qa_rule WHERE code = '${code}';`
  }
  // [agent, score, fatal, [rule codes hit, each high for qa3.*]]
  const checks = []
  for (let k = 0; k < 11; k++) checks.push(['8101', k % 4 ? 100 : 95, 0, k % 4 ? [] : ['qa4.001']])
  checks.push(['8102', 90, 0, ['qa3.001', 'qa3.001']])
  checks.push(['8102', 95, 0, ['qa3.001']])
  checks.push(['8102', 0, 1, ['qa3.001', 'qa3.fatal']])
  checks.forEach(([agent, score, fatal, hits], i) => {
    const at = start + (60 + i) * MIN
    const high = hits.filter((c) => c.startsWith('qa3')).length
    q += `INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at, transcript, score, fatal, hits, high)
          SELECT 'call', ${i + 1}, id, ${at}, ${at}, 1, ${score}, ${fatal}, ${hits.length}, ${high} FROM person WHERE work_no = '${agent}';`
    hits.forEach((code, u) => {
      q += `INSERT INTO qa_hit(check_id, rule_id, rule_version, severity, score, fatal, utterance, text)
            SELECT (SELECT MAX(id) FROM qa_check), id, 1, '${code.startsWith('qa3') ? 'high' : 'low'}', -5,
                   ${code === 'qa3.fatal' ? 1 : 0}, ${u}, '喂' FROM qa_rule WHERE code = '${code}';`
    })
  })
  sql('BEGIN;' + q + 'COMMIT;')
  return { start, end: start + 24 * 60 * MIN }
}

test('the supervisor writes and sends the day\'s report; the manager reads it and the month\'s figures', async () => {
  const now = await srv.advance(0)
  const day = localDay(now)
  const { start, end } = writeChecks(day)
  const [n, avg] = sql(`SELECT COUNT(*), printf('%.2f', AVG(score)) FROM qa_check WHERE contact_at >= ${start} AND contact_at < ${end}`).split('|')
  const top = sql(`SELECT r.code FROM qa_hit h JOIN qa_rule r ON r.id = h.rule_id GROUP BY r.id ORDER BY COUNT(*) DESC, r.id LIMIT 1`)
  assert.equal(n, '14')
  assert.equal(top, 'qa3.001')

  const sup = await newPage(browser)
  await login(sup, srv, '8002')
  await sup.goto(srv.url + '/qa/daily?day=' + day)
  await sup.waitForSelector('[data-test=qr-figures]')
  assert.equal((await sup.textContent('[data-test=qr-checks]')).trim(), n)
  assert.equal((await sup.textContent('[data-test=qr-average]')).trim(), avg)
  assert.equal((await sup.textContent('[data-test=qr-fatal]')).trim(), '1')
  assert.equal((await sup.textContent('[data-test=qr-hits]')).trim(), sql('SELECT COUNT(*) FROM qa_hit'))
  // kefu seeds qa3.001 itself (the spec's first forbidden phrase): its name as stored.
  assert.ok((await sup.textContent('[data-test=qr-rules] tbody tr:first-child')).includes(sql("SELECT name FROM qa_rule WHERE code = 'qa3.001'")))
  assert.match(await sup.textContent('[data-test=qr-lowest] tbody tr:first-child'), /8102/)
  assert.match(await sup.textContent('[data-test=qr-state]'), /草稿/)

  await sup.fill('[data-test=qr-anomaly]', '8102 服务禁语集中，1 通致命项')
  await sup.fill('[data-test=qr-causes]', '新员工话术不熟')
  await sup.fill('[data-test=qr-measures]', '明日班前会复训禁语')
  const saved = sup.waitForResponse((r) => r.url().endsWith('/api/qa/daily/' + day) && r.request().method() === 'PUT')
  await sup.click('[data-test=qr-save]')
  assert.equal((await saved).status(), 200)
  await sup.waitForSelector(`[data-test="qr-recent-${day}"]`)
  assert.equal(sql(`SELECT state || '|' || anomaly || '|' || measures FROM qa_daily WHERE day = '${day}'`), 'draft|8102 服务禁语集中，1 通致命项|明日班前会复训禁语')

  const sent = sup.waitForResponse((r) => r.url().endsWith(`/api/qa/daily/${day}/send`))
  await sup.click('[data-test=qr-send]')
  await confirmBox(sup)
  assert.equal((await sent).status(), 200)
  await sup.waitForSelector('[data-test=qr-sent-info]')
  assert.match(await sup.textContent('[data-test=qr-state]'), /已发送/)
  assert.equal(await sup.locator('[data-test=qr-send]').count(), 0)
  assert.equal(await sup.getAttribute('[data-test=qr-anomaly]', 'readonly'), '')
  assert.equal(sql(`SELECT state || '|' || json_extract(figures, '$.checks') FROM qa_daily WHERE day = '${day}'`), 'sent|' + n)
  assert.equal(sql(`SELECT COUNT(*) FROM notification n JOIN person p ON p.id = n.person_id WHERE p.work_no = '8001' AND n.kind = 'qa.daily'`), '1')
  await screenshot(sup, 'qa-daily-sent')

  // The manager is told, and the notification opens the report as sent.
  const man = await newPage(browser)
  await login(man, srv, '8001')
  await man.click('[data-test=bell]')
  await man.locator('[data-test=bell-list] a', { hasText: day }).click()
  await man.waitForSelector('[data-test=qr-sent-info]')
  assert.match(man.url(), new RegExp('/qa/daily\\?day=' + day))
  assert.equal(await man.inputValue('[data-test=qr-measures]'), '明日班前会复训禁语')
  assert.equal(await man.locator('[data-test=qr-save]').count(), 0)

  // The month: 8101 (11 checks, none fatal) is the star; 8102 had a fatal check.
  const month = man.waitForResponse((r) => r.url().includes('/api/qa/agents?') && r.url().includes('period=month'))
  await man.goto(srv.url + '/qa/agents?period=month&date=' + day)
  assert.equal((await month).status(), 200)
  await man.waitForSelector('[data-test=qr-agents-table] [data-test=qr-agent-8102]')
  assert.equal((await man.textContent('[data-test=qr-checks-8101]')).trim(), '11')
  assert.equal((await man.textContent('[data-test=qr-checks-8102]')).trim(), '3')
  await man.waitForSelector('[data-test=qr-star-8101]')
  assert.equal(await man.locator('[data-test^=qr-star-]').count(), 1)
  assert.match(await man.textContent('[data-test=qr-star]'), /8101/)
  const href = await man.getAttribute('[data-test=qr-xlsx]', 'href')
  assert.equal(href, `/api/qa/agents/export?period=month&date=${day}`)
  const file = await man.request.get(srv.url + href)
  assert.equal(file.status(), 200)
  assert.match(file.headers()['content-type'], /spreadsheetml/)
  await screenshot(man, 'qa-agents-month')

  // The week has no star.
  const week = man.waitForResponse((r) => r.url().includes('/api/qa/agents?') && r.url().includes('period=week'))
  await man.click('[data-test=qr-period-week]')
  assert.equal((await week).status(), 200)
  await man.locator('[data-test=qr-star-8101]').waitFor({ state: 'detached' })
  await man.waitForSelector('[data-test=qr-no-star], [data-test=qr-star]', { state: 'detached' })
  assert.equal((await man.textContent('[data-test=qr-checks-8101]')).trim(), '11')

  // The agent sees only their own row, and no download.
  const me = await newPage(browser)
  await login(me, srv, '8101')
  await me.goto(srv.url + '/qa/agents?period=month&date=' + day)
  await me.waitForSelector('[data-test=qr-agents-table] [data-test=qr-agent-8101]')
  assert.equal(await me.locator('[data-test=qr-agent-8102]').count(), 0)
  assert.equal(await me.locator('[data-test=qr-xlsx]').count(), 0)

  for (const p of [sup, man, me]) assert.deepEqual(p.problems, [])
})
