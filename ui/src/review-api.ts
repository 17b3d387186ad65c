// Typed wrappers over the review commands (src-tauri/src/review.rs): staging detail and decisions,
// apply, the register, the audit log, export. Types mirror sync-core's serde output; times are unix ms.

import { invoke } from "@tauri-apps/api/core";
import { ApiError, type Entity, type RecordValue, type StagingRow, type StagingStatus } from "./api";

export type Change = "same" | "dapodik" | "local" | "conflict";

export interface FieldDiff {
  field: string;
  base: RecordValue;
  local: RecordValue;
  dapodik: RecordValue;
  change: Change;
  conflict: boolean;
  protected: boolean;
  hint?: string;
}

export type Severity = "info" | "warning" | "error";

export interface Finding {
  code: string;
  severity: Severity;
  field: string;
  message: string;
}

export type FieldChoice = { take: "dapodik" } | { take: "local" } | { take: "value"; value: RecordValue };
export type Decision = "ACCEPTED" | "REJECTED" | "APPLIED";

export interface Resolution {
  decision: Decision;
  fields: Record<string, FieldChoice>;
  decided_by: string;
  decided_at: number;
  applied_at: number | null;
}

export interface StagingDetail {
  row: StagingRow;
  kind: "record" | "removal";
  match_by: string | null;
  match_id: string | null;
  in_register: boolean;
  diff: FieldDiff[];
  findings: Finding[];
  resolution: Resolution | null;
  unresolved: string[];
}

export interface ApplyReport {
  batch_id: number | null;
  applied: number;
  skipped: number;
  changed: number;
  audited: number;
  skipped_rows: { staging_id: number; reason: string }[];
}

export type RegisterSort = "label" | "dapodik_id" | "updated_at";

export interface RegisterQuery {
  entity: Entity;
  search?: string | null;
  sort: RegisterSort;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface Provenance {
  created_at: number | null;
  applied_at: number | null;
  updated_at: number;
  source_batch_id: number | null;
  source_staging_id: number | null;
  edited_at: number | null;
  edited_by: string | null;
}

export interface RegisterRecord {
  entity: Entity;
  dapodik_id: string;
  label: string;
  record: Record<string, RecordValue>;
  base: Record<string, RecordValue>;
  edited: boolean;
  provenance: Provenance;
}

export interface RegisterPage {
  total: number;
  rows: RegisterRecord[];
}

export type AuditAction = "insert" | "update" | "remove" | "edit";

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: AuditAction;
  entity: Entity;
  dapodik_id: string;
  field: string | null;
  before: RecordValue;
  after: RecordValue;
  batch_id: number | null;
  staging_id: number | null;
}

export interface AuditPage {
  total: number;
  rows: AuditEntry[];
}

export interface AuditSearch {
  entity?: Entity | null;
  field?: string | null;
  dapodik_id?: string | null;
  from_ms?: number | null;
  to_ms?: number | null;
  offset: number;
  limit: number;
}

export interface RelatedRecord {
  entity: Entity;
  dapodik_id: string;
  label: string | null;
}

export interface RegisterView {
  record: RegisterRecord;
  history: AuditEntry[];
  related: RelatedRecord[];
}

export type ExportFormat = "xlsx" | "csv";
export type ExportTarget =
  | { what: "register"; entity: Entity; search?: string | null }
  | { what: "staging"; batch_id?: number | null; entity?: Entity | null; status?: StagingStatus | null; search?: string | null };

export interface ExportDone {
  path: string;
  rows: number;
  format: ExportFormat;
}

export interface DemoSemester {
  semester_id: string;
  new_students: string[];
  moved_students: string[];
  corrected_names: string[];
  leavers: string[];
  new_gtk: string[];
  gtk_leavers: string[];
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (err && typeof err === "object" && "code" in err && "message" in err) {
      const e = err as { code: unknown; message: unknown };
      throw new ApiError(String(e.code), String(e.message));
    }
    throw new ApiError("internal", typeof err === "string" ? err : String(err));
  }
}

export const reviewApi = {
  stagingDetail: (id: number) => call<StagingDetail | null>("staging_detail", { id }),
  acceptRow: (id: number) => call<StagingDetail>("accept_row", { id }),
  rejectRow: (id: number) => call<StagingDetail>("reject_row", { id }),
  resolveRow: (id: number, field: string | null, choice: FieldChoice) => call<StagingDetail>("resolve_row", { id, field, choice }),
  bulkAccept: (batchId: number, status: "NEW" | "MATCHED") => call<number>("bulk_accept", { batchId, status }),
  applyStaging: (batchId: number | null) => call<ApplyReport>("apply_staging", { batchId, statuses: null }),
  registerPage: (query: RegisterQuery) => call<RegisterPage>("register_page", { query }),
  registerView: (entity: Entity, dapodikId: string) => call<RegisterView | null>("register_view", { entity, dapodikId }),
  editRegister: (entity: Entity, dapodikId: string, field: string, value: RecordValue) =>
    call<{ field: string; before: RecordValue; after: RecordValue }>("edit_register", { entity, dapodikId, field, value }),
  auditSearch: (filter: AuditSearch) => call<AuditPage>("audit_search", { filter }),
  auditFields: () => call<string[]>("audit_fields"),
  exportData: (target: ExportTarget, format: ExportFormat) => call<ExportDone | null>("export_data", { target, format }),
  demoNextSemester: () => call<DemoSemester>("demo_next_semester"),
};
