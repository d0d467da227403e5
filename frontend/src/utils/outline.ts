// Chapter outline for guidelines: sections carry `path` ([第一章 总则, 第一节 …]); articles are leaves.

import type { Section } from '@/api/types'

export interface OutlineNode {
  title: string
  /** Anchor of the first article under this node. */
  anchor: string
  children: OutlineNode[]
  articles: { heading: string; anchor: string; index: number }[]
}

export interface ReaderBlock {
  /** Headings of path levels that start at this article (level 0 = chapter). */
  starts: { level: number; title: string }[]
  section: Section
  index: number
  anchor: string
}

export function articleAnchor(index: number): string {
  return `art-${index}`
}

export function articleTitle(section: Section, index: number): string {
  return section.heading || section.label || `#${index + 1}`
}

/** Build the outline tree and the reading blocks in one pass. */
export function buildOutline(sections: readonly Section[]): { roots: OutlineNode[]; blocks: ReaderBlock[] } {
  const roots: OutlineNode[] = []
  const blocks: ReaderBlock[] = []
  let prevPath: string[] = []
  sections.forEach((section, index) => {
    const anchor = articleAnchor(index)
    const path = (section.path ?? []).filter((p) => typeof p === 'string' && p.trim() !== '')
    // Levels that differ from the previous article's path start here.
    let common = 0
    while (common < path.length && common < prevPath.length && path[common] === prevPath[common]) common++
    const starts = path.slice(common).map((title, i) => ({ level: common + i, title }))
    blocks.push({ starts, section, index, anchor })
    prevPath = path

    // Walk/extend the tree along the path.
    let level = roots
    let node: OutlineNode | undefined
    for (const title of path) {
      let next: OutlineNode | undefined = level[level.length - 1]
      if (!next || next.title !== title) {
        next = { title, anchor, children: [], articles: [] }
        level.push(next)
      }
      node = next
      level = next.children
    }
    const article = { heading: articleTitle(section, index), anchor, index }
    if (node) node.articles.push(article)
    else roots.push({ title: article.heading, anchor, children: [], articles: [] })
  })
  return { roots, blocks }
}
