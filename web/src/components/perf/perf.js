// What the month's evaluation pages share: the dimensions in their order,
// figures to two decimals and fen as yuan.
export const DIMS = ['praise', 'quality', 'satisfaction', 'attendance', 'efficiency', 'training']

export function num(v) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(2)
}

export function yuan(fen) {
  return (fen < 0 ? '−¥' : '¥') + (Math.abs(fen) / 100).toFixed(2)
}
