import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import InferredChargesNotice from '@/components/InferredChargesNotice.vue'

describe('InferredChargesNotice', () => {
  it('names each inferred charge with its share as a button that adopts it', async () => {
    const charges = [
      { charge: '盗窃罪', share: 0.62 },
      { charge: '诈骗罪', share: 0.315 },
    ]
    const wrapper = mount(InferredChargesNotice, { props: { charges } })
    const line = wrapper.get('[data-testid="inferred-charges"]')
    expect(line.text().replace(/\s+/g, '')).toBe(
      '未指明罪名：按相似案例推断为盗窃罪（62%）、诈骗罪（32%），前几页以同罪名案例为先，其后按案情相似度排列仅按案情相似度排列',
    )
    const buttons = line.findAll('button')
    expect(buttons.map((b) => b.attributes('type'))).toEqual(['button', 'button', 'button'])
    // the accessible name starts with what the button shows, then says what pressing it does
    expect(buttons[0]!.attributes('aria-label')).toBe('盗窃罪（62%）：设为罪名筛选')
    await buttons[1]!.trigger('click')
    expect(wrapper.emitted('adopt')).toEqual([['诈骗罪']])
  })

  it('offers the order by case similarity alone, and once chosen says so and offers the inferred order back', async () => {
    const charges = [{ charge: '盗窃罪', share: 0.62 }]
    const wrapper = mount(InferredChargesNotice, { props: { charges } })
    await wrapper.get('[data-testid="inferred-ignore"]').trigger('click')
    expect(wrapper.emitted('ignore')).toEqual([[]])
    expect(wrapper.find('[data-testid="inferred-off"]').exists()).toBe(false)

    await wrapper.setProps({ charges: [], off: true })
    const line = wrapper.get('[data-testid="inferred-off"]')
    expect(line.text().replace(/\s+/g, '')).toBe('已不按推断罪名排序：结果仅按案情相似度排列。恢复按推断罪名优先')
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    const restore = wrapper.get('[data-testid="inferred-restore"]')
    expect(restore.element.tagName).toBe('BUTTON')
    expect(restore.attributes('type')).toBe('button')
    await restore.trigger('click')
    expect(wrapper.emitted('restore')).toEqual([[]])
    expect(wrapper.get('.inferred-notice').attributes('aria-live')).toBe('polite') // the same live region says it
  })

  it('keeps its polite live region mounted but empty when nothing was inferred', () => {
    const wrapper = mount(InferredChargesNotice, { props: { charges: [] } })
    expect(wrapper.get('.inferred-notice').attributes('aria-live')).toBe('polite')
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
  })

  it('says why the fact text changed the vote, one line per check, also when no charge is left', async () => {
    const notes = ['案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断，改按诈骗罪']
    const wrapper = mount(InferredChargesNotice, { props: { charges: [{ charge: '诈骗罪', share: 0.6 }], notes } })
    const list = wrapper.get('[data-testid="inferred-notes"]')
    expect(list.findAll('li').map((li) => li.text())).toEqual([
      '依案情校正：案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断，改按诈骗罪。',
    ])
    // the injury check can leave nothing to infer: the note still says what happened to the voted charge
    const dropped = ['案情所述伤情为轻微伤，未达轻伤，不按故意伤害罪推断']
    await wrapper.setProps({ charges: [], notes: dropped })
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="inferred-notes"]').text()).toBe(`依案情校正：${dropped[0]}。`)
    // once the user orders by similarity alone, the notes go with the inferred order
    await wrapper.setProps({ off: true })
    expect(wrapper.find('[data-testid="inferred-notes"]').exists()).toBe(false)
  })
})
