import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import type { Facets } from '@/api/types'
import FacetPanel from '@/components/FacetPanel.vue'

const facets: Facets = {
  line: [
    { value: '刑事检察', count: 12 },
    { value: '民事检察', count: 3 },
  ],
  charges: Array.from({ length: 9 }, (_, i) => ({ value: `罪名${i + 1}`, count: 9 - i })),
  year: [
    { value: '2021', count: 5 },
    { value: '2023', count: 2 },
  ],
  outcomes: [],
}

describe('FacetPanel', () => {
  it('renders a labelled group per field with values and counts, skipping empty fields', () => {
    const wrapper = mount(FacetPanel, { props: { facets, selected: {} } })
    const legends = wrapper.findAll('legend').map((l) => l.text())
    expect(legends).toEqual(['检察类别', '罪名/案由', '年份'])
    const first = wrapper.find('fieldset[data-field="line"] li')
    expect(first.find('.value').text()).toBe('刑事检察')
    expect(first.find('.count').text()).toBe('12')
    // every checkbox has a label bound to it
    for (const input of wrapper.findAll('input[type="checkbox"]')) {
      expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists()).toBe(true)
    }
  })

  it('lists years newest first', () => {
    const wrapper = mount(FacetPanel, { props: { facets, selected: {} } })
    expect(wrapper.findAll('fieldset[data-field="year"] .value').map((v) => v.text())).toEqual(['2023', '2021'])
  })

  it('emits toggle with the field and value', async () => {
    const wrapper = mount(FacetPanel, { props: { facets, selected: {} } })
    await wrapper.find('fieldset[data-field="line"] input').trigger('change')
    expect(wrapper.emitted('toggle')).toEqual([['line', '刑事检察']])
  })

  it('checks selected values and keeps a selected value the backend returned no bucket for', () => {
    const wrapper = mount(FacetPanel, { props: { facets, selected: { line: ['民事检察', '行政检察'] } } })
    const options = wrapper.findAll('fieldset[data-field="line"] li')
    const byValue = Object.fromEntries(
      options.map((o) => [o.find('.value').text(), (o.find('input').element as HTMLInputElement).checked]),
    )
    expect(byValue).toEqual({ 行政检察: true, 刑事检察: false, 民事检察: true })
    expect(wrapper.find('fieldset[data-field="line"] .selected-count').text()).toBe('2')
  })

  it('collapses long lists behind a 展开更多 button', async () => {
    const wrapper = mount(FacetPanel, { props: { facets, selected: {}, visibleCount: 6 } })
    const group = () => wrapper.find('fieldset[data-field="charges"]')
    expect(group().findAll('li')).toHaveLength(6)
    const more = group().find('button.more')
    expect(more.text()).toBe('展开更多（3）')
    await more.trigger('click')
    expect(group().findAll('li')).toHaveLength(9)
  })

  it('offers 清除全部筛选 only when something is selected', async () => {
    const none = mount(FacetPanel, { props: { facets, selected: {} } })
    expect(none.find('.clear-all').exists()).toBe(false)
    const some = mount(FacetPanel, { props: { facets, selected: { year: ['2023'] } } })
    await some.find('.clear-all').trigger('click')
    expect(some.emitted('clear')).toHaveLength(1)
  })
})
