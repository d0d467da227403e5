import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { AuditEvent } from '@/api/types'
import { resetSession } from '@/stores/session'
import AnalyticsView from '@/views/AnalyticsView.vue'
import AuditView from '@/views/AuditView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

function event(id: number, action: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    at: '2026-11-26T08:00:00Z',
    actor: 'zhang',
    actor_id: 2,
    action,
    action_label: action === 'auth.login' ? '登录' : '检索',
    target: 'zhang',
    outcome: 'success',
    client_ip: '127.0.0.1',
    request_id: 'r1',
    details: {},
    ...overrides,
  }
}

describe('AuditView', () => {
  it('reads the filters from the URL, sends them, and builds the CSV link from them', async () => {
    signedInAs(['audit:read'])
    const calls = fakeFetch({
      'GET /api/audit': {
        total: 120,
        page: 2,
        page_size: 50,
        items: [event(1, 'auth.login', { outcome: 'failure', details: { retry_after: 30 } })],
      },
    })
    const router = await testRouter('/admin/audit?user=zhang&action=auth.login&outcome=failure&since=2026-11-01&page=2')
    const wrapper = mount(AuditView, { global: { plugins: [router] } })
    await settle()
    const q = calls[0]!.query
    expect(q.get('user')).toBe('zhang')
    expect(q.get('action')).toBe('auth.login')
    expect(q.get('outcome')).toBe('failure')
    expect(q.get('since')).toMatch(/^2026-1[01]-\d\dT/)
    expect(q.get('page')).toBe('2')
    expect((wrapper.find('#au-user').element as HTMLInputElement).value).toBe('zhang')
    expect(wrapper.find('[data-testid="audit-total"]').text()).toBe('共 120 条记录')
    const row = wrapper.find('tbody tr')
    expect(row.text()).toContain('登录')
    expect(row.text()).toContain('失败')
    expect(row.text()).toContain('retry_after: 30')
    const href = wrapper.find('[data-testid="audit-csv"]').attributes('href')!
    expect(href.startsWith('/api/audit.csv?user=zhang&action=auth.login&outcome=failure&since=')).toBe(true)
    expect(href).not.toContain('page=')
    expect(wrapper.find('nav').exists()).toBe(true)
    wrapper.unmount()
  })

  it('applies the form to the URL and shows an empty state', async () => {
    signedInAs(['audit:read'])
    fakeFetch({ 'GET /api/audit': { total: 0, page: 1, page_size: 50, items: [] } })
    const router = await testRouter('/admin/audit')
    const wrapper = mount(AuditView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="empty-state"]').text()).toBe('没有符合条件的记录')
    await wrapper.find('#au-user').setValue('li')
    await wrapper.find('#au-outcome').setValue('denied')
    await wrapper.find('[data-testid="audit-filters"]').trigger('submit')
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({ user: 'li', outcome: 'denied' }))
    wrapper.unmount()
  })
})

describe('AnalyticsView', () => {
  it('shows frequent queries and content gaps, each with its own empty state', async () => {
    signedInAs(['analytics:read'])
    const stat = {
      query: '醉酒驾驶',
      count: 12,
      users: 3,
      last_at: '2026-11-26T08:00:00Z',
      max_results: 20,
      best_score: 0.83,
      zero_results: 0,
    }
    fakeFetch({
      'GET /api/analytics/queries': { since: '2026-10-27T00:00:00Z', until: '2026-11-26T00:00:00Z', items: [stat] },
      'GET /api/analytics/gaps': { since: '2026-10-27T00:00:00Z', until: '2026-11-26T00:00:00Z', items: [] },
    })
    const router = await testRouter('/admin/analytics')
    const wrapper = mount(AnalyticsView, { global: { plugins: [router] } })
    await settle()
    const frequent = wrapper.find('[data-testid="analytics-frequent"]')
    expect(frequent.text()).toContain('醉酒驾驶')
    expect(frequent.text()).toContain('12')
    expect(frequent.text()).toContain('0.83')
    // Without the search permission the query is plain text, not a link.
    expect(frequent.find('a').exists()).toBe(false)
    expect(wrapper.find('[data-testid="analytics-gaps"] [data-testid="empty-state"]').text()).toBe(
      '该时间段内没有发现内容缺口',
    )
    expect(wrapper.text()).toContain('统计时段：2026-10-27 至 2026-11-26')
    wrapper.unmount()
  })
})
