// Typed wrappers over the desktop shell's commands and events (src-tauri/src/commands.rs, events.rs).
// The types mirror sync-core's serde output; times are unix milliseconds.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Entity = "sekolah" | "peserta_didik" | "gtk" | "rombongan_belajar";
export const ENTITIES: Entity[] = ["sekolah", "peserta_didik", "gtk", "rombongan_belajar"];

export type BatchStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export type StagingStatus = "NEW" | "MATCHED" | "CONFLICT" | "REJECTED";
export const STAGING_STATUSES: StagingStatus[] = ["NEW", "MATCHED", "CONFLICT", "REJECTED"];

export interface AppInfo {
  mode: "demo" | "real";
  npsn: string;
  school_name: string | null;
  db_path: string;
  version: string;
  /** False when sync is switched off (DAPODIK_SYNC_ENABLED=false): batches are recorded, not run. */
  sync_enabled: boolean;
}

export interface BatchError {
  code: string;
  message: string;
  retryable: boolean;
}

export type StatusCounts = Record<StagingStatus, number>;

export interface Batch {
  id: number;
  source: "mock" | "webservice" | "replay";
  target: string;
  npsn: string;
  status: BatchStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number | null;
  error: BatchError | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  counts: Partial<Record<Entity, StatusCounts>>;
  notes: string[];
  semester_id: string | null;
}

export interface Attempt {
  number: number;
  started_at: number;
  finished_at: number | null;
  error: BatchError | null;
}

export interface StagingQuery {
  batch_id?: number | null;
  entity?: Entity | null;
  status?: StagingStatus | null;
  search?: string | null;
  offset: number;
  limit: number;
}

export interface StagingRowSummary {
  id: number;
  entity: Entity;
  dapodik_id: string | null;
  status: StagingStatus;
  reasons: string[];
  label: string | null;
}

export interface StagingPage {
  total: number;
  rows: StagingRowSummary[];
}

export type RecordValue = null | boolean | number | string | RecordValue[] | { [key: string]: RecordValue };

export interface StagingRow {
  id: number;
  batch_id: number;
  entity: Entity;
  dapodik_id: string | null;
  status: StagingStatus;
  reasons: string[];
  record: Record<string, RecordValue>;
  content_hash: string;
}

/** Live progress of one Web Service function of a running batch. */
export interface Progress {
  batch_id: number;
  function: string;
  bytes: number;
  rows: number;
}

/** The coalesced worker update the shell emits at most every ~150 ms (event `sync:update`). */
export interface SyncUpdate {
  batches: Batch[];
  progress: Progress[];
}

export const SYNC_UPDATE_EVENT = "sync:update";

/** An error as it crosses from the shell: a stable code and an Indonesian message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function toApiError(err: unknown): ApiError {
  if (err && typeof err === "object" && "code" in err && "message" in err) {
    const e = err as { code: unknown; message: unknown };
    return new ApiError(String(e.code), String(e.message));
  }
  return new ApiError("internal", typeof err === "string" ? err : String(err));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  syncNow: () => call<Batch>("sync_now"),
  cancelBatch: (id: number) => call<Batch>("cancel_batch", { id }),
  retryBatch: (id: number) => call<Batch>("retry_batch", { id }),
  listBatches: () => call<Batch[]>("list_batches"),
  batchAttempts: (id: number) => call<Attempt[]>("batch_attempts", { id }),
  stagingPage: (query: StagingQuery) => call<StagingPage>("staging_page", { query }),
  stagingRow: (id: number) => call<StagingRow | null>("staging_row", { id }),
  onSyncUpdate: (handler: (update: SyncUpdate) => void): Promise<UnlistenFn> =>
    listen<SyncUpdate>(SYNC_UPDATE_EVENT, (event) => handler(event.payload)),
};
