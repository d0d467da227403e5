import type { Hit } from '@/api/types'

/** A 示例 search hit; `overrides` change any field. */
export function makeHit(overrides: Partial<Hit> = {}): Hit {
  return {
    id: 'c1',
    kind: 'case',
    title: '王某危险驾驶案',
    number: '示例案例第1号',
    case_type: '典型案例',
    line: '刑事检察',
    sub_line: null,
    issuer: '示例市人民检察院',
    publish_date: '2023-05-06',
    year: 2023,
    region: null,
    stage: '审查起诉',
    charges: ['危险驾驶罪'],
    outcomes: ['不起诉'],
    provisions: [],
    keywords: [],
    power_subject: null,
    error_type: null,
    misused_power: null,
    illustrative: true,
    score: 0.9,
    section: 'gist',
    section_label: '要旨',
    passage: '醉酒驾驶机动车，情节轻微的，可以作出不起诉决定。',
    highlights: [
      [0, 4],
      [18, 21],
    ],
    reasons: [
      { kind: 'charge', value: '危险驾驶罪', label: '同罪名：危险驾驶罪' },
      { kind: 'outcome', value: '不起诉', label: '同处理结果：不起诉' },
    ],
    ...overrides,
  }
}
