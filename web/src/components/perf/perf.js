// What the month's evaluation pages share: the dimensions in their order,
// figures to two decimals, fen as yuan, and reading what a page shows.
export const DIMS = ['praise', 'quality', 'satisfaction', 'attendance', 'efficiency', 'training']

export function num(v) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(2)
}

export function yuan(fen) {
  return (fen < 0 ? '−¥' : '¥') + (Math.abs(fen) / 100).toFixed(2)
}

export { useLatest } from '../../latest.js'
