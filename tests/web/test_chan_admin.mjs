// The channels' setup in the browser (issue 18): the manager opens 系统设置 →
// 渠道账号 from the top bar, creates an SMS account through the form (a
// push token too short is refused beside its field, in Chinese, and
// nothing is written), sees it listed, edits it: the secrets are never
// shown back, left empty they keep what is stored, and the edit reaches the
// database; the name is the XSS probe and shows as text. Then the
// channels' settings saved from their page, and a number put on the SMS
// opt-out list and a template changed from theirs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, XSS, menuItem, screenshot } from './harness.mjs'

let srv, browser

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

const sql = (q) => execFileSync('sqlite3', ['-json', srv.db, q], { encoding: 'utf8' }).trim()
const rows = (q) => JSON.parse(sql(q) || '[]')

test('an SMS account is created through the form, listed and edited; secrets never come back', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.click('[data-test=nav-admin]')
  await menuItem(page, '.el-dropdown-menu [data-test=nav-chanAccounts]')
  await page.locator('[data-test=chan-accounts-page]').waitFor()
  const before = rows('SELECT count(*) AS n FROM chan_account')[0].n

  await page.click('[data-test=ca-new]')
  const dialog = page.locator('[data-test=ca-dialog]')
  await dialog.waitFor()
  // 短信 is the channel a new account starts with: its fields are the form's.
  await dialog.locator('[data-test=ca-f-access_key_id]').fill('LTAI-test-id')
  await dialog.locator('[data-test=ca-f-access_key_secret]').fill('secret-of-the-key')
  await dialog.locator('[data-test=ca-f-sign_name]').fill('洗车客服')
  await dialog.locator('[data-test=ca-f-hook_token]').fill('short')
  const name = '短信账号' + XSS.slice(0, 40)
  await dialog.locator('[data-test=ca-name]').fill(name)
  await page.click('[data-test=ca-save]')
  // The server's refusal stands beside the field it names, in Chinese; nothing was written.
  const fieldErr = dialog.locator('.el-form-item.is-error .el-form-item__error')
  await fieldErr.first().waitFor()
  assert.match(await fieldErr.first().innerText(), /[\u4e00-\u9fff]/)
  assert.equal(rows('SELECT count(*) AS n FROM chan_account')[0].n, before)

  await dialog.locator('[data-test=ca-f-hook_token]').fill('hook-token-0123456789')
  await page.click('[data-test=ca-save]')
  await dialog.waitFor({ state: 'hidden' })
  const [acc] = rows("SELECT id, name, channel, enabled, config FROM chan_account WHERE channel = 'sms'")
  assert.equal(acc.name, name)
  assert.equal(acc.enabled, 1)
  const cfg = JSON.parse(acc.config)
  assert.deepEqual(cfg, { access_key_id: 'LTAI-test-id', access_key_secret: 'secret-of-the-key', sign_name: '洗车客服', hook_token: 'hook-token-0123456789' })

  // Listed, its name as text; no secret anywhere on the page.
  const row = page.locator(`[data-test=ca-row-${acc.id}]`)
  await row.waitFor()
  assert.equal(await row.innerText(), name)
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  const html = await page.content()
  for (const s of ['secret-of-the-key', 'hook-token-0123456789', 'LTAI-test-id']) assert.ok(!html.includes(s), s)

  // Edit: the secrets' fields are empty (said to be set); the sign name changes, the rest is kept.
  await page.click(`[data-test=ca-edit-${acc.id}]`)
  await dialog.waitFor()
  assert.equal(await dialog.locator('[data-test=ca-f-access_key_secret]').inputValue(), '')
  assert.equal(await dialog.locator('[data-test=ca-f-access_key_secret]').getAttribute('placeholder'), '已设置，不修改请留空')
  assert.equal(await dialog.locator('[data-test=ca-f-sign_name]').inputValue(), '洗车客服')
  assert.match(await dialog.locator('[data-test=ca-hook]').innerText(), new RegExp(`/api/hooks/sms/${acc.id}\\?token=`))
  await screenshot(page, 'chan-account-dialog')
  await dialog.locator('[data-test=ca-f-sign_name]').fill('洗车服务中心')
  await dialog.locator('[data-test=ca-name]').fill('短信通道')
  await page.click('[data-test=ca-save]')
  await dialog.waitFor({ state: 'hidden' })
  await page.locator(`[data-test=ca-row-${acc.id}]`, { hasText: '短信通道' }).waitFor()
  const [after] = rows(`SELECT name, config FROM chan_account WHERE id = ${acc.id}`)
  assert.equal(after.name, '短信通道')
  assert.deepEqual(JSON.parse(after.config), { ...cfg, sign_name: '洗车服务中心' })

  // Disabled from the list.
  await page.click(`[data-test=ca-enable-${acc.id}]`)
  await page.locator(`[data-test=ca-enable-${acc.id}]:not(.is-checked)`).waitFor()
  for (let i = 0; i < 50 && rows(`SELECT enabled FROM chan_account WHERE id = ${acc.id}`)[0].enabled; i++) await new Promise((r) => setTimeout(r, 100))
  assert.equal(rows(`SELECT enabled FROM chan_account WHERE id = ${acc.id}`)[0].enabled, 0)
  await screenshot(page, 'chan-accounts')
  assert.deepEqual(page.problems, [])
})

test('the channel settings, an SMS template and the opt-out list from their pages', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/chan/settings')
  await page.locator('[data-test=cs-form]').waitFor()
  await page.fill('[data-test=cs-chat_capacity] input', '3')
  await page.click('[data-test=cs-save]')
  await page.locator('.el-message--success').waitFor()
  assert.equal(rows('SELECT chat_capacity FROM chan_settings')[0].chat_capacity, 3)
  await screenshot(page, 'chan-settings')

  await page.goto(srv.url + '/chan/sms')
  await page.locator('[data-test=sms-templates] .el-table__row').first().waitFor()
  await page.fill('[data-test=sms-optout-phone]', '138 0013 8000')
  await page.click('[data-test=sms-optout-add]')
  await page.locator('[data-test=sms-optout-remove-13800138000]').waitFor()
  assert.deepEqual(rows('SELECT phone, source FROM sms_optout'), [{ phone: '13800138000', source: 'manual' }])
  await page.click('[data-test=sms-edit-birthday]')
  await page.locator('[data-test=sms-dialog]').waitFor()
  await page.fill('[data-test=sms-f-text]', '${name}，生日快乐！')
  await page.click('[data-test=sms-save]')
  await page.locator('[data-test=sms-dialog]').waitFor({ state: 'hidden' })
  assert.equal(rows("SELECT text FROM sms_template WHERE code = 'birthday'")[0].text, '${name}，生日快乐！')
  await screenshot(page, 'chan-sms')
  assert.deepEqual(page.problems, [])
})
