import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import Pager from '@/components/Pager.vue'

describe('Pager', () => {
  it('is hidden when everything fits on one page', () => {
    expect(mount(Pager, { props: { page: 1, total: 10, pageSize: 10 } }).find('nav').exists()).toBe(false)
  })

  it('shows first, last and a window around the current page with gaps', () => {
    const wrapper = mount(Pager, { props: { page: 6, total: 200, pageSize: 10 } })
    const labels = wrapper.findAll('button.num').map((b) => b.text())
    expect(labels).toEqual(['1', '4', '5', '6', '7', '8', '20'])
    expect(wrapper.findAll('.gap')).toHaveLength(2)
    expect(wrapper.find('[aria-current="page"]').text()).toBe('6')
  })

  it('emits the page to go to and disables moves past the ends', async () => {
    const wrapper = mount(Pager, { props: { page: 1, total: 25, pageSize: 10 } })
    const [prev, next] = [wrapper.findAll('button').at(0), wrapper.findAll('button').at(-1)]
    expect(prev?.attributes('disabled')).toBeDefined()
    await next?.trigger('click')
    await wrapper.find('button[aria-label="第 3 页"]').trigger('click')
    expect(wrapper.emitted('change')).toEqual([[2], [3]])
  })
})
