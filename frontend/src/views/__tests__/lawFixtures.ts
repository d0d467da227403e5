// A law, cited provisions and citing cases shaped as the API contract describes them (issue 7 part 4). 示例 data.

import type { CitationsResponse, EntryDetail, EntrySummary, ProvisionLink, Section } from '@/api/types'

import { entryDetail } from './workflowFixtures'

export function summary(id: string, overrides: Partial<EntrySummary> = {}): EntrySummary {
  return {
    id,
    kind: 'case',
    title: `示例案例${id}`,
    number: null,
    case_type: '典型案例',
    line: '刑事检察',
    sub_line: null,
    issuer: null,
    publish_date: null,
    year: null,
    region: null,
    stage: null,
    charges: [],
    outcomes: [],
    provisions: [],
    keywords: [],
    power_subject: null,
    error_type: null,
    misused_power: null,
    illustrative: true,
    ...overrides,
  }
}

const ARTICLES: [string, string[], string][] = [
  ['第一条', ['第一编 总则', '第一章 任务'], '示例：为了惩罚犯罪，保护人民，制定本法。'],
  ['第二条', ['第一编 总则', '第一章 任务'], '示例：本法的任务是用刑罚同一切犯罪行为作斗争。'],
  ['第一百三十三条之一', ['第二编 分则', '第二章 危害公共安全罪'], '示例：醉酒驾驶机动车的，处拘役，并处罚金。'],
  ['第二百六十四条', ['第二编 分则', '第五章 侵犯财产罪'], '示例：盗窃公私财物，数额较大的，处三年以下有期徒刑。'],
]

export const lawSections: Section[] = ARTICLES.map(([heading, path, text]) => ({
  key: 'article',
  label: '条文',
  heading,
  text,
  path,
}))

export function lawDetail(id = 'law1', overrides: Partial<EntryDetail> = {}): EntryDetail {
  return entryDetail(id, {
    kind: 'law',
    title: '中华人民共和国刑法（示例）',
    case_type: null,
    issuer: '全国人民代表大会',
    keywords: [],
    charges: [],
    outcomes: [],
    status: 'published',
    published_version: 1,
    sections: lawSections,
    provision_links: [],
    ...overrides,
  })
}

export const citations: CitationsResponse = {
  articles: [
    {
      article: '第一百三十三条之一',
      section_index: 2,
      cases: [
        summary('c1', { title: '王某危险驾驶不起诉案（示例）', number: '示例第1号' }),
        summary('c2', { title: '李某危险驾驶案（示例）' }),
        summary('c3', { title: '赵某危险驾驶案（示例）' }),
        summary('c4', { title: '钱某危险驾驶案（示例）' }),
      ],
    },
    { article: '第二百六十四条', section_index: 3, cases: [summary('c5', { title: '孙某盗窃案（示例）' })] },
  ],
}

export const links: ProvisionLink[] = [
  {
    provision: '《刑法》第一百三十三条之一',
    law_entry_id: 'law1',
    law_title: '中华人民共和国刑法（示例）',
    article: '第一百三十三条之一',
    section_index: 2,
    text: '示例：醉酒驾驶机动车的，处拘役，并处罚金。\n有前款行为，同时构成其他犯罪的，依照处罚较重的规定定罪处罚。',
  },
  {
    provision: '《刑事诉讼法》第一百七十七条',
    law_entry_id: null,
    law_title: null,
    article: null,
    section_index: null,
    text: null,
  },
  {
    provision: '《刑法》第九百条',
    law_entry_id: 'law1',
    law_title: '中华人民共和国刑法（示例）',
    article: null,
    section_index: null,
    text: null,
  },
]
