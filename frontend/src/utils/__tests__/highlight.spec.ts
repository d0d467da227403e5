import { describe, expect, it } from 'vitest'

import { normalizeSpans, segmentText } from '@/utils/highlight'

describe('segmentText', () => {
  it('splits text into plain and marked segments', () => {
    expect(segmentText('醉酒驾驶情节轻微不起诉', [[0, 4], [8, 11]])).toEqual([
      { text: '醉酒驾驶', mark: true },
      { text: '情节轻微', mark: false },
      { text: '不起诉', mark: true },
    ])
  })

  it('returns the whole text unmarked without spans', () => {
    expect(segmentText('基本案情', [])).toEqual([{ text: '基本案情', mark: false }])
    expect(segmentText('基本案情', null)).toEqual([{ text: '基本案情', mark: false }])
  })

  it('merges overlapping spans, clamps out-of-range and swaps reversed ones', () => {
    expect(normalizeSpans([[5, 2], [3, 8], [-4, 1], [20, 40], [7, 7]], 10)).toEqual([
      [0, 1],
      [2, 8],
    ])
  })

  it('counts offsets in code points, so characters outside the BMP do not shift marks', () => {
    // "𠀀" (U+20000) is one character for the backend but two UTF-16 units in JS.
    const segments = segmentText('𠀀某盗窃案', [[2, 4]])
    expect(segments).toEqual([
      { text: '𠀀某', mark: false },
      { text: '盗窃', mark: true },
      { text: '案', mark: false },
    ])
  })
})
