// Meetings, work logs and inspections in the browser (issue 19, MTG-1, LED-1).
// A routine meeting with three agents is called through the API; once it has
// begun the supervisor opens 会议, marks 8101 late and 8102 present, writes
// the minutes and the meeting is held, as kefu stored it. The agent 8101
// writes today's work log; the supervisor's view lists it and names 8102
// among those with none, and the supervisor's comment reaches the log. An
// inspection is recorded with a finding that proposes a penalty.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick, screenshot } from './harness.mjs'

const MIN = 60 * 1000
let srv, browser

function sql(text) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()
}

before(async () => {
  srv = await new Server().start({ KEFU_SESSION_IDLE_MIN: '1440' })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('the supervisor marks attendance and minutes; work logs; an inspection', async () => {
  const sup = await srv.account('8002')
  const ids = {}
  for (const w of ['8101', '8102', '8103']) ids[w] = Number(sql(`SELECT id FROM person WHERE work_no = '${w}'`))
  const now = await srv.advance(0)
  let r = await srv.call('POST', '/api/mtg/meetings', { type: 'daily', title: '加开例会', starts_at: now + 5 * MIN, duration_min: 30, location: '会议室', attendees: Object.values(ids) }, sup)
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const m = r.body
  await srv.advance(10 * MIN)

  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/mtg/meetings')
  await page.click(`[data-test=mtg-row-${m.id}]`)
  await page.waitForSelector('[data-test=mtg-detail] [data-test=mtg-att-8101]')
  await page.click('[data-test=mtg-mark-8101-late]')
  await page.waitForFunction(() => document.querySelector('[data-test=mtg-att-8101]')?.textContent.includes('迟到'))
  await page.click('[data-test=mtg-mark-8102-present]')
  await page.waitForFunction(() => document.querySelector('[data-test=mtg-att-8102]')?.textContent.includes('出席'))
  assert.equal(sql(`SELECT group_concat(p.work_no || ':' || a.status, ',') FROM mtg_attendee a JOIN person p ON p.id = a.person_id WHERE a.meeting_id = ${m.id} ORDER BY p.work_no`), '8101:late,8102:present,8103:expected')
  await page.fill('[data-test=mtg-minutes]', '1. 通报昨日投诉')
  await page.click('[data-test=mtg-save-minutes]')
  await page.waitForFunction(() => document.querySelector('[data-test=mtg-detail-state]')?.textContent.includes('已召开'))
  assert.equal(sql(`SELECT state || '|' || minutes FROM mtg_meeting WHERE id = ${m.id}`), 'held|1. 通报昨日投诉')
  await screenshot(page, 'mtg-meeting')

  // The agent writes today's log.
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.goto(srv.url + '/mtg/logs')
  await agent.waitForSelector('[data-test=log-body]')
  await agent.fill('[data-test=log-body]', '接听 52 通，回访 3 位')
  await agent.click('[data-test=log-save]')
  await agent.waitForSelector('[data-test=log-table] .el-table__row')
  assert.equal(sql(`SELECT kind || '|' || body FROM mtg_log WHERE person_id = ${ids['8101']}`), 'day|接听 52 通，回访 3 位')
  const logId = sql(`SELECT id FROM mtg_log WHERE person_id = ${ids['8101']}`)

  // The supervisor's view: 8101's log, 8102 without one; a comment.
  await page.goto(srv.url + '/mtg/logs')
  await page.click('[data-test=log-tab-team]')
  await page.waitForSelector(`[data-test=log-row-${logId}]`)
  await page.waitForSelector('[data-test=log-missing-8102]')
  assert.equal(await page.locator('[data-test=log-missing-8101]').count(), 0)
  await page.click(`[data-test=log-row-${logId}]`)
  await page.fill('[data-test=log-comment-body]', '回访记录再细一些')
  await page.click('[data-test=log-comment-save]')
  await page.waitForSelector('[data-test=log-detail] .comment')
  assert.equal(sql(`SELECT body FROM mtg_log_comment WHERE log_id = ${logId}`), '回访记录再细一些')

  // An inspection with a finding that proposes a penalty.
  await page.goto(srv.url + '/mtg/inspections')
  await page.click('[data-test=insp-new]')
  await page.fill('[data-test=insp-area]', '座席区')
  await pick(page, 'insp-person-0', '刘洋')
  await page.fill('[data-test=insp-note-0]', '上班时间玩手机游戏')
  await pick(page, 'insp-category-0', '上班时间看报刊、聊天或做与工作无关的事')
  await page.click('[data-test=insp-save]')
  await page.waitForSelector('[data-test=insp-detail] [data-test=insp-findings] .el-table__row')
  assert.equal(sql(`SELECT p.work_no || '|' || f.item || '|' || f.category FROM mtg_finding f JOIN person p ON p.id = f.person_id`), '8101|duty|unrelated')
  assert.deepEqual(page.problems, [])
  assert.deepEqual(agent.problems, [])
})
