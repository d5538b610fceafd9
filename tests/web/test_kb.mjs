// The knowledge base in the browser (issue 16): the agent desk suggests the
// script of the complaint type chosen (WO-10) with the agent's work number
// filled in, copied into the reply (a use counted) and rated; typing two
// characters in the desk's search shows the match highlighted by the
// server; a manager writes an article on its page, submits and approves
// it, changes it and compares the versions, and an agent then finds it
// from the desk. Every free text a manager types is the XSS probe: it
// shows as text and never runs (the bodies are the server's rendering, in
// libcmark's safe mode).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, XSS, pick, menuItem } from './harness.mjs'

// Tags hold 32 characters: a shorter probe that would run the same way.
const XSS_TAG = '<img src=x onerror=__xss=3>'

let srv, browser, agent, manager

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  agent = await srv.account('8101')
  manager = await srv.account('8001')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function api(method, path, body, token = manager) {
  const r = await srv.call(method, path, body, token)
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

// A published entry, written, submitted and approved through the API.
async function published(body) {
  const a = await api('POST', '/api/kb/articles', { note: '测试', ...body })
  await api('POST', `/api/kb/articles/${a.id}/submit`, { comment: '' })
  const p = await api('POST', `/api/kb/articles/${a.id}/approve`, { comment: '' })
  assert.equal(p.state, 'published')
  return p
}

const isPath = (x, path) => new URL(x.url()).pathname === path

async function noXss(page) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'the XSS probe never runs')
}

test('WO-10: picking a class and complaint type brings that type\'s script with the agent\'s work number; copy counts a use; the order shows it too', async () => {
  const script = await published({
    kind: 'script',
    slot: 'complaint',
    title: '车没洗干净的应答',
    body: '您好，工号{agent_no}为您服务。非常抱歉，我们会**重新安排**洗护师为您复洗。',
    tags: ['洗车'],
    applies: { classes: ['A1'], complaints: ['svc_not_clean'], channels: [] },
  })
  const page = await newPage(browser)
  await login(page, srv, '8101')
  await page.waitForSelector('[data-test=contact-form]')
  await page.locator('[data-test=kb-panel]').waitFor()

  // The script is the answer to the type chosen: it comes once the type is.
  // Before, the desk's first suggestion has the opening (CALL-3) and no answer.
  await page.locator('[data-test=kb-script-opening]').waitFor()
  assert.equal(await page.locator('[data-test=kb-script-complaint]').count(), 0)
  const card = page.locator(`[data-test=kb-script-complaint][data-id="${script.id}"]`)
  await page.click('[data-test=class-A]')
  const suggested = page.waitForResponse((x) => isPath(x, '/api/kb/suggest') && new URL(x.url()).searchParams.get('complaint') === 'svc_not_clean')
  await pick(page, '[data-test=complaint]', '车没洗干净')
  const answer = await suggested
  assert.equal(answer.status(), 200)
  assert.equal(new URL(answer.url()).searchParams.get('class'), 'A1')
  await card.waitFor()
  // Only that type's answer: not the other types' of class A1.
  const answers = (await api('GET', '/api/kb/search?kind=script&complaint=svc_not_clean')).items.filter((x) => x.slot === 'complaint').map((x) => x.id)
  assert.ok(answers.includes(script.id) && answers.length === 2, 'this one and the seeded 车没洗干净')
  const shown = await page.locator('[data-test=kb-script-complaint]').evaluateAll((els) => els.map((e) => Number(e.dataset.id)))
  assert.deepEqual(shown.sort((x, y) => x - y), answers.sort((x, y) => x - y))
  const text = await card.locator('[data-test=kb-script-body]').textContent()
  assert.match(text, /工号8101为您服务/, 'the work number is filled in')
  assert.doesNotMatch(text, /\{agent_no\}/)
  assert.equal(await card.locator('[data-test=kb-script-body] strong').textContent(), '重新安排', 'Markdown rendered by the server')
  await screenshot(page, 'kb-desk-script')

  // Copy into the reply: the server counts the use.
  const used = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, `/api/kb/articles/${script.id}/use`))
  await card.locator(`[data-test=kb-script-copy-${script.id}]`).click()
  assert.ok((await used).ok())
  // Helpful: said once, thanked.
  const rated = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, `/api/kb/articles/${script.id}/feedback`))
  await card.locator('[data-test=kb-helpful]').click()
  assert.deepEqual(JSON.parse((await rated).request().postData()), { helpful: true })
  await card.locator('[data-test=kb-thanks]').waitFor()
  const after = await api('GET', `/api/kb/articles/${script.id}`)
  assert.equal(after.uses, 1)
  assert.equal(after.helpful, 1)

  // The order of that type shows the same script beside it.
  const order = await api('POST', '/api/orders', { complaint: 'svc_not_clean', summary: '车没洗干净', phone: '13800138000' }, agent)
  await page.goto(srv.url + '/orders/' + order.id)
  const beside = page.locator(`[data-test=order-kb] [data-test=kb-script-complaint][data-id="${script.id}"]`)
  await beside.waitFor()
  assert.match(await beside.textContent(), /工号8101为您服务/)
  await noXss(page)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('typing two characters in the desk\'s search shows the match highlighted', async () => {
  const a = await published({
    kind: 'article',
    title: '洗车后发现划痕怎么办',
    body: '先请客户拍照留证，再派单至城市客服部上门核实划痕。\n\n' + XSS,
    tags: ['划痕'],
    applies: { classes: ['A1'], complaints: ['vehicle_damage'], channels: [] },
  })
  const page = await newPage(browser)
  await login(page, srv, '8101')
  const box = page.locator('[data-test=kb-search]')
  await box.waitFor()
  const searched = page.waitForResponse((x) => isPath(x, '/api/kb/search') && new URL(x.url()).searchParams.get('q') === '划痕')
  await box.pressSequentially('划痕')
  const answer = await searched
  assert.equal(answer.status(), 200)
  // The whole knowledge base: the form's channel (电话) is no filter.
  assert.deepEqual([...new URL(answer.url()).searchParams.keys()].sort(), ['limit', 'q'])
  const hit = page.locator(`[data-test=kb-result][data-id="${a.id}"]`)
  await hit.waitFor()
  // The word is marked (as one mark or one per character, as the server splits it).
  assert.equal((await hit.locator('[data-test=kb-result-title] mark').allTextContents()).join(''), '划痕')
  assert.equal(await hit.locator('[data-test=kb-result-title]').textContent(), '洗车后发现划痕怎么办')
  assert.ok((await hit.locator('[data-test=kb-result-snippet] mark').count()) >= 1, 'the snippet marks the match')
  await screenshot(page, 'kb-desk-search')

  // Opened whole: the server's rendering, the raw HTML of the body dropped.
  await hit.locator('[data-test=kb-result-title]').click()
  const body = page.locator('[data-test=kb-drawer-body]')
  await body.waitFor()
  assert.match(await body.textContent(), /先请客户拍照留证/)
  assert.equal(await body.locator('img, script').count(), 0, 'raw HTML never reaches the page')
  await noXss(page)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a manager writes an article, submits and approves it, compares two versions; an agent then finds it', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.click('[data-test=nav-kb]')
  await menuItem(page, '.el-dropdown-menu [data-test=nav-kbList]')
  await page.waitForURL((u) => u.pathname === '/kb')
  await page.click('[data-test=kb-new]')
  await page.waitForURL((u) => u.pathname === '/kb/new')
  await page.fill('[data-test=kb-e-title]', '会员卡余额查询方法')
  await page.fill('[data-test=kb-e-body]', '请客户打开 APP，进入**我的**页面查看余额。')
  // The preview follows the typing, built as text.
  await page.locator('[data-test=kb-preview] strong', { hasText: '我的' }).waitFor()
  await page.click('[data-test=kb-e-class-E]')
  // A tag is typed and taken once the select offers it.
  await page.fill('[data-test=kb-e-tags] input', XSS_TAG)
  await menuItem(page, `.el-select-dropdown__item:has-text("${XSS_TAG}")`)
  await page.locator('[data-test=kb-e-tags] .el-tag', { hasText: XSS_TAG }).waitFor()
  await page.click('[data-test=kb-e-note]')
  await page.fill('[data-test=kb-e-note]', XSS)
  const created = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/kb/articles'))
  await page.click('[data-test=kb-e-save]')
  const res = await created
  assert.equal(res.status(), 201)
  const sent = JSON.parse(res.request().postData())
  assert.deepEqual(sent.applies, { classes: ['E'], complaints: [], channels: [] })
  const id = (await res.json()).id
  await page.waitForURL((u) => u.pathname === '/kb/' + id)
  await page.locator('[data-test=kb-state]', { hasText: '草稿' }).waitFor()
  assert.equal(await page.locator('[data-test=kb-body] strong').textContent(), '我的')
  assert.deepEqual(await page.locator('[data-test=kb-tags] .el-tag').allTextContents(), [XSS_TAG], 'the tag shows as text')

  // Submit, then approve, each with its comment.
  for (const [act, state] of [['submit', '待审核'], ['approve', '已发布']]) {
    await page.click(`[data-test=kb-do-${act}]`)
    await page.locator('[data-test=kb-act-dialog] [data-test=kb-act-comment]').waitFor()
    await page.fill('[data-test=kb-act-comment]', act === 'approve' ? '内容准确 ' + XSS : '')
    const done = page.waitForResponse((x) => isPath(x, `/api/kb/articles/${id}/${act}`))
    await page.click('[data-test=kb-act-submit]')
    assert.equal((await done).status(), 200)
    await page.locator('[data-test=kb-state]', { hasText: state }).waitFor()
  }
  const events = (await api('GET', `/api/kb/articles/${id}`)).events
  assert.ok(events.some((e) => e.action === 'approved' && e.comment === '内容准确 ' + XSS), JSON.stringify(events))
  // The workflow's log names each step and shows the comment as text.
  await page.click('#tab-events')
  const approvedRow = page.locator('[data-test=kb-events] .el-table__body tr', { hasText: '审核通过' })
  await approvedRow.waitFor()
  assert.match(await approvedRow.textContent(), /内容准确 <img src=x/)
  assert.equal(await page.locator('[data-test=kb-events] .el-table__body tr', { hasText: '提交审核' }).count(), 1)

  // A second version; the diff of v1 and v2 shows the line changed.
  await page.click('#tab-edit')
  await page.fill('[data-test=kb-e-body]', '请客户打开 APP，进入**我的**页面查看余额。\n\n也可拨打热线由客服代查。')
  const saved = page.waitForResponse((x) => x.request().method() === 'PUT' && isPath(x, `/api/kb/articles/${id}`))
  await page.click('[data-test=kb-e-save]')
  assert.equal((await saved).status(), 200)
  await page.click('#tab-versions')
  const rows = page.locator('[data-test=kb-versions] .el-table__body tr')
  await rows.nth(1).waitFor()
  await rows.nth(0).locator('.el-checkbox').click()
  await rows.nth(1).locator('.el-checkbox').click()
  const diffed = page.waitForResponse((x) => isPath(x, `/api/kb/articles/${id}/diff`))
  await page.click('[data-test=kb-compare]')
  const d = new URL((await diffed).url()).searchParams
  assert.deepEqual([d.get('from'), d.get('to')], ['1', '2'])
  await page.locator('[data-test=kb-diff-line][data-op="+"]', { hasText: '也可拨打热线由客服代查' }).waitFor()
  await screenshot(page, 'kb-article-diff')
  await noXss(page)
  assert.deepEqual(page.problems, [])
  await page.context().close()

  // The agent finds the published version from the desk.
  const desk = await newPage(browser)
  await login(desk, srv, '8101')
  const searched = desk.waitForResponse((x) => isPath(x, '/api/kb/search') && new URL(x.url()).searchParams.get('q') === '余额')
  await desk.locator('[data-test=kb-search]').pressSequentially('余额')
  assert.equal((await searched).status(), 200)
  const hit = desk.locator(`[data-test=kb-result][data-id="${id}"]`)
  await hit.waitFor()
  await hit.locator('[data-test=kb-result-title]').click()
  const body = desk.locator('[data-test=kb-drawer-body]')
  await body.waitFor()
  assert.match(await body.textContent(), /查看余额/)
  assert.doesNotMatch(await body.textContent(), /代查/, 'agents read the published version until the new one is approved')
  await noXss(desk)
  assert.deepEqual(desk.problems, [])
  await desk.context().close()
})

test('WO-9: an archived order\'s cause and solution become a draft from the cases page; a Markdown file imports as a draft; the report lists a search that found nothing', async () => {
  // An order reported back with its cause and called back: archived (CB-1).
  const agent2 = await srv.account('8102')
  const o = await api('POST', '/api/orders', { complaint: 'pay_failed', summary: '支付时提示失败 ' + XSS, phone: '13800138001' }, agent)
  await api('POST', `/api/orders/${o.id}/report`, { solution: '请客户更换支付方式后重试', cause: '支付网关升级 ' + XSS }, agent)
  const done = await api('POST', `/api/orders/${o.id}/callback`, { outcome: 'accepted' }, agent2)
  assert.equal(done.state, 'archived')

  const page = await newPage(browser)
  await login(page, srv, '8001')
  const listed = page.waitForResponse((x) => isPath(x, '/api/kb/cases'))
  await page.goto(srv.url + '/kb/cases')
  assert.equal((await listed).status(), 200)
  const link = page.locator(`[data-test=kb-case-${o.id}]`)
  await link.waitFor()
  assert.equal(await link.textContent(), o.number)
  const row = page.locator('[data-test=kb-cases] .el-table__body tr', { has: link })
  const cells = await row.textContent()
  assert.match(cells, /无法支付/, 'the complaint type by its name')
  assert.match(cells, /支付时提示失败 <img src=x/, 'the summary, as text')
  assert.match(cells, /支付网关升级 <img src=x/)
  assert.match(cells, /请客户更换支付方式后重试/)
  const drafted = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, `/api/kb/cases/${o.id}/draft`))
  await page.click(`[data-test=kb-case-draft-${o.id}]`)
  const res = await drafted
  assert.equal(res.status(), 201)
  const draft = await res.json()
  assert.equal(draft.source_order_id, o.id)
  await row.locator('[data-test=kb-case-drafted]').click()
  await page.waitForURL((u) => u.pathname === '/kb/' + draft.id)
  await page.locator('[data-test=kb-state]', { hasText: '草稿' }).waitFor()
  assert.match(await page.locator('[data-test=kb-body]').textContent(), /支付网关升级/)
  assert.match(await page.locator('[data-test=kb-body]').textContent(), /请客户更换支付方式后重试/)
  assert.equal(await page.locator('[data-test=kb-body]').locator('img, script').count(), 0)
  await noXss(page)

  // A Markdown file with front matter becomes one draft, counted.
  const opened = page.waitForResponse((x) => isPath(x, '/api/kb/articles'))
  await page.goto(srv.url + '/kb')
  await opened
  const imported = page.waitForResponse((x) => x.request().method() === 'POST' && isPath(x, '/api/kb/import'))
  await page.setInputFiles('[data-test=kb-import-input]', {
    name: '发票开具.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('---\ntitle: 发票开具说明\ntags: 发票\n---\n请客户在 APP 的**订单详情**中申请电子发票。\n'),
  })
  const ir = await imported
  assert.equal(ir.status(), 201)
  const doc = await ir.json()
  assert.equal(doc.current.title, '发票开具说明')
  await page.locator('.el-message', { hasText: '已导入 1 篇草稿' }).waitFor()
  const importedRow = page.locator(`[data-test=kb-row-${doc.id}]`)
  await importedRow.waitFor()
  assert.equal(await importedRow.textContent(), '发票开具说明')

  // An agent's search that finds nothing shows in the report.
  const none = await api('GET', '/api/kb/search?q=' + encodeURIComponent('潜水艇'), undefined, agent)
  assert.equal(none.total, 0)
  const reported = page.waitForResponse((x) => isPath(x, '/api/kb/report'))
  await page.goto(srv.url + '/kb/report')
  assert.equal((await reported).status(), 200)
  await page.locator('[data-test=kb-report-zero] [data-test=kb-report-query]', { hasText: '潜水艇' }).waitFor()
  await screenshot(page, 'kb-report')
  await noXss(page)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
