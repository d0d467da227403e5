import { describe, expect, it } from 'vitest'

import { entryQueryText, formatShare, markCell } from '@/utils/analysis'

describe('markCell', () => {
  it('marks the case values shared or extra in their order, then what the case lacks', () => {
    expect(
      markCell({ id: 'c', values: ['自首', '认罪认罚'], shared: ['认罪认罚'], missing: ['初犯'], extra: ['自首'] }),
    ).toEqual([
      { value: '自首', mark: 'extra' },
      { value: '认罪认罚', mark: 'shared' },
      { value: '初犯', mark: 'missing' },
    ])
  })

  it('keeps an extra value the values list left out, once', () => {
    expect(markCell({ id: 'c', values: [], shared: [], missing: [], extra: ['抗诉'] })).toEqual([{ value: '抗诉', mark: 'extra' }])
  })
})

describe('formatShare', () => {
  it('prints a share as a percentage with one decimal, clamped to 0–100', () => {
    expect(formatShare(0.3842)).toBe('38.4%')
    expect(formatShare(1)).toBe('100.0%')
    expect(formatShare(-0.2)).toBe('0.0%')
    expect(formatShare(1.5)).toBe('100.0%')
  })
})

describe('entryQueryText', () => {
  const s = (key: string, text: string) => ({ key, label: key, heading: null, text, path: [] })
  it('prefers 基本案情, then 要旨, then the first section with text', () => {
    expect(entryQueryText({ sections: [s('gist', '要旨'), s('facts', '案情')] })).toBe('案情')
    expect(entryQueryText({ sections: [s('gist', '要旨'), s('facts', '  ')] })).toBe('要旨')
    expect(entryQueryText({ sections: [s('body', ''), s('process', '履职过程')] })).toBe('履职过程')
    expect(entryQueryText({ sections: [] })).toBe('')
  })
})
