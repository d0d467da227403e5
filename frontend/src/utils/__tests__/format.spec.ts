import { describe, expect, it } from 'vitest'

import { formatDate, normalizeArticle, paragraphs, sectionTitles } from '@/utils/format'

describe('format helpers', () => {
  it('reads related guideline articles in the contract shape and in a hit shape', () => {
    expect(normalizeArticle({ entry_id: 'g1', title: '指引', heading: '第三条', text: '正文', path: ['第一章'] })).toEqual({
      entryId: 'g1',
      title: '指引',
      heading: '第三条',
      text: '正文',
      path: ['第一章'],
    })
    expect(normalizeArticle({ id: 'g2', title: '指引', passage: '段落' })).toEqual({
      entryId: 'g2',
      title: '指引',
      heading: '',
      text: '段落',
      path: [],
    })
  })

  it('titles case sections by their canonical label and articles by their own heading', () => {
    expect(sectionTitles({ key: 'process', label: '检察机关履职过程', heading: '【检察机关履职情况】' })).toEqual({
      title: '检察机关履职过程',
      sub: '检察机关履职情况',
    })
    expect(sectionTitles({ key: 'gist', label: '要旨', heading: '【要旨】' })).toEqual({ title: '要旨', sub: '' })
    expect(sectionTitles({ key: 'article', label: '条文', heading: '第十二条' })).toEqual({ title: '第十二条', sub: '' })
  })

  it('formats dates and splits paragraphs', () => {
    expect(formatDate('2023-05-06T00:00:00')).toBe('2023-05-06')
    expect(formatDate(null)).toBe('')
    expect(paragraphs('第一段\n\n  第二段 \n')).toEqual(['第一段', '第二段'])
  })
})
