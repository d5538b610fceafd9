// The agents' work statistics in the browser (issue 20, RPT-1): today's
// calls and status log are written as the call engine and acd write them;
// the manager opens 工作统计一览表, reads 8101's figures as recomputed here,
// sees the totals row and downloads the form; the dashboard's agents card
// ranks 8101 first; the agent 8102 sees only their own row, without the
// download.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

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

const hms = (ms) => {
  let s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  return `${h}:${String(m).padStart(2, '0')}:${String(s - m * 60).padStart(2, '0')}`
}

test('the manager reads the agents\' figures, the totals and the form; an agent their own row', async () => {
  const now = await srv.advance(0)
  const t0 = now - 30 * MIN
  // 8101: two answered calls of 200 s and 100 s; 8102: one of 50 s.
  let q = ''
  ;[['8101', 200], ['8101', 100], ['8102', 50]].forEach(([who, talk], i) => {
    const start = t0 + i * 5 * MIN
    q += `INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at, agent_id, connected_at, metrics)
          SELECT 'web-${i}', '13800000000', '400', ${start}, ${start}, ${start + 5000 + talk * 1000}, id, ${start + 5000},
                 '{"hold_total_ms": 10000}' FROM person WHERE work_no = '${who}';`
  })
  sql('BEGIN;' + q + 'COMMIT;')
  const [calls, talk] = sql(`SELECT COUNT(*), SUM(ended_at - connected_at) FROM call c JOIN person p ON p.id = c.agent_id
                             WHERE p.work_no = '8101' AND c.started_at >= ${t0}`).split('|')
  assert.equal(calls, '2')

  const man = await newPage(browser)
  await login(man, srv, '8001')
  const answer = man.waitForResponse((r) => r.url().includes('/api/reports/agents?'))
  await man.goto(srv.url + '/reports/agents')
  assert.equal((await answer).status(), 200)
  await man.waitForSelector('[data-test=ra-table] [data-test=ra-agent-8102]')
  assert.equal((await man.textContent('[data-test=ra-calls-8101]')).trim(), calls)
  assert.equal((await man.textContent('[data-test=ra-talk_ms-8101]')).trim(), hms(Number(talk)))
  assert.equal((await man.textContent('[data-test=ra-avg_talk_ms-8101]')).trim(), hms(Number(talk) / 2))
  // Sorted by calls answered, most first; the totals row sums the calls.
  assert.match(await man.textContent('[data-test=ra-table] .el-table__body tbody tr:first-child'), /8101/)
  const foot = await man.textContent('[data-test=ra-table] .el-table__footer')
  assert.match(foot, /合计/)
  assert.ok(foot.includes(hms(Number(talk) + 50000)), foot)
  const href = await man.getAttribute('[data-test=ra-xlsx]', 'href')
  assert.match(href, /^\/api\/reports\/agents\.xlsx\?from=\d{4}-\d{2}-01&to=/)
  const file = await man.request.get(srv.url + href)
  assert.equal(file.status(), 200)
  assert.match(file.headers()['content-type'], /spreadsheetml/)
  await screenshot(man, 'report-agents')

  // The dashboard's agents today: 8101 answered most.
  await man.goto(srv.url + '/dashboard')
  await man.waitForSelector('[data-test=af-top] [data-test=af-top-8101]')
  assert.match(await man.textContent('[data-test=af-top] li:first-child'), /8101/)

  const me = await newPage(browser)
  await login(me, srv, '8102')
  await me.goto(srv.url + '/reports/agents')
  await me.waitForSelector('[data-test=ra-table] [data-test=ra-agent-8102]')
  assert.equal(await me.locator('[data-test=ra-agent-8101]').count(), 0)
  assert.equal(await me.locator('[data-test=ra-xlsx]').count(), 0)

  for (const p of [man, me]) assert.deepEqual(p.problems, [])
})
