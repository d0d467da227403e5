// 类案比对 (issue 7): a pasted case against its similar cases, and the divergences collected for the guidance center.

import { request } from './client'
import type { AnalysisRequest, AnalysisResponse, DivergenceList } from './types'

/** Longest query case the API accepts (characters). */
export const ANALYSIS_MAX_CHARS = 20_000

export function analyzeCase(req: AnalysisRequest, signal?: AbortSignal): Promise<AnalysisResponse> {
  return request<AnalysisResponse>('/analysis', { method: 'POST', json: req, signal })
}

export interface DivergenceParams {
  page?: number
  page_size?: number
}

export function listDivergences(params: DivergenceParams = {}, signal?: AbortSignal): Promise<DivergenceList> {
  return request<DivergenceList>('/analysis/divergences', { query: { ...params }, signal })
}
