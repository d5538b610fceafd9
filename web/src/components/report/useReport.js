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

// The ECharts option of a report's trend: one category per bucket of the
// period (trend rows carry `bucket`), counts on a whole-number axis.
export function trendOption(trend, series) {
  return {
    grid: { left: 40, right: 12, top: 30, bottom: 28 },
    legend: { top: 2 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: trend.map((x) => x.bucket) },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ barMaxWidth: 36, ...s })),
  }
}
