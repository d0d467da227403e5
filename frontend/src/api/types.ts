// Types of the HTTP API (see .briefs/api_contract.md). Field names follow the backend exactly.

/** `law`: laws, administrative regulations and judicial interpretations (法律法规), one entry per law, one section per 条. */
export type EntryKind = 'case' | 'guideline' | 'power_item' | 'law'

export type SortOrder = 'relevance' | 'date'

/** Filter fields accepted by /api/search (values of one field are OR-ed, fields are AND-ed). */
export const FILTER_FIELDS = [
  'line',
  'case_type',
  'charges',
  'outcomes',
  'stage',
  'issuer',
  'year',
  'region',
  'kind',
] as const

export type FilterField = (typeof FILTER_FIELDS)[number]

export type Filters = Partial<Record<FilterField, string[]>>

/** RFC 9457 problem details as returned by the API. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  instance?: string
  code?: string
  request_id?: string | null
  errors?: { loc: (string | number)[]; msg: string }[]
  [context: string]: unknown
}

export interface Health {
  status: 'ok' | 'degraded'
  store: 'sqlite' | 'elasticsearch'
  store_ok: boolean
  embedder: string | null
  entries: number
  chunks: number
  version: string
}

export interface Stats {
  entries_by_kind: Partial<Record<EntryKind, number>>
  chunks: number
  by_line: Record<string, number>
  by_case_type: Record<string, number>
}

export interface FacetValue {
  /** Years may arrive as numbers; the UI treats every value as a string. */
  value: string | number
  count: number
}

export type Facets = Partial<Record<FilterField, FacetValue[]>>

/** A charge the ranking assumed for a pasted fact text that names none, voted by its nearest cases. */
export interface InferredCharge {
  charge: string
  /** Share of the votes, 0–1, two decimals. */
  share: number
}

export interface QueryAnalysis {
  tokens: string[]
  charges: string[]
  outcomes: string[]
  line: string | null
  long_query: boolean
  /** Best first; empty unless a long query named no charge and its nearest cases agreed on one (cases of it lead). */
  inferred_charges: InferredCharge[]
  /**
   * One sentence per check of the fact text that changed what the nearest cases voted for (案情未提及合同、协议、订单、
   * 租赁等，不按合同诈骗罪推断，改按诈骗罪); empty when none did. Absent from older servers.
   */
  inferred_notes?: string[]
  /**
   * How many of the first results (counted from 1 across pages) the inferred charges ordered; the rest follow the
   * similarity alone. Null when nothing was inferred, when they order the whole list, or when sorted by date.
   */
  inferred_reach: number | null
}

/**
 * 'facts': a long query's best whole-facts matches, naming the words they share most (案情相近：…).
 * 'authority': a guiding case lifted above cases about as similar (指导性案例：优先参照).
 */
export type ReasonKind = 'charge' | 'outcome' | 'provision' | 'line' | 'keyword' | 'facts' | 'authority'

export interface MatchReason {
  kind: ReasonKind
  value: string
  label: string
}

/** Fields shared by search hits and entry summaries. */
export interface EntrySummary {
  id: string
  kind: EntryKind
  title: string
  number: string | null
  case_type: string | null
  line: string | null
  sub_line: string | null
  issuer: string | null
  publish_date: string | null
  year: number | string | null
  region: string | null
  stage: string | null
  charges: string[]
  outcomes: string[]
  provisions: string[]
  keywords: string[]
  power_subject: string | null
  error_type: string | null
  misused_power: string | null
  illustrative: boolean
  /** Not in the contract's EntrySummary; shown when the backend includes it (power items). */
  basis?: string | null
  note?: string | null
  /** A law's number of article sections (第X条; an amendment's items are none); null for other kinds. */
  article_count?: number | null
}

export type Span = [number, number]

export interface Hit extends EntrySummary {
  score: number
  section: string
  section_label: string
  passage: string
  highlights: Span[]
  reasons: MatchReason[]
}

export interface SearchResponse {
  query: string
  total: number
  page: number
  page_size: number
  took_ms: number
  analysis: QueryAnalysis
  hits: Hit[]
  facets: Facets
}

export interface SearchRequest {
  q: string
  page: number
  page_size: number
  sort: SortOrder
  filters: Filters
  /** False: a pasted fact text gets no inferred charges; the list follows case similarity alone (default true). */
  infer_charges?: boolean
}

export interface EntryList {
  total: number
  page: number
  page_size: number
  items: EntrySummary[]
}

export interface EntryVersion {
  version: number
  created_at: string
  content_hash: string
  source: string | null
  /** Workflow (issue 6): true for the versions that were published. */
  published?: boolean
}

export interface Section {
  key: string
  label: string
  heading: string | null
  text: string
  path: string[]
}

export interface EntryDetail {
  id: string
  version: number
  /** Not in the contract; when present it names the latest version. */
  current_version?: number
  versions: EntryVersion[]
  kind: EntryKind
  title: string
  number: string | null
  case_type: string | null
  line: string | null
  sub_line: string | null
  issuer: string | null
  publish_date: string | null
  batch: string | number | null
  region: string | null
  stage: string | null
  keywords: string[]
  charges: string[]
  outcomes: string[]
  provisions: string[]
  error_type: string | null
  misused_power: string | null
  consequence: string | null
  power_subject: string | null
  basis: string | null
  note: string | null
  source: string | null
  illustrative: boolean
  sections: Section[]
  /** Workflow state of this entry's working version (issue 6). */
  status?: WorkflowStatus
  /** The published version, null if never published. */
  published_version?: number | null
  retracted?: Retraction | null
  /** One per cited provision (`provisions`), in order; resolved to a law article when the law is in the base. */
  provision_links?: ProvisionLink[]
}

/**
 * A cited provision and the law article it resolves to. The law fields are null when the law is not in the
 * knowledge base; `section_index` is the article's index in the law entry's `sections` (its anchor `#sec-N`).
 */
export interface ProvisionLink {
  provision: string
  law_entry_id: string | null
  law_title: string | null
  article: string | null
  section_index: number | null
  /** The article text, at most 600 characters (cut with …). */
  text: string | null
}

/** GET /api/entries/{id}/citations: a law's articles and the published cases citing each (cited articles only). */
export interface CitedArticle {
  article: string
  section_index: number
  cases: EntrySummary[]
}

export interface CitationsResponse {
  articles: CitedArticle[]
}

export interface SimilarResponse {
  hits: Hit[]
}

/**
 * A guideline article related to an entry. The contract names `entry_id` and `text`; a Hit-shaped article
 * (`id`, `passage`) is accepted too — use `normalizeArticle()` to read either.
 */
export interface GuidelineArticle {
  entry_id?: string
  id?: string
  title: string
  heading?: string | null
  text?: string
  passage?: string
  path?: string[]
  score?: number
}

export interface RelatedPowerItem extends EntrySummary {
  basis: string | null
  note: string | null
}

export interface RelatedResponse {
  guideline_articles: GuidelineArticle[]
  power_items: RelatedPowerItem[]
}

export interface CompareElement {
  field: string
  label: string
  values: string[][]
  same: boolean
}

export interface CompareResponse {
  entries: EntryDetail[]
  elements: CompareElement[]
}

export type IngestStatus = 'created' | 'updated' | 'unchanged' | 'failed'

export interface IngestedEntry {
  id: string
  title: string
  kind: EntryKind
  number: string | null
  status: IngestStatus
  version?: number
  /** Workflow state after the import (e.g. "draft"): imported entries wait for review. */
  workflow_status?: WorkflowStatus
}

/** A warning of the import report; `near_duplicate` carries the candidate for a side-by-side view. */
export interface IngestWarning {
  code: string
  detail: string
  entry?: string
  candidate?: NearDuplicate
}

export interface IngestFileResult {
  name: string
  status: IngestStatus
  entries: IngestedEntry[]
  error: Problem | null
  warnings?: IngestWarning[]
}

export interface IngestResponse {
  ok: boolean
  files: IngestFileResult[]
  summary: Record<IngestStatus, number>
}

// ---- accounts, sessions, audit, training (issue 6) ------------------------------------------------------------

export type RoleCode = 'prosecutor' | 'editor' | 'reviewer' | 'admin'

export interface RoleRef {
  code: RoleCode
  label: string
}

export interface UserInfo {
  id: number
  username: string
  display_name: string
  roles: RoleRef[]
  is_active: boolean
  created_at: string
  last_login_at: string | null
}

/** GET /api/auth/me (also the answer to login and to a password change). */
export interface Me {
  authenticated: boolean
  via: 'session' | 'token' | 'anonymous'
  user: UserInfo | null
  roles: RoleRef[]
  permissions: string[]
  csrf_token: string | null
  anonymous_access: boolean
}

export interface TokenInfo {
  id: number
  name: string
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  active: boolean
}

export interface TokenCreated {
  token: string
  info: TokenInfo
}

export interface AuditEvent {
  id: number
  at: string
  actor: string
  actor_id: number | null
  action: string
  action_label: string
  target: string | null
  /** success | failure | denied | throttled */
  outcome: string
  client_ip: string | null
  request_id: string | null
  details: Record<string, unknown>
}

export interface AuditPage {
  total: number
  page: number
  page_size: number
  items: AuditEvent[]
}

export interface QueryStat {
  query: string
  count: number
  users: number
  last_at: string
  max_results: number
  best_score: number | null
  zero_results: number
}

export interface QueryStats {
  since: string
  until: string
  items: QueryStat[]
}

export interface CollectionItem {
  id: number
  position: number
  entry_id: string
  version: number | null
  citation: string
  teaching_notes: string
  discussion_questions: string[]
  added_at: string
  title: string | null
  number: string | null
  case_type: string | null
}

export interface CollectionSummary {
  id: string
  title: string
  description: string
  owner_id: string
  shared: boolean
  mine: boolean
  item_count: number
  created_at: string
  updated_at: string
}

export interface Collection extends CollectionSummary {
  items: CollectionItem[]
}

export interface CollectionList {
  items: CollectionSummary[]
}

export interface WarningCaseList {
  total: number
  items: EntrySummary[]
  facets: { error_type: Record<string, number>; misused_power: Record<string, number> }
}

// ---- review-and-publish workflow, batches (issue 6) -------------------------------------------------------

export const WORKFLOW_STATUSES = ['draft', 'submitted', 'approved', 'published', 'retracted'] as const

export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number]

export type WorkflowAction = 'import' | 'revise' | 'edit' | 'submit' | 'approve' | 'reject' | 'publish' | 'retract'

export interface Retraction {
  reason: string
  at: string
  by: string | null
}

export interface WorkflowEvent {
  id: number
  entry_id: string
  version: number
  action: WorkflowAction
  action_label: string
  from_status: WorkflowStatus | null
  to_status: WorkflowStatus
  /** Null for events without a known person (e.g. written by a script or migration). */
  actor: string | null
  comment: string | null
  batch_label: string | null
  created_at: string
}

export interface WorkflowItem {
  id: string
  kind: EntryKind
  title: string
  number: string | null
  case_type: string | null
  line: string | null
  status: WorkflowStatus
  status_label: string
  current_version: number
  published_version: number | null
  retracted: Retraction | null
  updated_at: string
  submitted_by: string | null
  last_event: WorkflowEvent | null
}

export interface WorkflowList {
  total: number
  page: number
  page_size: number
  counts: Record<WorkflowStatus, number>
  items: WorkflowItem[]
}

/** A possible duplicate (same case told differently), from the duplicate detector. */
export interface NearDuplicate {
  entry_id: string
  version?: number
  title: string
  number: string | null
  score: number
  text_similarity?: number
  shared: Record<string, string[]>
  new_text: string
  existing_text: string
}

export interface WorkflowDetail {
  item: WorkflowItem
  entry: EntryDetail
  events: WorkflowEvent[]
  near_duplicates: NearDuplicate[]
}

export interface SectionEdit {
  key: string
  /** The server wants a string here ('' for none), not null. */
  heading: string
  text: string
  /** The section's place in a guideline (章/节); kept as read. */
  path?: string[]
}

export interface WorkflowEdit {
  title?: string
  keywords?: string[]
  sections?: SectionEdit[]
  note?: string
  /** 修改说明: recorded as the `edit` event's comment in the history, not part of the entry (max 2000). */
  comment?: string
}

export interface BatchEntry {
  id: string
  title: string
  number: string | null
  case_type: string | null
  version: number
}

export interface Batch {
  id: number | string
  number: number
  label: string
  title: string | null
  issuer: string
  published_on: string
  created_by: string | null
  created_at: string
  entries: BatchEntry[]
}

export interface BatchList {
  items: Batch[]
}

export interface BatchCreate {
  entry_ids: string[]
  issuer: string
  published_on?: string
  title?: string
}

// ---- 系统设置 (GET/PUT /api/settings) ----

export type SettingValue = number | string

export interface SettingChoice {
  value: string
  label: string
}

export interface Setting {
  key: string
  label: string
  help: string
  kind: 'int' | 'choice'
  value: SettingValue
  /** The environment's value (KB_*), used again after 恢复默认. */
  default: SettingValue
  /** True when an administrator changed it (the stored value wins over the environment). */
  overridden: boolean
  minimum: number | null
  maximum: number | null
  choices: SettingChoice[]
  updated_by: string | null
  updated_at: string | null
}

export interface SettingsList {
  items: Setting[]
}

/** PUT /api/settings: the values to change; null = back to the environment's value. */
export interface SettingsUpdate {
  values: Record<string, SettingValue | null>
}

// ---- 类案比对 (POST /api/analysis) and 分歧线索 (GET /api/analysis/divergences), issue 7 ----

export type ElementField = 'charges' | 'outcomes' | 'factors' | 'provisions'

export interface AnalysisRequest {
  text: string
  top_k?: number
  filters?: { line?: string[]; case_type?: string[] }
}

export interface AnalysisQuery {
  charges: string[]
  /** True when the text names no 罪名 and `charges` were inferred from the nearest cases (not in the contract). */
  charges_inferred?: boolean
  /** Why checks of the text changed what the nearest cases voted for, one sentence each (absent from older servers). */
  inferred_notes?: string[]
  outcomes: string[]
  factors: string[]
  provisions: string[]
  line: string | null
}

export type Authority = '指导性' | '典型' | '参考'

export interface AnalysisCase {
  id: string
  title: string
  number: string | null
  case_type: string | null
  line: string | null
  year: number | null
  passage: string
  similarity: number
  /** 指导性 / 典型 / 参考 (`Authority`); typed as string so an unknown label still renders. */
  authority: string
  authority_weight: number
  charges: string[]
  outcomes: string[]
  factors: string[]
  provisions: string[]
}

export interface ComparisonCell {
  id: string
  values: string[]
  shared: string[]
  /** In the query, not in this case. */
  missing: string[]
  /** In this case, not in the query. */
  extra: string[]
}

export interface ComparisonRow {
  /** One of `ElementField`; typed as string so a new element type still renders. */
  field: string
  label: string
  query: string[]
  cases: ComparisonCell[]
}

export interface OutcomeShare {
  outcome: string
  count: number
  weight: number
  /** Weighted share (similarity × authority weight), 0–1. */
  share: number
  case_ids: string[]
}

export interface OutcomeDistribution {
  basis: string
  total_weight: number
  outcomes: OutcomeShare[]
}

export interface Divergence {
  flagged: boolean
  threshold: number
  detail: string
  groups: { outcome: string; case_ids: string[] }[]
}

/** A similar case citing a suggested article. */
export interface CitingCase {
  id: string
  title: string
  number: string | null
}

/** 可能适用的条文: a law article suggested for the pasted case, with why (kb/provision_suggest.py). */
export interface SuggestedProvision {
  law_entry_id: string
  law_title: string
  /** The article heading, e.g. 第二百六十四条. */
  article: string
  /** The article's index in the law entry's sections (anchor `#sec-N`). */
  section_index: number
  /** The article text, at most 300 characters. */
  text: string
  /** Fusion score, only for ordering. */
  score: number
  /** The similar cases citing it. */
  cited_by: CitingCase[]
  /** The recognised charges it defines. */
  charges: string[]
  /** Its place in the direct retrieval of law articles, when near the top. */
  direct_rank?: number | null
}

export interface AnalysisResponse {
  query: AnalysisQuery
  cases: AnalysisCase[]
  comparison: ComparisonRow[]
  distribution: OutcomeDistribution
  divergence: Divergence
  /** Top 10; absent from older servers. */
  suggested_provisions?: SuggestedProvision[]
}

export interface DivergenceItem {
  id: number
  created_at: string
  actor: string | null
  query_excerpt: string
  charges: string[]
  case_ids: string[]
  outcomes: string[]
  max_similarity: number
  /** How many times the same text was analysed (not in the contract). */
  seen?: number
}

export interface DivergenceList {
  total: number
  items: DivergenceItem[]
}
