import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import ProvisionLinks from '@/components/ProvisionLinks.vue'
import { routes } from '@/router'
import { links } from '@/views/__tests__/lawFixtures'

async function mountLinks(list = links) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/')
  return mount(ProvisionLinks, { props: { links: list }, global: { plugins: [router] }, attachTo: document.body })
}

describe('ProvisionLinks', () => {
  it('links a resolved provision to its law article by section index', async () => {
    const wrapper = await mountLinks()
    const items = wrapper.findAll('li.prov')
    expect(items.map((li) => li.attributes('data-state'))).toEqual(['resolved', 'unresolved', 'law-only'])
    const link = items[0]!.find('a.prov-name')
    expect(link.text()).toBe('《刑法》第一百三十三条之一')
    expect(link.attributes('href')).toBe('/entries/law1#sec-2')
    expect(link.attributes('title')).toBe('在《中华人民共和国刑法（示例）》中查看第一百三十三条之一')
    expect(items[0]!.find('.prov-note').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows an unresolved provision as plain text with a note, and a known law without the article as a link to the law', async () => {
    const wrapper = await mountLinks()
    const [, unresolved, lawOnly] = wrapper.findAll('li.prov')
    expect(unresolved!.find('a').exists()).toBe(false)
    expect(unresolved!.find('.prov-name').text()).toBe('《刑事诉讼法》第一百七十七条')
    expect(unresolved!.find('.prov-note').text()).toBe('本库暂未收录该法律法规')
    expect(unresolved!.find('button').exists()).toBe(false)
    expect(lawOnly!.find('a').attributes('href')).toBe('/entries/law1')
    expect(lawOnly!.find('.prov-note').text()).toBe('本库收录了该法律法规，但未找到该条')
    wrapper.unmount()
  })

  it('discloses the article text in place with a button that reports its state', async () => {
    const wrapper = await mountLinks()
    const button = wrapper.find('li.prov button.prov-toggle')
    const panel = wrapper.find('[data-testid="provision-article"]')
    expect(button.attributes('type')).toBe('button')
    expect(button.attributes('aria-expanded')).toBe('false')
    expect(button.attributes('aria-controls')).toBe(panel.attributes('id'))
    expect(button.attributes('aria-label')).toBe('显示条文：《刑法》第一百三十三条之一')
    expect(panel.isVisible()).toBe(false)

    await button.trigger('click')
    expect(button.attributes('aria-expanded')).toBe('true')
    expect(button.text()).toContain('收起条文')
    expect(panel.isVisible()).toBe(true)
    expect(panel.findAll('.prov-para').map((p) => p.text())).toEqual([
      '示例：醉酒驾驶机动车的，处拘役，并处罚金。',
      '有前款行为，同时构成其他犯罪的，依照处罚较重的规定定罪处罚。',
    ])
    expect(panel.find('.prov-source').text()).toBe('《中华人民共和国刑法（示例）》第一百三十三条之一')

    await button.trigger('click')
    expect(button.attributes('aria-expanded')).toBe('false')
    expect(panel.isVisible()).toBe(false)
    wrapper.unmount()
  })

  it('renders hostile provision and article text literally', async () => {
    const hostile = [{ ...links[0]!, provision: '<img src=x onerror=alert(1)>', text: '<script>alert(2)</script>' }]
    const wrapper = await mountLinks(hostile)
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('a.prov-name').text()).toBe('<img src=x onerror=alert(1)>')
    wrapper.unmount()
  })
})
