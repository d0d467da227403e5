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
    // 条目类型 is always there: 法律法规 is offered even when the (law-free) default search has none.
    expect(legends).toEqual(['检察类别', '罪名/案由', '年份', '条目类型'])
    const first = wrapper.find('fieldset[data-field="line"] li')
    expect(first.find('.value').text()).toBe('刑事检察')
    expect(first.find('.count').text()).toBe('12')
    // every checkbox has a label bound to it
    for (const input of wrapper.findAll('input[type="checkbox"]')) {
      expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists()).toBe(true)
    }
  })

  it('names entry kinds in Chinese and offers 法律法规 without a count when the results have no law', async () => {
    const withKinds: Facets = {
      kind: [
        { value: 'case', count: 7 },
        { value: 'guideline', count: 2 },
      ],
    }
    const wrapper = mount(FacetPanel, { props: { facets: withKinds, selected: {} } })
    const options = wrapper.findAll('fieldset[data-field="kind"] li')
    expect(options.map((o) => o.find('.value').text())).toEqual(['案例', '办案指引', '法律法规'])
    expect(options[2]?.find('.count').exists()).toBe(false)
    await options[2]?.find('input').trigger('change')
    // The value sent is the API's, not the label.
    expect(wrapper.emitted('toggle')).toEqual([['kind', 'law']])
  })

  it('shows the law count when the backend gives one, and keeps a selected 法律法规 checked', () => {
    const wrapper = mount(FacetPanel, {
      props: { facets: { kind: [{ value: 'law', count: 4 }] }, selected: { kind: ['law'] } },
    })
    const options = wrapper.findAll('fieldset[data-field="kind"] li')
    expect(options).toHaveLength(1)
    expect(options[0]?.find('.value').text()).toBe('法律法规')
    expect(options[0]?.find('.count').text()).toBe('4')
    expect((options[0]?.find('input').element as HTMLInputElement).checked).toBe(true)
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
