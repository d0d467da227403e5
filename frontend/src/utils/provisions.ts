// Law articles in the UI: the anchors of an entry's sections, links from a cited provision to its article, and the
// article named by a search hit's section label.

import type { RouteLocationRaw } from 'vue-router'

import type { EntrySummary, ProvisionLink } from '@/api/types'

/** The anchor of an entry's section, by its index in `EntryDetail.sections` (the API's `section_index`). */
export function sectionAnchor(index: number): string {
  return `sec-${index}`
}

/** The section index named by a location hash (`#sec-12` -> 12); null for any other hash. */
export function sectionIndexFromHash(hash: string | null | undefined): number | null {
  const m = /^#sec-(\d{1,6})$/.exec(hash ?? '')
  return m ? Number(m[1]) : null
}

export type ProvisionState = 'resolved' | 'law-only' | 'unresolved'

/** Resolved: the law and the article are in the base; law-only: the law is, the article not; else unresolved. */
export function provisionState(link: ProvisionLink): ProvisionState {
  if (!link.law_entry_id) return 'unresolved'
  return link.section_index !== null && link.section_index >= 0 ? 'resolved' : 'law-only'
}

/** Where a cited provision leads: the law entry, at the article when it was found; null when the law is not in the base. */
export function provisionTarget(link: ProvisionLink): RouteLocationRaw | null {
  const state = provisionState(link)
  if (state === 'unresolved' || !link.law_entry_id) return null
  const to = { name: 'entry', params: { id: link.law_entry_id } }
  return state === 'resolved' && link.section_index !== null ? { ...to, hash: `#${sectionAnchor(link.section_index)}` } : to
}

// 第一百三十三条之一, 第133条, 第二十条之二 …
const ARTICLE_RE = /^第[〇零一二两三四五六七八九十百千\d]+条(?:之[一二三四五六七八九十\d]+)?$/

/** True for an article heading such as 第一百三十三条之一. */
export function isArticleHeading(value: string): boolean {
  return ARTICLE_RE.test(value.trim())
}

/**
 * The article a search hit of a law points at, from its section label ("第二编 分则 第二章 … 第一百三十三条之一"):
 * the heading (last part) and the path before it. Null when the label names no article.
 */
export function articleOfLabel(label: string | null | undefined): { article: string; path: string[] } | null {
  const parts = (label ?? '').split(/\s+/).filter(Boolean)
  const last = parts[parts.length - 1]
  if (!last || !isArticleHeading(last)) return null
  return { article: last, path: parts.slice(0, -1) }
}

/** Where a search hit leads: its entry; for a law, the article the hit matched (`?article=第X条`). */
export function hitTarget(hit: Pick<EntrySummary, 'id' | 'kind'> & { section_label?: string }): RouteLocationRaw {
  const to = { name: 'entry', params: { id: hit.id } }
  const article = hit.kind === 'law' ? articleOfLabel(hit.section_label) : null
  return article ? { ...to, query: { article: article.article } } : to
}
