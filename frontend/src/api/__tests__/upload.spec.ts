import { afterEach, describe, expect, it, vi } from 'vitest'

import { uploadFiles } from '@/api/client'

/** A stand-in XMLHttpRequest that keeps the sent form and answers 200 with an empty report. */
class FakeXhr {
  static sent: FormData[] = []
  upload = { onprogress: null, onload: null }
  status = 200
  responseText = JSON.stringify({ ok: true, files: [], summary: { created: 0, updated: 0, unchanged: 0, failed: 0 } })
  withCredentials = false
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  ontimeout: (() => void) | null = null
  onabort: (() => void) | null = null
  open(): void {}
  setRequestHeader(): void {}
  abort(): void {}
  send(form: FormData): void {
    FakeXhr.sent.push(form)
    queueMicrotask(() => this.onload?.())
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
  FakeXhr.sent = []
})

describe('uploadFiles', () => {
  it('sends the import kind as a form field only when one is chosen', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const file = new File(['第一条 示例'], 'law.txt')
    await uploadFiles([file], { kind: 'law' }).promise
    await uploadFiles([file]).promise
    expect(FakeXhr.sent[0]?.get('kind')).toBe('law')
    expect((FakeXhr.sent[0]?.get('files') as File).name).toBe('law.txt')
    expect(FakeXhr.sent[1]?.has('kind')).toBe(false)
  })
})
