// Seed 003: the department's staff attach a photo of the damage and the
// on-site report on the order page; the photo shows as a thumbnail (served
// to the logged-in browser by its session), the report as a download, and
// a file that is not what its name says is refused with the server's reason.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

let srv, browser, agent

function crc32(buf) {
  let c, crc = 0xffffffff
  for (const b of buf) {
    c = (crc ^ b) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}

// A real 8×6 red PNG, so the browser can draw the thumbnail.
function png(w = 8, h = 6) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const rows = []
  for (let y = 0; y < h; y++) rows.push(Buffer.from([0, ...Array(w).fill([220, 30, 30]).flat()]))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  agent = await srv.account('8101')
  await srv.account('2001')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('seed 003: staff attach a photo and the on-site report on the order page; a disguised file is refused', async () => {
  const r = await srv.call('POST', '/api/orders', { complaint: 'vehicle_damage', summary: '左前门划痕，需上门查看', phone: '13800138000' }, agent)
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const page = await newPage(browser)
  await login(page, srv, '2001')
  await page.goto(`${srv.url}/orders/${r.body.id}`)
  const box = page.locator('.side [data-test=attachments]')
  await box.locator('[data-test=attachment-add]').waitFor()
  assert.equal((await page.locator('.side .el-card', { has: page.locator('[data-test=attachments]') }).locator('.el-card__header').textContent()).trim(), '附件')

  await box.locator('[data-test=attachment-input]').setInputFiles({ name: '划痕.png', mimeType: 'image/png', buffer: png() })
  const img = box.locator('[data-test=attachment] img')
  await img.waitFor()
  // The thumbnail really loaded: the browser fetched the file with its session.
  await page.waitForFunction((el) => el.complete && el.naturalWidth === 8, await img.elementHandle())
  assert.equal(await img.getAttribute('alt'), '划痕.png')

  await box.locator('[data-test=attachment-input]').setInputFiles({ name: '现场报告.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') })
  const pdf = box.locator('[data-test=attachment]').nth(1)
  await pdf.locator('a[download]').waitFor()
  assert.match(await pdf.textContent(), /现场报告\.pdf.*文档/s)

  // HTML named .png: the server's reason appears and nothing is listed.
  await box.locator('[data-test=attachment-input]').setInputFiles({ name: 'evil.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>window.__xss=1</script></html>') })
  await page.locator('.el-message--error', { hasText: 'evil.png' }).waitFor()
  assert.equal(await box.locator('[data-test=attachment]').count(), 2)
  await screenshot(page, 'order-attachments')

  const list = await srv.call('GET', `/api/orders/${r.body.id}/attachments`, undefined, agent)
  assert.deepEqual(list.body.items.map((a) => [a.filename, a.mime, a.kind]),
    [['划痕.png', 'image/png', 'photo'], ['现场报告.pdf', 'application/pdf', 'document']])
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
