import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import { todayIso } from '@/utils/workflow'
import WorkflowView from '@/views/WorkflowView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { batch, EDITOR, REVIEWER, wfEvent, wfItem, wfList } from './workflowFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
  document.body.innerHTML = ''
})

async function mountView(permissions: string[], path: string, handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(permissions)
  const calls = fakeFetch(handlers)
  const router = await testRouter(path)
  const wrapper = mount(WorkflowView, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls, router }
}

const actionsOf = (w: ReturnType<typeof mount>, id: string) =>
  w.findAll(`tr[data-entry-id="${id}"] [data-action]`).map((b) => b.attributes('data-action'))

describe('WorkflowView', () => {
  it('shows a tab per state with the counts and asks for the tab in the URL', async () => {
    const { wrapper, calls } = await mountView(EDITOR, '/workflow?status=draft', {
      'GET /api/workflow/entries': wfList([wfItem('e1', 'draft')]),
    })
    const tabs = wrapper.findAll('[data-testid="workflow-tabs"] .tab')
    expect(tabs.map((t) => t.text().replace(/\s+/g, ''))).toEqual(['草稿3', '待审核2', '已审核1', '已发布40', '已撤回0'])
    expect(wrapper.find('.tab.active').attributes('data-status')).toBe('draft')
    expect(calls[0]?.query.get('status')).toBe('draft')
    expect(calls[0]?.query.get('page_size')).toBe('20')
  })

  it('starts reviewers on 待审核 and editors on 草稿', async () => {
    const { calls } = await mountView(REVIEWER, '/workflow', { 'GET /api/workflow/entries': wfList([]) })
    expect(calls[0]?.query.get('status')).toBe('submitted')
    resetSession()
    const editor = await mountView(EDITOR, '/workflow', { 'GET /api/workflow/entries': wfList([]) })
    expect(editor.calls[0]?.query.get('status')).toBe('draft')
    expect(editor.wrapper.find('[data-testid="empty-state"]').text()).toContain('没有条目')
  })

  it('searches by title or 编号 and filters by kind through the URL', async () => {
    const { wrapper, calls, router } = await mountView(EDITOR, '/workflow?status=draft', {
      'GET /api/workflow/entries': wfList([]),
    })
    await wrapper.find('#wf-q').setValue('检例第9号')
    await wrapper.find('form.filters').trigger('submit')
    await settle()
    expect(router.currentRoute.value.query).toMatchObject({ status: 'draft', q: '检例第9号' })
    expect(calls.at(-1)?.query.get('q')).toBe('检例第9号')
    await wrapper.find('#wf-kind').setValue('guideline')
    await settle()
    expect(calls.at(-1)?.query.get('kind')).toBe('guideline')
  })

  it('shows each row with versions, the last event and a rejection comment at a glance', async () => {
    const rejected = wfItem('e1', 'draft', {
      current_version: 2,
      published_version: 1,
      number: '检例第7号',
      last_event: wfEvent(5, 'reject', { actor: 'demo-reviewer', comment: '基本案情缺少退赃经过，请补充。' }),
    })
    const { wrapper } = await mountView(EDITOR, '/workflow?status=draft', { 'GET /api/workflow/entries': wfList([rejected]) })
    const row = wrapper.find('tr[data-entry-id="e1"]')
    expect(row.text()).toContain('检例第7号')
    expect(row.text()).toContain('工作版本 v2')
    expect(row.text()).toContain('已发布 v1')
    expect(row.text()).toContain('demo-reviewer')
    const comment = row.find('[data-testid="last-comment"]')
    expect(comment.text()).toContain('请补充')
    expect(comment.classes()).toContain('rejected')
  })

  it('shows only the actions the permissions allow', async () => {
    const items = [wfItem('d', 'draft'), wfItem('s', 'submitted'), wfItem('a', 'approved'), wfItem('p', 'published')]
    const editor = await mountView(EDITOR, '/workflow?status=draft', { 'GET /api/workflow/entries': wfList(items) })
    expect(actionsOf(editor.wrapper, 'd')).toEqual(['submit', 'edit'])
    expect(actionsOf(editor.wrapper, 's')).toEqual([])
    expect(actionsOf(editor.wrapper, 'p')).toEqual(['edit'])
    editor.wrapper.unmount()
    resetSession()
    const reviewer = await mountView(REVIEWER, '/workflow?status=draft', { 'GET /api/workflow/entries': wfList(items) })
    expect(actionsOf(reviewer.wrapper, 'd')).toEqual([])
    expect(actionsOf(reviewer.wrapper, 's')).toEqual(['approve', 'reject'])
    expect(actionsOf(reviewer.wrapper, 'a')).toEqual(['reject'])
    expect(actionsOf(reviewer.wrapper, 'p')).toEqual(['retract'])
  })

  it('shows the server detail when an action is refused (four-eyes rule)', async () => {
    let status: 'submitted' | 'draft' = 'submitted'
    const { wrapper, calls } = await mountView(REVIEWER, '/workflow?status=submitted', {
      'GET /api/workflow/entries': () => wfList([wfItem('s', status)]),
      'POST /api/workflow/entries/s/approve': {
        status: 409,
        body: { code: 'invalid_transition', detail: '不能审核自己提交的条目（四眼原则）' },
      },
    })
    await wrapper.find('[data-action="approve"]').trigger('click')
    await settle()
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/approve'))).toBe(true)
    expect(wrapper.find('[data-testid="action-error"]').text()).toBe('不能审核自己提交的条目（四眼原则）')
    status = 'draft'
  })

  it('rejects only with a comment, in a dialog that Escape closes', async () => {
    let status: 'submitted' | 'draft' = 'submitted'
    const { wrapper, calls } = await mountView(REVIEWER, '/workflow?status=submitted', {
      'GET /api/workflow/entries': () => wfList(status === 'submitted' ? [wfItem('s', status)] : []),
      'POST /api/workflow/entries/s/reject': (c) => {
        status = 'draft'
        const last = wfEvent(9, 'reject', { comment: (c.body as { comment: string }).comment })
        // A WorkflowItem has its own `status` field: wrap it so the fake does not read it as the HTTP status.
        return { status: 200, body: { ...wfItem('s', 'draft'), last_event: last } }
      },
    })
    await wrapper.find('[data-action="reject"]').trigger('click')
    await settle()
    const dialog = () => document.querySelector('[data-testid="reject-dialog"]')
    expect(dialog()).not.toBeNull()
    expect(document.activeElement?.tagName).toBe('TEXTAREA')
    // Escape closes it without a request.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await settle()
    expect(dialog()).toBeNull()

    await wrapper.find('[data-action="reject"]').trigger('click')
    await settle()
    ;(document.querySelector('[data-testid="prompt-confirm"]') as HTMLButtonElement).click()
    await settle()
    expect(document.querySelector('[data-testid="prompt-error"]')?.textContent).toBe('请填写退回意见')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)

    const area = document.querySelector('[data-testid="reject-dialog"] textarea') as HTMLTextAreaElement
    area.value = '  请补充退赃情况  '
    area.dispatchEvent(new Event('input'))
    ;(document.querySelector('[data-testid="prompt-confirm"]') as HTMLButtonElement).click()
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ comment: '请补充退赃情况' })
    expect(dialog()).toBeNull()
    expect(wrapper.find('[data-testid="workflow-message"]').text()).toContain('已退回修改')
  })

  it('keeps Tab inside an open dialog', async () => {
    const { wrapper } = await mountView(REVIEWER, '/workflow?status=published', {
      'GET /api/workflow/entries': wfList([wfItem('p', 'published')]),
    })
    await wrapper.find('[data-action="retract"]').trigger('click')
    await settle()
    const dialog = document.querySelector('[data-testid="retract-dialog"]') as HTMLElement
    const focusables = [...dialog.querySelectorAll<HTMLElement>('button:not(:disabled), textarea')]
    focusables.at(-1)!.focus()
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true })
    focusables.at(-1)!.dispatchEvent(tab)
    expect(tab.defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(focusables[0])
  })

  it('publishes the checked approved entries as a batch with the last issuer and today as defaults', async () => {
    const approved = [wfItem('a1', 'approved'), wfItem('a2', 'approved'), wfItem('a3', 'approved')]
    const { wrapper, calls } = await mountView(REVIEWER, '/workflow?status=approved', {
      'GET /api/workflow/entries': wfList(approved),
      'GET /api/batches': { items: [batch(2, { issuer: '某省人民检察院' })] },
      'POST /api/batches': (c) => {
        const ids = (c.body as { entry_ids: string[] }).entry_ids
        return { status: 201, body: batch(3, { entries: ids.map((id) => ({ id, title: id, number: `编号${id}`, case_type: null, version: 1 })) }) }
      },
    })
    const open = wrapper.find('[data-testid="publish-open"]')
    expect(open.attributes('disabled')).toBeDefined()
    await wrapper.find('input[value="a1"]').setValue(true)
    await wrapper.find('input[value="a3"]').setValue(true)
    expect(wrapper.text()).toContain('已选 2 件')
    await open.trigger('click')
    await settle()
    const issuer = document.querySelector('#pb-issuer') as HTMLInputElement
    expect(issuer.value).toBe('某省人民检察院')
    expect((document.querySelector('#pb-date') as HTMLInputElement).value).toBe(todayIso())
    expect(document.activeElement).toBe(issuer)
    // Enter in a single-line field publishes.
    issuer.form!.requestSubmit()
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ entry_ids: ['a1', 'a3'], issuer: '某省人民检察院', published_on: todayIso() })
    const done = wrapper.find('[data-testid="batch-published"]')
    expect(done.text()).toContain('已发布第3批，共2件')
    expect(done.find('a').attributes('href')).toBe('/batches?open=3')
  })

  it('refuses a batch without an issuer and shows the server detail of a refused batch', async () => {
    const { wrapper, calls } = await mountView(REVIEWER, '/workflow?status=approved', {
      'GET /api/workflow/entries': wfList([wfItem('a1', 'approved')]),
      'GET /api/batches': { items: [] },
      'POST /api/batches': { status: 409, body: { code: 'invalid_transition', detail: '以下条目尚未审核通过：案例a1' } },
    })
    await wrapper.find('input[aria-label="全选本页"]').setValue(true)
    await wrapper.find('[data-testid="publish-open"]').trigger('click')
    await settle()
    const issuer = document.querySelector('#pb-issuer') as HTMLInputElement
    expect(issuer.value).toBe('最高人民检察院')
    issuer.value = ' '
    issuer.dispatchEvent(new Event('input'))
    issuer.form!.requestSubmit()
    await settle()
    expect(document.querySelector('[data-testid="publish-error"]')?.textContent).toBe('请填写发布机关')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    issuer.value = '最高人民检察院'
    issuer.dispatchEvent(new Event('input'))
    issuer.form!.requestSubmit()
    await settle()
    expect(document.querySelector('[data-testid="publish-error"]')?.textContent).toBe('以下条目尚未审核通过：案例a1')
  })

  it('shows the server problem when the list cannot be loaded', async () => {
    const { wrapper } = await mountView(EDITOR, '/workflow', {
      'GET /api/workflow/entries': { status: 503, body: { detail: '记录库暂时不可用' } },
    })
    expect(wrapper.find('[data-testid="error-state"]').text()).toContain('记录库暂时不可用')
  })
})
