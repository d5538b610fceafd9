// A paginated, filterable list of orders for a page: loading and error
// state, "load more" by cursor, and a live refresh when a notification
// arrives (the new order appears for its owner without a reload).
import { ref, onMounted, onUnmounted } from 'vue'
import { get } from './api.js'
import { onNotification } from './events.js'
import { notePeople } from './format.js'

export function useOrderList(params, { live = true, onNew = null } = {}) {
  const items = ref([])
  const cursor = ref(null)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function load(more = false) {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const page = await get('/api/orders', { ...params(), limit: 50, cursor: more ? cursor.value : null })
      if (mine !== seq) return
      items.value = more ? items.value.concat(page.items) : page.items
      cursor.value = page.next_cursor
      notePeople(page.people) // named by the list itself: staff cannot read the directory
    } catch (e) {
      if (mine === seq) error.value = e.message
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  let off = null
  onMounted(() => {
    load()
    if (live)
      off = onNotification((n) => {
        if (!n.order_id) return
        load().then(() => {
          if (onNew && n.kind === 'order.new') onNew(n, items.value.find((o) => o.id === n.order_id))
        })
      })
  })
  onUnmounted(() => off && off())

  return { items, cursor, loading, error, load }
}
