// Starts the workbench: Element Plus, the translation tables of every
// page, who is logged in (the session cookie survives a reload), then the
// router.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './app.css'
import App from './App.vue'
import { router } from './router.js'
import { session } from './session.js'
import { syncClock, startClock } from './clock.js'
import { t, tl } from './i18n/index.js'

import.meta.glob('./i18n/*.js', { eager: true })

async function boot() {
  await syncClock()
  startClock()
  try {
    const res = await fetch('/api/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    if (res.ok) {
      const me = await res.json()
      session.me = me
      session.csrf = me.csrf_token
    }
  } catch {
    /* The login page will say what is wrong. */
  }
  session.loaded = true
  const app = createApp(App)
  app.config.globalProperties.$t = t
  app.config.globalProperties.$tl = tl
  app.use(ElementPlus)
  app.use(router)
  app.mount('#app')
}

boot()
