import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { EntrySummary } from '@/api/types'
import { resetSession } from '@/stores/session'
import WarningCasesView from '@/views/WarningCasesView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

function warning(id: string, errorType: string, power: string): EntrySummary {
  return {
    id,
    kind: 'case',
    title: `警示${id}`,
    number: null,
    case_type: '警示案例',
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
    error_type: errorType,
    misused_power: power,
    illustrative: true,
  }
}

describe('WarningCasesView', () => {
  it('lists warning cases with facet counts and filters by 错误类型 through the URL', async () => {
    signedInAs(['entries:read'])
    const all = [warning('w1', '超越权限行使', '决定支持起诉'), warning('w2', '程序违法', '决定逮捕')]
    const calls = fakeFetch({
      'GET /api/training/warning-cases': (c) => {
        const types = c.query.getAll('error_type')
        const items = types.length ? all.filter((w) => types.includes(w.error_type!)) : all
        return {
          total: items.length,
          items,
          facets: { error_type: { 超越权限行使: 1, 程序违法: 1 }, misused_power: { 决定支持起诉: 1, 决定逮捕: 1 } },
        }
      },
    })
    const router = await testRouter('/warning-cases')
    const wrapper = mount(WarningCasesView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="warning-total"]').text()).toBe('共 2 件警示案例')
    expect(wrapper.findAll('li.w-card')).toHaveLength(2)
    const option = wrapper.findAll('fieldset[data-field="error_type"] label.option').find((o) => o.text().includes('程序违法'))!
    await option.find('input').trigger('change')
    await vi.waitFor(() => expect(router.currentRoute.value.query.error_type).toEqual(['程序违法']))
    await settle()
    expect(calls.at(-1)?.query.getAll('error_type')).toEqual(['程序违法'])
    expect(wrapper.findAll('li.w-card')).toHaveLength(1)
    expect(wrapper.find('li.w-card').text()).toContain('决定逮捕')
    wrapper.unmount()
  })

  it('explains an empty result', async () => {
    signedInAs(['entries:read'])
    fakeFetch({
      'GET /api/training/warning-cases': { total: 0, items: [], facets: { error_type: {}, misused_power: {} } },
    })
    const router = await testRouter('/warning-cases?misused_power=无')
    const wrapper = mount(WarningCasesView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="empty-state"]').text()).toBe('没有符合条件的警示案例')
    // The selected value stays visible (count 0) so it can be unticked.
    expect(wrapper.find('fieldset[data-field="misused_power"]').text()).toContain('无')
    wrapper.unmount()
  })
})
