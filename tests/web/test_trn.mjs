// An exam from start to certification in the browser (TRN-2, ORG-4): the
// supervisor set a paper (a single choice and a short answer) for 8106, who
// is not certified yet, with herself as the trainer, and opened a practical
// with a panel of herself and 4001 (市场运营部). The trainee enters the exam
// room, starts, answers (each saved as she goes) and submits; the trainer
// marks the short answer; both panel members score the five items and the
// host closes the practical with their mean; the manager looks the trainee
// up, sees both passed and confirms: the person is certified, as stored.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, confirmBox } from './harness.mjs'

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

async function ok(method, p, body, token, status = 200) {
  const r = await srv.call(method, p, body, token)
  assert.equal(r.status, status, JSON.stringify(r.body))
  return r.body
}

test('an exam from start to certification', async () => {
  sql("UPDATE person SET certified = 0 WHERE work_no = '8106'")
  const sup = await srv.account('8002')
  const trainee = Number(sql("SELECT id FROM person WHERE work_no = '8106'"))
  const supId = Number(sql("SELECT id FROM person WHERE work_no = '8002'"))
  const staffId = Number(sql("SELECT id FROM person WHERE work_no = '4001'"))
  await ok('POST', '/api/trn/questions', { kind: 'single', category: '浏览器', stem: '客服热线号码开头是？', options: ['400', '110'], answer: 'A', points: 40 }, sup, 201)
  await ok('POST', '/api/trn/questions', { kind: 'short', category: '浏览器', stem: '客户投诉时第一句话说什么？', answer: '先致歉', points: 60 }, sup, 201)
  const paper = await ok('POST', '/api/trn/papers', { title: '上岗笔试（浏览器）', duration_min: 30, seed: 1, rules: [
    { kind: 'single', category: '浏览器', count: 1, points: 40 }, { kind: 'short', category: '浏览器', count: 1, points: 60 }] }, sup, 201)
  const pos = Object.fromEntries(paper.questions.map((q) => [q.kind, q.position]))
  const exam = await ok('POST', '/api/trn/exams', { paper_id: paper.id, person_id: trainee, trainer_id: supId }, sup, 201)
  const prac = await ok('POST', '/api/trn/practicals', { person_id: trainee, panel: [supId, staffId] }, sup, 201)

  // The trainee takes the exam.
  const t = await newPage(browser)
  await login(t, srv, '8106')
  await t.goto(srv.url + '/trn/exams')
  await t.click(`[data-test=trn-enter-${exam.id}]`)
  await t.click('[data-test=exam-start]')
  await t.waitForSelector('[data-test=exam-timer]')
  assert.match(await t.textContent('[data-test=exam-timer]'), /(29|30):\d\d/)
  await t.click(`[data-test=exam-opt-${pos.single}-A]`)
  await t.waitForSelector(`[data-test=exam-saved-${pos.single}]`)
  await t.fill(`[data-test=exam-text-${pos.short}]`, '您好，非常抱歉给您带来不便')
  await t.locator(`[data-test=exam-text-${pos.short}]`).blur()
  await t.waitForSelector(`[data-test=exam-saved-${pos.short}]`)
  assert.equal(sql(`SELECT answer FROM trn_answer WHERE exam_id = ${exam.id} AND position = ${pos.single}`), 'A')
  await t.click('[data-test=exam-submit]')
  await confirmBox(t)
  await t.waitForSelector('[data-test=exam-state]:has-text("待阅卷")')
  assert.equal(await t.textContent(`[data-test=exam-given-${pos.short}]`), '您好，非常抱歉给您带来不便')

  // The trainer marks the short answer.
  const s = await newPage(browser)
  await login(s, srv, '8002')
  await s.goto(srv.url + '/trn/exams')
  await s.click(`[data-test=trn-mark-${exam.id}]`)
  await s.waitForSelector('[data-test=trn-mark-dialog]')
  await s.fill(`[data-test=trn-mark-points-${pos.short}] input`, '50')
  await s.locator(`[data-test=trn-mark-points-${pos.short}] input`).blur()
  await s.click('[data-test=trn-mark-save]')
  await s.waitForSelector(`[data-test=trn-exam-state-${exam.id}]:has-text("已评分")`)
  assert.equal(sql(`SELECT state || ' ' || points || ' ' || score FROM trn_exam WHERE id = ${exam.id}`), 'marked 90 90.0')

  // The panel scores the practical; the host closes it with their mean.
  async function score(page, items) {
    await page.click('#tab-practicals')
    await page.click(`[data-test=trn-score-${prac.id}]`)
    await page.waitForSelector('[data-test=trn-score-dialog]')
    for (const [k, v] of Object.entries(items)) {
      await page.fill(`[data-test=trn-item-${k}] input`, String(v))
      await page.locator(`[data-test=trn-item-${k}] input`).blur()
    }
    await page.click('[data-test=trn-score-save]')
    await page.waitForSelector('[data-test=trn-score-dialog]', { state: 'hidden' })
  }
  await score(s, { voice: 18, tone: 16, speed: 15, fluency: 17, reactions: 14 })
  // The colleague from 市场运营部 scores through the API (a browser login less).
  const staff = await srv.account('4001')
  await ok('PUT', `/api/trn/practicals/${prac.id}/score`, { voice: 12, tone: 14, speed: 13, fluency: 15, reactions: 16 }, staff)
  await s.reload()
  await s.click('#tab-practicals')
  await s.click(`[data-test=trn-close-${prac.id}]`)
  await s.waitForSelector(`[data-test=trn-prac-state-${prac.id}]:has-text("已结束")`)
  const totals = sql(`SELECT group_concat(total) FROM (SELECT total FROM trn_panel WHERE practical_id = ${prac.id} ORDER BY total)`)
  assert.equal(totals, '70,80')
  assert.equal(await s.textContent(`[data-test=trn-prac-score-${prac.id}]`), '75.0')

  // The manager confirms: the agent is certified for duty.
  const m = await newPage(browser)
  await login(m, srv, '8001')
  await m.goto(srv.url + '/trn/exams')
  await m.click('#tab-cert')
  await m.click('[data-test=trn-cert-person] .el-select__wrapper')
  await m.locator('.el-select-dropdown__item', { hasText: '8106' }).first().dispatchEvent('click')
  await m.click('[data-test=trn-cert-check]')
  await m.waitForSelector('[data-test=trn-standing]')
  assert.equal(await m.textContent('[data-test=trn-certified]'), '未取得上岗资质')
  assert.equal(await m.textContent('[data-test=trn-written-passed]'), '通过')
  assert.equal(await m.textContent('[data-test=trn-practical-passed]'), '通过')
  await m.click('[data-test=trn-confirm]')
  await m.waitForSelector('[data-test=trn-certified]:has-text("已取得上岗资质")')
  assert.equal(sql("SELECT certified FROM person WHERE work_no = '8106'"), '1')
  assert.equal(sql(`SELECT count(*) FROM trn_cert WHERE person_id = ${trainee}`), '1')
  for (const page of [t, s, m]) assert.deepEqual(page.problems, [])
})
