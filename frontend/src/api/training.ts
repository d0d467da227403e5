// Training collections (专题), warning cases and DOCX/PDF export (api/routes/collections.py, export.py).

import { API_BASE, request, toQueryString } from './client'
import type { Collection, CollectionList, WarningCaseList } from './types'

export type ExportFormat = 'pdf' | 'docx'

export function listCollections(signal?: AbortSignal): Promise<CollectionList> {
  return request<CollectionList>('/collections', { signal })
}

export interface CollectionFields {
  title: string
  description: string
  shared: boolean
}

export function createCollection(body: CollectionFields): Promise<Collection> {
  return request<Collection>('/collections', { method: 'POST', json: body })
}

export function getCollection(id: string, signal?: AbortSignal): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}`, { signal })
}

export function updateCollection(id: string, body: Partial<CollectionFields>): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}`, { method: 'PATCH', json: body })
}

export async function deleteCollection(id: string): Promise<void> {
  await request<null>(`/collections/${encodeURIComponent(id)}`, { method: 'DELETE', allowEmpty: true })
}

export interface ItemAdd {
  entry_id: string
  version?: number | null
  teaching_notes?: string
  discussion_questions?: string[]
}

export function addCollectionItem(id: string, item: ItemAdd): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}/items`, { method: 'POST', json: item })
}

export interface ItemChange {
  teaching_notes?: string
  discussion_questions?: string[]
}

export function updateCollectionItem(id: string, itemId: number, change: ItemChange): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}/items/${itemId}`, {
    method: 'PATCH',
    json: change,
  })
}

export function removeCollectionItem(id: string, itemId: number): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}/items/${itemId}`, { method: 'DELETE' })
}

export function reorderCollection(id: string, itemIds: number[]): Promise<Collection> {
  return request<Collection>(`/collections/${encodeURIComponent(id)}/order`, {
    method: 'PUT',
    json: { item_ids: itemIds },
  })
}

export function collectionExportUrl(id: string, format: ExportFormat): string {
  return `${API_BASE}/collections/${encodeURIComponent(id)}/export${toQueryString({ format })}`
}

export function entryExportUrl(id: string, format: ExportFormat, version?: number | null): string {
  return `${API_BASE}/entries/${encodeURIComponent(id)}/export${toQueryString({ format, version })}`
}

export interface WarningFilters {
  error_type?: string[]
  misused_power?: string[]
  line?: string[]
}

export function listWarningCases(filters: WarningFilters, signal?: AbortSignal): Promise<WarningCaseList> {
  return request<WarningCaseList>('/training/warning-cases', { query: { ...filters }, signal })
}
