// The 热线 tab of the rules editor through the browser: the manager builds a
// sub-menu in the IVR menu tree (CALL-1) and saves it, sees kefu's refusal
// of a menu without an agent fall-back and of a stale version, sets the
// opening hours with a holiday and a make-up day (WFM-1 default: always
// open), and changes a queue's strategy (ORG-2); the names shown are text.
// An emergency announcement (seed 002 §4.3) set in the editor is a banner for
// an agent during its window and gone after it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server, launchBrowser, newPage, login, screenshot, XSS, pick, confirmBox } from './harness.mjs'

const say = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'mk', 'say.sh')

let srv, browser, managerTok

before(async () => {
  srv = await new Server().start({ KEFU_NOTICE_SAY: say })
  browser = await launchBrowser()
  managerTok = await srv.account('8001')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function openTab(page) {
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/rules?tab=hotline')
  await page.waitForSelector('[data-test=hl-tree]')
}

const api = async (method, path, body) => (await srv.call(method, path, body, managerTok)).body

test('CALL-1: the manager adds a sub-menu with a key under it and saves the tree', async () => {
  const page = await newPage(browser)
  await openTab(page)
  // The CALL-1 menu: 1, 2, 3 and 0, and 0 is the agent fall-back.
  for (const d of ['1', '2', '3', '0']) await page.waitForSelector(`[data-test=hl-node-${d}]`)
  assert.match(await page.textContent('[data-test=hl-fallback]'), /0 人工服务/)
  assert.ok(await page.isDisabled('[data-test=hl-menu-save]'), 'nothing to save yet')

  // 4 宽带: a sub-menu with its own menu prompt.
  await page.click('[data-test=hl-add-root]')
  await page.waitForSelector('[data-test=hl-node-dialog]')
  await page.click('[data-test=hl-node-digit] label:has-text("4")')
  await page.fill('[data-test=hl-node-label]', '宽带' + XSS.slice(0, 20))
  await page.click('[data-test=hl-action-menu]')
  await pick(page, 'hl-node-prompt', 'menu')
  await page.click('[data-test=hl-node-ok]')
  await page.waitForSelector('[data-test=hl-node-dialog]', { state: 'hidden' })
  await page.waitForSelector('[data-test=hl-add-4]')
  // Under it, 1 → the complaint queue.
  await page.click('[data-test=hl-add-4]')
  await page.waitForSelector('[data-test=hl-node-dialog]')
  await page.fill('[data-test=hl-node-label]', '故障报修')
  await pick(page, 'hl-node-queue', 'complaint')
  await page.click('[data-test=hl-node-ok]')
  await page.waitForSelector('[data-test=hl-node-4-1]')
  // Digits on one level are unique: the dialog refuses 4 again at the root.
  await page.click('[data-test=hl-add-root]')
  await page.waitForSelector('[data-test=hl-node-dialog]')
  assert.ok(await page.locator('[data-test=hl-digit-4] input').isDisabled(), '4 is taken on the root')
  await page.keyboard.press('Escape')
  await page.waitForSelector('[data-test=hl-node-dialog]', { state: 'hidden' })

  await page.click('[data-test=hl-menu-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=hl-menu-version]').textContent.includes('2'))
  const m = await api('GET', '/api/hotline/menu')
  assert.equal(m.version, 2)
  const sub = m.nodes.find((n) => n.digit === '4')
  assert.equal(sub.action, 'menu')
  assert.equal(sub.label, '宽带' + XSS.slice(0, 20))
  assert.deepEqual(sub.children, [{ digit: '1', label: '故障报修', action: 'queue', queue: 'complaint', prompt: 'transfer' }])
  const audit = await api('GET', '/api/audit?action=hotline.menu.update')
  assert.equal(audit.items[0].actor, '8001')
  // The label is text, never HTML.
  assert.ok((await page.textContent('[data-test=hl-node-4]')).includes(XSS.slice(0, 20)))
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  await page.locator('.el-message').first().waitFor({ state: 'detached' })
  await screenshot(page, 'admin-hotline')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('CALL-1: a menu without a queue is refused (422); a stale version is 409 and reloads', async () => {
  const page = await newPage(browser)
  await openTab(page)
  // Every root key that queues goes: nobody would reach an agent.
  for (const d of ['1', '2', '3', '0']) {
    await page.click(`[data-test=hl-delete-${d}]`)
    await confirmBox(page)
  }
  // The sub-menu's queue key keeps a fall-back; remove the sub-menu too.
  await page.click('[data-test=hl-delete-4]')
  await confirmBox(page)
  // An announcement is all that is left.
  await page.click('[data-test=hl-add-root]')
  await page.waitForSelector('[data-test=hl-node-dialog]')
  await page.fill('[data-test=hl-node-label]', '网上营业厅')
  await page.click('[data-test=hl-action-announce_hangup]')
  await pick(page, 'hl-node-prompt', 'out_of_hours')
  await page.click('[data-test=hl-node-ok]')
  await page.waitForSelector('[data-test=hl-no-fallback]')
  await page.click('[data-test=hl-menu-save]')
  const err = page.locator('[data-test=hl-menu-error]')
  await err.waitFor()
  assert.match(await err.textContent(), /至少要有一个选项转到队列/)
  assert.equal((await api('GET', '/api/hotline/menu')).version, 2, 'nothing written')
  await page.click('[data-test=hl-menu-undo]')
  await page.waitForSelector('[data-test=hl-node-0]')

  // Someone else saves meanwhile: this page's version is stale.
  const m = await api('GET', '/api/hotline/menu')
  const r = await srv.call('PUT', '/api/hotline/menu', { nodes: m.nodes.filter((n) => n.digit !== '4') }, managerTok)
  assert.equal(r.status, 200)
  await page.click('[data-test=hl-edit-3]')
  await page.fill('[data-test=hl-node-label]', '投诉建议')
  await page.click('[data-test=hl-node-ok]')
  await page.click('[data-test=hl-menu-save]')
  await page.waitForSelector('[data-test=hl-menu-stale]')
  assert.match(await page.textContent('[data-test=hl-menu-stale]'), /版本 3/)
  await page.click('[data-test=hl-menu-reload]')
  await page.waitForSelector('[data-test=hl-node-4]', { state: 'detached' })
  assert.match(await page.textContent('[data-test=hl-menu-version]'), /3/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('WFM-1: always open by default; the manager sets weekly hours, a holiday and a make-up day', async () => {
  const page = await newPage(browser)
  await openTab(page)
  await page.waitForSelector('[data-test=hl-always-open]')
  assert.match(await page.textContent('[data-test=hl-open-now]'), /服务中/)
  await page.click('[data-test=hl-always-open]')
  await page.click('[data-test=hl-range-add]')
  await page.fill('[data-test=hl-opens-0]', '08:00')
  await page.fill('[data-test=hl-closes-0]', '25:00')
  await page.click('[data-test=hl-range-add]')
  await page.fill('[data-test=hl-opens-1]', '22:00')
  await page.fill('[data-test=hl-closes-1]', '02:00')
  await page.click('[data-test=hl-closed-add]')
  await page.fill('[data-test=hl-closed-date-0] input', '2026-10-01')
  await page.keyboard.press('Enter')
  await page.fill('[data-test=hl-closed-name-0]', '国庆节')
  await page.click('[data-test=hl-open-add]')
  await page.fill('[data-test=hl-open-date-0] input', '2026-10-11')
  await page.keyboard.press('Enter')
  await page.click('[data-test=hl-hours-save]')
  // 25:00 is refused beside its field; nothing is written.
  await page.waitForSelector('[data-test=hl-err-closes-0]')
  assert.match(await page.textContent('[data-test=hl-err-closes-0]'), /weekly\[0\]\.closes/)
  assert.equal((await api('GET', '/api/hotline/hours')).always_open, true)

  await page.fill('[data-test=hl-closes-0]', '20:00')
  await page.click('[data-test=hl-hours-save]')
  await page.waitForSelector('[data-test=hl-err-closes-0]', { state: 'detached' })
  await page.waitForSelector('.el-message--success')
  const h = await api('GET', '/api/hotline/hours')
  assert.equal(h.always_open, false)
  assert.deepEqual(h.weekly, [{ weekday: 1, opens: '08:00', closes: '20:00' }, { weekday: 2, opens: '22:00', closes: '02:00' }])
  assert.deepEqual(h.closed_days, [{ date: '2026-10-01', name: '国庆节' }])
  assert.deepEqual(h.open_days, [{ date: '2026-10-11', name: '', as_weekday: 1 }])
  const audit = await api('GET', '/api/audit?action=hotline.hours.update')
  assert.deepEqual(audit.items[0].detail.fields.always_open, [true, false])
  await page.locator('.el-message').first().waitFor({ state: 'detached' })
  await page.evaluate(() => {
    document.querySelector('[data-test=hl-always-open]').scrollIntoView({ block: 'start' })
    window.scrollBy(0, -120)
  })
  await screenshot(page, 'admin-hotline-hours')

  // Open 24/7 again.
  await page.click('[data-test=hl-always-open]')
  await page.click('[data-test=hl-hours-save]')
  await page.waitForSelector('.el-message--success')
  assert.equal((await api('GET', '/api/hotline/hours')).always_open, true)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('ORG-2: the manager makes the complaint queue ring all seats and wait longer', async () => {
  const page = await newPage(browser)
  await openTab(page)
  await page.waitForSelector('[data-test=hl-q-complaint-strategy]')
  await pick(page, 'hl-q-complaint-strategy', '全部振铃')
  await page.fill('[data-test=hl-q-complaint-max_wait_sec] input', '300')
  await page.click('[data-test=hl-q-complaint-name]')
  await page.click('[data-test=hl-q-save-complaint]')
  await page.waitForSelector('[data-test=hl-q-saved-complaint]')
  const q = (await api('GET', '/api/acd/queues')).items.find((x) => x.code === 'complaint')
  assert.equal(q.strategy, 'ring_all')
  assert.equal(q.max_wait_sec, 300)
  assert.equal(q.skill, 'supervising')
  const audit = await api('GET', '/api/audit?action=acd.queue.update')
  assert.deepEqual(audit.items[0].detail.fields.strategy, ['longest_idle', 'ring_all'])
  // The prompt files a menu may name, with their state.
  await page.click('[data-test=hl-prompts] .el-collapse-item__header')
  await page.waitForSelector('[data-test=hl-prompts-table]')
  assert.match(await page.textContent('[data-test=hl-prompts-table]'), /out_of_hours/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('seed 002 §4.3: an announcement set in the editor is every agent\'s banner during its window only', async () => {
  const page = await newPage(browser)
  await openTab(page)
  await page.click('[data-test=notice-add]')
  await page.waitForSelector('[data-test=notice-dialog]')
  const text = '网络故障抢修中，预计两小时恢复。' + XSS.slice(0, 20)
  await page.fill('[data-test=notice-text-input]', text)
  // Spoken from the text (the default), from now for two hours: espeak-ng
  // and sox run before the answer, slower on a loaded machine.
  await page.click('[data-test=notice-save]')
  await page.waitForSelector('[data-test=notice-dialog]', { state: 'hidden', timeout: 60000 })
  const list = await api('GET', '/api/hotline/notices')
  const n = list.items[0]
  assert.equal(list.active_id, n.id)
  assert.equal(n.text, text)
  assert.ok(n.audio_ms > 1000, 'the text was spoken')
  await page.waitForSelector(`[data-test=notice-state-${n.id}]:has-text("播放中")`)
  // The manager sees it too, in the shell.
  assert.equal(await page.textContent('[data-test=notice-text]'), text)
  await page.context().close()

  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.waitForSelector('[data-test=notice-banner]')
  assert.equal(await agent.textContent('[data-test=notice-text]'), text)
  await screenshot(agent, 'notice-banner')
  // After its end (two hours on: the session has expired too) the page shows no banner.
  await srv.advance(n.ends_at - n.starts_at + 1000)
  await login(agent, srv, '8101')
  await agent.waitForSelector('[data-test=notice-none]', { state: 'attached' })
  const active = await srv.call('GET', '/api/hotline/notices/active', undefined, await srv.account('8101'))
  assert.equal(active.body.notice, null)
  assert.equal(await agent.locator('[data-test=notice-banner]').count(), 0)
  assert.equal(await agent.evaluate(() => window.__xss), undefined)
  assert.deepEqual(agent.problems, [])
  await agent.context().close()
})
