import { describe, expect, it } from 'vitest'

import type { Section } from '@/api/types'
import { buildOutline } from '@/utils/outline'

const art = (heading: string, path: string[]): Section => ({ key: 'article', label: '条文', heading, text: `${heading}正文`, path })

describe('buildOutline', () => {
  it('nests chapters, sections and articles and marks where each heading starts', () => {
    const { roots, blocks } = buildOutline([
      art('第一条', ['第一章 总则']),
      art('第二条', ['第一章 总则']),
      art('第三条', ['第二章 审查', '第一节 一般规定']),
      art('第四条', ['第二章 审查', '第二节 特别规定']),
      art('第五条', ['第三章 附则']),
    ])
    expect(roots.map((r) => r.title)).toEqual(['第一章 总则', '第二章 审查', '第三章 附则'])
    expect(roots[0]?.articles.map((a) => a.heading)).toEqual(['第一条', '第二条'])
    expect(roots[1]?.children.map((c) => [c.title, c.articles.map((a) => a.heading)])).toEqual([
      ['第一节 一般规定', ['第三条']],
      ['第二节 特别规定', ['第四条']],
    ])
    expect(roots[1]?.anchor).toBe('art-2')
    expect(blocks.map((b) => b.starts)).toEqual([
      [{ level: 0, title: '第一章 总则' }],
      [],
      [
        { level: 0, title: '第二章 审查' },
        { level: 1, title: '第一节 一般规定' },
      ],
      [{ level: 1, title: '第二节 特别规定' }],
      [{ level: 0, title: '第三章 附则' }],
    ])
  })

  it('lists articles without a path at the top level', () => {
    const { roots, blocks } = buildOutline([art('第一条', []), art('第二条', [])])
    expect(roots.map((r) => [r.title, r.anchor])).toEqual([
      ['第一条', 'art-0'],
      ['第二条', 'art-1'],
    ])
    expect(blocks.every((b) => b.starts.length === 0)).toBe(true)
  })
})
