import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Batch, StagingQuery } from "../src/api";
import type { StagingDetail } from "../src/review-api";

const calls: string[] = [];
const pageQueries: StagingQuery[] = [];
const CONFLICTS = [11, 12, 13];

function detail(id: number, decision: "ACCEPTED" | null = null): StagingDetail {
  return {
    row: { id, batch_id: 2, entity: "peserta_didik", dapodik_id: `id-${id}`, status: "CONFLICT", reasons: [], record: { nama: `SISWA ${id}` }, content_hash: "x" },
    kind: "record",
    match_by: "uuid",
    match_id: `id-${id}`,
    in_register: true,
    diff: [{ field: "alamat_jalan", base: "A", local: "B", dapodik: "C", change: "conflict", conflict: true, protected: false }],
    findings: [],
    resolution: decision ? { decision, fields: {}, decided_by: "op", decided_at: 1, applied_at: null } : null,
    unresolved: decision ? [] : ["alamat_jalan"],
  };
}

vi.mock("../src/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      appInfo: vi.fn(async () => ({ mode: "demo", npsn: "1", school_name: null, db_path: "", version: "", sync_enabled: true })),
      stagingPage: vi.fn(async (q: StagingQuery) => {
        pageQueries.push(q);
        if (q.status === "CONFLICT") {
          const ids = CONFLICTS.slice(q.offset, q.offset + q.limit);
          return { total: CONFLICTS.length, rows: ids.map((id) => ({ id, entity: "peserta_didik", dapodik_id: `id-${id}`, status: "CONFLICT", reasons: [], label: `SISWA ${id}` })) };
        }
        return { total: 0, rows: [] };
      }),
    },
  };
});

vi.mock("../src/review-api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/review-api")>();
  return {
    ...real,
    reviewApi: {
      stagingDetail: vi.fn(async (id: number) => {
        calls.push(`detail ${id}`);
        return detail(id);
      }),
      acceptRow: vi.fn(async (id: number) => {
        calls.push(`accept ${id}`);
        return detail(id, "ACCEPTED");
      }),
      rejectRow: vi.fn(async (id: number) => {
        calls.push(`reject ${id}`);
        return detail(id);
      }),
      resolveRow: vi.fn(async (id: number, field: string | null, choice: { take: string }) => {
        calls.push(`resolve ${id} ${field ?? "*"} ${choice.take}`);
        return detail(id, "ACCEPTED");
      }),
      bulkAccept: vi.fn(async (batch: number, status: string) => {
        calls.push(`bulk ${batch} ${status}`);
        return 42;
      }),
      applyStaging: vi.fn(async (batch: number | null) => {
        calls.push(`apply ${batch}`);
        return { batch_id: batch, applied: 40, skipped: 3, changed: 40, audited: 80, skipped_rows: [] };
      }),
      demoNextSemester: vi.fn(async () => ({ semester_id: "20252", new_students: [], moved_students: [], corrected_names: ["x"], leavers: [], new_gtk: [], gtk_leavers: [] })),
    },
  };
});

const { BatchBook } = await import("../src/batches");
const { StagingScreen } = await import("../src/screens/staging");
const settle = () => new Promise((r) => setTimeout(r, 10));

function staged(id: number): Batch {
  const zero = { NEW: 0, MATCHED: 0, CONFLICT: 0, REJECTED: 0 };
  return {
    id,
    source: "mock",
    target: "",
    npsn: "1",
    status: "SUCCEEDED",
    attempts: 1,
    max_attempts: 3,
    next_attempt_at: null,
    error: null,
    created_at: 1,
    started_at: 1,
    finished_at: 2,
    counts: { peserta_didik: { ...zero, CONFLICT: 3 } },
    notes: [],
    semester_id: "20251",
  };
}

function screen() {
  const book = new BatchBook();
  book.replace([staged(2)]);
  const s = new StagingScreen({ book, reportError: (e) => { throw e; } });
  document.body.appendChild(s.el);
  return s;
}

const key = (el: HTMLElement, k: string) => el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));

describe("Rekonsiliasi screen", () => {
  beforeEach(() => {
    calls.length = 0;
    pageQueries.length = 0;
    document.body.innerHTML = "";
  });

  it("j/k walk the batch's conflicts one row at a time; a, l, d, r decide the shown row", async () => {
    const s = screen();
    await settle();
    key(s.el, "j");
    await settle();
    key(s.el, "j");
    await settle();
    key(s.el, "k");
    await settle();
    const conflictQueries = pageQueries.filter((q) => q.status === "CONFLICT");
    expect(conflictQueries.map((q) => [q.batch_id, q.offset, q.limit])).toEqual([
      [2, 0, 1],
      [2, 1, 1],
      [2, 0, 1],
    ]);
    expect(calls).toEqual(["detail 11", "detail 12", "detail 11"]);
    expect(s.el.querySelector('[data-testid="review-result"]')!.textContent).toBe("Konflik 1 dari 3");

    key(s.el, "a");
    await settle();
    key(s.el, "l");
    await settle();
    key(s.el, "d");
    await settle();
    key(s.el, "r");
    await settle();
    expect(calls.slice(3)).toEqual(["accept 11", "resolve 11 * local", "resolve 11 * dapodik", "reject 11"]);
  });

  it("keys typed into a text field are not shortcuts", async () => {
    const s = screen();
    await settle();
    const search = s.el.querySelector('[data-testid="filter-search"]') as HTMLInputElement;
    key(search, "j");
    await settle();
    expect(pageQueries.filter((q) => q.status === "CONFLICT")).toEqual([]);
  });

  it("the last conflict stays the last; the help line names the keys", async () => {
    const s = screen();
    await settle();
    for (let i = 0; i < 5; i += 1) {
      key(s.el, "n");
      await settle();
    }
    expect(calls.at(-1)).toBe("detail 13");
    expect(s.el.querySelector('[data-testid="review-keys"]')!.textContent).toMatch(/j\/n.*k\/p.*a .*l .*d .*r /);
  });

  it("bulk actions and apply report their counts", async () => {
    const s = screen();
    await settle();
    (s.el.querySelector('[data-testid="bulk-accept-new"]') as HTMLButtonElement).click();
    await settle();
    expect(s.el.querySelector('[data-testid="review-result"]')!.textContent).toBe("42 baris Baru diterima.");
    (s.el.querySelector('[data-testid="bulk-accept-matched"]') as HTMLButtonElement).click();
    await settle();
    (s.el.querySelector('[data-testid="apply"]') as HTMLButtonElement).click();
    await settle();
    expect(calls).toEqual(["bulk 2 NEW", "bulk 2 MATCHED", "apply 2"]);
    const result = s.el.querySelector('[data-testid="review-result"]') as HTMLElement;
    expect(result.textContent).toBe("Diterapkan: 40 · dilewati: 3");
    expect(result.dataset.applied).toBe("40");
    expect(result.dataset.skipped).toBe("3");
    // Demo mode shows the next-semester action.
    expect(s.el.querySelector('[data-testid="demo-next-semester"]')).not.toBeNull();
  });

  it("a field choice from the diff goes to resolve with the field", async () => {
    const s = screen();
    await settle();
    key(s.el, "j");
    await settle();
    (s.el.querySelector('[data-field="alamat_jalan"] [data-testid="take-dapodik"]') as HTMLButtonElement).click();
    await settle();
    expect(calls.at(-1)).toBe("resolve 11 alamat_jalan dapodik");
    expect(s.el.querySelector('[data-testid="decision"]')!.textContent).toBe("Diterima");
  });
});
