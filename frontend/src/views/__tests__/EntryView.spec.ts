import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import EntryView from '@/views/EntryView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { EDITOR, entryDetail } from './workflowFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

const READER = ['search', 'entries:read']
const side = { 'GET /api/entries/e1/related': { guideline_articles: [], power_items: [] }, 'GET /api/entries/e1/similar': { hits: [] } }

async function mountEntry(permissions: string[], handlers: Parameters<typeof fakeFetch>[0], path = '/entries/e1') {
  signedInAs(permissions)
  const calls = fakeFetch({ ...side, ...handlers })
  const router = await testRouter(path)
  const wrapper = mount(EntryView, { props: { id: 'e1' }, global: { plugins: [router] } })
  await settle()
  return { wrapper, calls }
}

/** An entry has a `status` field of its own: wrap it so the fake does not take it for the HTTP status. */
const ok = (body: object) => ({ status: 200, body })

const twoVersions = entryDetail('e1', {
  version: 1,
  current_version: 2,
  status: 'submitted',
  published_version: 1,
  versions: [
    { version: 1, created_at: '2026-11-20T08:00:00Z', content_hash: 'h1', source: null, published: true },
    { version: 2, created_at: '2026-11-22T08:00:00Z', content_hash: 'h2', source: null, published: false },
  ],
})

describe('EntryView and the workflow', () => {
  it('shows a retracted entry (410) with its reason instead of an error', async () => {
    const { wrapper } = await mountEntry(READER, {
      'GET /api/entries/e1': { status: 410, body: { code: 'entry_retracted', detail: '该条目已撤回：与新司法解释不一致' } },
    })
    const state = wrapper.find('[data-testid="entry-retracted"]')
    expect(state.find('h1').text()).toBe('该条目已撤回')
    expect(state.text()).toContain('与新司法解释不一致')
    expect(wrapper.find('[data-testid="error-state"]').exists()).toBe(false)
  })

  it('marks published versions and treats the published version as the default for readers', async () => {
    const { wrapper } = await mountEntry(READER, { 'GET /api/entries/e1': ok(twoVersions) })
    expect(wrapper.find('[data-testid="old-version"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="workflow-notice"]').exists()).toBe(false)
    const items = wrapper.findAll('[data-testid="versions"] li')
    // Newest first: v2 (not published), v1 (published, the default: its link has no ?version).
    expect(items[0]?.find('[data-testid="version-published"]').exists()).toBe(false)
    expect(items[1]?.find('[data-testid="version-published"]').text()).toBe('已发布')
    expect(items[1]?.find('a').attributes('href')).toBe('/entries/e1')
    expect(items[0]?.find('a').attributes('href')).toBe('/entries/e1?version=2')
  })

  it('tells staff that a newer working version exists and links to the workflow page', async () => {
    const { wrapper } = await mountEntry(EDITOR, { 'GET /api/entries/e1': ok(twoVersions) })
    const notice = wrapper.find('[data-testid="workflow-notice"]')
    expect(notice.text()).toContain('第 2 版（待审核）')
    expect(notice.find('a').attributes('href')).toBe('/workflow/e1')
  })

  it('tells staff when an entry is not published yet or was retracted', async () => {
    const draft = entryDetail('e1', { status: 'draft', published_version: null })
    const { wrapper } = await mountEntry(EDITOR, { 'GET /api/entries/e1': ok(draft) })
    expect(wrapper.find('[data-testid="workflow-notice"]').text()).toContain('尚未发布（草稿）')
    resetSession()
    const retracted = entryDetail('e1', {
      status: 'retracted',
      published_version: 1,
      retracted: { reason: '与新司法解释不一致', at: '2026-11-26T10:00:00Z', by: 'demo-reviewer' },
    })
    const second = await mountEntry(EDITOR, { 'GET /api/entries/e1': ok(retracted) })
    expect(second.wrapper.find('[data-testid="workflow-notice"]').text()).toContain('已撤回（与新司法解释不一致）')
  })
})

describe('EntryView links both ways', () => {
  it('lists, on a power-list item, the cases whose decision it governs', async () => {
    const item = entryDetail('e1', { kind: 'power_item', title: '作出附条件不起诉决定', case_type: null })
    const hit = { id: 'c9', kind: 'case', title: '张某某盗窃案（示例）', number: '示例刑-001', case_type: '典型案例', outcomes: ['附条件不起诉'] }
    const { wrapper, calls } = await mountEntry(READER, {
      'GET /api/entries/e1': ok(item),
      'GET /api/entries/e1/cases': { hits: [hit] },
    })
    const panel = wrapper.find('[data-testid="concerning-cases"]')
    expect(panel.find('h2').text()).toBe('涉及此事项的案例')
    expect(panel.find('a').attributes('href')).toBe('/entries/c9')
    expect(panel.text()).toContain('附条件不起诉')
    expect(calls.some((c) => c.path === '/api/entries/e1/cases' && c.query.get('top_k') === '8')).toBe(true)
  })

  it('does not show the panel on a case, nor ask for it', async () => {
    const { wrapper, calls } = await mountEntry(READER, {
      'GET /api/entries/e1': ok(entryDetail('e1')),
      'GET /api/entries/e1/cases': { hits: [] },
    })
    expect(wrapper.find('[data-testid="concerning-cases"]').exists()).toBe(false)
    expect(calls.some((c) => c.path === '/api/entries/e1/cases')).toBe(false)
  })
})
