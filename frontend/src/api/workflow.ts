// Review and publication (审核发布): the workflow of an entry's working version and numbered batches (发布批次)
// (api/routes/workflow.py). Loaded with the pages that use them.

import { request } from './client'
import type {
  Batch,
  BatchCreate,
  BatchList,
  EntryKind,
  WorkflowDetail,
  WorkflowEdit,
  WorkflowItem,
  WorkflowList,
  WorkflowStatus,
} from './types'

export interface WorkflowQuery {
  status?: WorkflowStatus
  kind?: EntryKind
  q?: string
  page?: number
  page_size?: number
}

const entryPath = (id: string) => `/workflow/entries/${encodeURIComponent(id)}`

export function listWorkflow(query: WorkflowQuery, signal?: AbortSignal): Promise<WorkflowList> {
  return request<WorkflowList>('/workflow/entries', { query: { ...query }, signal })
}

export function getWorkflowEntry(id: string, signal?: AbortSignal): Promise<WorkflowDetail> {
  return request<WorkflowDetail>(entryPath(id), { signal })
}

/** Saves an edit as a new version of the entry (back to draft). */
export function editWorkflowEntry(id: string, edit: WorkflowEdit): Promise<WorkflowDetail> {
  return request<WorkflowDetail>(entryPath(id), { method: 'PUT', json: edit })
}

/** The transitions with a body: submit/approve take an optional comment, reject a comment, retract a reason. */
export type Transition = 'submit' | 'approve' | 'reject' | 'retract'

export function transition(id: string, action: Transition, text = ''): Promise<WorkflowItem> {
  let json: Record<string, string> = {}
  if (action === 'retract') json = { reason: text }
  else if (action === 'reject' || text.trim()) json = { comment: text }
  return request<WorkflowItem>(`${entryPath(id)}/${action}`, { method: 'POST', json })
}

export function listBatches(signal?: AbortSignal): Promise<BatchList> {
  return request<BatchList>('/batches', { signal })
}

export function getBatch(number: number, signal?: AbortSignal): Promise<Batch> {
  return request<Batch>(`/batches/${number}`, { signal })
}

export function publishBatch(body: BatchCreate): Promise<Batch> {
  return request<Batch>('/batches', { method: 'POST', json: body })
}
