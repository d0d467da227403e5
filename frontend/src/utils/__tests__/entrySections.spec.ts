import { describe, expect, it } from 'vitest'

import { lawToc, shownSections } from '@/utils/entrySections'
import { lawDetail } from '@/views/__tests__/lawFixtures'
import { entryDetail } from '@/views/__tests__/workflowFixtures'

describe('shownSections', () => {
  it('gives each section its anchor, titles and paragraphs', () => {
    const sections = shownSections(entryDetail('c1'))
    expect(sections.map((s) => [s.index, s.anchor, s.title])).toEqual([
      [0, 'sec-0', '要旨'],
      [1, 'sec-1', '基本案情'],
    ])
    expect(sections[1]?.paras).toEqual(['孙某盗窃商品，价值三百元。'])
  })

  it('drops the 关键词 section when the keyword chips show it, keeping the other anchors', () => {
    const entry = entryDetail('c1', {
      sections: [
        { key: 'keywords', label: '关键词', heading: '【关键词】', text: '盗窃 不起诉', path: [] },
        { key: 'facts', label: '基本案情', heading: '【基本案情】', text: '案情。', path: [] },
      ],
    })
    expect(shownSections(entry).map((s) => s.anchor)).toEqual(['sec-1'])
    expect(shownSections({ ...entry, keywords: [] }).map((s) => s.anchor)).toEqual(['sec-0', 'sec-1'])
  })

  it('shows a law article path only where it changes', () => {
    expect(shownSections(lawDetail()).map((s) => s.crumbs.join(' › '))).toEqual([
      '第一编 总则 › 第一章 任务',
      '',
      '第二编 分则 › 第二章 危害公共安全罪',
      '第二编 分则 › 第五章 侵犯财产罪',
    ])
  })

  it('repeats the path above every section of anything but a law, and has nothing without an entry', () => {
    const path = ['第一章 总则']
    const entry = entryDetail('g1', {
      kind: 'guideline',
      sections: [
        { key: 'article', label: '条文', heading: '第一条', text: '一', path },
        { key: 'article', label: '条文', heading: '第二条', text: '二', path },
      ],
    })
    expect(shownSections(entry).map((s) => s.crumbs)).toEqual([path, path])
    expect(shownSections(null)).toEqual([])
  })
})

describe('lawToc', () => {
  it('links where each 编/章 starts, titled by the deeper of the two levels', () => {
    expect(lawToc(shownSections(lawDetail()))).toEqual([
      { anchor: 'sec-0', title: '第一章 任务', full: '第一编 总则 第一章 任务' },
      { anchor: 'sec-2', title: '第二章 危害公共安全罪', full: '第二编 分则 第二章 危害公共安全罪' },
      { anchor: 'sec-3', title: '第五章 侵犯财产罪', full: '第二编 分则 第五章 侵犯财产罪' },
    ])
  })

  it('is empty for a law without a path', () => {
    const flat = lawDetail('law2', { sections: [{ key: 'article', label: '条文', heading: '第一条', text: '一', path: [] }] })
    expect(lawToc(shownSections(flat))).toEqual([])
  })
})
