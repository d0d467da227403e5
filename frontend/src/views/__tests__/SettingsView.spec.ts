import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RouterView } from 'vue-router'

import type { Setting } from '@/api/types'
import { resetSession } from '@/stores/session'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  resetSession()
  document.body.innerHTML = ''
})

function anonymous(overrides: Partial<Setting> = {}): Setting {
  return {
    key: 'anonymous_role',
    label: '匿名访问',
    help: '开启后，未登录的访问者可以检索和阅读已发布条目。',
    kind: 'choice',
    value: '',
    default: '',
    overridden: false,
    minimum: null,
    maximum: null,
    choices: [
      { value: '', label: '关闭（须登录）' },
      { value: '检察官', label: '开启（只读）' },
    ],
    updated_by: null,
    updated_at: null,
    ...overrides,
  }
}

function uploadLimit(overrides: Partial<Setting> = {}): Setting {
  return {
    key: 'max_upload_mb',
    label: '上传文件大小上限（MB）',
    help: '导入时单个文件的大小上限。',
    kind: 'int',
    value: 50,
    default: 50,
    overridden: false,
    minimum: 1,
    maximum: 500,
    choices: [],
    updated_by: null,
    updated_at: null,
    ...overrides,
  }
}

function idle(overrides: Partial<Setting> = {}): Setting {
  return {
    key: 'session_idle_minutes',
    label: '会话空闲超时（分钟）',
    help: '无操作多长时间后须重新登录。',
    kind: 'int',
    value: 120,
    default: 60,
    overridden: true,
    minimum: 5,
    maximum: 1440,
    choices: [],
    updated_by: 'demo-admin',
    updated_at: '2026-11-20T08:30:00Z',
    ...overrides,
  }
}

type Values = Record<string, string | number | null>

async function mountSettings(handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(['settings:manage', 'users:manage'], { roles: [{ code: 'admin', label: '管理员' }] })
  const calls = fakeFetch(handlers)
  const router = await testRouter('/admin/settings')
  // Through RouterView (the lazily loaded route), so the leave guard is active as in the app.
  const wrapper = mount(RouterView, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls, router }
}

const field = (w: ReturnType<typeof mount>, key: string) => w.find(`[data-key="${key}"]`)
const putBodies = (calls: { method: string; body: unknown }[]) =>
  calls.filter((c) => c.method === 'PUT').map((c) => (c.body as { values: Values }).values)

describe('SettingsView', () => {
  it('renders a field per setting from the API: radios for a choice, a bounded number input for an int', async () => {
    const { wrapper } = await mountSettings({ 'GET /api/settings': { items: [anonymous(), uploadLimit(), idle()] } })
    const anon = field(wrapper, 'anonymous_role')
    expect(anon.find('legend').text()).toBe('匿名访问')
    const radios = anon.findAll('input[type="radio"]')
    expect(radios.map((r) => (r.element as HTMLInputElement).value)).toEqual(['', '检察官'])
    expect((radios[0]!.element as HTMLInputElement).checked).toBe(true)
    expect(anon.text()).toContain('开启后，未登录的访问者可以检索和阅读已发布条目。')
    expect(anon.text()).toContain('默认值：关闭（须登录）（环境变量）')
    expect(anon.find('[data-testid="setting-restore"]').exists()).toBe(false)

    const upload = wrapper.find('#set-max_upload_mb')
    expect(upload.attributes('type')).toBe('number')
    expect(upload.attributes('min')).toBe('1')
    expect(upload.attributes('max')).toBe('500')
    expect((upload.element as HTMLInputElement).value).toBe('50')
    expect(wrapper.find('label[for="set-max_upload_mb"]').text()).toBe('上传文件大小上限（MB）')
    // Help and default are announced with the field.
    expect(upload.attributes('aria-describedby')).toBe('set-max_upload_mb-help set-max_upload_mb-meta')

    const session = field(wrapper, 'session_idle_minutes')
    expect(session.text()).toContain('默认值：60（环境变量）')
    expect(session.find('[data-testid="setting-changed-by"]').text()).toMatch(/^由 demo-admin 于 2026-11-20 \d\d:30 修改$/)
    expect(session.find('[data-testid="setting-restore"]').attributes('aria-label')).toBe('恢复默认：会话空闲超时（分钟）')
    // Nothing changed yet: nothing to save.
    expect(wrapper.find('[data-testid="settings-save"]').attributes('disabled')).toBeDefined()
  })

  it('sends only the changed values and shows the saved state', async () => {
    let items = [anonymous(), uploadLimit(), idle()]
    const { wrapper, calls } = await mountSettings({
      'GET /api/settings': () => ({ items }),
      'PUT /api/settings': (c) => {
        const values = (c.body as { values: Values }).values
        items = items.map((s) =>
          s.key in values
            ? { ...s, value: values[s.key]!, overridden: true, updated_by: 'admin', updated_at: '2026-11-26T09:00:00Z' }
            : s,
        )
        return { items }
      },
    })
    await field(wrapper, 'anonymous_role').find('input[value="检察官"]').setValue(true)
    await wrapper.find('#set-max_upload_mb').setValue('80')
    // Changed and changed back: not sent.
    await wrapper.find('#set-session_idle_minutes').setValue('30')
    await wrapper.find('#set-session_idle_minutes').setValue('120')
    expect(field(wrapper, 'max_upload_mb').text()).toContain('未保存')
    expect(field(wrapper, 'session_idle_minutes').text()).not.toContain('未保存')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    await settle()
    expect(putBodies(calls)).toEqual([{ anonymous_role: '检察官', max_upload_mb: 80 }])
    expect(calls.find((c) => c.method === 'PUT')?.headers['X-CSRF-Token']).toBe('csrf-123')
    expect(wrapper.find('[data-testid="settings-message"]').text()).toBe('已保存 2 项设置，立即生效。')
    expect(field(wrapper, 'max_upload_mb').text()).toContain('由 admin 于')
    expect(field(wrapper, 'max_upload_mb').text()).not.toContain('未保存')
    expect(wrapper.find('[data-testid="settings-save"]').attributes('disabled')).toBeDefined()
  })

  it('恢复默认 sends null for that setting only and keeps other unsaved edits', async () => {
    const { wrapper, calls } = await mountSettings({
      'GET /api/settings': { items: [uploadLimit(), idle()] },
      'PUT /api/settings': { items: [uploadLimit(), idle({ value: 60, overridden: false, updated_by: null, updated_at: null })] },
    })
    await wrapper.find('#set-max_upload_mb').setValue('99')
    await field(wrapper, 'session_idle_minutes').find('[data-testid="setting-restore"]').trigger('click')
    await settle()
    expect(putBodies(calls)).toEqual([{ session_idle_minutes: null }])
    expect(wrapper.find('[data-testid="settings-message"]').text()).toBe('“会话空闲超时（分钟）”已恢复为环境变量的值，立即生效。')
    expect((wrapper.find('#set-session_idle_minutes').element as HTMLInputElement).value).toBe('60')
    expect(field(wrapper, 'session_idle_minutes').find('[data-testid="setting-restore"]').exists()).toBe(false)
    expect((wrapper.find('#set-max_upload_mb').element as HTMLInputElement).value).toBe('99')
    expect(field(wrapper, 'max_upload_mb').text()).toContain('未保存')
  })

  it("shows the server's 422 detail at the offending field and keeps the edits", async () => {
    const { wrapper, calls } = await mountSettings({
      'GET /api/settings': { items: [anonymous(), uploadLimit()] },
      'PUT /api/settings': {
        status: 422,
        body: { code: 'invalid_setting', detail: '“上传文件大小上限（MB）”须在 1 到 500 之间，收到 400', setting: 'max_upload_mb' },
      },
    })
    await wrapper.find('#set-max_upload_mb').setValue('400')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    await settle()
    expect(putBodies(calls)).toEqual([{ max_upload_mb: 400 }])
    const error = wrapper.find('[data-testid="settings-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toBe('“上传文件大小上限（MB）”须在 1 到 500 之间，收到 400')
    const input = wrapper.find('#set-max_upload_mb')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(input.element)
    expect((input.element as HTMLInputElement).value).toBe('400')
  })

  it('checks integers and ranges before sending', async () => {
    const { wrapper, calls } = await mountSettings({ 'GET /api/settings': { items: [uploadLimit()] } })
    await wrapper.find('#set-max_upload_mb').setValue('0')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    await settle()
    expect(putBodies(calls)).toEqual([])
    expect(wrapper.find('[data-testid="settings-error"]').text()).toBe('“上传文件大小上限（MB）”须在 1 到 500 之间')
    await wrapper.find('#set-max_upload_mb').setValue('')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    expect(wrapper.find('[data-testid="settings-error"]').text()).toBe('“上传文件大小上限（MB）”须为整数')
    // 放弃修改 puts the server's value back.
    await wrapper.findAll('.form-foot button')[1]!.trigger('click')
    expect((wrapper.find('#set-max_upload_mb').element as HTMLInputElement).value).toBe('50')
    expect(wrapper.find('[data-testid="settings-error"]').exists()).toBe(false)
  })

  it('asks before leaving with unsaved changes', async () => {
    const { wrapper, router } = await mountSettings({ 'GET /api/settings': { items: [uploadLimit()] } })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false)
    await wrapper.find('#set-max_upload_mb').setValue('70')
    await router.push('/admin/users')
    expect(confirm).toHaveBeenCalledWith('有尚未保存的修改，确定离开此页面？')
    expect(router.currentRoute.value.path).toBe('/admin/settings')
    const event = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(true)
    confirm.mockReturnValue(true)
    await router.push('/admin/users')
    expect(router.currentRoute.value.path).toBe('/admin/users')
  })

  it('shows 无权限 instead of a blank form on 403', async () => {
    const { wrapper } = await mountSettings({
      'GET /api/settings': { status: 403, body: { detail: '您的角色无权执行此操作', code: 'permission_denied' } },
    })
    expect(wrapper.find('[data-testid="error-state"]').text()).toContain('无权限')
  })
})
