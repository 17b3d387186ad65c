import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RegisterQuery, RegisterRecord, RegisterView } from "../src/review-api";

const queries: RegisterQuery[] = [];
const edits: unknown[][] = [];
const TOTAL = 50_000;

function rec(i: number, entity: RegisterQuery["entity"]): RegisterRecord {
  return {
    entity,
    dapodik_id: `id-${i}`,
    label: `SISWA ${String(i).padStart(5, "0")}`,
    record: { peserta_didik_id: `id-${i}`, nama: `SISWA ${i}`, nisn: `00${String(i).padStart(8, "0")}`, nama_rombel: "X TKJ 1" },
    base: { peserta_didik_id: `id-${i}`, nama: `SISWA ${i}`, nisn: `00${String(i).padStart(8, "0")}`, nama_rombel: "X TKJ 1" },
    edited: i === 0,
    provenance: { created_at: 1, applied_at: 1, updated_at: 1, source_batch_id: 1, source_staging_id: 1, edited_at: null, edited_by: null },
  };
}

vi.mock("../src/review-api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/review-api")>();
  return {
    ...real,
    reviewApi: {
      registerPage: vi.fn(async (q: RegisterQuery) => {
        queries.push(q);
        const n = Math.max(0, Math.min(q.limit, TOTAL - q.offset));
        return { total: TOTAL, rows: Array.from({ length: n }, (_, k) => rec(q.offset + k, q.entity)) };
      }),
      registerView: vi.fn(async (entity: RegisterQuery["entity"], id: string): Promise<RegisterView> => ({
        record: { ...rec(Number(id.slice(3)), entity), record: { ...rec(0, entity).record, nama: "SISWA EDIT" } },
        history: [
          { id: 1, at: 1, actor: "op", action: "insert", entity, dapodik_id: id, field: null, before: null, after: null, batch_id: 1, staging_id: 1 },
          { id: 2, at: 2, actor: "op", action: "edit", entity, dapodik_id: id, field: "nama", before: "SISWA 0", after: "SISWA EDIT", batch_id: null, staging_id: null },
        ],
        related: [{ entity: "rombongan_belajar", dapodik_id: "r1", label: "X TKJ 1" }],
      })),
      editRegister: vi.fn(async (...args: unknown[]) => {
        edits.push(args);
        return { field: "nama", before: "a", after: "b" };
      }),
      exportData: vi.fn(async () => ({ path: "/tmp/x.xlsx", rows: TOTAL, format: "xlsx" })),
    },
  };
});

const { RegisterScreen } = await import("../src/screens/register");
const settle = () => new Promise((r) => setTimeout(r, 20));

function screen() {
  const s = new RegisterScreen({ book: { subscribe: () => () => undefined } as never, reportError: (e) => { throw e; } });
  document.body.appendChild(s.el);
  for (const vp of s.el.querySelectorAll<HTMLElement>(".vt-viewport, [role='grid'], .vt")) {
    Object.defineProperty(vp, "clientHeight", { configurable: true, value: 400 });
  }
  return s;
}

describe("Data Sekolah table", () => {
  beforeEach(() => {
    queries.length = 0;
    edits.length = 0;
    document.body.innerHTML = "";
  });

  it("pages 50,000 records from SQLite a page at a time, never the whole register", async () => {
    const s = screen();
    s.show();
    await settle();
    expect(queries.length).toBeGreaterThan(0);
    expect(queries[0]).toMatchObject({ entity: "peserta_didik", sort: "label", descending: false, offset: 0 });
    for (const q of queries) expect(q.limit).toBeLessThanOrEqual(100);
    expect(s.el.querySelector('[data-testid="register-total"]')!.textContent).toContain("50.000");
    const rows = s.el.querySelectorAll('[data-testid="register-row"]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(200);
  });

  it("switches tabs and sorts through the query", async () => {
    const s = screen();
    s.show();
    await settle();
    (s.el.querySelector('[data-testid="register-tab-gtk"]') as HTMLButtonElement).click();
    await settle();
    expect(queries.at(-1)!.entity).toBe("gtk");
    expect(s.el.querySelector('[data-testid="register-tab-gtk"]')!.getAttribute("aria-selected")).toBe("true");
    const sort = s.el.querySelector('[data-testid="register-sort"]') as HTMLSelectElement;
    sort.value = "updated_at";
    sort.dispatchEvent(new Event("change"));
    const order = s.el.querySelector('[data-testid="register-order"]') as HTMLSelectElement;
    order.value = "desc";
    order.dispatchEvent(new Event("change"));
    await settle();
    expect(queries.at(-1)).toMatchObject({ entity: "gtk", sort: "updated_at", descending: true });
  });

  it("masks NISN in the table and shows a record's history, classes and local edit", async () => {
    const s = screen();
    s.show();
    await settle();
    const first = s.el.querySelector('[data-testid="register-row"]')!;
    expect(first.textContent).toContain("00******00");
    expect(first.textContent).not.toContain("0000000000");
    await s.open("peserta_didik", "id-0");
    const history = s.el.querySelector('[data-testid="register-history"]')!;
    expect(history.querySelectorAll("li").length).toBe(2);
    expect(history.textContent).toContain("SISWA 0 → SISWA EDIT");
    expect(s.el.querySelector('[data-testid="register-related"]')!.textContent).toContain("X TKJ 1");
    const field = s.el.querySelector('[data-testid="edit-field"]') as HTMLSelectElement;
    field.value = "nama";
    field.dispatchEvent(new Event("change"));
    (s.el.querySelector('[data-testid="edit-value"]') as HTMLInputElement).value = "NAMA BARU";
    (s.el.querySelector('[data-testid="edit-save"]') as HTMLButtonElement).click();
    await settle();
    expect(edits).toEqual([["peserta_didik", "id-0", "nama", "NAMA BARU"]]);
  });
});
