import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import LoginView from '@/views/LoginView.vue'

import { fakeFetch, makeMe, settle, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
  resetSession()
})

async function mountLogin(path = '/login') {
  const router = await testRouter(path)
  const wrapper = mount(LoginView, { global: { plugins: [router] }, attachTo: document.body })
  return { wrapper, router }
}

describe('LoginView', () => {
  it('focuses the username and explains empty fields in Chinese', async () => {
    fakeFetch({})
    const { wrapper } = await mountLogin()
    expect(document.activeElement?.id).toBe('login-username')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('请输入用户名')
    await wrapper.find('#login-username').setValue('demo')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('请输入密码')
    expect(document.activeElement?.id).toBe('login-password')
    wrapper.unmount()
  })

  it('shows the server reason for a wrong password and clears the password', async () => {
    fakeFetch({ 'POST /api/auth/login': { status: 401, body: { detail: '用户名或密码不正确' } } })
    const { wrapper } = await mountLogin()
    await wrapper.find('#login-username').setValue('demo')
    await wrapper.find('#login-password').setValue('wrong')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('用户名或密码不正确')
    expect((wrapper.find('#login-password').element as HTMLInputElement).value).toBe('')
    wrapper.unmount()
  })

  it('counts down "请 N 秒后再试" after 429 and keeps the button disabled meanwhile', async () => {
    fakeFetch({ 'POST /api/auth/login': { status: 429, body: { detail: '过多' }, headers: { 'Retry-After': '3' } } })
    const { wrapper } = await mountLogin()
    vi.useFakeTimers()
    await wrapper.find('#login-username').setValue('demo')
    await wrapper.find('#login-password').setValue('x')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('登录尝试过多，请 3 秒后再试。')
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined()
    await vi.advanceTimersByTimeAsync(1000)
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('登录尝试过多，请 2 秒后再试。')
    await vi.advanceTimersByTimeAsync(2000)
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
  })

  it('returns to the page the user came from after signing in', async () => {
    const calls = fakeFetch({ 'POST /api/auth/login': makeMe(['search', 'collections:own']) })
    const { wrapper, router } = await mountLogin('/login?redirect=/collections')
    await wrapper.find('#login-username').setValue(' trainer ')
    await wrapper.find('#login-password').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(calls[0]?.body).toEqual({ username: 'trainer', password: 'secret' })
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/collections'))
    wrapper.unmount()
  })
})
