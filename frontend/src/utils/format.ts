// Small display helpers shared by views.

import { zh } from '@/locales/zh-CN'

/** "2023-05-06" / "2023-05-06T00:00:00" -> "2023-05-06"; anything else is shown as given. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value)
  return m?.[1] ?? value
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(value)
  return m ? `${m[1]} ${m[2]}` : formatDate(value)
}

export function fieldLabel(field: string): string {
  return zh.fields[field] ?? field
}

export function kindLabel(kind: string): string {
  return zh.kinds[kind] ?? kind
}

/** How a filter value is shown: entry kinds by their Chinese name (law -> 法律法规), other values as they are. */
export function facetValueLabel(field: string, value: string): string {
  return field === 'kind' ? kindLabel(value) : value
}

/** Join non-empty values with a middle dot. */
export function joinMeta(values: readonly (string | number | null | undefined)[]): string {
  return values.filter((v) => v !== null && v !== undefined && String(v).trim() !== '').join(' · ')
}

/** Paragraphs of a section text (blank lines and single line breaks both split). */
export function paragraphs(text: string | null | undefined): string[] {
  if (!text) return []
  return text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
}

export function setDocumentTitle(...parts: (string | null | undefined)[]): void {
  const list = parts.filter((p): p is string => !!p)
  document.title = [...list, zh.app.titleSuffix].join(' - ')
}

/** Guideline articles in either the contract's shape or a search-hit shape. */
export function normalizeArticle(a: {
  entry_id?: string
  id?: string
  title: string
  heading?: string | null
  text?: string
  passage?: string
  path?: string[]
}): { entryId: string; title: string; heading: string; text: string; path: string[] } {
  return {
    entryId: a.entry_id ?? a.id ?? '',
    title: a.title,
    heading: a.heading ?? '',
    text: a.text ?? a.passage ?? '',
    path: a.path ?? [],
  }
}

/** Title and (original) sub-heading of a section: articles and free text use their own heading. */
export function sectionTitles(s: { key: string; label: string; heading: string | null }): { title: string; sub: string } {
  const heading = (s.heading ?? '').replace(/^【\s*/, '').replace(/\s*】$/, '').trim()
  if (s.key === 'article' || s.key === 'body' || s.key === 'item') return { title: heading || s.label, sub: '' }
  const title = s.label || heading
  return { title, sub: heading && heading !== title ? heading : '' }
}

/** An API timestamp (UTC, ISO 8601) in the browser's local time: "2026-11-26 22:30". */
export function formatLocalDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return formatDateTime(value)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
