import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { DivergenceItem } from '@/api/types'
import { resetSession } from '@/stores/session'
import DivergencesView from '@/views/DivergencesView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

function item(id: number): DivergenceItem {
  return {
    id,
    created_at: '2026-11-26T10:00:00Z',
    actor: id % 2 ? 'demo-prosecutor' : null,
    query_excerpt: `示例案情摘录 ${id}`,
    charges: ['危险驾驶罪'],
    case_ids: ['c1', 'c2', 'c3'],
    outcomes: ['不起诉', '起诉'],
    max_similarity: 0.26,
    seen: 2,
  }
}

describe('DivergencesView', () => {
  it('lists the collected divergences with their cases, and pages through the URL', async () => {
    signedInAs(['analytics:read'])
    const calls = fakeFetch({
      'GET /api/analysis/divergences': (c) => {
        const page = Number(c.query.get('page'))
        return { total: 25, items: page === 2 ? [item(21)] : [item(1), item(2)] }
      },
    })
    const router = await testRouter('/divergences')
    const wrapper = mount(DivergencesView, { global: { plugins: [router] } })
    await settle()
    expect(calls[0]?.query.get('page')).toBe('1')
    expect(calls[0]?.query.get('page_size')).toBe('20')
    expect(wrapper.find('[data-testid="divergences-total"]').text()).toBe('共 25 条线索')
    const first = wrapper.find('li.item')
    expect(first.text()).toContain('示例案情摘录 1')
    expect(first.text()).toContain('危险驾驶罪')
    expect(first.text()).toContain('最高相似度 0.26')
    expect(first.text()).toContain('被分析 2 次')
    expect(first.findAll('a.case-link').map((a) => a.attributes('href'))).toEqual(['/entries/c1', '/entries/c2', '/entries/c3'])
    expect(first.find('[data-testid="divergence-compare"]').attributes('href')).toBe('/compare?ids=c1&ids=c2&ids=c3')
    expect(wrapper.findAll('li.item')[1]!.text()).toContain('匿名用户')

    await wrapper.find('nav.pager button[aria-label="第 2 页"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query.page).toBe('2'))
    await settle()
    expect(calls.at(-1)?.query.get('page')).toBe('2')
    expect(wrapper.findAll('li.item')).toHaveLength(1)
    wrapper.unmount()
  })

  it('says when nothing was collected, and shows the problem detail of a refusal', async () => {
    signedInAs(['analytics:read'])
    fakeFetch({ 'GET /api/analysis/divergences': { total: 0, items: [] } })
    const router = await testRouter('/divergences')
    const wrapper = mount(DivergencesView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="empty-state"]').text()).toBe('还没有收集到分歧线索')
    wrapper.unmount()

    fakeFetch({ 'GET /api/analysis/divergences': { status: 403, body: { code: 'forbidden', detail: '无权查看分歧线索' } } })
    const denied = mount(DivergencesView, { global: { plugins: [router] } })
    await settle()
    expect(denied.find('[data-testid="error-state"]').text()).toContain('无权查看分歧线索')
    denied.unmount()
  })
})
