import { afterEach, describe, expect, it } from "vitest";
import { pagesForRange, scrollToReveal, visibleRange, VirtualTable, type PageResult } from "../src/components/virtual-table";

describe("windowing math", () => {
  it("renders the visible rows plus overscan, clamped to the table", () => {
    // 36 px rows, 360 px viewport: 10 visible rows (+1 for a partial row).
    expect(visibleRange(0, 360, 36, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3600, 360, 36, 10_000, 5)).toEqual({ start: 95, end: 116 });
    // Near the end the range stops at the last row.
    expect(visibleRange(36 * 9_995, 360, 36, 10_000, 5)).toEqual({ start: 9_990, end: 10_000 });
    // Scrolled past the end (e.g. the total shrank): still a valid range at the end.
    expect(visibleRange(36 * 20_000, 360, 36, 10_000, 5)).toEqual({ start: 9_994, end: 10_000 });
    expect(visibleRange(0, 360, 36, 0, 5)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 360, 36, 3, 5)).toEqual({ start: 0, end: 3 });
  });

  it("never renders more than a viewport and two overscans, whatever the table size", () => {
    for (const total of [1, 50, 10_000, 1_000_000]) {
      for (const scrollTop of [0, 1234, 36 * total * 0.5, 36 * total]) {
        const r = visibleRange(scrollTop, 720, 36, total, 8);
        expect(r.start).toBeGreaterThanOrEqual(0);
        expect(r.end).toBeLessThanOrEqual(total);
        expect(r.end - r.start).toBeLessThanOrEqual(21 + 16);
      }
    }
  });

  it("maps a row range to the pages holding it", () => {
    expect(pagesForRange({ start: 0, end: 16 }, 100)).toEqual([0]);
    expect(pagesForRange({ start: 95, end: 116 }, 100)).toEqual([0, 1]);
    expect(pagesForRange({ start: 100, end: 200 }, 100)).toEqual([1]);
    expect(pagesForRange({ start: 9_990, end: 10_000 }, 100)).toEqual([99]);
    expect(pagesForRange({ start: 5, end: 5 }, 100)).toEqual([]);
  });

  it("scrolls just enough to reveal a row", () => {
    expect(scrollToReveal(5, 0, 360, 36)).toBeNull();
    expect(scrollToReveal(10, 0, 360, 36)).toBe(11 * 36 - 360);
    expect(scrollToReveal(2, 200, 360, 36)).toBe(72);
  });
});

interface Row {
  id: number;
  name: string;
}

function fakeSource(total: number) {
  const calls: Array<{ offset: number; limit: number }> = [];
  const fetchPage = async (offset: number, limit: number): Promise<PageResult<Row>> => {
    calls.push({ offset, limit });
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i += 1) rows.push({ id: i, name: `Siswa ${i}` });
    return { total, rows };
  };
  return { calls, fetchPage };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("VirtualTable", () => {
  let table: VirtualTable<Row> | null = null;
  afterEach(() => {
    table?.el.remove();
    table = null;
  });

  function mount(total: number, activated: Row[] = []) {
    const source = fakeSource(total);
    table = new VirtualTable<Row>({
      ariaLabel: "rows",
      emptyText: "kosong",
      loadingText: "memuat",
      rowTestId: "row",
      rowHeight: 36,
      pageSize: 100,
      overscan: 5,
      fetchDelayMs: 0,
      maxCachedPages: 4,
      columns: [
        { key: "id", label: "ID", width: "80px", render: (r) => String(r.id) },
        { key: "name", label: "Nama", width: "1fr", render: (r) => r.name },
      ],
      fetchPage: source.fetchPage,
      onActivate: (row) => activated.push(row),
      rowData: (r) => ({ id: String(r.id) }),
    });
    Object.defineProperty(table.viewport, "clientHeight", { configurable: true, value: 360 });
    document.body.appendChild(table.el);
    return source;
  }

  async function scrollTo(top: number) {
    table!.viewport.scrollTop = top;
    table!.render();
    await table!.loadVisible();
    await settle();
  }

  it("fetches only the first page for 10,000 rows and renders only a window", async () => {
    const source = mount(10_000);
    await table!.reset();
    await settle();
    expect(source.calls).toEqual([{ offset: 0, limit: 100 }]);
    expect(table!.rowCount()).toBe(10_000);
    const rows = table!.el.querySelectorAll('[data-testid="row"]');
    expect(rows.length).toBe(16);
    expect(rows[0].textContent).toBe("0Siswa 0");
    expect(table!.el.getAttribute("aria-rowcount")).toBe("10000");
    // The spacer gives the scrollbar the full height.
    expect((table!.el.querySelector(".vt-spacer") as HTMLElement).style.height).toBe(`${10_000 * 36}px`);
  });

  it("fetches the pages of a scrolled-to window, never the whole table", async () => {
    const source = mount(10_000);
    await table!.reset();
    await settle();
    await scrollTo(36 * 5_000);
    // Rows 4,995–5,015 live on pages 49 and 50.
    expect(source.calls.slice(1)).toEqual([
      { offset: 4_900, limit: 100 },
      { offset: 5_000, limit: 100 },
    ]);
    expect(table!.renderedIndexes()[0]).toBe(4_995);
    const first = table!.el.querySelector('[data-testid="row"][data-id="5000"]') as HTMLElement;
    expect(first.style.transform).toBe(`translateY(${5_000 * 36}px)`);

    await scrollTo(36 * 10_000);
    expect(source.calls.at(-1)).toEqual({ offset: 9_900, limit: 100 });
    expect(table!.el.querySelector('[data-id="9999"]')).not.toBeNull();

    const fetched = source.calls.reduce((n, c) => n + c.limit, 0);
    expect(fetched).toBeLessThanOrEqual(400);
    expect(table!.el.querySelectorAll(".vt-row").length).toBeLessThanOrEqual(16);
  });

  it("recycles row elements while scrolling instead of creating new ones", async () => {
    mount(10_000);
    await table!.reset();
    await settle();
    const before = new Set(table!.el.querySelectorAll(".vt-row"));
    await scrollTo(36 * 3_000);
    const after = [...table!.el.querySelectorAll(".vt-row")];
    // 16 rows at the top (no overscan above), 21 in the middle: the 16 are reused, 5 are added.
    expect(after.length).toBe(21);
    expect([...before].every((el) => after.includes(el))).toBe(true);
    const first = table!.el.querySelector('[data-id="3000"]') as HTMLElement;
    expect(first.getAttribute("aria-rowindex")).toBe("3001");
    expect(first.textContent).toBe("3000Siswa 3000");
  });

  it("keeps the page cache bounded and refetches an evicted page", async () => {
    const source = mount(10_000);
    await table!.reset();
    for (const page of [10, 20, 30, 40, 50, 60]) await scrollTo(36 * page * 100 + 36 * 10);
    expect(table!.cachedPages()).toBeLessThanOrEqual(4);
    const before = source.calls.length;
    await scrollTo(0);
    expect(source.calls.length).toBe(before + 1);
    expect(source.calls.at(-1)).toEqual({ offset: 0, limit: 100 });
  });

  it("does not fetch the same page twice while it is in flight", async () => {
    const source = mount(500);
    const first = table!.reset();
    table!.loadVisible();
    table!.loadVisible();
    await first;
    await settle();
    expect(source.calls.filter((c) => c.offset === 0).length).toBe(1);
  });

  it("ignores a page that arrives after the filters changed", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let totalOfCall = 1_000;
    const calls: number[] = [];
    table = new VirtualTable<Row>({
      ariaLabel: "rows",
      emptyText: "kosong",
      loadingText: "memuat",
      columns: [{ key: "name", label: "Nama", width: "1fr", render: (r) => r.name }],
      fetchDelayMs: 0,
      fetchPage: async (offset, limit) => {
        const total = totalOfCall;
        calls.push(total);
        if (total === 1_000) await gate;
        return { total, rows: Array.from({ length: Math.min(limit, total - offset) }, (_, i) => ({ id: i, name: `t${total}-${i}` })) };
      },
    });
    Object.defineProperty(table.viewport, "clientHeight", { configurable: true, value: 360 });
    const stale = table.reset();
    totalOfCall = 3;
    await table.reset();
    release();
    await stale;
    await settle();
    expect(calls).toEqual([1_000, 3]);
    expect(table.rowCount()).toBe(3);
    expect([...table.el.querySelectorAll(".vt-row")].map((r) => r.textContent)).toEqual(["t3-0", "t3-1", "t3-2"]);
  });

  it("shows the empty text for no rows", async () => {
    mount(0);
    await table!.reset();
    await settle();
    const status = table!.el.querySelector(".vt-status") as HTMLElement;
    expect(status.hidden).toBe(false);
    expect(status.textContent).toBe("kosong");
  });

  it("is keyboard usable: arrows move the selection, Enter opens, End jumps to the last row", async () => {
    const activated: Row[] = [];
    mount(10_000, activated);
    await table!.reset();
    await settle();
    const key = (k: string) => table!.viewport.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("ArrowDown");
    key("ArrowDown");
    expect(table!.selectedIndex()).toBe(1);
    key("Enter");
    expect(activated.map((r) => r.id)).toEqual([1]);
    expect(table!.el.querySelector(".vt-row.selected")?.getAttribute("aria-rowindex")).toBe("2");
    key("End");
    await table!.loadVisible();
    await settle();
    expect(table!.selectedIndex()).toBe(9_999);
    expect(table!.viewport.scrollTop).toBe(10_000 * 36 - 360);
    key("Enter");
    expect(activated.map((r) => r.id)).toEqual([1, 9_999]);
  });

  it("clicking a row opens it", async () => {
    const activated: Row[] = [];
    mount(50, activated);
    await table!.reset();
    await settle();
    (table!.el.querySelector('[data-id="3"]') as HTMLElement).click();
    expect(activated.map((r) => r.id)).toEqual([3]);
  });
});

describe("VirtualTable before its first reset", () => {
  it("fetches nothing until the owner resets it", async () => {
    const calls: number[] = [];
    const table = new VirtualTable<{ id: number }>({
      ariaLabel: "rows",
      emptyText: "kosong",
      loadingText: "memuat",
      fetchDelayMs: 0,
      columns: [{ key: "id", label: "ID", width: "1fr", render: (r) => String(r.id) }],
      fetchPage: async (offset) => {
        calls.push(offset);
        return { total: 1, rows: [{ id: 1 }] };
      },
    });
    await table.loadVisible();
    table.render();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual([]);
    await table.reset();
    expect(calls).toEqual([0]);
  });
});
