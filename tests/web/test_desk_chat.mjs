// Phone and chat side by side on the agent desk (issue 18): at 1366×768 a
// chat given to the agent by the tick is announced on the desk (its 会话 tab
// comes forward, a notification), opened in the inbox's pane beside the call
// card and answered there (Enter sends); the agent resolves it with the 5W1H
// (stored in the CALL-10 contact) and opens its work order from the desk's
// contact form bound to that contact, which links the order to the
// conversation; the pane shows the order.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

let srv, browser, account

const sql = (q) => execFileSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).trim()

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  const now = Date.now()
  account = Number(sql(`INSERT INTO chan_account(channel, name, enabled, config, queue, created_at, updated_at)
    VALUES ('web_chat', '官网咨询', 1, '{}', '', ${now}, ${now}) RETURNING id`))
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('the agent answers a chat on the desk, resolves it with the 5W1H and opens its order', async () => {
  const token = await srv.account('8101')
  assert.equal((await srv.call('POST', '/api/acd/me/status', { status: 'ready' }, token)).status, 200)
  const page = await newPage(browser)
  await login(page, srv, '8101')
  await page.goto(srv.url + '/agent')
  await page.waitForSelector('[data-test=contact-form]')
  await page.click('[data-test=tab-chats]')
  await page.waitForSelector('[data-test=desk-chats]')

  // A visitor writes; the tick gives the chat to 8101, the desk announces it.
  const r = await srv.call('POST', '/api/test/chan/inbound', { account_id: account, peer: 'v-desk', peer_name: '李女士', text: '洗车后车门有划痕' })
  assert.equal(r.status, 201)
  const conv = r.body.conv_id
  await page.click('[data-test=tab-kb]')
  await srv.advance(0)
  await page.locator('.desk-new-chat').first().waitFor()
  await page.locator(`[data-test=desk-chat-list] [data-test=ib-row-${conv}]`).waitFor()
  await page.locator(`[data-test=ib-conv-${conv}]`).waitFor()
  assert.equal(await page.locator('#pane-chats').isVisible(), true, 'the 会话 tab came forward')

  // Beside the call card, both whole at 1366 px.
  for (const sel of ['[data-test=desk-chats]', '[data-test=save-order]', '[data-test=ib-send]']) {
    const box = await page.locator(sel).boundingBox()
    assert.ok(box && box.x >= 0 && box.x + box.width <= 1366 && box.y + box.height <= 768, `${sel} whole: ${JSON.stringify(box)}`)
  }
  await page.fill('[data-test=ib-reply]', '您好，请发一张照片')
  await page.press('[data-test=ib-reply]', 'Enter')
  await page.locator(`[data-test=ib-conv-${conv}] [data-test=ib-msg-out]`).waitFor()
  assert.equal(sql(`SELECT body || '|' || author_id FROM conv_msg WHERE conv_id = ${conv} AND direction = 'out'`), `您好，请发一张照片|${sql("SELECT id FROM person WHERE work_no = '8101'")}`)
  await screenshot(page, 'desk-chat-1366')

  // Resolve with the 5W1H.
  await page.click('[data-test=ib-resolve]')
  await page.click('[data-test=ib-resolve-dialog] [data-test=ib-class-E]')
  await page.fill('[data-test=ib-resolve-dialog] [data-test=fivew-who]', '李女士')
  await page.fill('[data-test=ib-resolve-dialog] [data-test=fivew-what]', '车门划痕')
  await page.fill('[data-test=ib-resolve-dialog] [data-test=ib-summary]', '洗车划痕，需上门核实')
  await page.click('[data-test=ib-resolve-submit]')
  await page.locator(`[data-test=ib-conv-${conv}][data-state=resolved]`).waitFor()
  const contact = Number(sql(`SELECT contact_id FROM conv WHERE id = ${conv}`))
  assert.deepEqual(JSON.parse(sql(`SELECT fivew FROM contact WHERE id = ${contact}`)), { who: '李女士', what: '车门划痕' })

  // Its work order from the desk's contact form, bound to the conversation's contact.
  await page.click('[data-test=ib-make-order]')
  await page.locator(`[data-test=call-contact][data-contact="${contact}"]`).waitFor()
  await page.click('[data-test=save-order]')
  await page.locator('[data-test=created-order]').waitFor()
  const order = sql(`SELECT order_id FROM conv WHERE id = ${conv}`)
  assert.ok(Number(order) > 0, 'the conversation links its order')
  assert.equal(sql(`SELECT count(*) FROM contact`), '1', 'one contact: the form completed the conversation’s')
  const number = sql(`SELECT number FROM work_order WHERE id = ${order}`)
  await page.locator(`[data-test=ib-conv-order]:has-text("${number}")`).waitFor()
  // The inbox's 建工单 leads to /agent?conv=: the desk opens with that conversation shown.
  await page.goto(srv.url + '/agent?conv=' + conv)
  await page.locator(`[data-test=desk-chats] [data-test=ib-conv-${conv}] [data-test=ib-conv-order]`).waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
