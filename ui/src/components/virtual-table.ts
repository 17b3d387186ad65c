// A virtualised, paged table: only the rows in (and just around) the viewport exist in the DOM, and rows
// are fetched page by page (`pageSize`, ~100) as they come into view — never the whole table. Pages are
// cached with a small LRU so scrolling back is instant and memory stays bounded.
//
// Keyboard: the viewport is focusable; ↑/↓, PageUp/PageDown, Home/End move the selection, Enter or
// Space opens the selected row. Clicking a row selects and opens it.

import { clear, h } from "../dom";

export interface Column<R> {
  key: string;
  label: string;
  /** A CSS grid track, e.g. "120px" or "minmax(200px, 2fr)". */
  width: string;
  render: (row: R) => Node | string;
}

export interface PageResult<R> {
  total: number;
  rows: R[];
}

export interface VirtualTableOptions<R> {
  columns: Column<R>[];
  fetchPage: (offset: number, limit: number) => Promise<PageResult<R>>;
  onActivate?: (row: R, index: number) => void;
  /** Called after every successful page load with the (possibly changed) total. */
  onTotal?: (total: number) => void;
  onError?: (err: unknown) => void;
  rowHeight?: number;
  pageSize?: number;
  overscan?: number;
  maxCachedPages?: number;
  /** Delay before fetching the pages of the current view, so a fast scroll doesn't fetch every page it passes. */
  fetchDelayMs?: number;
  rowTestId?: string;
  /** `data-*` attributes of a row element (e.g. its status, for tests and styling). */
  rowData?: (row: R) => Record<string, string>;
  ariaLabel: string;
  emptyText: string;
  loadingText: string;
}

export interface Range {
  /** First row index (inclusive). */
  start: number;
  /** Last row index (exclusive). */
  end: number;
}

/** Rows to render for a viewport: the visible ones plus `overscan` on each side, clamped to [0, total). */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan: number,
): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first, total - 1) - overscan);
  const end = Math.min(total, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** The page indexes that hold rows [start, end). */
export function pagesForRange(range: Range, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const first = Math.floor(range.start / pageSize);
  const last = Math.floor((range.end - 1) / pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p += 1) pages.push(p);
  return pages;
}

/** The scrollTop that brings row `index` fully into view, or `null` when it already is. */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}

export class VirtualTable<R> {
  readonly el: HTMLElement;
  readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly status: HTMLElement;
  private readonly opts: Required<Omit<VirtualTableOptions<R>, "onActivate" | "onTotal" | "onError" | "rowTestId" | "rowData">> &
    VirtualTableOptions<R>;
  private readonly gridColumns: string;

  private total: number | null = null;
  private pages = new Map<number, R[]>();
  private inflight = new Map<number, Promise<void>>();
  private generation = 0;
  private rendered = new Map<number, { el: HTMLElement; filled: boolean }>();
  private selected = -1;
  private frame = 0;
  private fetchTimer: ReturnType<typeof setTimeout> | null = null;
  private failed = false;
  /** Nothing is fetched before the first `reset()` (the owner decides when the query is ready). */
  private started = false;

  constructor(options: VirtualTableOptions<R>) {
    this.opts = {
      rowHeight: 36,
      pageSize: 100,
      overscan: 8,
      maxCachedPages: 30,
      fetchDelayMs: 60,
      ...options,
    };
    this.gridColumns = options.columns.map((c) => c.width).join(" ");

    const header = h(
      "div",
      { class: "vt-header", attrs: { role: "row" } },
      ...options.columns.map((c) => h("div", { class: "vt-cell", attrs: { role: "columnheader" } }, c.label)),
    );
    header.style.gridTemplateColumns = this.gridColumns;

    this.spacer = h("div", { class: "vt-spacer" });
    this.status = h("div", { class: "vt-status", attrs: { role: "status" } });
    this.viewport = h(
      "div",
      {
        class: "vt-viewport",
        attrs: { tabindex: 0, role: "rowgroup" },
        on: {
          scroll: () => this.schedule(),
          keydown: (e) => this.onKey(e),
        },
      },
      this.spacer,
    );
    this.el = h(
      "div",
      { class: "vt", attrs: { role: "grid", "aria-label": options.ariaLabel, "aria-rowcount": 0 } },
      header,
      this.viewport,
      this.status,
    );
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(() => this.schedule()).observe(this.viewport);
    }
  }

  /** Forget all rows (e.g. the filters changed) and load from the top. */
  reset(): Promise<void> {
    this.started = true;
    this.generation += 1;
    this.total = null;
    this.pages.clear();
    this.inflight.clear();
    this.selected = -1;
    this.failed = false;
    this.viewport.scrollTop = 0;
    this.el.removeAttribute("aria-activedescendant");
    for (const { el } of this.rendered.values()) el.remove();
    this.rendered.clear();
    this.render();
    return this.loadVisible();
  }

  /** Reload the pages in view keeping the scroll position (e.g. after a new batch was staged). */
  refresh(): Promise<void> {
    this.generation += 1;
    this.pages.clear();
    this.inflight.clear();
    for (const entry of this.rendered.values()) entry.filled = false;
    return this.loadVisible();
  }

  rowCount(): number | null {
    return this.total;
  }

  /** The number of pages held in memory (for tests and diagnostics). */
  cachedPages(): number {
    return this.pages.size;
  }

  /** Row indexes currently in the DOM, ascending. */
  renderedIndexes(): number[] {
    return [...this.rendered.keys()].sort((a, b) => a - b);
  }

  selectedIndex(): number {
    return this.selected;
  }

  focus(): void {
    this.viewport.focus();
  }

  private viewportHeight(): number {
    return this.viewport.clientHeight || 480;
  }

  private range(): Range {
    return visibleRange(
      this.viewport.scrollTop,
      this.viewportHeight(),
      this.opts.rowHeight,
      this.total ?? 0,
      this.opts.overscan,
    );
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === "function" ? requestAnimationFrame : (cb: () => void) => setTimeout(cb, 16);
    this.frame = raf(() => {
      this.frame = 0;
      this.render();
      if (this.fetchTimer) clearTimeout(this.fetchTimer);
      this.fetchTimer = setTimeout(() => {
        this.fetchTimer = null;
        void this.loadVisible();
      }, this.opts.fetchDelayMs);
    }) as unknown as number;
  }

  /** Fetch the pages needed for the current view (page 0 first when the total is still unknown). */
  loadVisible(): Promise<void> {
    if (!this.started) return Promise.resolve();
    const pages = this.total === null ? [0] : pagesForRange(this.range(), this.opts.pageSize);
    return Promise.all(pages.map((p) => this.loadPage(p))).then(() => undefined);
  }

  private loadPage(page: number): Promise<void> {
    if (this.pages.has(page)) {
      // Touch for LRU.
      const rows = this.pages.get(page)!;
      this.pages.delete(page);
      this.pages.set(page, rows);
      return Promise.resolve();
    }
    const existing = this.inflight.get(page);
    if (existing) return existing;
    const generation = this.generation;
    const promise = this.opts
      .fetchPage(page * this.opts.pageSize, this.opts.pageSize)
      .then((result) => {
        if (generation !== this.generation) return;
        this.failed = false;
        this.pages.set(page, result.rows);
        this.evict(page);
        const firstLoad = this.total === null;
        this.total = result.total;
        this.opts.onTotal?.(result.total);
        this.render();
        if (firstLoad) void this.loadVisible();
      })
      .catch((err: unknown) => {
        if (generation !== this.generation) return;
        this.failed = true;
        this.render();
        this.opts.onError?.(err);
      })
      .finally(() => {
        if (generation === this.generation) this.inflight.delete(page);
      });
    this.inflight.set(page, promise);
    return promise;
  }

  private evict(keep: number): void {
    if (this.pages.size <= this.opts.maxCachedPages) return;
    const wanted = new Set(pagesForRange(this.range(), this.opts.pageSize));
    wanted.add(keep);
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.opts.maxCachedPages) break;
      if (!wanted.has(page)) this.pages.delete(page);
    }
  }

  private rowAt(index: number): R | undefined {
    const page = this.pages.get(Math.floor(index / this.opts.pageSize));
    return page?.[index % this.opts.pageSize];
  }

  /** Sync the DOM with the current range: remove rows that left it, add or fill the ones in it. */
  render(): void {
    const total = this.total ?? 0;
    this.spacer.style.height = `${total * this.opts.rowHeight}px`;
    this.el.setAttribute("aria-rowcount", String(total));
    if (this.total === null) {
      this.status.textContent = this.failed ? "" : this.opts.loadingText;
    } else {
      this.status.textContent = total === 0 ? this.opts.emptyText : "";
    }
    this.status.hidden = this.status.textContent === "";

    const { start, end } = this.range();
    // Rows that left the range are recycled for the rows that entered it (no element churn while scrolling).
    const free: HTMLElement[] = [];
    for (const [index, entry] of this.rendered) {
      if (index < start || index >= end) {
        free.push(entry.el);
        this.rendered.delete(index);
      }
    }
    for (let index = start; index < end; index += 1) {
      const row = this.rowAt(index);
      let entry = this.rendered.get(index);
      if (!entry) {
        let el = free.pop();
        if (!el) {
          el = h("div", { class: "vt-row", attrs: { role: "row" } });
          el.addEventListener("click", (e) => this.activate(Number((e.currentTarget as HTMLElement).getAttribute("aria-rowindex")) - 1));
          el.style.height = `${this.opts.rowHeight}px`;
          el.style.gridTemplateColumns = this.gridColumns;
          this.spacer.appendChild(el);
        }
        el.id = `vt-row-${index}`;
        el.setAttribute("aria-rowindex", String(index + 1));
        el.style.transform = `translateY(${index * this.opts.rowHeight}px)`;
        entry = { el, filled: false };
        this.rendered.set(index, entry);
        if (row === undefined) this.placeholder(el);
      }
      if (row !== undefined && !entry.filled) {
        this.fill(entry.el, row);
        entry.filled = true;
      } else if (row === undefined && !entry.el.classList.contains("vt-row-loading")) {
        this.placeholder(entry.el);
        entry.filled = false;
      }
      entry.el.classList.toggle("selected", index === this.selected);
      entry.el.setAttribute("aria-selected", String(index === this.selected));
    }
    for (const el of free) el.remove();
  }

  private placeholder(el: HTMLElement): void {
    clear(el);
    el.classList.add("vt-row-loading");
    for (const name of Object.keys(el.dataset)) delete el.dataset[name];
    el.appendChild(h("div", { class: "vt-cell vt-placeholder" }, "…"));
  }

  private fill(el: HTMLElement, row: R): void {
    el.classList.remove("vt-row-loading");
    for (const name of Object.keys(el.dataset)) delete el.dataset[name];
    if (this.opts.rowTestId) el.dataset.testid = this.opts.rowTestId;
    for (const [name, value] of Object.entries(this.opts.rowData?.(row) ?? {})) el.dataset[name] = value;
    const columns = this.opts.columns;
    if (el.children.length !== columns.length || el.firstElementChild?.classList.contains("vt-placeholder")) {
      clear(el);
      for (const column of columns) el.appendChild(h("div", { class: `vt-cell vt-col-${column.key}`, attrs: { role: "gridcell" } }));
    }
    columns.forEach((column, i) => {
      const cell = el.children[i] as HTMLElement;
      const content = column.render(row);
      if (typeof content === "string") {
        cell.textContent = content;
      } else {
        clear(cell);
        cell.appendChild(content);
      }
      // Cells are ellipsised: the full text shows on hover.
      cell.title = cell.textContent ?? "";
    });
  }

  private select(index: number): void {
    const total = this.total ?? 0;
    if (total === 0) return;
    this.selected = Math.max(0, Math.min(total - 1, index));
    this.el.setAttribute("aria-activedescendant", `vt-row-${this.selected}`);
    const target = scrollToReveal(this.selected, this.viewport.scrollTop, this.viewportHeight(), this.opts.rowHeight);
    if (target !== null) this.viewport.scrollTop = target;
    this.render();
    void this.loadVisible();
  }

  private activate(index: number): void {
    this.select(index);
    const row = this.rowAt(index);
    if (row !== undefined) this.opts.onActivate?.(row, index);
  }

  private onKey(e: KeyboardEvent): void {
    const pageRows = Math.max(1, Math.floor(this.viewportHeight() / this.opts.rowHeight) - 1);
    const current = this.selected < 0 ? -1 : this.selected;
    let next: number | null = null;
    switch (e.key) {
      case "ArrowDown":
        next = current + 1;
        break;
      case "ArrowUp":
        next = Math.max(0, current - 1);
        break;
      case "PageDown":
        next = current + pageRows;
        break;
      case "PageUp":
        next = Math.max(0, current - pageRows);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = (this.total ?? 1) - 1;
        break;
      case "Enter":
      case " ":
        if (this.selected >= 0) {
          e.preventDefault();
          this.activate(this.selected);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    this.select(next);
  }
}
