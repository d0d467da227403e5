import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import BatchesView from '@/views/BatchesView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { batch, REVIEWER } from './workflowFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

async function mountBatches(path: string, handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(REVIEWER)
  fakeFetch(handlers)
  const router = await testRouter(path)
  const wrapper = mount(BatchesView, { global: { plugins: [router] } })
  await settle()
  return wrapper
}

describe('BatchesView', () => {
  it('lists batches newest first with date, issuer and count; the newest is open', async () => {
    const two = batch(2, {
      title: '第二批典型案例',
      entries: [
        { id: 'e1', title: '孙某盗窃案', number: '检例第201号', case_type: '典型案例', version: 2 },
        { id: 'e2', title: '李某诈骗案', number: '检例第202号', case_type: '典型案例', version: 1 },
      ],
    })
    const wrapper = await mountBatches('/batches', { 'GET /api/batches': { items: [two, batch(1)] } })
    const heads = wrapper.findAll('.batch-head')
    expect(heads[0]?.text()).toContain('第2批')
    expect(heads[0]?.text()).toContain('第二批典型案例')
    expect(heads[0]?.text()).toContain('某省人民检察院 · 2026-11-20')
    expect(heads[0]?.text()).toContain('共 2 件')
    expect(heads[0]?.attributes('aria-expanded')).toBe('true')
    expect(heads[1]?.attributes('aria-expanded')).toBe('false')
    const rows = wrapper.findAll('[data-batch="2"] tbody tr')
    expect(rows.map((r) => r.find('[data-testid="batch-number"]').text())).toEqual(['检例第201号', '检例第202号'])
    expect(rows[0]?.find('a').attributes('href')).toBe('/entries/e1?version=2')
    await heads[1]!.trigger('click')
    expect(wrapper.find('[data-batch="1"] tbody').exists()).toBe(true)
    await heads[0]!.trigger('click')
    expect(wrapper.find('[data-batch="2"] tbody').exists()).toBe(false)
  })

  it('opens the batch named in the link', async () => {
    const wrapper = await mountBatches('/batches?open=1', { 'GET /api/batches': { items: [batch(2), batch(1)] } })
    expect(wrapper.find('[data-batch="1"] .batch-head').attributes('aria-expanded')).toBe('true')
    expect(wrapper.find('[data-batch="2"] .batch-head').attributes('aria-expanded')).toBe('false')
  })

  it('has an empty state and shows load errors', async () => {
    const empty = await mountBatches('/batches', { 'GET /api/batches': { items: [] } })
    expect(empty.find('[data-testid="empty-state"]').text()).toBe('还没有发布过批次')
    resetSession()
    const failed = await mountBatches('/batches', { 'GET /api/batches': { status: 500, body: { detail: '记录库出错' } } })
    expect(failed.find('[data-testid="error-state"]').text()).toContain('记录库出错')
  })
})
