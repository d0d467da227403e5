// Workflow objects shaped as the API contract describes them (issue 6), for the view specs.

import type { Batch, EntryDetail, WorkflowEvent, WorkflowItem, WorkflowList, WorkflowStatus } from '@/api/types'

export const EDITOR = ['search', 'entries:read', 'entries:read_unpublished', 'entries:import', 'entries:edit', 'entries:submit']
export const REVIEWER = ['search', 'entries:read', 'entries:read_unpublished', 'entries:review', 'entries:publish']

const LABELS: Record<WorkflowStatus, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已审核',
  published: '已发布',
  retracted: '已撤回',
}

export function wfEvent(id: number, action: WorkflowEvent['action'], overrides: Partial<WorkflowEvent> = {}): WorkflowEvent {
  return {
    id,
    entry_id: 'e1',
    version: 1,
    action,
    action_label: { import: '导入', revise: '修订', edit: '修改', submit: '提交审核', approve: '审核通过', reject: '退回修改', publish: '发布', retract: '撤回' }[action],
    from_status: null,
    to_status: 'draft',
    actor: 'demo-editor',
    comment: null,
    batch_label: null,
    created_at: '2026-11-20T08:00:00Z',
    ...overrides,
  }
}

export function wfItem(id: string, status: WorkflowStatus, overrides: Partial<WorkflowItem> = {}): WorkflowItem {
  return {
    id,
    kind: 'case',
    title: `案例${id}`,
    number: null,
    case_type: '典型案例',
    line: '刑事检察',
    status,
    status_label: LABELS[status],
    current_version: 1,
    published_version: null,
    retracted: null,
    updated_at: '2026-11-20T08:00:00Z',
    submitted_by: null,
    last_event: null,
    ...overrides,
  }
}

export function wfList(items: WorkflowItem[], overrides: Partial<WorkflowList> = {}): WorkflowList {
  return {
    total: items.length,
    page: 1,
    page_size: 20,
    counts: { draft: 3, submitted: 2, approved: 1, published: 40, retracted: 0 },
    items,
    ...overrides,
  }
}

export function entryDetail(id: string, overrides: Partial<EntryDetail> = {}): EntryDetail {
  return {
    id,
    version: 1,
    versions: [{ version: 1, created_at: '2026-11-20T08:00:00Z', content_hash: 'h1', source: 'a.txt', published: false }],
    kind: 'case',
    title: `案例${id}`,
    number: null,
    case_type: '典型案例',
    line: '刑事检察',
    sub_line: null,
    issuer: null,
    publish_date: null,
    batch: null,
    region: null,
    stage: null,
    keywords: ['盗窃', '不起诉'],
    charges: ['盗窃罪'],
    outcomes: ['不起诉'],
    provisions: [],
    error_type: null,
    misused_power: null,
    consequence: null,
    power_subject: null,
    basis: null,
    note: null,
    source: 'a.txt',
    illustrative: true,
    sections: [
      { key: 'gist', label: '要旨', heading: '【要旨】', text: '要旨原文。', path: [] },
      { key: 'facts', label: '基本案情', heading: '【基本案情】', text: '孙某盗窃商品，价值三百元。', path: [] },
    ],
    status: 'draft',
    published_version: null,
    retracted: null,
    ...overrides,
  }
}

export function batch(number: number, overrides: Partial<Batch> = {}): Batch {
  return {
    id: number,
    number,
    label: `第${number}批`,
    title: null,
    issuer: '某省人民检察院',
    published_on: '2026-11-20',
    created_by: 'demo-reviewer',
    created_at: '2026-11-20T09:00:00Z',
    entries: [{ id: 'e1', title: '案例e1', number: `检例第${number}01号`, case_type: '典型案例', version: 2 }],
    ...overrides,
  }
}
