import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { WorkflowDetail } from '@/api/types'
import { resetSession } from '@/stores/session'
import WorkflowEntryView from '@/views/WorkflowEntryView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { EDITOR, entryDetail, REVIEWER, wfEvent, wfItem } from './workflowFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
  document.body.innerHTML = ''
})

function detail(overrides: Partial<WorkflowDetail> = {}): WorkflowDetail {
  return {
    item: wfItem('e1', 'draft'),
    entry: entryDetail('e1'),
    events: [wfEvent(1, 'import', { to_status: 'draft' })],
    near_duplicates: [],
    ...overrides,
  }
}

async function mountEntry(permissions: string[], handlers: Parameters<typeof fakeFetch>[0], path = '/workflow/e1') {
  signedInAs(permissions)
  const calls = fakeFetch(handlers)
  const router = await testRouter(path)
  const wrapper = mount(WorkflowEntryView, { props: { id: 'e1' }, global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls }
}

const rejectedHistory = [
  wfEvent(1, 'import', { to_status: 'draft' }),
  wfEvent(2, 'submit', { from_status: 'draft', to_status: 'submitted' }),
  wfEvent(3, 'reject', { from_status: 'submitted', to_status: 'draft', actor: 'demo-reviewer', comment: '请补充退赃经过' }),
]

describe('WorkflowEntryView', () => {
  it('shows the working version, its state and the history with the open rejection highlighted', async () => {
    const { wrapper } = await mountEntry(EDITOR, { 'GET /api/workflow/entries/e1': detail({ events: rejectedHistory }) })
    expect(wrapper.find('h1.title').text()).toBe('案例e1')
    expect(wrapper.find('[data-testid="status-badge"]').text()).toBe('草稿')
    expect(wrapper.find('[data-section="facts"]').text()).toContain('孙某盗窃商品')
    const callout = wrapper.find('[data-testid="open-rejection"]')
    expect(callout.text()).toContain('请补充退赃经过')
    expect(callout.text()).toContain('demo-reviewer')
    const events = wrapper.findAll('[data-testid="history"] li.event')
    expect(events.map((e) => e.attributes('data-action'))).toEqual(['import', 'submit', 'reject'])
    expect(events[2]?.classes()).toContain('highlight')
    // No public version yet: no link to it.
    expect(wrapper.find('[data-testid="public-link"]').exists()).toBe(false)
  })

  it('no longer highlights a rejection once the entry was submitted again', async () => {
    const events = [...rejectedHistory, wfEvent(4, 'submit', { from_status: 'draft', to_status: 'submitted' })]
    const { wrapper } = await mountEntry(REVIEWER, {
      'GET /api/workflow/entries/e1': detail({ item: wfItem('e1', 'submitted'), events }),
    })
    expect(wrapper.find('[data-testid="open-rejection"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="workflow-actions"] [data-action]').map((b) => b.attributes('data-action'))).toEqual(['approve', 'reject'])
    expect(wrapper.find('[data-testid="edit-open"]').exists()).toBe(false)
  })

  it('edits a section and saves a new version, sending only what changed', async () => {
    const { wrapper, calls } = await mountEntry(EDITOR, {
      'GET /api/workflow/entries/e1': detail({ events: rejectedHistory }),
      'PUT /api/workflow/entries/e1': (c) => {
        const body = c.body as { sections: { key: string; heading: string; text: string; path: string[] }[] }
        const entry = entryDetail('e1', { version: 2, sections: body.sections.map((s) => ({ ...s, label: s.key })) })
        return { status: 200, body: detail({ item: wfItem('e1', 'draft', { current_version: 2 }), entry }) }
      },
    })
    await wrapper.find('[data-testid="edit-open"]').trigger('click')
    await settle()
    expect(document.activeElement?.id).toBe('we-title')
    const facts = wrapper.find('textarea[data-section="facts"]')
    await facts.setValue('孙某盗窃商品，价值三百元，案发后全部退赃。')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.body).toEqual({
      sections: [
        { key: 'gist', heading: '【要旨】', text: '要旨原文。', path: [] },
        { key: 'facts', heading: '【基本案情】', text: '孙某盗窃商品，价值三百元，案发后全部退赃。', path: [] },
      ],
    })
    expect(wrapper.find('[data-testid="workflow-message"]').text()).toBe('已保存为第2版')
    expect(wrapper.find('[data-testid="edit-form"]').exists()).toBe(false)
    expect(wrapper.find('[data-section="facts"]').text()).toContain('全部退赃')
  })

  it('opens the edit form from ?edit=1, splits keywords on 、 and commas and edits the 备注 field', async () => {
    const { wrapper, calls } = await mountEntry(
      EDITOR,
      {
        'GET /api/workflow/entries/e1': detail(),
        'PUT /api/workflow/entries/e1': { status: 409, body: { code: 'no_change', detail: '内容没有变化，未生成新版本' } },
      },
      '/workflow/e1?edit=1',
    )
    expect(wrapper.find('[data-testid="edit-form"]').exists()).toBe(true)
    await wrapper.find('#we-keywords').setValue('盗窃、不起诉, 认罪认罚')
    await wrapper.find('#we-note').setValue('示例备注')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ keywords: ['盗窃', '不起诉', '认罪认罚'], note: '示例备注' })
    expect(wrapper.find('[data-testid="edit-error"]').text()).toBe('内容没有变化，未生成新版本')
  })

  it('shows a duplicate refusal with a link to the existing entry, and refuses an empty title', async () => {
    const { wrapper, calls } = await mountEntry(EDITOR, {
      'GET /api/workflow/entries/e1': detail(),
      'PUT /api/workflow/entries/e1': {
        status: 409,
        body: { code: 'duplicate_entry', detail: '内容与已有条目“张某盗窃案”（ID e9）相同', existing_id: 'e9' },
      },
    })
    await wrapper.find('[data-testid="edit-open"]').trigger('click')
    await wrapper.find('#we-title').setValue('  ')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-testid="edit-error"]').text()).toBe('标题不能为空')
    expect(calls.some((c) => c.method === 'PUT')).toBe(false)
    await wrapper.find('#we-title').setValue('张某盗窃案')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    const error = wrapper.find('[data-testid="edit-error"]')
    expect(error.text()).toContain('张某盗窃案')
    expect(error.find('a').attributes('href')).toBe('/workflow/e9')
  })

  it('sends the 修改说明 with the edit and shows it as the edit event in the history', async () => {
    let events = rejectedHistory
    const { wrapper, calls } = await mountEntry(EDITOR, {
      'GET /api/workflow/entries/e1': () => detail({ events }),
      'PUT /api/workflow/entries/e1': (c) => {
        const body = c.body as { title: string; comment?: string }
        events = [
          ...rejectedHistory,
          wfEvent(4, 'edit', { version: 2, from_status: 'draft', to_status: 'draft', comment: body.comment ?? null }),
        ]
        const entry = entryDetail('e1', { version: 2, title: body.title })
        return detail({ item: wfItem('e1', 'draft', { current_version: 2 }), entry, events })
      },
    })
    await wrapper.find('[data-testid="edit-open"]').trigger('click')
    const comment = wrapper.find('#we-comment')
    expect(wrapper.find('label[for="we-comment"]').text()).toBe('修改说明（可选）')
    expect(comment.attributes('maxlength')).toBe('2000')
    expect(comment.attributes('aria-describedby')).toBe('we-comment-hint')
    await wrapper.find('#we-title').setValue('孙某盗窃案（补充退赃）')
    await comment.setValue('  按退回意见补充退赃经过  ')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      title: '孙某盗窃案（补充退赃）',
      comment: '按退回意见补充退赃经过',
    })
    const last = wrapper.findAll('[data-testid="history"] li.event').at(-1)!
    expect(last.attributes('data-action')).toBe('edit')
    expect(last.find('[data-testid="event-comment"]').text()).toBe('修改说明：按退回意见补充退赃经过')
    // The rejection's comment keeps its plain form (no 修改说明 label).
    const reject = wrapper.find('[data-testid="history"] li[data-action="reject"] [data-testid="event-comment"]')
    expect(reject.text()).toBe('请补充退赃经过')

    // Opened again, the field starts empty; left empty, no comment is sent.
    await wrapper.find('[data-testid="edit-open"]').trigger('click')
    expect((wrapper.find('#we-comment').element as HTMLTextAreaElement).value).toBe('')
    await wrapper.find('#we-title').setValue('孙某盗窃案')
    await wrapper.find('[data-testid="edit-form"]').trigger('submit')
    await settle()
    expect(calls.filter((c) => c.method === 'PUT')[1]?.body).toEqual({ title: '孙某盗窃案' })
  })

  it('does not offer editing while the entry waits for review', async () => {
    const { wrapper } = await mountEntry(EDITOR, { 'GET /api/workflow/entries/e1': detail({ item: wfItem('e1', 'approved') }) })
    expect(wrapper.find('[data-testid="edit-open"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('不能修改')
  })

  it('shows near duplicates side by side and links the published version', async () => {
    const { wrapper } = await mountEntry(REVIEWER, {
      'GET /api/workflow/entries/e1': detail({
        item: wfItem('e1', 'published', { published_version: 2, current_version: 2, number: '检例第301号' }),
        near_duplicates: [
          {
            entry_id: 'e7',
            title: '孙某盗窃不起诉案',
            number: '检例第12号',
            score: 0.912,
            shared: { charges: ['盗窃罪'], amounts: ['300'] },
            new_text: '孙某在超市盗窃商品。',
            existing_text: '犯罪嫌疑人孙某于超市内窃取商品。',
          },
        ],
      }),
    })
    const panel = wrapper.find('[data-testid="near-duplicates"]')
    expect(panel.text()).toContain('相似度 0.91')
    expect(panel.text()).toContain('罪名/案由：盗窃罪')
    const cols = panel.findAll('.col')
    expect(cols[0]?.text()).toContain('孙某在超市盗窃商品')
    expect(cols[1]?.text()).toContain('窃取商品')
    expect(wrapper.find('[data-testid="public-link"]').attributes('href')).toBe('/entries/e1?version=2')
    expect(wrapper.findAll('[data-testid="workflow-actions"] [data-action]').map((b) => b.attributes('data-action'))).toEqual(['retract'])
  })

  it('retracts with a reason and shows it', async () => {
    let retracted = false
    const published = wfItem('e1', 'published', { published_version: 1 })
    const { wrapper, calls } = await mountEntry(REVIEWER, {
      'GET /api/workflow/entries/e1': () =>
        detail({
          item: retracted
            ? wfItem('e1', 'retracted', { published_version: 1, retracted: { reason: '与新司法解释不一致', at: '2026-11-26T10:00:00Z', by: 'demo-reviewer' } })
            : published,
        }),
      'POST /api/workflow/entries/e1/retract': () => {
        retracted = true
        return { status: 200, body: wfItem('e1', 'retracted') }
      },
    })
    await wrapper.find('[data-action="retract"]').trigger('click')
    await settle()
    const area = document.querySelector('[data-testid="retract-dialog"] textarea') as HTMLTextAreaElement
    area.value = '与新司法解释不一致'
    area.dispatchEvent(new Event('input'))
    area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await settle()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: '与新司法解释不一致' })
    expect(wrapper.find('[data-testid="retracted-info"]').text()).toContain('与新司法解释不一致')
    expect(wrapper.find('[data-testid="status-badge"]').text()).toBe('已撤回')
  })

  it('shows the problem detail when the entry cannot be read', async () => {
    const { wrapper } = await mountEntry(EDITOR, {
      'GET /api/workflow/entries/e1': { status: 404, body: { code: 'entry_not_found', detail: '条目不存在：e1' } },
    })
    expect(wrapper.find('[data-testid="error-state"]').text()).toContain('条目不存在：e1')
  })
})
