import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type * as Client from '@/api/client'
import { uploadFiles } from '@/api/client'
import type { IngestResponse } from '@/api/types'
import { resetSession } from '@/stores/session'
import UploadView from '@/views/UploadView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { EDITOR, wfItem } from './workflowFixtures'

const answer: IngestResponse = {
  ok: true,
  summary: { created: 1, updated: 0, unchanged: 0, failed: 0 },
  files: [
    {
      name: 'case.txt',
      status: 'created',
      error: null,
      warnings: [{ code: 'near_duplicate', detail: '“孙某盗窃案”疑似与已有条目“孙某盗窃不起诉案”为同一案件，请核对' }],
      entries: [{ id: 'e1', title: '孙某盗窃案', kind: 'case', number: null, status: 'created', version: 1, workflow_status: 'draft' }],
    },
  ],
}

vi.mock('@/api/client', async (importOriginal) => {
  const original = await importOriginal<typeof Client>()
  return {
    ...original,
    uploadFiles: vi.fn(() => ({ promise: Promise.resolve(structuredClone(answer)), abort: () => undefined })),
  }
})

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

async function upload(permissions: string[], handlers: Parameters<typeof fakeFetch>[0] = {}) {
  signedInAs(permissions)
  const calls = fakeFetch(handlers)
  const router = await testRouter('/upload')
  const wrapper = mount(UploadView, { global: { plugins: [router] } })
  const input = wrapper.find('[data-testid="file-input"]')
  Object.defineProperty(input.element, 'files', { value: [new File(['孙某盗窃案'], 'case.txt')], configurable: true })
  await input.trigger('change')
  await settle()
  return { wrapper, calls }
}

describe('UploadView and the workflow', () => {
  it('says the import was saved as a draft, links the workflow page and submits for review', async () => {
    const { wrapper, calls } = await upload(EDITOR, {
      'POST /api/workflow/entries/e1/submit': { status: 200, body: wfItem('e1', 'submitted') },
    })
    expect(wrapper.find('[data-testid="draft-note"]').text()).toBe('已保存为草稿，提交审核后才会被检索到')
    expect(wrapper.find('[data-testid="upload-warning"]').text()).toContain('疑似与已有条目')
    const row = wrapper.find('li[data-entry-id="e1"]')
    expect(row.find('[data-testid="workflow-status"]').text()).toBe('草稿')
    expect(row.find('[data-testid="workflow-link"]').attributes('href')).toBe('/workflow/e1')
    await row.find('[data-testid="submit-entry"]').trigger('click')
    await settle()
    expect(calls.find((c) => c.method === 'POST')?.path).toBe('/api/workflow/entries/e1/submit')
    expect(row.find('[data-testid="workflow-status"]').text()).toBe('待审核')
    expect(row.find('[data-testid="submit-entry"]').exists()).toBe(false)
  })

  it('offers no submit button without entries:submit and shows why a submit failed', async () => {
    const importer = await upload(['entries:import', 'entries:read_unpublished'])
    expect(importer.wrapper.find('[data-testid="submit-entry"]').exists()).toBe(false)
    expect(importer.wrapper.find('[data-testid="workflow-link"]').exists()).toBe(true)
    resetSession()
    const { wrapper } = await upload(EDITOR, {
      'POST /api/workflow/entries/e1/submit': { status: 409, body: { code: 'invalid_transition', detail: '条目已提交审核' } },
    })
    await wrapper.find('[data-testid="submit-entry"]').trigger('click')
    await settle()
    expect(wrapper.find('li[data-entry-id="e1"] [role="alert"]').text()).toBe('条目已提交审核')
  })
})

describe('UploadView 导入类型', () => {
  it('sends no kind by default and the chosen kind (法律法规) for files added after choosing it', async () => {
    vi.mocked(uploadFiles).mockClear()
    const { wrapper } = await upload(EDITOR)
    expect(vi.mocked(uploadFiles).mock.calls[0]?.[1]?.kind).toBeNull()
    const select = wrapper.find('#upload-kind')
    expect(wrapper.find('label[for="upload-kind"]').text()).toBe('导入类型')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['自动识别', '法律法规（逐条导入）', '办案指引'])
    await select.setValue('law')
    const input = wrapper.find('[data-testid="file-input"]')
    Object.defineProperty(input.element, 'files', { value: [new File(['第一条 示例'], 'law.txt')], configurable: true })
    await input.trigger('change')
    await settle()
    expect(vi.mocked(uploadFiles).mock.calls[1]?.[1]?.kind).toBe('law')
  })
})
