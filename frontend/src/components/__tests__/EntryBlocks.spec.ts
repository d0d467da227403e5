import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { Component } from 'vue'

import EntryElements from '@/components/EntryElements.vue'
import EntryNotices from '@/components/EntryNotices.vue'
import EntryToc from '@/components/EntryToc.vue'
import EntryVersionsPanel from '@/components/EntryVersionsPanel.vue'
import WarningBox from '@/components/WarningBox.vue'
import { resetSession } from '@/stores/session'
import { shownSections } from '@/utils/entrySections'
import { signedInAs, testRouter } from '@/views/__tests__/fakeApi'
import { lawDetail, links } from '@/views/__tests__/lawFixtures'
import { entryDetail } from '@/views/__tests__/workflowFixtures'

// The blocks of an entry page drawn from the entry alone: elements, warning box, contents, notices, versions.

afterEach(() => resetSession())

async function mountWith(component: Component, props: Record<string, unknown>, path = '/entries/c1') {
  const router = await testRouter(path)
  return mount(component, { props, global: { plugins: [router] } })
}

describe('EntryElements', () => {
  it('shows the filled-in fields only, charges and outcomes as search links', async () => {
    const entry = entryDetail('c1', { stage: '审查起诉', line: '刑事检察', sub_line: '普通犯罪', provisions: ['《刑法》第二百六十四条', '《刑事诉讼法》第一百七十七条'] })
    const wrapper = await mountWith(EntryElements, { entry })
    expect(wrapper.find('section').attributes('aria-labelledby')).toBe('elements-h')
    expect(wrapper.findAll('.element').map((r) => r.attributes('data-field'))).toEqual(['charges', 'outcomes', 'provisions', 'line', 'stage'])
    const charge = wrapper.find('.element[data-field="charges"] a.chip')
    expect(charge.text()).toBe('盗窃罪')
    expect(charge.attributes('href')).toBe('/?charges=%E7%9B%97%E7%AA%83%E7%BD%AA')
    expect(wrapper.findAll('.element[data-field="provisions"] li').map((li) => li.text())).toEqual([
      '《刑法》第二百六十四条',
      '《刑事诉讼法》第一百七十七条',
    ])
    expect(wrapper.find('.element[data-field="line"] dd').text()).toBe('刑事检察 · 普通犯罪')
  })

  it('leaves the provisions to their own block once they are resolved, and renders nothing when all is empty', async () => {
    const linked = await mountWith(EntryElements, { entry: entryDetail('c1', { provisions: ['《刑法》第一百三十三条之一'], provision_links: links }) })
    expect(linked.find('.element[data-field="provisions"]').exists()).toBe(false)
    const bare = await mountWith(EntryElements, { entry: entryDetail('c1', { charges: [], outcomes: [], line: null }) })
    expect(bare.find('section').exists()).toBe(false)
  })
})

describe('WarningBox', () => {
  it('shows what went wrong on a warning case, one field a row', async () => {
    const entry = entryDetail('w1', { error_type: '超期羁押', consequence: '通报批评' })
    const wrapper = await mountWith(WarningBox, { entry })
    const box = wrapper.find('[data-testid="warning-box"]')
    expect(box.find('h2').text()).toBe('警示要点')
    expect(box.findAll('dt').map((d) => d.text())).toEqual(['错误类型', '责任后果'])
    expect(box.findAll('dd').map((d) => d.text())).toEqual(['超期羁押', '通报批评'])
  })

  it('renders nothing on an ordinary case', async () => {
    const wrapper = await mountWith(WarningBox, { entry: entryDetail('c1') })
    expect(wrapper.find('[data-testid="warning-box"]').exists()).toBe(false)
  })
})

describe('EntryToc', () => {
  it('links each 编/章 of a law, keeping the query', async () => {
    const law = lawDetail()
    const wrapper = await mountWith(EntryToc, { entryId: 'law1', isLaw: true, sections: shownSections(law) }, '/entries/law1?version=1')
    const toc = wrapper.find('[data-testid="law-toc"]')
    expect(toc.attributes('aria-label')).toBe('章节')
    expect(toc.findAll('a').map((a) => a.attributes('href'))).toEqual([
      '/entries/law1?version=1#sec-0',
      '/entries/law1?version=1#sec-2',
      '/entries/law1?version=1#sec-3',
    ])
  })

  it('lists the sections of anything else with more than two, and nothing for fewer', async () => {
    const sections = shownSections(entryDetail('c1'))
    const short = await mountWith(EntryToc, { entryId: 'c1', isLaw: false, sections })
    expect(short.find('nav').exists()).toBe(false)
    const more = [...sections, { ...sections[1]!, index: 2, anchor: 'sec-2', title: '处理结果' }]
    const long = await mountWith(EntryToc, { entryId: 'c1', isLaw: false, sections: more })
    expect(long.find('nav').attributes('aria-label')).toBe('目录')
    expect(long.findAll('nav a').map((a) => a.attributes('href'))).toEqual(['#sec-0', '#sec-1', '#sec-2'])
  })
})

describe('EntryNotices', () => {
  it('tells a reader an older version is shown', async () => {
    const wrapper = await mountWith(EntryNotices, { entry: entryDetail('c1', { version: 1, published_version: 2, status: 'published' }), defaultVersion: 2, latestVersion: 2 })
    const notice = wrapper.find('[data-testid="old-version"]')
    expect(notice.text()).toContain('第 1 版')
    expect(notice.find('a').attributes('href')).toBe('/entries/c1')
    expect(wrapper.find('[data-testid="workflow-notice"]').exists()).toBe(false)
  })

  it('tells staff, and only staff, of a newer working version', async () => {
    const entry = entryDetail('c1', { version: 1, published_version: 1, status: 'submitted' })
    signedInAs(['search', 'entries:read'])
    const reader = await mountWith(EntryNotices, { entry, defaultVersion: 1, latestVersion: 2 })
    expect(reader.find('[data-testid="workflow-notice"]').exists()).toBe(false)
    signedInAs(['search', 'entries:read', 'entries:read_unpublished'])
    const staff = await mountWith(EntryNotices, { entry, defaultVersion: 1, latestVersion: 2 })
    expect(staff.find('[data-testid="workflow-notice"] a').attributes('href')).toBe('/workflow/c1')
    expect(staff.find('[data-testid="old-version"]').exists()).toBe(false)
  })
})

describe('EntryVersionsPanel', () => {
  it('marks the published, latest and shown versions and links the default one without ?version', async () => {
    const versions = [
      { version: 2, created_at: '2026-11-21T08:00:00Z', content_hash: 'h2', source: null, published: false },
      { version: 1, created_at: '2026-11-20T08:00:00Z', content_hash: 'h1', source: null, published: true },
    ]
    const wrapper = await mountWith(EntryVersionsPanel, { entryId: 'c1', current: 1, versions, latestVersion: 2, defaultVersion: 1 })
    const items = wrapper.findAll('[data-testid="versions"] li')
    expect(items.map((li) => li.find('a').attributes('href'))).toEqual(['/entries/c1?version=2', '/entries/c1'])
    expect(items[0]!.text()).toContain('最新')
    expect(items[1]!.classes()).toContain('current')
    expect(items[1]!.find('a').attributes('aria-current')).toBe('page')
    expect(items[1]!.find('[data-testid="version-published"]').exists()).toBe(true)
  })
})
