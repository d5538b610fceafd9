// A report page's answer: read from path with the page's parameters
// (params() at each load); an answer that arrives after a newer request
// was made is dropped, so a quick change of period never shows old figures.
import { ref } from 'vue'
import { get } from '../../api.js'

export function useReport(path, params) {
  const body = ref(null)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const b = await get(path, params())
      if (mine === seq) body.value = b
    } catch (e) {
      if (mine === seq) error.value = e.message
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return { body, loading, error, load }
}
