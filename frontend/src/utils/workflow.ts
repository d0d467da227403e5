// Which workflow actions a caller may take on an entry: by its state and the caller's permissions (never by role).

import type { WorkflowEvent, WorkflowItem, WorkflowStatus } from '@/api/types'
import { zh } from '@/locales/zh-CN'

import { P } from './permissions'

export type ActionName = 'submit' | 'approve' | 'reject' | 'retract' | 'edit'

/** States in which the working version may be edited (submitted and approved entries wait for the reviewer). */
export const EDITABLE: readonly WorkflowStatus[] = ['draft', 'published', 'retracted']

export function allowedActions(status: WorkflowStatus, can: (permission: string) => boolean): ActionName[] {
  const out: ActionName[] = []
  if (status === 'draft' && can(P.submit)) out.push('submit')
  if (status === 'submitted' && can(P.review)) out.push('approve')
  if ((status === 'submitted' || status === 'approved') && can(P.review)) out.push('reject')
  if (status === 'published' && can(P.publish)) out.push('retract')
  if (EDITABLE.includes(status) && can(P.edit)) out.push('edit')
  return out
}

export function statusLabel(status: string | null | undefined, fallback = ''): string {
  if (!status) return fallback
  return zh.workflow.statuses[status] ?? (fallback || status)
}

/** Badge class of a state: drafts plain, waiting states accent, retracted warn. */
export function statusClass(status: string | null | undefined): string {
  switch (status) {
    case 'submitted':
    case 'approved':
      return 'badge-accent'
    case 'published':
      return 'badge-ok'
    case 'retracted':
      return 'badge-warn'
    default:
      return ''
  }
}

/**
 * The rejection the editor still has to address: the latest `reject` with no `submit` after it (events oldest
 * first), or null.
 */
export function openRejection(events: readonly WorkflowEvent[]): WorkflowEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i]!
    if (ev.action === 'reject') return ev
    if (ev.action === 'submit' || ev.action === 'publish') return null
  }
  return null
}

/** A short excerpt of a comment for list rows. */
export function excerpt(text: string | null | undefined, max = 60): string {
  if (!text) return ''
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

export function isRejected(item: Pick<WorkflowItem, 'status' | 'last_event'>): boolean {
  return item.status === 'draft' && item.last_event?.action === 'reject'
}

/** Today in the browser's time zone as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** Keywords typed in one field, split on commas, 、, semicolons and spaces; blanks and repeats dropped. */
export function splitKeywords(text: string): string[] {
  const out: string[] = []
  for (const part of text.split(/[,，、;；\s]+/)) {
    const k = part.trim()
    if (k && !out.includes(k)) out.push(k)
  }
  return out
}
