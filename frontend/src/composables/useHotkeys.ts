// Global keyboard handling helpers.

import { onBeforeUnmount, onMounted } from 'vue'

/** True when a key press belongs to a text field (so global shortcuts must not fire). */
export function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type)
  }
  return false
}

/** Registers a window keydown listener for the lifetime of the calling component. */
export function useKeydown(handler: (event: KeyboardEvent) => void): void {
  onMounted(() => window.addEventListener('keydown', handler))
  onBeforeUnmount(() => window.removeEventListener('keydown', handler))
}

export const SEARCH_INPUT_ID = 'kb-search'

export function focusSearchInput(): boolean {
  const el = document.getElementById(SEARCH_INPUT_ID)
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    el.focus()
    const end = el.value.length
    el.setSelectionRange(end, end)
    return true
  }
  return false
}
