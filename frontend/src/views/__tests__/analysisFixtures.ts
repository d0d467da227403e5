// A small 类案比对 answer: a 危险驾驶 query against three cases, two outcomes, one divergence.

import type { AnalysisCase, AnalysisResponse } from '@/api/types'

function aCase(id: string, title: string, similarity: number, authority: string, weight: number, outcomes: string[]): AnalysisCase {
  return {
    id,
    title,
    number: `示例-${id}`,
    case_type: authority === '指导性' ? '指导性案例' : '典型案例',
    line: '刑事检察',
    year: 2023,
    passage: `${title}的匹配段落`,
    similarity,
    authority,
    authority_weight: weight,
    charges: ['危险驾驶罪'],
    outcomes,
    factors: ['认罪认罚'],
    provisions: [],
  }
}

export function analysisAnswer(overrides: Partial<AnalysisResponse> = {}): AnalysisResponse {
  const cases = [
    aCase('c1', '王某危险驾驶案', 0.41, '指导性', 3, ['不起诉']),
    aCase('c2', '刘某危险驾驶案', 0.33, '典型', 2, ['起诉']),
    aCase('c3', '郑某交通肇事案', 0.12, '典型', 2, ['起诉']),
  ]
  return {
    query: { charges: ['危险驾驶罪'], outcomes: [], factors: ['认罪认罚', '初犯'], provisions: [], line: '刑事检察' },
    cases,
    comparison: [
      {
        field: 'charges',
        label: '罪名/案由',
        query: ['危险驾驶罪'],
        cases: [
          { id: 'c1', values: ['危险驾驶罪'], shared: ['危险驾驶罪'], missing: [], extra: [] },
          { id: 'c2', values: ['危险驾驶罪'], shared: ['危险驾驶罪'], missing: [], extra: [] },
          { id: 'c3', values: ['交通肇事罪'], shared: [], missing: ['危险驾驶罪'], extra: ['交通肇事罪'] },
        ],
      },
      {
        field: 'factors',
        label: '决定因素',
        query: ['认罪认罚', '初犯'],
        cases: [
          { id: 'c1', values: ['认罪认罚', '自首'], shared: ['认罪认罚'], missing: ['初犯'], extra: ['自首'] },
          { id: 'c2', values: [], shared: [], missing: ['认罪认罚', '初犯'], extra: [] },
          { id: 'c3', values: ['认罪认罚'], shared: ['认罪认罚'], missing: ['初犯'], extra: [] },
        ],
      },
    ],
    distribution: {
      basis: '前 3 件类案，按相似度与权威性加权（指导性×3、典型×2、参考×1）',
      total_weight: 2.15,
      outcomes: [
        { outcome: '不起诉', count: 1, weight: 1.23, share: 0.5721, case_ids: ['c1'] },
        { outcome: '起诉', count: 2, weight: 0.9, share: 0.4279, case_ids: ['c2', 'c3'] },
      ],
    },
    divergence: {
      flagged: true,
      threshold: 0.1,
      detail: '相似度不低于 0.10 的 3 件类案处理结果不一致：不起诉（1 件）；起诉（2 件）。',
      groups: [
        { outcome: '不起诉', case_ids: ['c1'] },
        { outcome: '起诉', case_ids: ['c2', 'c3'] },
      ],
    },
    suggested_provisions: [
      {
        law_entry_id: 'law1',
        law_title: '中华人民共和国刑法（示例节选）',
        article: '第一百三十三条之一',
        section_index: 4,
        text: '示例：在道路上醉酒驾驶机动车的，处拘役，并处罚金。',
        score: 0.049,
        cited_by: [
          { id: 'c1', title: '王某危险驾驶案', number: '示例-c1' },
          { id: 'c2', title: '刘某危险驾驶案', number: null },
        ],
        charges: ['危险驾驶罪'],
        direct_rank: 3,
      },
      {
        law_entry_id: 'law1',
        law_title: '中华人民共和国刑法（示例节选）',
        article: '第六十七条',
        section_index: 2,
        text: '示例：犯罪以后自动投案，如实供述自己的罪行的，是自首。',
        score: 0.016,
        cited_by: [{ id: 'c1', title: '王某危险驾驶案', number: '示例-c1' }],
        charges: [],
        direct_rank: null,
      },
      {
        law_entry_id: 'law2',
        law_title: '中华人民共和国刑事诉讼法（示例节选）',
        article: '第十五条',
        section_index: 7,
        text: '示例：犯罪嫌疑人自愿如实供述自己的罪行，承认指控的犯罪事实，愿意接受处罚的，可以依法从宽处理。',
        score: 0.004,
        cited_by: [],
        charges: [],
        direct_rank: 1,
      },
    ],
    ...overrides,
  }
}
