// Reading what a page shows, shared by the pages: a read the page may start
// again before the last one answered (a new month or filter chosen): only
// the latest answer is applied (apply(body)), and loading and error follow it.
import { ref } from 'vue'

export function useLatest(fetch, apply) {
  const loading = ref(false)
  const error = ref('')
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const b = await fetch()
      if (mine === seq) apply(b)
    } catch (e) {
      if (mine === seq) error.value = e.message
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  return { loading, error, load }
}
