// The Rekonsiliasi screen (was "Staging"): filters (batch, entity, status, search), a virtualised table
// paged from SQLite via `staging_page`, bulk actions (accept all NEW, accept all conflict-free MATCHED,
// apply — offline, it only touches the local database), export of the filtered rows, and the detail of
// the selected row: the three-way diff (Data lokal | Terakhir disinkronkan | Dapodik) with per-field
// choices, findings, row decisions, and the full record.
//
// Keyboard (outside text fields): j/n next conflict, k/p previous conflict, a accept the row, l keep local
// (whole row), d take Dapodik (whole row), r reject the row.

import {
  api,
  ENTITIES,
  STAGING_STATUSES,
  type Entity,
  type RecordValue,
  type StagingRowSummary,
  type StagingStatus,
} from "../api";
import { renderDiff, renderFindings } from "../components/diff-view";
import { VirtualTable } from "../components/virtual-table";
import { reviewApi, type ExportFormat, type FieldChoice, type StagingDetail } from "../review-api";
import "../review.css";
import { append, clear, h } from "../dom";
import { formatDateTime, formatNumber } from "../format";
import { t } from "../i18n";
import { entityLabel, fieldLabel, isSensitiveField, mask, stagingStatusLabel } from "../labels";
import type { ScreenContext } from "./batch";

const ID_FIELD: Record<Entity, string> = {
  sekolah: "sekolah_id",
  peserta_didik: "peserta_didik_id",
  gtk: "ptk_id",
  rombongan_belajar: "rombongan_belajar_id",
};

/** Fields an operator looks for first; the rest follow alphabetically. */
const KEY_FIELDS = [
  "nama",
  "npsn",
  "nisn",
  "nik",
  "nipd",
  "nuptk",
  "nip",
  "jenis_kelamin",
  "tempat_lahir",
  "tanggal_lahir",
  "nama_ibu",
  "nama_rombel",
  "tingkat_pendidikan_id",
  "jenis_ptk_id_str",
  "status_kepegawaian_id_str",
  "semester_id",
];

export function orderFields(entity: Entity, keys: string[]): string[] {
  const first = [ID_FIELD[entity], ...KEY_FIELDS].filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !first.includes(k)).sort();
  return [...first, ...rest];
}

export class StagingScreen {
  readonly el: HTMLElement;
  private readonly table: VirtualTable<StagingRowSummary>;
  private readonly batchSelect: HTMLSelectElement;
  private readonly entitySelect: HTMLSelectElement;
  private readonly statusSelect: HTMLSelectElement;
  private readonly searchInput: HTMLInputElement;
  private readonly totalEl: HTMLElement;
  private readonly detail: HTMLElement;
  private batchId: number | null = null;
  private latestStaged: number | null = null;
  private initialised = false;
  private showSensitive = false;
  private current: StagingDetail | null = null;
  private readonly actionResult: HTMLElement;
  /** Position in the batch's CONFLICT rows for j/k navigation (-1: none chosen yet). */
  private conflictIndex = -1;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private detailRequest = 0;

  constructor(private readonly ctx: ScreenContext) {
    this.batchSelect = h("select", { testid: "filter-batch", attrs: { id: "filter-batch" }, on: { change: () => this.onFilter() } });
    this.entitySelect = h(
      "select",
      { testid: "filter-entity", attrs: { id: "filter-entity" }, on: { change: () => this.onFilter() } },
      h("option", { attrs: { value: "" } }, t("staging.allEntities")),
      ...ENTITIES.map((e) => h("option", { attrs: { value: e } }, entityLabel(e))),
    );
    this.statusSelect = h(
      "select",
      { testid: "filter-status", attrs: { id: "filter-status" }, on: { change: () => this.onFilter() } },
      h("option", { attrs: { value: "" } }, t("staging.allStatuses")),
      ...STAGING_STATUSES.map((s) => h("option", { attrs: { value: s } }, stagingStatusLabel(s))),
    );
    this.searchInput = h("input", {
      testid: "filter-search",
      attrs: { id: "filter-search", type: "search", placeholder: t("staging.searchPlaceholder"), autocomplete: "off", spellcheck: "false" },
      on: {
        input: () => {
          if (this.searchTimer) clearTimeout(this.searchTimer);
          this.searchTimer = setTimeout(() => this.onFilter(), 250);
        },
      },
    });
    this.totalEl = h("span", { class: "total", testid: "staging-total", attrs: { "aria-live": "polite" } });

    const field = (id: string, label: string, control: HTMLElement) =>
      h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), control);

    const filters = h(
      "div",
      { class: "filters", attrs: { role: "search" } },
      field("filter-batch", t("staging.batch"), this.batchSelect),
      field("filter-entity", t("staging.entity"), this.entitySelect),
      field("filter-status", t("staging.status"), this.statusSelect),
      field("filter-search", t("staging.search"), this.searchInput),
      this.totalEl,
    );

    const action = (label: string, testid: string, run: () => Promise<void>, primary = false) =>
      h(
        "button",
        { class: primary ? "btn btn-primary" : "btn", testid, attrs: { type: "button" }, on: { click: () => void this.guard(run) } },
        label,
      );
    this.actionResult = h("span", { class: "action-result small", testid: "review-result", attrs: { role: "status", "aria-live": "polite" } });
    const bulk = h(
      "div",
      { class: "review-actions" },
      action(t("review.acceptAllNew"), "bulk-accept-new", () => this.bulkAccept("NEW")),
      action(t("review.acceptAllMatched"), "bulk-accept-matched", () => this.bulkAccept("MATCHED")),
      action(t("review.apply"), "apply", () => this.apply(), true),
      h("span", { class: "sep", attrs: { "aria-hidden": "true" } }),
      action(t("export.xlsx"), "export-staging-xlsx", () => this.exportRows("xlsx")),
      action(t("export.csv"), "export-staging-csv", () => this.exportRows("csv")),
      this.actionResult,
    );
    const help = h("p", { class: "keys-help small muted", testid: "review-keys" }, t("review.keysHelp"));
    // Demo mode only: advance the simulated Dapodik so the next sync brings changes.
    void api
      .appInfo()
      .then((info) => {
        if (info.mode !== "demo") return;
        bulk.insertBefore(
          action(t("review.demoNextSemester"), "demo-next-semester", async () => {
            const c = await reviewApi.demoNextSemester();
            this.actionResult.dataset.corrected = c.corrected_names.join(",");
            this.actionResult.textContent = t("review.demoNextSemesterDone", {
              semester: c.semester_id,
              added: c.new_students.length,
              moved: c.moved_students.length,
              corrected: c.corrected_names.length,
              left: c.leavers.length,
            });
          }),
          this.actionResult,
        );
      })
      .catch(() => undefined);

    this.table = new VirtualTable<StagingRowSummary>({
      ariaLabel: t("staging.tableLabel"),
      emptyText: t("staging.emptyFiltered"),
      loadingText: t("staging.loading"),
      rowTestId: "staging-row",
      rowData: (r) => ({ id: String(r.id), entity: r.entity, status: r.status }),
      pageSize: 100,
      columns: [
        { key: "entity", label: t("staging.colEntity"), width: "140px", render: (r) => entityLabel(r.entity) },
        { key: "label", label: t("staging.colLabel"), width: "minmax(180px, 2fr)", render: (r) => r.label ?? t("staging.noLabel") },
        {
          key: "id",
          label: t("staging.colId"),
          width: "minmax(130px, 300px)",
          render: (r) => h("code", { class: "mono" }, r.dapodik_id ?? "—"),
        },
        { key: "status", label: t("staging.colStatus"), width: "110px", render: (r) => this.statusBadge(r.status) },
        { key: "reasons", label: t("staging.colReasons"), width: "minmax(160px, 2fr)", render: (r) => r.reasons.join("; ") },
      ],
      fetchPage: (offset, limit) =>
        api.stagingPage({
          batch_id: this.batchId,
          entity: (this.entitySelect.value || null) as Entity | null,
          status: (this.statusSelect.value || null) as StagingStatus | null,
          search: this.searchInput.value.trim() || null,
          offset,
          limit,
        }),
      onTotal: (total) => {
        this.totalEl.textContent = t("staging.total", { n: formatNumber(total) });
      },
      onActivate: (row) => void this.showDetail(row.id),
      onError: (err) => this.ctx.reportError(err),
    });

    this.detail = h("aside", { class: "detail card", testid: "staging-detail", attrs: { "aria-live": "polite", tabindex: -1 } });
    this.renderDetailEmpty();

    this.el = h(
      "div",
      { class: "screen staging-screen", testid: "screen-staging" },
      filters,
      bulk,
      help,
      h("div", { class: "split" }, h("div", { class: "table-wrap card" }, this.table.el), this.detail),
    );

    this.el.addEventListener("keydown", (e) => this.onKey(e));
    ctx.book.subscribe(() => this.onBatches());
    this.onBatches();
  }

  /** Called when the screen becomes visible. */
  show(): void {
    if (this.batchId !== null && this.table.rowCount() === null) void this.table.reset();
  }

  private onBatches(): void {
    const staged = this.ctx.book.staged();
    const latest = staged[0]?.id ?? null;
    const selected = this.batchSelect.value;
    clear(this.batchSelect);
    this.batchSelect.appendChild(
      h("option", { attrs: { value: "" } }, latest === null ? t("staging.noBatch") : t("staging.latestBatch", { id: latest })),
    );
    for (const batch of staged) {
      this.batchSelect.appendChild(
        h("option", { attrs: { value: String(batch.id) } }, t("staging.batchOption", { id: batch.id, time: formatDateTime(batch.finished_at ?? batch.created_at) })),
      );
    }
    this.batchSelect.value = staged.some((b) => String(b.id) === selected) ? selected : "";
    if (latest !== this.latestStaged || !this.initialised) {
      this.initialised = true;
      this.latestStaged = latest;
      // Following "latest": a newly staged batch replaces what is shown.
      if (this.batchSelect.value === "") this.onFilter();
    }
  }

  private onFilter(): void {
    this.batchId = this.batchSelect.value ? Number(this.batchSelect.value) : this.latestStaged;
    this.current = null;
    this.conflictIndex = -1;
    this.renderDetailEmpty();
    if (this.batchId === null) {
      this.totalEl.textContent = "";
      this.table.el.hidden = true;
      this.detail.hidden = true;
      this.showNoData();
      return;
    }
    this.hideNoData();
    this.table.el.hidden = false;
    this.detail.hidden = false;
    this.totalEl.textContent = t("staging.loading");
    void this.table.reset();
  }

  private showNoData(): void {
    const wrap = this.table.el.parentElement;
    if (!wrap || wrap.querySelector(".no-data")) return;
    wrap.appendChild(h("p", { class: "empty no-data", testid: "staging-empty" }, t("staging.noData")));
  }

  private hideNoData(): void {
    this.table.el.parentElement?.querySelector(".no-data")?.remove();
  }

  private statusBadge(status: StagingStatus): HTMLElement {
    return h("span", { class: `badge badge-staging-${status.toLowerCase()}`, attrs: { "data-status": status } }, stagingStatusLabel(status));
  }

  private renderDetailEmpty(): void {
    clear(this.detail);
    this.detail.appendChild(h("p", { class: "muted detail-empty" }, t("staging.detailEmpty")));
  }

  private async guard(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  private async bulkAccept(status: "NEW" | "MATCHED"): Promise<void> {
    if (this.batchId === null) return;
    const n = await reviewApi.bulkAccept(this.batchId, status);
    this.actionResult.textContent = t(status === "NEW" ? "review.acceptedNew" : "review.acceptedMatched", { n: formatNumber(n) });
    if (this.current) await this.showDetail(this.current.row.id);
  }

  private async apply(): Promise<void> {
    const report = await reviewApi.applyStaging(this.batchId);
    this.actionResult.textContent = t("review.applied", { applied: formatNumber(report.applied), skipped: formatNumber(report.skipped) });
    this.actionResult.dataset.applied = String(report.applied);
    this.actionResult.dataset.skipped = String(report.skipped);
    if (this.current) await this.showDetail(this.current.row.id);
  }

  private async exportRows(format: ExportFormat): Promise<void> {
    const done = await reviewApi.exportData(
      {
        what: "staging",
        batch_id: this.batchId,
        entity: (this.entitySelect.value || null) as Entity | null,
        status: (this.statusSelect.value || null) as StagingStatus | null,
        search: this.searchInput.value.trim() || null,
      },
      format,
    );
    this.actionResult.textContent = done ? t("export.done", { n: formatNumber(done.rows), path: done.path }) : t("export.cancelled");
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    const id = this.current?.row.id;
    switch (e.key) {
      case "j":
      case "n":
        e.preventDefault();
        void this.guard(() => this.stepConflict(1));
        break;
      case "k":
      case "p":
        e.preventDefault();
        void this.guard(() => this.stepConflict(-1));
        break;
      case "a":
        if (id !== undefined) {
          e.preventDefault();
          void this.decide(() => reviewApi.acceptRow(id));
        }
        break;
      case "l":
        if (id !== undefined) {
          e.preventDefault();
          void this.decide(() => reviewApi.resolveRow(id, null, { take: "local" }));
        }
        break;
      case "d":
        if (id !== undefined) {
          e.preventDefault();
          void this.decide(() => reviewApi.resolveRow(id, null, { take: "dapodik" }));
        }
        break;
      case "r":
        if (id !== undefined) {
          e.preventDefault();
          void this.decide(() => reviewApi.rejectRow(id));
        }
        break;
      default:
    }
  }

  /** Shows the next (+1) or previous (-1) CONFLICT row of the batch, paged from SQLite one row at a time. */
  private async stepConflict(step: 1 | -1): Promise<void> {
    if (this.batchId === null) return;
    const next = Math.max(0, this.conflictIndex + step);
    const page = await api.stagingPage({ batch_id: this.batchId, status: "CONFLICT", offset: next, limit: 1 });
    if (page.total === 0) {
      this.actionResult.textContent = t("review.noConflicts");
      return;
    }
    const index = Math.min(next, page.total - 1);
    const row = index === next ? page.rows[0] : (await api.stagingPage({ batch_id: this.batchId, status: "CONFLICT", offset: index, limit: 1 })).rows[0];
    if (!row) return;
    this.conflictIndex = index;
    this.actionResult.textContent = t("review.conflictPosition", { i: index + 1, n: page.total });
    await this.showDetail(row.id);
    this.detail.focus();
  }

  private async decide(run: () => Promise<StagingDetail>): Promise<void> {
    try {
      const detail = await run();
      this.detailRequest += 1;
      this.current = detail;
      this.renderDetail();
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  private async showDetail(id: number): Promise<void> {
    const request = ++this.detailRequest;
    try {
      const detail = await reviewApi.stagingDetail(id);
      if (request !== this.detailRequest) return;
      this.current = detail;
      this.renderDetail();
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  private decisionBadge(detail: StagingDetail): HTMLElement | null {
    const decision = detail.resolution?.decision;
    if (!decision) return null;
    return h("span", { class: `badge badge-decision-${decision.toLowerCase()}`, testid: "decision", attrs: { "data-decision": decision } }, t(`review.decision.${decision}` as "review.decision.ACCEPTED"));
  }

  private renderDetail(): void {
    const detail = this.current;
    clear(this.detail);
    if (!detail) {
      this.detail.appendChild(h("p", { class: "muted" }, t("staging.detailGone")));
      return;
    }
    const row = detail.row;
    const title = typeof row.record.nama === "string" ? row.record.nama : (row.dapodik_id ?? t("staging.noLabel"));
    const toggle = h("input", {
      testid: "toggle-sensitive",
      attrs: { type: "checkbox", id: "toggle-sensitive", checked: this.showSensitive },
      on: {
        change: () => {
          this.showSensitive = toggle.checked;
          this.renderDetail();
          this.detail.querySelector<HTMLInputElement>("#toggle-sensitive")?.focus();
        },
      },
    });

    const id = row.id;
    const applied = detail.resolution?.decision === "APPLIED";
    const rowAction = (label: string, testid: string, run: () => Promise<StagingDetail>) =>
      h("button", { class: "btn btn-small", testid, attrs: { type: "button", disabled: applied }, on: { click: () => void this.decide(run) } }, label);
    const actions = h(
      "div",
      { class: "row-actions" },
      rowAction(t("review.accept"), "row-accept", () => reviewApi.acceptRow(id)),
      rowAction(t("review.reject"), "row-reject", () => reviewApi.rejectRow(id)),
      detail.diff.some((d) => d.change !== "same") && detail.in_register
        ? rowAction(t("review.takeDapodikAll"), "row-take-dapodik", () => reviewApi.resolveRow(id, null, { take: "dapodik" }))
        : null,
      detail.in_register ? rowAction(t("review.keepLocalAll"), "row-keep-local", () => reviewApi.resolveRow(id, null, { take: "local" })) : null,
    );

    const fields = orderFields(row.entity, Object.keys(row.record));
    const list = h("dl", { class: "kv", testid: "staging-detail-fields" });
    for (const key of fields) {
      list.appendChild(h("dt", { attrs: { title: key } }, fieldLabel(key)));
      list.appendChild(h("dd", { attrs: { "data-field": key } }, this.value(key, row.record[key])));
    }

    append(
      this.detail,
      h(
        "header",
        { class: "detail-head" },
        h("h3", { testid: "staging-detail-title" }, title),
        h(
          "div",
          { class: "detail-badges" },
          h("span", { class: "badge badge-entity" }, entityLabel(row.entity)),
          this.statusBadge(row.status),
          detail.kind === "removal" ? h("span", { class: "badge badge-removal" }, t("review.removal")) : null,
          this.decisionBadge(detail),
        ),
        h("p", { class: "muted small" }, t("staging.detailMeta", { id: row.id, batch: row.batch_id })),
      ),
      actions,
      detail.unresolved.length > 0
        ? h("p", { class: "unresolved small", testid: "unresolved" }, t("review.unresolved", { fields: detail.unresolved.map(fieldLabel).join(", ") }))
        : null,
      row.reasons.length > 0 ? h("ul", { class: "reasons", testid: "staging-detail-reasons" }, ...row.reasons.map((r) => h("li", {}, r))) : null,
      h("div", { class: "detail-fields-head" }, h("h4", {}, t("review.diffTitle")), h("label", { class: "check" }, toggle, t("staging.showSensitive"))),
      renderDiff(detail, {
        showSensitive: this.showSensitive,
        // Field choices only where a register record exists (a NEW row is accepted or rejected whole).
        onChoose: applied || !detail.in_register ? undefined : (field: string, choice: FieldChoice) => void this.decide(() => reviewApi.resolveRow(id, field, choice)),
      }),
      h("h4", {}, t("review.findings", { n: detail.findings.length })),
      renderFindings(detail.findings),
      h("details", { class: "record-full" }, h("summary", {}, t("staging.fields", { n: fields.length })), list),
    );
  }

  private value(key: string, value: RecordValue): Node | string {
    if (value === null || value === "") return h("span", { class: "muted" }, t("staging.empty"));
    if (typeof value === "boolean") return value ? t("staging.yes") : t("staging.no");
    if (typeof value === "number") return String(value);
    if (typeof value === "string") {
      if (isSensitiveField(key) && !this.showSensitive) return h("span", { class: "masked", attrs: { title: t("staging.maskedHint") } }, mask(value));
      return value;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return h("span", { class: "muted" }, t("staging.emptyList"));
      return h(
        "details",
        {},
        h("summary", {}, t("staging.items", { n: value.length })),
        h("ol", { class: "nested" }, ...value.map((item) => h("li", {}, this.value(key, item)))),
      );
    }
    const inner = h("dl", { class: "kv nested" });
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
      inner.appendChild(h("dt", {}, fieldLabel(k)));
      inner.appendChild(h("dd", {}, this.value(k, v)));
    }
    return inner;
  }
}
