import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Collection, CollectionItem } from '@/api/types'
import { resetSession } from '@/stores/session'
import CollectionView from '@/views/CollectionView.vue'
import CollectionsView from '@/views/CollectionsView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

function item(id: number, entry: string, position: number, overrides: Partial<CollectionItem> = {}): CollectionItem {
  return {
    id,
    position,
    entry_id: entry,
    version: null,
    citation: entry,
    teaching_notes: '',
    discussion_questions: [],
    added_at: '2026-11-01T00:00:00Z',
    title: `案例${entry}`,
    number: null,
    case_type: '典型案例',
    ...overrides,
  }
}

function collection(items: CollectionItem[], overrides: Partial<Collection> = {}): Collection {
  return {
    id: 'col1',
    title: '醉驾专题',
    description: '培训用',
    owner_id: '7',
    shared: false,
    mine: true,
    item_count: items.length,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-02T00:00:00Z',
    items,
    ...overrides,
  }
}

async function mountCollection(handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(['search', 'entries:read', 'collections:own', 'entries:export'])
  const calls = fakeFetch(handlers)
  const router = await testRouter('/collections/col1')
  const wrapper = mount(CollectionView, { props: { id: 'col1' }, global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls }
}

const order = (w: ReturnType<typeof mount>) =>
  w.findAll('[data-testid="collection-items"] > li').map((li) => li.attributes('data-entry-id'))

describe('CollectionView', () => {
  it('shows the items in order with export links for PDF and DOCX', async () => {
    const { wrapper } = await mountCollection({
      'GET /api/collections/col1': collection([item(2, 'b', 2), item(1, 'a', 1)]),
    })
    expect(wrapper.find('h1').text()).toBe('醉驾专题')
    expect(order(wrapper)).toEqual(['a', 'b'])
    expect(wrapper.find('[data-testid="export-pdf"]').attributes('href')).toBe('/api/collections/col1/export?format=pdf')
    expect(wrapper.find('[data-testid="export-docx"]').attributes('href')).toBe('/api/collections/col1/export?format=docx')
    wrapper.unmount()
  })

  it('reorders with the buttons and the keyboard, sending the full new order', async () => {
    const { wrapper, calls } = await mountCollection({
      'GET /api/collections/col1': collection([item(1, 'a', 1), item(2, 'b', 2), item(3, 'c', 3)]),
      'PUT /api/collections/col1/order': (c) => {
        const ids = (c.body as { item_ids: number[] }).item_ids
        const by: Record<number, string> = { 1: 'a', 2: 'b', 3: 'c' }
        return collection(ids.map((id, i) => item(id, by[id]!, i + 1)))
      },
    })
    await wrapper.find('[data-item-id="1"] [data-testid="move-down"]').trigger('click')
    await settle()
    expect(calls.at(-1)?.body).toEqual({ item_ids: [2, 1, 3] })
    expect(order(wrapper)).toEqual(['b', 'a', 'c'])
    expect(wrapper.find('[data-testid="order-status"]').text()).toBe('“案例a”已移到第 2 位')

    await wrapper.find('[data-item-id="3"] .handle').trigger('keydown', { key: 'ArrowUp' })
    await settle()
    expect(calls.at(-1)?.body).toEqual({ item_ids: [2, 3, 1] })
    expect(order(wrapper)).toEqual(['b', 'c', 'a'])
    // The first item cannot move up.
    expect(wrapper.find('[data-item-id="2"] [data-testid="move-up"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('puts the old order back when the server refuses it', async () => {
    const { wrapper } = await mountCollection({
      'GET /api/collections/col1': collection([item(1, 'a', 1), item(2, 'b', 2)]),
      'PUT /api/collections/col1/order': { status: 422, body: { detail: '顺序必须包含全部条目' } },
    })
    await wrapper.find('[data-item-id="1"] [data-testid="move-down"]').trigger('click')
    await settle()
    expect(order(wrapper)).toEqual(['a', 'b'])
    expect(wrapper.find('[data-testid="collection-error"]').text()).toBe('顺序必须包含全部条目')
    wrapper.unmount()
  })

  it('saves teaching notes and one discussion question per line', async () => {
    const { wrapper, calls } = await mountCollection({
      'GET /api/collections/col1': collection([item(1, 'a', 1)]),
      'PATCH /api/collections/col1/items/1': (c) => {
        const b = c.body as { teaching_notes: string; discussion_questions: string[] }
        return collection([item(1, 'a', 1, b)])
      },
    })
    const save = wrapper.find('[data-testid="save-item"]')
    expect(save.attributes('disabled')).toBeDefined()
    await wrapper.find('#notes-1').setValue('注意证据审查')
    await wrapper.find('#questions-1').setValue('问题一？\n\n 问题二？ ')
    expect(save.attributes('disabled')).toBeUndefined()
    await save.trigger('click')
    await settle()
    expect(calls.at(-1)?.body).toEqual({ teaching_notes: '注意证据审查', discussion_questions: ['问题一？', '问题二？'] })
    expect(wrapper.text()).toContain('已保存')
    wrapper.unmount()
  })

  it("reads someone else's shared collection without editing controls", async () => {
    const { wrapper } = await mountCollection({
      'GET /api/collections/col1': collection(
        [item(1, 'a', 1, { teaching_notes: '要点甲', discussion_questions: ['讨论一'] })],
        { mine: false, shared: true },
      ),
    })
    expect(wrapper.text()).toContain('这是他人共享的专题')
    expect(wrapper.find('[data-testid="move-down"]').exists()).toBe(false)
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.find('.notes-read').text()).toContain('要点甲')
    expect(wrapper.find('.notes-read').text()).toContain('讨论一')
    wrapper.unmount()
  })

  it('shows an empty state and a 404 error in Chinese', async () => {
    const { wrapper } = await mountCollection({ 'GET /api/collections/col1': collection([]) })
    expect(wrapper.find('[data-testid="empty-state"]').text()).toContain('专题中还没有案例')
    wrapper.unmount()
    const again = await mountCollection({
      'GET /api/collections/col1': { status: 404, body: { detail: '专题不存在或无权查看：col1' } },
    })
    expect(again.wrapper.find('[data-testid="error-state"]').text()).toContain('专题不存在或无权查看：col1')
    again.wrapper.unmount()
  })
})

describe('CollectionsView', () => {
  it('separates my collections from shared ones and explains empty lists', async () => {
    signedInAs(['collections:own'])
    fakeFetch({
      'GET /api/collections': {
        items: [
          { ...collection([]), items: undefined, item_count: 3 },
          { ...collection([], { id: 'col2', title: '他人共享', mine: false, shared: true }), items: undefined },
        ],
      },
    })
    const router = await testRouter('/collections')
    const wrapper = mount(CollectionsView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="collections-mine"]').text()).toContain('醉驾专题')
    expect(wrapper.find('[data-testid="collections-mine"]').text()).toContain('3 个案例')
    expect(wrapper.find('[data-testid="collections-shared"]').text()).toContain('他人共享')
    wrapper.unmount()
  })

  it('creates a collection and opens it', async () => {
    signedInAs(['collections:own'])
    const calls = fakeFetch({
      'GET /api/collections': { items: [] },
      'POST /api/collections': { status: 201, body: collection([], { id: 'new1' }) },
    })
    const router = await testRouter('/collections')
    const wrapper = mount(CollectionsView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.findAll('[data-testid="empty-state"]')).toHaveLength(2)
    await wrapper.find('.head-row button').trigger('click')
    await wrapper.find('#nc-title').setValue('新专题')
    await wrapper.find('input[type="checkbox"]').setValue(true)
    await wrapper.find('[data-testid="collection-create"]').trigger('submit')
    await settle()
    expect(calls.at(-1)?.body).toEqual({ title: '新专题', description: '', shared: true })
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/collections/new1'))
    wrapper.unmount()
  })
})
