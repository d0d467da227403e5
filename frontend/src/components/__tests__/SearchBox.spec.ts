import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'

import SearchBox from '@/components/SearchBox.vue'
import { MULTILINE_THRESHOLD } from '@/utils/constants'

function mountBox(initial = '') {
  const value = ref(initial)
  const wrapper = mount(SearchBox, {
    props: {
      modelValue: value.value,
      'onUpdate:modelValue': async (v: string) => {
        value.value = v
        await wrapper.setProps({ modelValue: v })
      },
    },
    attachTo: document.body,
  })
  return { wrapper, value }
}

describe('SearchBox', () => {
  it('is a labelled single-line input for short queries and submits on Enter', async () => {
    const { wrapper } = mountBox('醉酒驾驶')
    const input = wrapper.find('input#kb-search')
    expect(input.exists()).toBe(true)
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.find('label[for="kb-search"]').text()).toBe('检索内容')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([['醉酒驾驶']])
    wrapper.unmount()
  })

  it('grows into a textarea when the text gets long', async () => {
    const { wrapper } = mountBox('')
    const long = '某'.repeat(MULTILINE_THRESHOLD + 1)
    const input = wrapper.find('input')
    ;(input.element as HTMLInputElement).value = long
    await input.trigger('input')
    await nextTick()
    const area = wrapper.find('textarea#kb-search')
    expect(area.exists()).toBe(true)
    expect((area.element as HTMLTextAreaElement).value).toBe(long)
    expect(wrapper.find('.long-hint').text()).toContain(`已输入 ${MULTILINE_THRESHOLD + 1} 字`)
    wrapper.unmount()
  })

  it('uses a textarea for text with line breaks and submits it with Ctrl+Enter only', async () => {
    const text = '基本案情：\n王某饮酒后驾驶机动车'
    const { wrapper } = mountBox(text)
    const area = wrapper.find('textarea')
    expect(area.exists()).toBe(true)
    await area.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('submit')).toBeUndefined()
    await area.trigger('keydown', { key: 'Enter', ctrlKey: true })
    expect(wrapper.emitted('submit')).toEqual([[text]])
    wrapper.unmount()
  })

  it('keeps line breaks of pasted multi-line text by switching to the textarea', async () => {
    const { wrapper, value } = mountBox('')
    const input = wrapper.find('input')
    const event = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent
    Object.defineProperty(event, 'clipboardData', { value: { getData: () => '第一行\r\n第二行' } })
    input.element.dispatchEvent(event)
    await nextTick()
    await nextTick()
    expect(event.defaultPrevented).toBe(true)
    expect(value.value).toBe('第一行\n第二行')
    expect(wrapper.find('textarea').exists()).toBe(true)
    expect(document.activeElement).toBe(wrapper.find('textarea').element)
    wrapper.unmount()
  })

  it('clears the query with a labelled button', async () => {
    const { wrapper, value } = mountBox('盗窃')
    const clear = wrapper.find('button.clear')
    expect(clear.attributes('aria-label')).toBe('清空检索内容')
    await clear.trigger('click')
    expect(value.value).toBe('')
    wrapper.unmount()
  })
})
