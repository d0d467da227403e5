import { mount, RouterLinkStub } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import type { Hit } from '@/api/types'
import HitCard from '@/components/HitCard.vue'

import { makeHit } from './hitFixtures'

function mountCard(hit: Hit, props: Record<string, unknown> = {}) {
  return mount(HitCard, { props: { hit, ...props }, global: { stubs: { RouterLink: RouterLinkStub } } })
}

describe('HitCard', () => {
  it('marks the highlighted spans of the passage', () => {
    const wrapper = mountCard(makeHit())
    const marks = wrapper.findAll('.passage mark').map((m) => m.text())
    expect(marks).toEqual(['醉酒驾驶', '不起诉'])
    expect(wrapper.find('.passage').text()).toContain('【要旨】醉酒驾驶机动车，情节轻微的，可以作出不起诉决定。')
  })

  it('renders hostile server text literally, never as HTML', () => {
    const passage = '<script>alert(1)</script><img src=x onerror=alert(2)>盗窃'
    const hit = makeHit({
      title: '<b>标题</b><script>alert("t")</script>',
      passage,
      highlights: [[0, 8]],
      reasons: [{ kind: 'keyword', value: 'x', label: '<i>关键词</i>' }],
    })
    const wrapper = mountCard(hit)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.find('i').exists()).toBe(false)
    expect(wrapper.find('.passage mark').text()).toBe('<script>')
    expect(wrapper.find('.passage').text()).toContain('<img src=x onerror=alert(2)>盗窃')
    expect(wrapper.find('.title-link').text()).toBe('<b>标题</b><script>alert("t")</script>')
    expect(wrapper.html()).toContain('&lt;script&gt;')
  })

  it('shows the reasons for the match as chips', () => {
    const wrapper = mountCard(makeHit())
    expect(wrapper.findAll('.reasons li').map((li) => li.text())).toEqual(['同罪名：危险驾驶罪', '同处理结果：不起诉'])
  })

  it('shows the 示例 badge for illustrative entries and links to the entry page', () => {
    const wrapper = mountCard(makeHit())
    expect(wrapper.find('.badge-demo').text()).toBe('示例')
    expect(wrapper.findComponent(RouterLinkStub).props('to')).toEqual({ name: 'entry', params: { id: 'c1' } })
  })

  it('emits toggle-compare from its labelled checkbox and disables it when the tray is full', async () => {
    const wrapper = mountCard(makeHit())
    const box = wrapper.find('input[type="checkbox"]')
    expect(box.attributes('aria-label')).toContain('王某危险驾驶案')
    await box.trigger('change')
    expect(wrapper.emitted('toggle-compare')?.[0]?.[0]).toMatchObject({ id: 'c1' })

    const full = mountCard(makeHit(), { trayFull: true })
    expect(full.find('input[type="checkbox"]').attributes('disabled')).toBeDefined()
    const inTray = mountCard(makeHit(), { trayFull: true, inTray: true })
    expect(inTray.find('input[type="checkbox"]').attributes('disabled')).toBeUndefined()
  })

  it('renders a law hit as the law and its article, linked to the article, without the compare box', () => {
    const hit = makeHit({
      id: 'law1',
      kind: 'law',
      title: '中华人民共和国刑法（示例）',
      number: null,
      case_type: null,
      section: 'article',
      section_label: '第二编 分则 第二章 危害公共安全罪 第一百三十三条之一',
      passage: '示例：醉酒驾驶机动车的，处拘役，并处罚金。',
      highlights: [[3, 7]],
      reasons: [],
    })
    const wrapper = mountCard(hit)
    expect(wrapper.find('.title-link').text()).toBe('中华人民共和国刑法（示例）\u2002第一百三十三条之一')
    expect(wrapper.find('.hit-article').text()).toBe('第一百三十三条之一')
    expect(wrapper.findComponent(RouterLinkStub).props('to')).toEqual({
      name: 'entry',
      params: { id: 'law1' },
      query: { article: '第一百三十三条之一' },
    })
    expect(wrapper.find('[data-testid="hit-kind"]').text()).toBe('法律法规')
    expect(wrapper.find('.section-label').text()).toBe('【第二编 分则 第二章 危害公共安全罪】')
    expect(wrapper.find('input[type="checkbox"]').exists()).toBe(false)
  })
})
