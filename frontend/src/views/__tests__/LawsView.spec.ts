import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import LawsView from '@/views/LawsView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { summary } from './lawFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

const LAWS = [
  summary('law1', { kind: 'law', title: '中华人民共和国刑法（示例）', issuer: '全国人民代表大会', publish_date: '2023-12-29', article_count: 4 }),
  summary('law2', { kind: 'law', title: '中华人民共和国刑事诉讼法（示例）', issuer: '全国人民代表大会', illustrative: false }),
  summary('law3', {
    kind: 'law',
    title: '最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释（示例）',
    issuer: '最高人民法院、最高人民检察院',
    line: null,
  }),
]

async function mountLaws(path: string, items = LAWS) {
  signedInAs(['search', 'entries:read'])
  const calls = fakeFetch({ 'GET /api/entries': { total: items.length, page: 1, page_size: 1000, items } })
  const router = await testRouter(path)
  const wrapper = mount(LawsView, { global: { plugins: [router] } })
  await settle()
  return { wrapper, calls, router }
}

describe('LawsView', () => {
  it('lists the laws with issuer, date and article count, asking for kind=law', async () => {
    const { wrapper, calls } = await mountLaws('/laws')
    expect(wrapper.find('h1').text()).toBe('法律法规')
    const call = calls.find((c) => c.path === '/api/entries')
    expect(call?.query.get('kind')).toBe('law')
    const items = wrapper.findAll('[data-testid="law-list"] li')
    expect(items).toHaveLength(3)
    expect(items[0]!.find('a').attributes('href')).toBe('/entries/law1')
    expect(items[0]!.text()).toContain('4 条')
    expect(items[0]!.text()).toContain('全国人民代表大会 · 2023-12-29')
    expect(items[0]!.text()).toContain('示例')
    // No article count from the API: no badge rather than "0 条".
    expect(items[1]!.text()).not.toContain(' 条')
    expect(wrapper.find('[data-testid="laws-count"]').text()).toBe('显示 3 / 3 部')
  })

  it('shows no article badge for a law without articles (an amendment, counted 0)', async () => {
    const amendment = summary('law4', { kind: 'law', title: '中华人民共和国刑法修正案（示例）', article_count: 0 })
    const { wrapper } = await mountLaws('/laws', [amendment, LAWS[0]!])
    const items = wrapper.findAll('[data-testid="law-list"] li')
    const byId = Object.fromEntries(items.map((li) => [li.attributes('data-entry-id'), li]))
    expect(byId.law4!.find('.badge:not(.badge-demo):not(.badge-accent)').exists()).toBe(false)
    expect(byId.law4!.text()).not.toContain('0 条')
    expect(byId.law1!.text()).toContain('4 条')
  })

  it('filters by name or issuer through the URL', async () => {
    const { wrapper, router } = await mountLaws('/laws?q=最高人民检察院')
    expect((wrapper.find('#laws-text').element as HTMLInputElement).value).toBe('最高人民检察院')
    expect(wrapper.findAll('[data-testid="law-list"] li').map((li) => li.attributes('data-entry-id'))).toEqual(['law3'])
    expect(wrapper.find('[data-testid="laws-count"]').text()).toBe('显示 1 / 3 部')

    const input = wrapper.find('#laws-text')
    await input.setValue('刑事诉讼')
    await settle()
    expect(router.currentRoute.value.query.q).toBe('刑事诉讼')
    expect(wrapper.findAll('[data-testid="law-list"] li').map((li) => li.attributes('data-entry-id'))).toEqual(['law2'])
  })

  it('says when nothing matches and clears the filter', async () => {
    const { wrapper, router } = await mountLaws('/laws?q=不存在的法')
    const none = wrapper.find('[data-testid="laws-no-match"]')
    expect(none.text()).toContain('没有符合条件的法律法规')
    await none.find('button').trigger('click')
    await settle()
    expect(router.currentRoute.value.query.q).toBeUndefined()
    expect(wrapper.findAll('[data-testid="law-list"] li')).toHaveLength(3)
  })

  it('explains how to ingest laws when there are none', async () => {
    const { wrapper } = await mountLaws('/laws', [])
    const empty = wrapper.find('[data-testid="laws-empty"]')
    expect(empty.text()).toContain('知识库中还没有法律法规')
    expect(empty.find('code').text()).toBe('kb ingest --kind law <文件或目录>')
    expect(wrapper.find('#laws-text').exists()).toBe(false)
  })

  it('shows the API error with a retry', async () => {
    signedInAs(['search', 'entries:read'])
    fakeFetch({ 'GET /api/entries': { status: 503, body: { detail: '存储暂不可用' } } })
    const router = await testRouter('/laws')
    const wrapper = mount(LawsView, { global: { plugins: [router] } })
    await settle()
    expect(wrapper.find('[data-testid="error-state"]').text()).toContain('存储暂不可用')
  })
})
