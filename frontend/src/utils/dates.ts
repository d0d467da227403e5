// Date-range inputs (<input type="date">, local days) to the API's ISO 8601 instants.

/** "2026-11-01" (a local day) -> the instant that day starts, ISO 8601 in UTC. */
export function dayStart(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toISOString()
}

/** The end of a local day as an exclusive bound: the next day's start. */
export function dayEnd(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1).toISOString()
}

export function firstQueryValue(value: unknown): string {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : ''
  return typeof value === 'string' ? value : ''
}
