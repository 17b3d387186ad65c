// Is Dapodik reachable, as far as the queue knows? Derived from the batches alone (pure): the newest
// batch with an outcome decides — a success means "ok", a last failure with `dapodik_unreachable` or
// `timeout` means "offline" (the banner: review and apply still work, batches retry by themselves),
// any other failure "failed". Batches still waiting or running without an error, and cancelled ones,
// say nothing.

import type { Batch } from "./api";

export type ConnectionStateKind = "unknown" | "ok" | "offline" | "failed";

export interface ConnectionState {
  kind: ConnectionStateKind;
  /** The error code of the failure that decided it. */
  code: string | null;
  batchId: number | null;
}

/** Error codes that mean "Dapodik could not be reached", not "Dapodik said no". */
export const OFFLINE_CODES = new Set(["dapodik_unreachable", "timeout"]);

export function connectionState(batches: Batch[]): ConnectionState {
  const newestFirst = [...batches].sort((a, b) => b.id - a.id);
  for (const b of newestFirst) {
    if (b.status === "SUCCEEDED") return { kind: "ok", code: null, batchId: b.id };
    if (b.status === "CANCELLED" && !b.error) continue;
    if (b.error) {
      return { kind: OFFLINE_CODES.has(b.error.code) ? "offline" : "failed", code: b.error.code, batchId: b.id };
    }
  }
  return { kind: "unknown", code: null, batchId: null };
}
