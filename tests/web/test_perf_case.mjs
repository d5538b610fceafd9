// 奖惩 (issue 19): the main paths of perf's case pages. 处罚记录: the
// supervisor records a penalty for agent 8101 with its evidence; the agent
// objects on their own page; the manager upholds the objection, and the
// ledger's line is voided; the manager changes a category's amount. 合理化建议: the agent submits one, the
// supervisor reviews it, the manager adopts it with ¥50 (the ledger's line
// +5000 fen) and HR marks it paid. 委屈奖: the case goes through its five
// steps, each by its role on the same page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick } from './harness.mjs'

let srv, browser

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

// The page of workNo (logged in once, kept for the file's tests), at path.
const pages = {}
async function as(workNo, path) {
  if (!pages[workNo]) {
    pages[workNo] = await newPage(browser)
    await login(pages[workNo], srv, workNo)
  }
  await pages[workNo].goto(srv.url + path)
  return pages[workNo]
}

// Clicks a step's button, fills the dialog's note and sends it.
async function step(page, button, note, status = 200) {
  await page.click(`[data-test=${button}]`)
  if (note !== null) await page.fill('[data-test$=-f-note]', note)
  const res = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/perf/'))
  await page.click('[data-test$=-step-submit]')
  assert.equal((await res).status(), status)
  await page.locator('.el-dialog:visible').waitFor({ state: 'hidden' })
}

test('a penalty recorded, objected to by the agent and upheld by the manager', async () => {
  const sup = await as('8002', '/perf/penalties')
  await sup.click('[data-test=pc-record]')
  await pick(sup, 'pc-f-person', '刘洋')
  await pick(sup, 'pc-f-category', '办公区域玩游戏')
  await sup.fill('[data-test=pc-f-evidence]', '10:20 巡查发现在玩游戏')
  const made = sup.waitForResponse((r) => r.url().endsWith('/api/perf/penalties') && r.request().method() === 'POST')
  await sup.click('[data-test=pc-record-submit]')
  const res = await made
  assert.equal(res.status(), 201)
  const id = (await res.json()).id
  await sup.waitForSelector(`[data-test=pc-state-${id}]:text-is("待本人确认")`)
  assert.equal(sql(`SELECT amount_fen FROM perf_ledger WHERE source = 'penalty' AND source_id = ${id}`), '-500')
  assert.deepEqual(sup.problems, [])

  const agent = await as('8101', '/perf/penalties')
  await agent.waitForSelector(`[data-test=pc-object-${id}]`)
  await step(agent, `pc-object-${id}`, '当时在查资料，不是游戏')
  await agent.waitForSelector(`[data-test=pc-state-${id}]:text-is("有异议")`)
  assert.deepEqual(agent.problems, [])

  const mgr = await as('8001', '/perf/penalties')
  await mgr.click(`[data-test=pc-decide-${id}]`)
  await mgr.click('[data-test=pc-f-uphold] .el-radio-button:last-child')
  await mgr.fill('[data-test=pc-f-note]', '核实为查资料')
  await mgr.click('[data-test=pc-step-submit]')
  await mgr.waitForSelector(`[data-test=pc-state-${id}]:text-is("已撤销")`)
  assert.notEqual(sql(`SELECT voided_at FROM perf_ledger WHERE source = 'penalty' AND source_id = ${id}`), '')
  // The categories are data: the manager changes an amount.
  await mgr.click('[data-test=pc-categories]')
  await mgr.click('[data-test=pc-cat-edit-games]')
  await mgr.fill('[data-test=pc-cat-amount] input', '6')
  const saved = mgr.waitForResponse((r) => r.request().method() === 'PUT')
  await mgr.click('[data-test=pc-cat-submit]')
  assert.equal((await saved).status(), 200)
  assert.equal(sql("SELECT amount_fen FROM perf_penalty_category WHERE code = 'games'"), '600')
  assert.deepEqual(mgr.problems, [])
})

test('a proposal submitted, reviewed, adopted with ¥50 and paid', async () => {
  const agent = await as('8101', '/perf/proposals')
  await agent.click('[data-test=pp-submit]')
  await agent.fill('[data-test=pp-f-title]', '交接班模板加未结工单栏')
  await agent.fill('[data-test=pp-f-content]', '减少漏交接')
  const made = agent.waitForResponse((r) => r.url().endsWith('/api/perf/proposals') && r.request().method() === 'POST')
  await agent.click('[data-test=pp-step-submit]')
  const id = (await (await made).json()).id
  await agent.waitForSelector(`[data-test=pp-state-${id}]:text-is("已提交")`)

  const sup = await as('8002', '/perf/proposals')
  await step(sup, `pp-review-${id}`, '可行')
  await sup.waitForSelector(`[data-test=pp-state-${id}]:text-is("已审核")`)

  const mgr = await as('8001', '/perf/proposals')
  await mgr.click(`[data-test=pp-adopt-${id}]`)
  await mgr.fill('[data-test=pp-f-amount] input', '50')
  await mgr.click('[data-test=pp-step-submit]')
  await mgr.waitForSelector(`[data-test=pp-state-${id}]:text-is("已采纳")`)
  assert.equal(sql(`SELECT amount_fen FROM perf_ledger WHERE source = 'proposal' AND source_id = ${id}`), '5000')

  const hr = await as('7001', '/perf/proposals')
  await step(hr, `pp-pay-${id}`, null)
  await hr.waitForSelector(`[data-test=pp-state-${id}]:text-is("已发放")`)
  for (const p of [agent, sup, mgr, hr]) assert.deepEqual(p.problems, [])
})

test('a grievance case through its five steps, each by its role', async () => {
  const now = await srv.advance(0)
  const agentId = Number(sql("SELECT id FROM person WHERE work_no = '8101'"))
  const callId = Number(sql(
    'INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, queue, agent_id, connected_at, outcome, hangup_first)' +
      ` VALUES ('perf-web', '13800000000', '4000000000', ${now - 600000}, ${now - 300000}, 'market_consult', ${agentId}, ${now - 590000}, 'answered', 'caller') RETURNING id`))
  const sup = await as('8002', '/perf/grievances')
  await sup.click('[data-test=pg-submit]')
  await pick(sup, 'pg-f-person', '刘洋')
  await sup.fill('[data-test=pg-f-summary]', '客户辱骂，坐席始终耐心解释')
  await sup.fill('[data-test=pg-f-ref-id] input', String(callId))
  await pick(sup, 'pg-f-witnesses', '陈晨')
  await pick(sup, 'pg-f-witnesses', '杨帆')
  await sup.locator('.el-dialog:visible .el-dialog__title').click()
  const made = sup.waitForResponse((r) => r.url().endsWith('/api/perf/grievances') && r.request().method() === 'POST')
  await sup.click('[data-test=pg-step-submit]')
  const res = await made
  assert.equal(res.status(), 201, await res.text())
  const id = (await res.json()).id

  const mgr = await as('8001', '/perf/grievances')
  await step(mgr, `pg-review-${id}`, '情况属实')
  const hr = await as('7001', '/perf/grievances')
  await step(hr, `pg-verify-${id}`, '调阅录音核实')
  const office = await as('1001', '/perf/grievances')
  await office.click(`[data-test=pg-decide-${id}]`)
  await office.click('[data-test=pg-f-level] .el-radio-button:first-child')
  await office.click('[data-test=pg-step-submit]')
  await office.waitForSelector(`[data-test=pg-announce-${id}]`)
  assert.equal(sql(`SELECT amount_fen FROM perf_ledger WHERE source = 'grievance' AND source_id = ${id}`), '50000')
  await step(office, `pg-announce-${id}`, null)
  await office.waitForSelector(`[data-test=pg-state-${id}]:text-is("已通报")`)
  assert.equal(sql(`SELECT count(*) FROM notification WHERE kind = 'perf.grievance' AND person_id = ${agentId}`), '1')
  for (const p of [sup, mgr, hr, office]) assert.deepEqual(p.problems, [])
})
