import { describe, expect, it } from 'vitest'

import type { ProvisionLink } from '@/api/types'
import { articleOfLabel, hitTarget, isArticleHeading, provisionState, provisionTarget, sectionIndexFromHash } from '@/utils/provisions'

const link = (overrides: Partial<ProvisionLink> = {}): ProvisionLink => ({
  provision: '《刑法》第二百六十四条',
  law_entry_id: 'law1',
  law_title: '中华人民共和国刑法',
  article: '第二百六十四条',
  section_index: 0,
  text: '示例',
  ...overrides,
})

describe('provision links', () => {
  it('leads a resolved provision to the article anchor, even the first one (index 0)', () => {
    expect(provisionState(link())).toBe('resolved')
    expect(provisionTarget(link())).toEqual({ name: 'entry', params: { id: 'law1' }, hash: '#sec-0' })
  })

  it('leads to the law when only the law is known, nowhere when it is not', () => {
    expect(provisionTarget(link({ section_index: null, article: null }))).toEqual({ name: 'entry', params: { id: 'law1' } })
    expect(provisionState(link({ law_entry_id: null, section_index: null }))).toBe('unresolved')
    expect(provisionTarget(link({ law_entry_id: null, section_index: null }))).toBeNull()
  })

  it('reads only well-formed section hashes', () => {
    expect(sectionIndexFromHash('#sec-12')).toBe(12)
    expect(sectionIndexFromHash('#sec-')).toBeNull()
    expect(sectionIndexFromHash('#sec-1x')).toBeNull()
    expect(sectionIndexFromHash('#art-1')).toBeNull()
    expect(sectionIndexFromHash('')).toBeNull()
    expect(sectionIndexFromHash(`#sec-${'9'.repeat(50)}`)).toBeNull()
  })

  it('finds the article in a law hit section label', () => {
    expect(isArticleHeading('第一百三十三条之一')).toBe(true)
    expect(isArticleHeading('第133条')).toBe(true)
    expect(isArticleHeading('第一章')).toBe(false)
    expect(articleOfLabel('第二编 分则 第二章 危害公共安全罪 第一百三十三条之一')).toEqual({
      article: '第一百三十三条之一',
      path: ['第二编', '分则', '第二章', '危害公共安全罪'],
    })
    expect(articleOfLabel('第二条')).toEqual({ article: '第二条', path: [] })
    expect(articleOfLabel('要旨')).toBeNull()
    expect(articleOfLabel('')).toBeNull()
  })

  it('sends a law hit to its article and other hits to their entry', () => {
    expect(hitTarget({ id: 'law1', kind: 'law', section_label: '第一章 总则 第二条' })).toEqual({
      name: 'entry',
      params: { id: 'law1' },
      query: { article: '第二条' },
    })
    expect(hitTarget({ id: 'law1', kind: 'law', section_label: '正文' })).toEqual({ name: 'entry', params: { id: 'law1' } })
    expect(hitTarget({ id: 'g1', kind: 'guideline', section_label: '第一章 第二条' })).toEqual({ name: 'entry', params: { id: 'g1' } })
  })
})
