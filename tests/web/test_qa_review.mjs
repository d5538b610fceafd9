// 质检 (issue 15, QA-1, QA-5): the reviewer's main path. A call of agent 8101
// with a low satisfaction digit is picked for review by the must-review tick;
// the quality inspector 8301 opens it from 质检队列, scores it on the seeded
// scorecard (fatal items as pass or fail), adds a remark and submits; the
// total is kefu's, recomputed here from the scorecard; the agent then sees it
// in 我的质检 and opens it read-only. Then the agent appeals from 我的质检
// and the supervisor changes the score in 申诉处理; the agent sees the final
// score. And 质检设置: a scorecard item added files a new version, a plan
// changes. The call is written straight into the database, as the call
// engine would.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

let srv, browser, callId, agentId

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  const now = await srv.advance(0)
  agentId = Number(sql("SELECT id FROM person WHERE work_no = '8101'"))
  const at = now - 3600000
  callId = Number(
    sql(
      'INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, queue, agent_id, connected_at, outcome, hangup_first, survey)' +
        ` VALUES ('qa-web', '13800000000', '4000000000', ${at}, ${at + 300000}, 'market_consult', ${agentId}, ${at + 20000}, 'answered', 'caller', 1) RETURNING id`,
    ),
  )
  const words = JSON.stringify({ utterances: [
    { speaker: 'agent', start_ms: 0, end_ms: 4200, text: '您好！客户服务中心，工号8101为您服务' },
    { speaker: 'customer', start_ms: 4800, end_ms: 7900, text: '我家空调不制冷了' },
  ] })
  sql(`INSERT INTO qa_transcript(kind, ref_id, source, body, created_at) VALUES ('call', ${callId}, 'api:test', '${words}', 0)`)
  // The tick picks it within a minute (satisfaction 1 is low).
  await srv.advance(60000)
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a reviewer scores a call from the queue; the agent sees the result', async () => {
  const id = Number(sql(`SELECT id FROM qa_assessment WHERE kind = 'call' AND ref_id = ${callId}`))
  assert.ok(id > 0)
  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.goto(srv.url + '/qa/queue')
  await page.waitForSelector(`[data-test=qa-open-${id}]`)
  assert.equal((await page.textContent(`[data-test=qa-reason-${id}]`)).trim(), '低满意度')
  await page.click(`[data-test=qa-open-${id}]`)
  await page.waitForSelector('[data-test=qa-state][data-state=open]')
  // The words of the call beside the scorecard.
  assert.deepEqual(await page.locator('[data-test=transcript-utterance] .utt-text').allTextContents(), ['您好！客户服务中心，工号8101为您服务', '我家空调不制冷了'])

  // Every item at its full points except 准确理解问题 (pos 8): 12 of 20.
  const items = JSON.parse(sql('SELECT json_group_array(json_object(\'pos\', pos, \'max\', max_points, \'weight\', weight, \'fatal\', fatal)) FROM (SELECT * FROM qa_scorecard_item WHERE scorecard_id = 1 AND version = 1 ORDER BY pos)'))
  const scores = items.map((it) => (it.pos === 8 ? 12 : it.max))
  for (const it of items) {
    if (it.fatal) await page.click(`[data-test=qa-score-${it.pos}] .el-radio-button:first-child`)
    else {
      await page.fill(`[data-test=qa-score-${it.pos}] input`, String(scores[it.pos - 1]))
      await page.press(`[data-test=qa-score-${it.pos}] input`, 'Tab')
    }
  }
  const want = Math.floor((100 * items.reduce((s, it, i) => s + (it.weight * scores[i]) / it.max, 0)) / items.reduce((s, it) => s + it.weight, 0) + 0.5)
  assert.equal(want, 92)
  await page.waitForSelector(`[data-test=qa-total]:text-is("${want}")`)
  await page.fill('[data-test=qa-remark]', '未确认客户需求')
  const remarked = page.waitForResponse((r) => r.url().endsWith(`/api/qa/assessments/${id}/comments`))
  await page.click('[data-test=qa-remark-add]')
  assert.equal((await remarked).status(), 201)
  await page.waitForSelector('[data-test=qa-comment-row]')
  await page.fill('[data-test=qa-comment]', '整体规范，理解问题需加强')
  const closed = page.waitForResponse((r) => r.url().endsWith(`/api/qa/assessments/${id}/close`))
  await page.click('[data-test=qa-close]')
  const res = await closed
  assert.equal(res.status(), 200, await res.text())
  await page.waitForSelector('[data-test=qa-state][data-state=closed]')
  assert.equal((await page.textContent('[data-test=qa-total]')).trim(), String(want))
  assert.equal(sql(`SELECT state || ' ' || total || ' ' || scores FROM qa_assessment WHERE id = ${id}`), `closed ${want} ${JSON.stringify(scores)}`)
  await screenshot(page, 'qa-review-closed')

  // The agent sees it in 我的质检, and the review itself read-only.
  const pa = await newPage(browser)
  await login(pa, srv, '8101')
  await pa.goto(srv.url + '/qa/mine')
  await pa.waitForSelector(`[data-test=qa-mine-total-${id}]`)
  assert.equal((await pa.textContent(`[data-test=qa-mine-total-${id}]`)).trim(), String(want))
  assert.ok(await pa.isVisible(`[data-test=qa-mine-appeal-${id}]`))
  await pa.click(`[data-test=qa-mine-view-${id}]`)
  await pa.waitForSelector('[data-test=qa-state][data-state=closed]')
  assert.equal((await pa.textContent('[data-test=qa-score-8]')).trim(), '12 / 20')
  assert.equal(await pa.locator('[data-test=qa-close]').count(), 0)
  assert.equal((await pa.textContent('[data-test=qa-comments]')).includes('未确认客户需求'), true)
  await screenshot(pa, 'qa-review-agent')
  assert.deepEqual([...page.problems, ...pa.problems], [])
})

test('the agent appeals from 我的质检; the supervisor changes the score in 申诉处理', async () => {
  const id = Number(sql(`SELECT id FROM qa_assessment WHERE kind = 'call' AND ref_id = ${callId}`))
  const pa = await newPage(browser)
  await login(pa, srv, '8101')
  await pa.goto(srv.url + '/qa/mine')
  await pa.click(`[data-test=qa-mine-appeal-${id}]`)
  await pa.fill('[data-test=qa-mine-appeal-reason]', '当时客户信号不好')
  const appealed = pa.waitForResponse((r) => r.url().endsWith(`/api/qa/assessments/${id}/appeal`))
  await pa.click('[data-test=qa-mine-appeal-submit]')
  assert.equal((await appealed).status(), 201)
  await pa.waitForSelector(`[data-test=qa-mine-appeal-${id}]`, { state: 'detached' })
  const appeal = Number(sql(`SELECT id FROM qa_appeal WHERE assessment_id = ${id} AND level = 1`))

  const ps = await newPage(browser)
  await login(ps, srv, '8002')
  await ps.goto(srv.url + '/qa/appeals')
  await ps.click(`[data-test=qa-decide-${appeal}]`)
  await ps.click('[data-test=qa-decide-decision] .el-radio-button:nth-child(2)')
  await ps.fill('[data-test=qa-decide-score] input', '95')
  await ps.press('[data-test=qa-decide-score] input', 'Tab')
  await ps.fill('[data-test=qa-decide-reason]', '复听确认信号问题')
  const decided = ps.waitForResponse((r) => r.url().endsWith(`/api/qa/appeals/${appeal}/decide`))
  await ps.click('[data-test=qa-decide-submit]')
  const res = await decided
  assert.equal(res.status(), 200, await res.text())
  // Decided: it leaves the list of those waiting for the supervisor.
  await ps.waitForSelector(`[data-test=qa-decide-${appeal}]`, { state: 'detached' })
  assert.equal(sql(`SELECT final_score || ' ' || state FROM qa_assessment WHERE id = ${id}`), '95 closed')

  await pa.reload()
  await pa.waitForSelector(`[data-test=qa-mine-final-${id}]`)
  assert.equal((await pa.textContent(`[data-test=qa-mine-final-${id}]`)).trim(), '95')
  await screenshot(ps, 'qa-appeals')
  assert.deepEqual([...pa.problems, ...ps.problems], [])
})

test('质检设置: an item added to the scorecard files version 2; the new hires\' plan changes', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.goto(srv.url + '/qa/setup')
  await page.click('[data-test=qa-card-edit-1]')
  await page.waitForSelector('[data-test=qa-item-10]')
  await page.click('[data-test=qa-item-add]')
  // An item without its words: kefu names it, nothing is filed.
  let saved = page.waitForResponse((r) => r.url().endsWith('/api/qa/scorecards/1') && r.request().method() === 'PATCH')
  await page.click('[data-test=qa-card-save]')
  assert.equal((await saved).status(), 422)
  await page.waitForSelector('[data-test=qa-item-11].bad')
  assert.equal(sql('SELECT version FROM qa_scorecard WHERE id = 1'), '1')
  await page.fill('[data-test=qa-item-label-11]', '主动告知处理时限')
  saved = page.waitForResponse((r) => r.url().endsWith('/api/qa/scorecards/1') && r.request().method() === 'PATCH')
  await page.click('[data-test=qa-card-save]')
  assert.equal((await saved).status(), 200)
  await page.waitForSelector('.el-dialog[data-test=qa-card-dialog]', { state: 'hidden' })
  assert.equal(sql('SELECT version FROM qa_scorecard WHERE id = 1'), '2')
  assert.equal(sql("SELECT label || ' ' || dimension || ' ' || max_points FROM qa_scorecard_item WHERE scorecard_id = 1 AND version = 2 AND pos = 12"), '主动告知处理时限 attitude 10')
  assert.equal(sql('SELECT count(*) FROM qa_scorecard_item WHERE scorecard_id = 1 AND version = 1'), '11')

  await page.fill('[data-test=qa-plan-new_hire-value] input', '35')
  await page.press('[data-test=qa-plan-new_hire-value] input', 'Tab')
  const put = page.waitForResponse((r) => r.url().endsWith('/api/qa/plans'))
  await page.click('[data-test=qa-plans-save]')
  assert.equal((await put).status(), 200)
  assert.equal(sql("SELECT mode || ' ' || ratio_pct FROM qa_plan WHERE code = 'new_hire'"), 'ratio 35')
  await screenshot(page, 'qa-setup')
  assert.deepEqual(page.problems, [])
})
