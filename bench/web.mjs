// make bench: the workbench's weight and load time. Reports each built
// asset's size (raw and the gzip copy kefu serves), then loads the agent
// desk in headless Chromium N times against a real kefu on loopback —
// cold (empty cache) and warm (hashed assets cached) — and prints the
// median and worst of DOMContentLoaded and "desk ready" (the phone field
// focused, data loaded). Figures go to docs/performance.md.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { Server, launchBrowser, root } from '../tests/web/harness.mjs'

const RUNS = Number(process.env.BENCH_WEB_RUNS || 10)
const dist = path.join(root, 'web', 'dist', 'assets')

let raw = 0
let gz = 0
const rows = []
for (const f of readdirSync(dist).sort()) {
  if (f.endsWith('.gz')) continue
  const size = statSync(path.join(dist, f)).size
  let zipped = size
  try {
    zipped = statSync(path.join(dist, f + '.gz')).size
  } catch {
    /* Small files are sent as they are. */
  }
  raw += size
  gz += zipped
  if (size > 20000) rows.push(`  ${f.replace(/-[\w-]{8}\./, '.')}: ${(size / 1024).toFixed(0)} KiB, gzip ${(zipped / 1024).toFixed(0)} KiB`)
}
console.log(`assets: ${(raw / 1024).toFixed(0)} KiB, gzip ${(gz / 1024).toFixed(0)} KiB in all (each page loads only its own chunks)`)
for (const r of rows) console.log(r)

const srv = await new Server().start()
const browser = await launchBrowser()
await srv.account('8101')

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, worst ${s[s.length - 1].toFixed(0)} ms`
}

async function measure(warm) {
  const dcl = []
  const ready = []
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
  const page = await context.newPage()
  await page.goto(srv.url + '/login')
  await page.fill('[data-test=login-work-no]', '8101')
  await page.fill('[data-test=login-password]', srv.passwords['8101'])
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=contact-form]')
  const cdp = await context.newCDPSession(page)
  for (let i = 0; i < RUNS; i++) {
    if (!warm) await cdp.send('Network.clearBrowserCache')
    const t0 = Date.now()
    await page.goto(srv.url + '/agent')
    await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.test === 'lookup-phone')
    ready.push(Date.now() - t0)
    dcl.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd))
  }
  await context.close()
  console.log(`agent desk, ${warm ? 'warm' : 'cold'} cache, ${RUNS} loads: DOMContentLoaded ${stats(dcl)}; desk ready ${stats(ready)}`)
}

try {
  await measure(false)
  await measure(true)
} finally {
  await browser.close()
  await srv.stop()
}
