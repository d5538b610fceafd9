// The web chat in the browser (issue 18): a company's page, served here on
// another origin, embeds the widget from kefu (/widget/kefu-chat.js); its
// visitor chats with an agent logged into the inbox (会话). The visitor's
// text reaches the agent's conversation pane, the agent's reply (Enter
// sends) reaches the widget with the agent's typing before it, the agent
// resolves the chat with class and summary (CALL-10), the widget asks for
// the rating and the 5 stars are stored on the conversation.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot, XSS } from './harness.mjs'

let srv, browser, site, siteUrl, account
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

const sql = (q) => execFileSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).trim()

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  // The company's site: one page embedding the widget from kefu.
  site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html lang="zh-CN"><head><title>小蓝商城</title></head><body>
<h1>小蓝商城</h1><p>欢迎光临</p>
<script src="${srv.url}/widget/kefu-chat.js" data-account="${account}" async></script>
</body></html>`)
  })
  await new Promise((r) => site.listen(0, '127.0.0.1', r))
  siteUrl = `http://127.0.0.1:${site.address().port}`
  const now = Date.now()
  const cfg = JSON.stringify({ origins: [siteUrl], title: '小蓝客服' })
  account = Number(sql(`INSERT INTO chan_account(channel, name, enabled, config, queue, created_at, updated_at)
    VALUES ('web_chat', '官网咨询', 1, '${cfg}', '', ${now}, ${now}) RETURNING id`))
})

after(async () => {
  await browser?.close()
  site?.close()
  await srv?.stop()
})

test('a visitor chats with an agent through the widget and rates the chat', async () => {
  const agentToken = await srv.account('8101')
  const ready = await srv.call('POST', '/api/acd/me/status', { status: 'ready' }, agentToken)
  assert.equal(ready.status, 200)

  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  await agent.goto(srv.url + '/inbox')
  await agent.waitForSelector('[data-test=inbox-page]')

  const visitor = await newPage(browser)
  await visitor.goto(siteUrl + '/')
  await visitor.click('.kefu-cw-btn')
  await visitor.waitForSelector('.kefu-cw-panel.open')
  await visitor.waitForFunction(() => document.querySelector('.kefu-cw-head b').textContent === '小蓝客服')
  await visitor.fill('.kefu-cw-input', '你好，我的订单还没到')
  await visitor.press('.kefu-cw-input', 'Enter')
  await visitor.waitForSelector('.kefu-cw-visitor[data-id]')

  // The router gives the chat to the ready agent; the inbox shows it live.
  await srv.advance(0)
  const conv = Number(sql("SELECT id FROM conv WHERE channel = 'web_chat'"))
  await agent.waitForSelector(`[data-test=ib-row-${conv}]`)
  await visitor.waitForFunction(() => document.querySelector('.kefu-cw-joined')?.textContent === '客服 8101 为您服务')
  await agent.click(`[data-test=ib-row-${conv}]`)
  await agent.waitForSelector(`[data-test=ib-conv-${conv}] [data-test=ib-msg-in]`)
  assert.equal(await agent.textContent(`[data-test=ib-conv-${conv}] [data-test=ib-msg-in] [data-test=ib-msg-text]`), '你好，我的订单还没到')

  // Canned replies: the channel's opening script, filled for the agent, goes
  // into the reply box from the knowledge base beside the conversation.
  await agent.click('[data-test=kb-panel] [data-test^=kb-script-copy-]')
  await agent.waitForFunction(() => (document.querySelector('textarea[data-test=ib-reply]') || document.querySelector('[data-test=ib-reply] textarea')).value.includes('工号8101为您服务'))

  // The agent types: the visitor sees it; then Enter sends the reply.
  await agent.fill('[data-test=ib-reply]', '您好，我帮您查一下物流')
  await agent.type('[data-test=ib-reply]', '。')
  await visitor.waitForFunction(() => document.querySelector('.kefu-cw-typing').textContent === '客服正在输入…')
  await agent.press('[data-test=ib-reply]', 'Enter')
  await visitor.waitForSelector('.kefu-cw-agent span')
  assert.equal(await visitor.textContent('.kefu-cw-agent span'), '您好，我帮您查一下物流。')
  await agent.waitForSelector('[data-test=ib-msg-out]')
  // The visitor's message shows once, though the stream echoes it back.
  assert.deepEqual(await visitor.$$eval('.kefu-cw-visitor span', (s) => s.map((x) => x.textContent)), ['你好，我的订单还没到'])
  // The visitor sends a photo: the agent's pane shows it.
  await visitor.setInputFiles('.kefu-cw-foot input[type=file]', { name: '快递单.png', mimeType: 'image/png', buffer: PNG })
  await agent.waitForSelector('[data-test=ib-msg-file] img')
  assert.equal(await agent.getAttribute('[data-test=ib-msg-file] img', 'alt'), '快递单.png')
  // Voices (a WeChat voice is AMR; Ogg too): Chromium plays the Ogg one in the pane;
  // AMR, which it cannot play, is offered as a download.
  const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(13, 0x04)])
  const ogg = Buffer.concat([Buffer.from('OggS\0\x02'), Buffer.alloc(20), Buffer.from([1, 19]), Buffer.from('OpusHead'), Buffer.alloc(11)])
  const vid = sql(`SELECT peer FROM conv WHERE id = ${conv}`)
  const voice = await srv.call('POST', '/api/test/chan/inbound', {
    account_id: account, peer: vid, text: '[语音] 快递单号是多少',
    files: [{ name: 'voice.amr', type: 'audio/amr', data: amr.toString('base64') },
      { name: 'voice.ogg', type: 'audio/ogg', data: ogg.toString('base64') }],
  }, agentToken)
  assert.equal(voice.status, 201, JSON.stringify(voice.body))
  await agent.waitForSelector('[data-test=ib-msg-audio]')
  assert.equal(await agent.$$eval('[data-test=ib-msg-audio]', (a) => a.length), 1)
  assert.equal(await agent.$$eval('[data-test=ib-msg-audio-file]', (a) => a.map((x) => x.getAttribute('download'))).then((n) => n.sort().join()), 'voice.amr,voice.ogg')
  await screenshot(visitor, 'chat-widget')
  await screenshot(agent, 'chat-inbox')

  // QA-3 before sending: a forbidden phrase is shown with the better wording and
  // not sent; a second press sends it anyway.
  const outBefore = await agent.$$eval('[data-test=ib-msg-out]', (m) => m.length)
  await agent.fill('[data-test=ib-reply]', '这个我管不了')
  await agent.press('[data-test=ib-reply]', 'Enter')
  await agent.waitForSelector('[data-test=ib-qa-warn]')
  const warned = await agent.textContent('[data-test=ib-qa-hit]')
  assert.match(warned, /我管不了/)
  assert.match(warned, /建议：您的问题我需要确认一下再给您回复好吗？/)
  assert.equal(await agent.$$eval('[data-test=ib-msg-out]', (m) => m.length), outBefore)
  assert.equal(sql(`SELECT count(*) FROM conv_msg WHERE conv_id = ${conv} AND body = '这个我管不了'`), '0')
  await agent.click('[data-test=ib-send]')
  await visitor.waitForFunction(() => [...document.querySelectorAll('.kefu-cw-agent span')].some((e) => e.textContent === '这个我管不了'))
  assert.equal(await agent.$$('[data-test=ib-qa-warn]').then((x) => x.length), 0)

  // Text is text on both sides: the XSS probe shows verbatim and never runs.
  await visitor.fill('.kefu-cw-input', XSS)
  await visitor.press('.kefu-cw-input', 'Enter')
  await agent.waitForFunction((x) => [...document.querySelectorAll('[data-test=ib-msg-in] [data-test=ib-msg-text]')].some((e) => e.textContent === x), XSS)
  await agent.fill('[data-test=ib-reply]', XSS)
  await agent.press('[data-test=ib-reply]', 'Enter')
  await visitor.waitForFunction((x) => [...document.querySelectorAll('.kefu-cw-agent span')].some((e) => e.textContent === x), XSS)
  assert.equal(await visitor.evaluate(() => window.__xss), undefined)
  assert.equal(await agent.evaluate(() => window.__xss), undefined)

  // The agent resolves the chat (class and summary: the contact of CALL-10).
  await agent.click('[data-test=ib-resolve]')
  await agent.click('[data-test=ib-class-C]')
  await agent.fill('[data-test=ib-summary]', '查询物流')
  await agent.click('[data-test=ib-resolve-submit]')
  await agent.waitForSelector(`[data-test=ib-conv-${conv}][data-state=resolved]`)

  // The widget asks for the rating; 5 stars are stored on the conversation.
  await visitor.waitForSelector('.kefu-cw-rate')
  await visitor.click('.kefu-cw-stars button[data-rating="5"]')
  await visitor.click('.kefu-cw-rate-send')
  await visitor.waitForFunction(() => document.querySelector('.kefu-cw-rate').textContent === '感谢您的评价！')
  assert.equal(sql(`SELECT rating FROM conv WHERE id = ${conv}`), '5')
  assert.equal(sql(`SELECT state FROM conv WHERE id = ${conv}`), 'resolved')
  assert.deepEqual(visitor.problems, [])
  assert.deepEqual(agent.problems, [])
})
