// An entry page's sections as shown (titles, paragraphs, anchors, the 编/章/节 path where it changes) and a law's
// contents (where each 编/章 starts).

import type { EntryDetail, Section } from '@/api/types'
import { paragraphs, sectionTitles } from '@/utils/format'
import { sectionAnchor } from '@/utils/provisions'

export interface ShownSection extends Section {
  title: string
  sub: string
  /** The section's index in the entry's `sections` (the API's section_index), kept when some are not shown. */
  index: number
  anchor: string
  paras: string[]
  /** The section's path, or none on a law where it repeats the previous article's. */
  crumbs: string[]
}

export interface TocItem {
  anchor: string
  title: string
  full: string
}

/** The path above a section, without empty parts and without the section's own heading. */
function pathOf(s: Section): string[] {
  return s.path.filter((p) => p && p !== s.heading)
}

/**
 * Anchors keep the index in `sections` (`#sec-N`) even when a section is not shown. The 关键词 section repeats what
 * the keyword chips already show. A law's 编/章/节 path is shown where it changes, not above each of its articles.
 */
export function shownSections(entry: EntryDetail | null | undefined): ShownSection[] {
  if (!entry) return []
  const law = entry.kind === 'law'
  let previousPath = ''
  return entry.sections
    .map((s, index) => {
      const path = pathOf(s)
      const joined = path.join(' › ')
      const crumbs = law && joined === previousPath ? [] : path
      previousPath = joined
      return { ...s, ...sectionTitles(s), index, anchor: sectionAnchor(index), paras: paragraphs(s.text), crumbs }
    })
    .filter((s) => !(s.key === 'keywords' && entry.keywords.length > 0))
}

/** A law's contents: where each 编/章 (first two path levels) starts, instead of a link per article. */
export function lawToc(sections: readonly ShownSection[]): TocItem[] {
  const out: TocItem[] = []
  let previous = ''
  for (const s of sections) {
    const head = pathOf(s).slice(0, 2)
    const key = head.join(' ')
    if (head.length && key !== previous) out.push({ anchor: s.anchor, title: head[head.length - 1] ?? '', full: key })
    previous = key
  }
  return out
}
