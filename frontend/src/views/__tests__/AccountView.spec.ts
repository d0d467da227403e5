import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { TokenInfo } from '@/api/types'
import { resetSession } from '@/stores/session'
import AccountView from '@/views/AccountView.vue'

import { fakeFetch, makeMe, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  resetSession()
})

function token(id: number, name: string, overrides: Partial<TokenInfo> = {}): TokenInfo {
  return {
    id,
    name,
    prefix: 'kb_ab12',
    created_at: '2026-11-01T00:00:00Z',
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    active: true,
    ...overrides,
  }
}

async function mountAccount(handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(['search'])
  const calls = fakeFetch(handlers)
  const router = await testRouter('/account')
  const wrapper = mount(AccountView, { global: { plugins: [router] } })
  await settle()
  return { wrapper, calls }
}

describe('AccountView', () => {
  it('creates a token, shows it once with a copy button, and revokes one', async () => {
    let tokens = [token(1, '旧脚本')]
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    const { wrapper, calls } = await mountAccount({
      'GET /api/auth/tokens': () => tokens,
      'POST /api/auth/tokens': () => {
        tokens = [...tokens, token(2, '导入脚本')]
        return { status: 201, body: { token: 'kb_secret_value', info: token(2, '导入脚本') } }
      },
      'DELETE /api/auth/tokens/1': () => {
        tokens = [{ ...tokens[0]!, active: false, revoked_at: '2026-11-26T00:00:00Z' }, tokens[1]!]
        return tokens[0]
      },
    })
    await wrapper.find('#tok-name').setValue('导入脚本')
    await wrapper.find('#tok-days').setValue('90')
    await wrapper.find('form.token-form').trigger('submit')
    await settle()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: '导入脚本', expires_in_days: 90 })
    const value = wrapper.find('[data-testid="token-value"]')
    expect((value.element as HTMLInputElement).value).toBe('kb_secret_value')
    await wrapper.find('[data-testid="token-created"] button').trigger('click')
    await settle()
    expect(writeText).toHaveBeenCalledWith('kb_secret_value')
    expect(wrapper.find('[data-testid="token-created"]').text()).toContain('已复制')
    expect(wrapper.findAll('[data-testid="token-table"] tbody tr')).toHaveLength(2)

    await wrapper.find('button[aria-label="撤销 旧脚本"]').trigger('click')
    await settle()
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/auth/tokens/1')).toBe(true)
    expect(wrapper.find('[data-testid="token-table"] tbody tr').text()).toContain('已撤销')
    // Dismissed, the full token is gone from the page.
    await wrapper.findAll('[data-testid="token-created"] button')[1]!.trigger('click')
    expect(wrapper.text()).not.toContain('kb_secret_value')
  })

  it('changes the password, checking the confirmation first', async () => {
    const { wrapper, calls } = await mountAccount({
      'GET /api/auth/tokens': [],
      'POST /api/auth/password': makeMe(['search'], { csrf_token: 'csrf-new' }),
    })
    expect(wrapper.text()).toContain('还没有 API 令牌')
    await wrapper.find('#pw-current').setValue('old-password')
    await wrapper.find('#pw-new').setValue('new-password-1')
    await wrapper.find('#pw-confirm').setValue('new-password-2')
    await wrapper.find('#password form').trigger('submit')
    expect(wrapper.find('#password [role="alert"]').text()).toBe('两次输入的新密码不一致')
    await wrapper.find('#pw-confirm').setValue('new-password-1')
    await wrapper.find('#password form').trigger('submit')
    await settle()
    expect(calls.find((c) => c.path === '/api/auth/password')?.body).toEqual({
      current_password: 'old-password',
      new_password: 'new-password-1',
    })
    expect(wrapper.find('#password [role="status"]').text()).toContain('密码已修改')
  })
})
