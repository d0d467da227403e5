import { afterEach, describe, expect, it, vi } from 'vitest'

import { setCsrfToken } from '@/api/client'
import { editWorkflowEntry, getBatch, getWorkflowEntry, listBatches, listWorkflow, publishBatch, transition } from '@/api/workflow'
import { fakeFetch } from '@/views/__tests__/fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
})

describe('workflow client', () => {
  it('lists entries with the status, kind, query and paging parameters', async () => {
    const calls = fakeFetch({ 'GET /api/workflow/entries': { total: 0, page: 2, page_size: 20, counts: {}, items: [] } })
    await listWorkflow({ status: 'submitted', kind: 'case', q: '检例第1号', page: 2, page_size: 20 })
    expect(calls[0]?.query.toString()).toBe('status=submitted&kind=case&q=%E6%A3%80%E4%BE%8B%E7%AC%AC1%E5%8F%B7&page=2&page_size=20')
  })

  it('reads and edits one entry; the edit is a PUT with the CSRF token', async () => {
    setCsrfToken('tok')
    const calls = fakeFetch({ 'GET /api/workflow/entries/a%2Fb': {}, 'PUT /api/workflow/entries/a%2Fb': {} })
    await getWorkflowEntry('a/b')
    await editWorkflowEntry('a/b', { title: '新标题', note: '改标题' })
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/workflow/entries/a%2Fb', 'PUT /api/workflow/entries/a%2Fb'])
    expect(calls[1]?.body).toEqual({ title: '新标题', note: '改标题' })
    expect(calls[1]?.headers['X-CSRF-Token']).toBe('tok')
  })

  it('sends the comment or reason each transition expects', async () => {
    const calls = fakeFetch({
      'POST /api/workflow/entries/e1/submit': {},
      'POST /api/workflow/entries/e1/approve': {},
      'POST /api/workflow/entries/e1/reject': {},
      'POST /api/workflow/entries/e1/retract': {},
    })
    await transition('e1', 'submit')
    await transition('e1', 'approve', '同意')
    await transition('e1', 'reject', '补充案情')
    await transition('e1', 'retract', '与新规定不一致')
    expect(calls.map((c) => c.body)).toEqual([{}, { comment: '同意' }, { comment: '补充案情' }, { reason: '与新规定不一致' }])
  })

  it('lists, reads and publishes batches', async () => {
    const calls = fakeFetch({ 'GET /api/batches': { items: [] }, 'GET /api/batches/3': {}, 'POST /api/batches': {} })
    await listBatches()
    await getBatch(3)
    await publishBatch({ entry_ids: ['e1', 'e2'], issuer: '最高人民检察院', published_on: '2026-11-26' })
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/batches', 'GET /api/batches/3', 'POST /api/batches'])
    expect(calls[2]?.body).toEqual({ entry_ids: ['e1', 'e2'], issuer: '最高人民检察院', published_on: '2026-11-26' })
  })

  it('turns a 409 into an error with the Chinese detail and the problem body', async () => {
    fakeFetch({
      'POST /api/workflow/entries/e1/approve': {
        status: 409,
        body: { code: 'invalid_transition', detail: '不能审核自己提交的条目', title: 'Conflict' },
      },
    })
    await expect(transition('e1', 'approve')).rejects.toMatchObject({ status: 409, code: 'invalid_transition', detail: '不能审核自己提交的条目' })
  })
})
