// What the month's evaluation pages share: the dimensions in their order,
// figures to two decimals, fen as yuan, and reading what a page shows.
import { ref } from 'vue'

export const DIMS = ['praise', 'quality', 'satisfaction', 'attendance', 'efficiency', 'training']

export function num(v) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(2)
}

export function yuan(fen) {
  return (fen < 0 ? '−¥' : '¥') + (Math.abs(fen) / 100).toFixed(2)
}

// A read the page may start again before the last one answered (a new
// month chosen): only the latest answer is applied (apply(body)), and
// loading and error follow it.
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
