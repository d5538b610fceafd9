// The quality rules page through the browser (issue 15, QA-3, QA-4): the
// quality inspector edits a seeded forbidden phrase's score (a new version,
// the one before kept), the test box shows the hits of the active rules in a
// pasted transcript with the better wording, and a rule being written is
// tried in the test box before it is saved (nothing written). The checks
// page: a checked call opens with its words marked and the required
// opening not said shown as 未说…; an agent's summary of a contact is
// checked too and found with the kind filter, each part named; an agent
// sees only their own calls' checks (QA-1).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick } from './harness.mjs'

let srv, browser, qaTok

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  qaTok = await srv.account('8301')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

const api = (method, path, body) => srv.call(method, path, body, qaTok)

test('QA-3: the inspector changes a forbidden phrase\'s score; the test box shows its hit and the better wording', async () => {
  const wei = (await api('GET', '/api/qa/rules')).body.items.find((r) => r.code.startsWith('qa3.') && r.body.conditions[0].words.join() === '喂')
  assert.ok(wei)
  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.goto(srv.url + '/qa/rules')
  await page.fill('[data-test=qa-rules-search]', wei.code)
  const row = page.locator('.el-table__row', { has: page.locator(`[data-test="qa-rule-row-${wei.code}"]`) })
  await row.waitFor()
  assert.equal(await row.locator('[data-test=qa-rule-version]').textContent(), '1')

  await row.locator(`[data-test="qa-rule-edit-${wei.code}"]`).click()
  const dlg = page.locator('[data-test=qa-rule-dialog]')
  await dlg.locator('[data-test=qa-f-score] input').waitFor()
  assert.equal(await dlg.locator('[data-test=qa-cond-words-0]').inputValue(), '喂')
  await dlg.locator('[data-test=qa-f-score] input').fill('-8')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/qa/rules/' + wei.id) && r.request().method() === 'PATCH')
  await page.click('[data-test=qa-rule-save]')
  assert.equal((await saved).status(), 200)
  await row.locator('[data-test=qa-rule-version]', { hasText: '2' }).waitFor()
  const after2 = (await api('GET', '/api/qa/rules/' + wei.id)).body
  assert.equal(after2.version, 2)
  assert.equal(after2.body.score, -8)
  assert.deepEqual(after2.body.conditions, wei.body.conditions)
  const versions = (await api('GET', `/api/qa/rules/${wei.id}/versions`)).body.items
  assert.deepEqual(versions.map((v) => [v.version, v.body.score]), [[2, -8], [1, wei.body.score]])

  // The test box with every active rule: 喂 at the start of the first line.
  await page.fill('[data-test=qa-test-text]', '坐席：喂，请问有什么事？\n客户：空调坏了')
  await page.click('[data-test=qa-test-active]')
  const tested = page.waitForResponse((r) => r.url().endsWith('/api/qa/rules/test'))
  await page.click('[data-test=qa-test-run]')
  const body = await (await tested).json()
  const result = page.locator('[data-test=qa-test-result]')
  const hit = result.locator(`[data-test^=qa-hit-][data-code="${wei.code}"]`)
  await hit.waitFor()
  assert.match(await hit.textContent(), /-8/)
  assert.match(await hit.locator('[data-test=qa-better]').textContent(), /您好！/)
  assert.equal(await result.locator('[data-test=qa-utt-0] [data-test=qa-mark]').first().textContent(), '喂')
  assert.equal(await result.locator('[data-test^=qa-hit-]').count(), body.hits.length)
  assert.match(await page.textContent('[data-test=qa-test-score]'), new RegExp(String(body.score)))
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('A new rule is tried in the test box before it is saved; nothing is written', async () => {
  const before = (await api('GET', '/api/qa/rules')).body.items.length
  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.goto(srv.url + '/qa/rules')
  await page.locator('[data-test=qa-rules-table] .el-table__row').first().waitFor()
  await page.click('[data-test=qa-rule-new]')
  const dlg = page.locator('[data-test=qa-rule-dialog]')
  await dlg.locator('[data-test=qa-f-name]').waitFor()
  await dlg.locator('[data-test=qa-f-name]').fill('推诿：压缩机')
  await dlg.locator('[data-test=qa-cond-words-0]').fill('压缩机')
  await dlg.locator('[data-test=qa-cond-better-0]').fill('我们安排师傅上门检测')
  await page.fill('[data-test=qa-test-text]', '客户：空调不制冷\n坐席：应该是壓縮機的问题')
  const tested = page.waitForResponse((r) => r.url().endsWith('/api/qa/rules/test'))
  await page.click('[data-test=qa-test-run]')
  const req = JSON.parse((await tested).request().postData())
  assert.deepEqual(req.rule.conditions[0].words, ['压缩机'])
  const hit = page.locator('[data-test=qa-test-result] [data-test=qa-hit-0]')
  await hit.waitFor()
  assert.match(await hit.textContent(), /推诿：压缩机/)
  assert.match(await hit.locator('[data-test=qa-better]').textContent(), /我们安排师傅上门检测/)
  // Traditional characters matched; the mark shows them as written.
  assert.equal(await page.locator('[data-test=qa-test-result] [data-test=qa-utt-1] [data-test=qa-mark]').textContent(), '壓縮機')
  assert.equal((await api('GET', '/api/qa/rules')).body.items.length, before)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

// Two answered calls, ended now, written as the call engine writes them.
function addCall(agentWorkNo, now) {
  const sql = `INSERT INTO call(sip_call_id, caller, called, started_at, connected_at, ended_at, agent_id, outcome)
    SELECT 'web-' || id || '-${now}', '13900139000', '4000000000', ${now - 300000}, ${now - 290000}, ${now}, id, 'answered'
    FROM person WHERE work_no = '${agentWorkNo}' RETURNING id`
  return Number(execFileSync('sqlite3', [srv.db, sql], { encoding: 'utf8' }).trim())
}

test('QA-1: a checked call shows its hits in the words; an agent sees only their own checks', async () => {
  const now = (await srv.call('POST', '/api/test/clock', { advance_ms: 0 })).body.now
  const mine = addCall('8101', now)
  const other = addCall('8102', now)
  for (const id of [mine, other]) {
    const r = await api('PUT', `/api/calls/${id}/transcript`, { source: 'api:test', utterances: [
      { speaker: 'agent', start_ms: 0, end_ms: 3000, text: '喂，请问有什么事？' },
      { speaker: 'customer', start_ms: 3500, end_ms: 6000, text: '空调坏了' }] })
    assert.equal(r.status, 201)
  }
  // Agent 8101's summary of a contact: checked once the wrap-up time passed.
  const k = await srv.call('POST', '/api/contacts', { channel: 'phone', direction: 'in', started_at: now - 120000, ended_at: now - 60000,
    fivew: { what: '空调不制冷' }, summary: '喂，已派单维修' }, await srv.account('8101'))
  assert.equal(k.status, 201, JSON.stringify(k.body))
  // Past the wait for a recording: the next round checks both.
  await srv.call('POST', '/api/test/clock', { advance_ms: 11 * 60000 })
  const check = (await api('GET', `/api/qa/checks/call/${mine}`)).body

  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.goto(srv.url + '/qa/checks')
  await page.locator(`[data-test=qa-check-row-${other}]`).waitFor()
  await page.click(`[data-test=qa-check-row-${mine}]`)
  const detail = page.locator(`[data-test=qa-check-detail][data-call="${mine}"]`)
  await detail.locator('[data-test=qa-hits]').waitFor()
  assert.equal(await detail.locator('[data-test^=qa-hit-]').count(), check.hits.length)
  assert.equal(await detail.locator('[data-test=qa-utt-0] [data-test=qa-mark]').first().textContent(), '喂')
  assert.match(await detail.locator('[data-test=qa-check-detail-score]').textContent(), new RegExp(String(check.check.score)))
  // The opening's words were not said: listed as due, not marked in the text.
  const missing = check.hits.filter((h) => h.missing).map((h) => h.text)
  assert.ok(missing.includes('您好'), JSON.stringify(check.hits))
  assert.deepEqual(await detail.locator('[data-test=qa-missing]').allTextContents(), missing.map((w) => `未说「${w}」`))
  assert.equal(await detail.locator('[data-test=qa-mark]').count(), check.hits.filter((h) => !h.missing && h.utterance !== null).length)

  // The summaries alone, with the kind filter; one opens with its parts named.
  await pick(page, 'qa-checks-kind', '坐席小结')
  await page.click('[data-test=qa-checks-search]')
  await page.locator(`[data-test=qa-check-row-summary-${k.body.id}]`).waitFor()
  await page.locator(`[data-test=qa-check-row-${mine}]`).waitFor({ state: 'detached' })
  await page.click(`[data-test=qa-check-row-summary-${k.body.id}]`)
  const sum = page.locator(`[data-test=qa-check-detail][data-kind=summary][data-call="${k.body.id}"]`)
  await sum.locator('[data-test=qa-hits]').waitFor()
  assert.deepEqual(await sum.locator('[data-test=qa-utterances] .who').allTextContents(), ['何事', '小结'])
  assert.equal(await sum.locator('[data-test=qa-utt-1] [data-test=qa-mark]').first().textContent(), '喂')
  assert.deepEqual(page.problems, [])
  await page.context().close()

  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.goto(srv.url + '/qa/checks')
  await agent.locator(`[data-test=qa-check-row-${mine}]`).waitFor()
  assert.equal(await agent.locator(`[data-test=qa-check-row-${other}]`).count(), 0)
  assert.equal(await agent.locator('[data-test=qa-checks-agent]').count(), 0)
  assert.deepEqual(agent.problems, [])
  await agent.context().close()
})
