import { describe, expect, it, vi } from "vitest";
import type { AuditSearch } from "../src/review-api";

const searches: AuditSearch[] = [];
vi.mock("../src/review-api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/review-api")>();
  return {
    ...real,
    reviewApi: {
      auditSearch: vi.fn(async (f: AuditSearch) => {
        searches.push(f);
        return { total: 0, rows: [] };
      }),
      auditFields: vi.fn(async () => ["nama", "nisn"]),
    },
  };
});

const { AuditScreen, dayStart } = await import("../src/screens/audit");
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("Log Aktivitas", () => {
  it("turns dates into a local-day range [from, to + 1 day)", () => {
    expect(dayStart("2026-12-03")).toBe(new Date(2026, 11, 3).getTime());
    expect(dayStart("2026-12-31", 1)).toBe(new Date(2027, 0, 1).getTime());
    expect(dayStart("")).toBeNull();
  });

  it("sends entity, field and date filters to the paged audit search", async () => {
    const s = new AuditScreen({ book: {} as never, reportError: (e) => { throw e; } });
    document.body.appendChild(s.el);
    s.show();
    await settle();
    const options = [...s.el.querySelectorAll<HTMLOptionElement>('[data-testid="audit-field"] option')].map((o) => o.value);
    expect(options).toEqual(["", "nama", "nisn"]);
    const set = (id: string, v: string) => {
      const el = s.el.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | HTMLSelectElement;
      el.value = v;
      el.dispatchEvent(new Event("change"));
    };
    set("audit-entity", "gtk");
    set("audit-field", "nisn");
    set("audit-from", "2026-12-01");
    set("audit-to", "2026-12-03");
    await settle();
    expect(searches.at(-1)).toMatchObject({
      entity: "gtk",
      field: "nisn",
      from_ms: new Date(2026, 11, 1).getTime(),
      to_ms: new Date(2026, 11, 4).getTime(),
      offset: 0,
    });
    expect(searches.at(-1)!.limit).toBeLessThanOrEqual(100);
  });
});
