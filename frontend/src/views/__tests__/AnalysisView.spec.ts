import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import AnalysisView from '@/views/AnalysisView.vue'

import { analysisAnswer } from './analysisFixtures'
import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
  window.sessionStorage.clear()
})

const QUERY = '示例：张某醉酒驾驶机动车，认罪认罚，系初犯。'

async function mountAnalysis(handlers: Parameters<typeof fakeFetch>[0], path = '/analysis') {
  signedInAs(['search', 'entries:read'])
  const calls = fakeFetch(handlers)
  const router = await testRouter(path)
  const wrapper = mount(AnalysisView, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls, router }
}

async function analyse(handlers: Parameters<typeof fakeFetch>[0], text = QUERY) {
  const mounted = await mountAnalysis(handlers)
  await mounted.wrapper.find('#analysis-text').setValue(text)
  await mounted.wrapper.find('form').trigger('submit')
  await settle()
  return mounted
}

describe('AnalysisView', () => {
  it('sends the text and filters, keeps a short text in the URL and shows the recognised elements', async () => {
    const { wrapper, calls, router } = await mountAnalysis({ 'POST /api/analysis': analysisAnswer() })
    await wrapper.find('#analysis-text').setValue(QUERY)
    await wrapper.find('#analysis-line').setValue('刑事检察')
    await wrapper.find('#analysis-text').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.path).toBe('/api/analysis')
    expect(post?.body).toEqual({ text: QUERY, filters: { line: ['刑事检察'] } })
    expect(router.currentRoute.value.query).toEqual({ text: QUERY, line: '刑事检察' })
    const rec = wrapper.find('[data-testid="recognised"]')
    expect(rec.find('[data-field="charges"]').text()).toContain('危险驾驶罪')
    expect(rec.find('[data-field="factors"]').text()).toContain('初犯')
    expect(rec.find('[data-field="factors"] dt').text()).toBe('决定因素')
    wrapper.unmount()
  })

  it('says under the recognised elements why a check of the text changed the inferred charges', async () => {
    const note = '案情未述死亡、重伤或财产损失，不按交通肇事罪推断'
    const answer = analysisAnswer()
    const query = { ...answer.query, charges_inferred: true, inferred_notes: [note] }
    const { wrapper } = await analyse({ 'POST /api/analysis': { ...answer, query } })
    const notes = wrapper.get('[data-testid="analysis-inferred-notes"]')
    expect(notes.findAll('li').map((li) => li.text())).toEqual([`依案情校正：${note}。`])
    wrapper.unmount()
    // none from an older server, or when no check changed the vote
    const plain = await analyse({ 'POST /api/analysis': analysisAnswer() })
    expect(plain.wrapper.find('[data-testid="analysis-inferred-notes"]').exists()).toBe(false)
    plain.wrapper.unmount()
  })

  it('marks every compared value as shared, missing or extra with a text marker, not colour alone', async () => {
    const { wrapper } = await analyse({ 'POST /api/analysis': analysisAnswer() })
    const table = wrapper.find('[data-testid="comparison-table"]')
    const heads = table.findAll('thead th.case-head')
    expect(heads.map((h) => h.attributes('data-case-id'))).toEqual(['c1', 'c2', 'c3'])
    expect(heads[0]!.find('a').attributes('href')).toBe('/entries/c1')
    expect(heads[0]!.text()).toContain('相似度 0.41')
    expect(heads[0]!.text()).toContain('指导性 ×3')

    const c3 = table.find('tr[data-field="charges"] td[data-case-id="c3"]')
    const marks = c3.findAll('.val').map((v) => [v.attributes('data-mark'), v.find('.txt').text(), v.text()])
    expect(marks).toEqual([
      ['extra', '交通肇事罪', '+仅类案：交通肇事罪'],
      ['missing', '危险驾驶罪', '−缺：危险驾驶罪'],
    ])
    const c1 = table.find('tr[data-field="factors"] td[data-case-id="c1"]')
    expect(c1.findAll('.val').map((v) => v.attributes('data-mark'))).toEqual(['shared', 'extra', 'missing'])
    expect(c1.find('[data-mark="shared"]').attributes('title')).toBe('相同：认罪认罚')
    // The query column shows the query's own values.
    expect(table.find('tr[data-field="factors"] td.query-cell').text()).toContain('认罪认罚')
    expect(wrapper.find('[data-testid="comparison-legend"]').text()).toContain('相同')
    wrapper.unmount()
  })

  it('lists the suggested provisions, each linking to its article with the reason it is suggested', async () => {
    const { wrapper } = await analyse({ 'POST /api/analysis': analysisAnswer() })
    const panel = wrapper.find('[data-testid="suggested-provisions"]')
    expect(panel.find('h2').text()).toBe('可能适用的条文')
    const items = panel.findAll('li.provision')
    expect(items.map((li) => li.attributes('data-article'))).toEqual(['第一百三十三条之一', '第六十七条', '第十五条'])
    expect(items[0]!.find('a').attributes('href')).toBe('/entries/law1#sec-4')
    expect(items[0]!.find('a').text()).toBe('中华人民共和国刑法（示例节选） 第一百三十三条之一')
    expect(items[0]!.find('[data-reason="cases"]').text()).toBe('2 件类案引用')
    expect(items[0]!.find('[data-reason="cases"]').attributes('title')).toBe(
      '引用该条的类案：王某危险驾驶案（示例-c1）；刘某危险驾驶案',
    )
    expect(items[0]!.find('[data-reason="charges"]').text()).toBe('罪名：危险驾驶罪')
    expect(items[0]!.find('[data-reason="direct"]').exists()).toBe(false)
    expect(items[1]!.find('[data-reason="charges"]').exists()).toBe(false)
    // Neither cited nor defining a charge: the direct match is the reason shown.
    expect(items[2]!.find('[data-reason="direct"]').text()).toBe('条文内容与案情相近')
    expect(items[2]!.find('a').attributes('href')).toBe('/entries/law2#sec-7')
    expect(items[2]!.text()).toContain('可以依法从宽处理')
    wrapper.unmount()
  })

  it('says so when no provision could be suggested, and shows no panel for an older server', async () => {
    const none = await analyse({ 'POST /api/analysis': analysisAnswer({ suggested_provisions: [] }) })
    expect(none.wrapper.find('[data-testid="provisions-none"]').text()).toContain('没有找到可能适用的条文')
    none.wrapper.unmount()
    const older = analysisAnswer()
    delete older.suggested_provisions
    const old = await analyse({ 'POST /api/analysis': older })
    expect(old.wrapper.find('[data-testid="suggested-provisions"]').exists()).toBe(false)
    old.wrapper.unmount()
  })

  it('shows five case columns, and up to ten with 显示更多', async () => {
    const base = analysisAnswer()
    const cases = Array.from({ length: 12 }, (_, i) => ({ ...base.cases[0]!, id: `k${i}`, title: `案${i}` }))
    const comparison = base.comparison.map((row) => ({
      ...row,
      cases: cases.map((c) => ({ id: c.id, values: [], shared: [], missing: row.query, extra: [] })),
    }))
    const { wrapper } = await analyse({ 'POST /api/analysis': analysisAnswer({ cases, comparison }) })
    expect(wrapper.findAll('thead th.case-head')).toHaveLength(5)
    const more = wrapper.find('[data-testid="comparison-more"]')
    expect(more.text()).toBe('显示更多（共 10 件）')
    await more.trigger('click')
    expect(wrapper.findAll('thead th.case-head')).toHaveLength(10)
    expect(more.attributes('aria-expanded')).toBe('true')
    wrapper.unmount()
  })

  it('draws the weighted distribution as labelled buttons; one click lists the cases behind a bar', async () => {
    const { wrapper } = await analyse({ 'POST /api/analysis': analysisAnswer() })
    const bars = wrapper.findAll('[data-testid="distribution-bars"] button')
    expect(bars.map((b) => b.attributes('aria-label'))).toEqual([
      '不起诉：加权占比 57.2%，1 件',
      '起诉：加权占比 42.8%，2 件',
    ])
    expect(bars[0]!.text()).toContain('57.2%')
    expect(bars[0]!.find('.fill').attributes('style')).toContain('width: 57.2%')
    expect(wrapper.find('[data-testid="distribution-basis"]').text()).toContain('指导性×3、典型×2、参考×1')

    const listed = () => wrapper.findAll('[data-testid="case-list"] li.case').map((li) => li.attributes('data-case-id'))
    expect(listed()).toEqual(['c1', 'c2', 'c3'])
    await bars[1]!.trigger('click')
    expect(bars[1]!.attributes('aria-pressed')).toBe('true')
    expect(listed()).toEqual(['c2', 'c3'])
    expect(wrapper.find('#cases-h').text()).toBe('处理结果为“起诉”的类案（2 件）')
    const compare = wrapper.find('[data-testid="compare-top"]')
    expect(compare.text()).toBe('与前 2 件逐项对比')
    expect(compare.attributes('href')).toBe('/compare?ids=c2&ids=c3')
    // Pressing the same bar again shows every case.
    await bars[1]!.trigger('click')
    expect(listed()).toEqual(['c1', 'c2', 'c3'])
    wrapper.unmount()
  })

  it('shows the divergence banner with its detail and the cases of each outcome, and none when not flagged', async () => {
    const { wrapper } = await analyse({ 'POST /api/analysis': analysisAnswer() })
    const banner = wrapper.find('[data-testid="divergence-banner"]')
    expect(banner.text()).toContain('相似度不低于 0.10 的 3 件类案处理结果不一致')
    const groups = banner.findAll('li.group')
    expect(groups.map((g) => g.attributes('data-outcome'))).toEqual(['不起诉', '起诉'])
    expect(groups[1]!.findAll('a').map((a) => [a.text(), a.attributes('href')])).toEqual([
      ['刘某危险驾驶案', '/entries/c2'],
      ['郑某交通肇事案', '/entries/c3'],
    ])
    wrapper.unmount()

    const calm = analysisAnswer({ divergence: { flagged: false, threshold: 0.1, detail: '', groups: [] } })
    const second = await analyse({ 'POST /api/analysis': calm })
    expect(second.wrapper.find('[data-testid="comparison-table"]').exists()).toBe(true)
    expect(second.wrapper.find('[data-testid="divergence-banner"]').exists()).toBe(false)
    second.wrapper.unmount()
  })

  it('shows the problem detail the API sent', async () => {
    const { wrapper } = await analyse({
      'POST /api/analysis': { status: 422, body: { code: 'invalid_query', title: '查询无效', detail: '请粘贴需要比对的案情' } },
    })
    const error = wrapper.find('[data-testid="error-state"]')
    expect(error.find('h2').text()).toBe('分析失败')
    expect(error.text()).toContain('请粘贴需要比对的案情')
    wrapper.unmount()
  })

  it('says so when no similar case was found', async () => {
    const empty = analysisAnswer({
      cases: [],
      comparison: [],
      distribution: { basis: '', total_weight: 0, outcomes: [] },
      divergence: { flagged: false, threshold: 0.1, detail: '', groups: [] },
    })
    const { wrapper } = await analyse({ 'POST /api/analysis': empty })
    expect(wrapper.find('[data-testid="empty-state"]').text()).toContain('没有找到相似类案')
    wrapper.unmount()
  })

  it('refuses an empty or too long text before asking the server', async () => {
    const { wrapper, calls } = await mountAnalysis({ 'POST /api/analysis': analysisAnswer() })
    await wrapper.find('form').trigger('submit')
    expect(wrapper.find('[data-testid="form-error"]').text()).toBe('请粘贴需要比对的案情')
    await wrapper.find('#analysis-text').setValue('案'.repeat(20_001))
    await wrapper.find('form').trigger('submit')
    expect(wrapper.find('[data-testid="form-error"]').text()).toBe('案情不能超过 20,000 字，请删减后再分析')
    expect(wrapper.find('[data-testid="char-count"]').classes()).toContain('over')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    wrapper.unmount()
  })

  it('keeps a long text in sessionStorage, not in the URL, and runs it again after a reload', async () => {
    const long = `示例：${'案情描述'.repeat(80)}`
    const { wrapper, router, calls } = await analyse({ 'POST /api/analysis': analysisAnswer() }, long)
    expect(router.currentRoute.value.query).toEqual({ stored: '1' })
    expect(window.sessionStorage.getItem('kb.analysis.text')).toBe(long)
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
    wrapper.unmount()

    const again = await mountAnalysis({ 'POST /api/analysis': analysisAnswer() }, '/analysis?stored=1')
    expect((again.wrapper.find('#analysis-text').element as HTMLTextAreaElement).value).toBe(long)
    expect(again.calls.find((c) => c.method === 'POST')?.body).toEqual({ text: long })
    expect(again.wrapper.find('[data-testid="comparison-table"]').exists()).toBe(true)
    again.wrapper.unmount()
  })

  it('prefills the 基本案情 of the case it was opened from, without running', async () => {
    const entry = {
      id: 'e9',
      title: '李某盗窃案',
      sections: [
        { key: 'gist', label: '要旨', heading: null, text: '要旨文字', path: [] },
        { key: 'facts', label: '基本案情', heading: null, text: '李某于某日盗窃手机一部。', path: [] },
      ],
    }
    const { wrapper, calls } = await mountAnalysis(
      { 'GET /api/entries/e9': entry, 'POST /api/analysis': analysisAnswer() },
      '/analysis?from=e9',
    )
    expect((wrapper.find('#analysis-text').element as HTMLTextAreaElement).value).toBe('李某于某日盗窃手机一部。')
    expect(wrapper.find('[data-testid="prefilled"]').text()).toContain('李某盗窃案')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    wrapper.unmount()
  })
})
