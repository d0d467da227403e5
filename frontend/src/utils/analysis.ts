// Helpers of the 类案比对 page: comparison markers, share formatting, where the query text is kept.

import type { ComparisonCell, EntryDetail } from '@/api/types'

export type Mark = 'shared' | 'missing' | 'extra'

export interface MarkedValue {
  value: string
  mark: Mark
}

/** A case's values marked against the query: shared and extra in the case's order, then what the case lacks. */
export function markCell(cell: ComparisonCell): MarkedValue[] {
  const shared = new Set(cell.shared)
  const out: MarkedValue[] = cell.values.map((value) => ({ value, mark: shared.has(value) ? 'shared' : 'extra' }))
  const seen = new Set(cell.values)
  for (const value of cell.extra) {
    if (!seen.has(value)) {
      out.push({ value, mark: 'extra' })
      seen.add(value)
    }
  }
  for (const value of cell.missing) out.push({ value, mark: 'missing' })
  return out
}

/** 0.3842 → "38.4%" */
export function formatShare(share: number): string {
  const pct = Math.max(0, Math.min(1, share)) * 100
  return `${pct.toFixed(1)}%`
}

/** Query texts up to this length travel in the URL (shareable); longer ones stay in sessionStorage. */
export const URL_TEXT_MAX = 200
const STORAGE_KEY = 'kb.analysis.text'

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage
  } catch {
    return null
  }
}

export function saveStoredText(text: string): void {
  try {
    const s = storage()
    if (!s) return
    if (text) s.setItem(STORAGE_KEY, text)
    else s.removeItem(STORAGE_KEY)
  } catch {
    // Private mode or a full storage: the text stays in the page only.
  }
}

export function loadStoredText(): string {
  try {
    return storage()?.getItem(STORAGE_KEY) ?? ''
  } catch {
    return ''
  }
}

const QUERY_SECTIONS = ['facts', 'gist']

/** The text an entry offers as a query case: its 基本案情, else its 要旨, else its first section. */
export function entryQueryText(entry: Pick<EntryDetail, 'sections'>): string {
  for (const key of QUERY_SECTIONS) {
    const text = entry.sections
      .filter((s) => s.key === key)
      .map((s) => s.text.trim())
      .filter(Boolean)
      .join('\n')
    if (text) return text
  }
  return entry.sections.find((s) => s.text.trim())?.text.trim() ?? ''
}
