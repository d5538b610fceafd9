// ECharts, imported piece by piece so the bundle carries only the bar and
// line charts the dashboard draws. The canvas renderer needs no eval, so
// the charts work under kefu's Content-Security-Policy (script-src 'self').
import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent, DatasetComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, TitleComponent, CanvasRenderer])

export { echarts }
