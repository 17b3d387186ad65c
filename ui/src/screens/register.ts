// The Data Sekolah screen: the school's register — tabs Peserta Didik / GTK / Rombongan Belajar — searched,
// sorted and paged in SQLite (`register_page`, 100 rows a page, never the whole register over IPC), with
// the selected record's detail: its fields, a local edit control, its class members (or a student's
// classes) and its history from the audit log. Export of the shown tab to xlsx/CSV.

import type { Entity } from "../api";
import { valueText } from "../components/diff-view";
import { VirtualTable } from "../components/virtual-table";
import { append, clear, h } from "../dom";
import { formatDateTime, formatNumber } from "../format";
import { t } from "../i18n";
import { entityLabel, fieldLabel } from "../labels";
import { reviewApi, type AuditEntry, type ExportFormat, type RegisterRecord, type RegisterSort, type RegisterView } from "../review-api";
import type { ScreenContext } from "./batch";
import { orderFields } from "./staging";
import "../review.css";

export const REGISTER_TABS: Entity[] = ["peserta_didik", "gtk", "rombongan_belajar"];

/** The columns of each tab beyond the name: (field, width). */
const TAB_COLUMNS: Record<string, [string, string][]> = {
  peserta_didik: [
    ["nisn", "130px"],
    ["nipd", "110px"],
    ["jenis_kelamin", "60px"],
    ["tanggal_lahir", "120px"],
    ["nama_rombel", "minmax(100px, 1fr)"],
  ],
  gtk: [
    ["nuptk", "170px"],
    ["jenis_ptk_id_str", "minmax(120px, 1fr)"],
    ["status_kepegawaian_id_str", "minmax(120px, 1fr)"],
  ],
  rombongan_belajar: [
    ["tingkat_pendidikan_id", "80px"],
    ["ptk_id_str", "minmax(140px, 1fr)"],
    ["anggota_rombel", "90px"],
  ],
};

export function historyLine(e: AuditEntry, showSensitive: boolean): string {
  const action = t(`audit.action.${e.action}` as "audit.action.insert");
  if (!e.field) return action;
  return t("audit.change", {
    action,
    field: fieldLabel(e.field),
    before: valueText(e.field, e.before, showSensitive),
    after: valueText(e.field, e.after, showSensitive),
  });
}

export class RegisterScreen {
  readonly el: HTMLElement;
  private entity: Entity = "peserta_didik";
  private readonly tabs = new Map<Entity, HTMLButtonElement>();
  private readonly searchInput: HTMLInputElement;
  private readonly sortSelect: HTMLSelectElement;
  private readonly orderSelect: HTMLSelectElement;
  private readonly totalEl: HTMLElement;
  private readonly result: HTMLElement;
  private readonly tableWrap: HTMLElement;
  private table: VirtualTable<RegisterRecord>;
  private readonly detail: HTMLElement;
  private view: RegisterView | null = null;
  private showSensitive = false;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private request = 0;

  constructor(private readonly ctx: ScreenContext) {
    const tablist = h("div", { class: "subtabs", attrs: { role: "tablist", "aria-label": t("register.tabsLabel") } });
    for (const e of REGISTER_TABS) {
      const b = h("button", { class: "subtab", testid: `register-tab-${e}`, attrs: { type: "button", role: "tab" }, on: { click: () => this.setEntity(e) } }, entityLabel(e));
      this.tabs.set(e, b);
      tablist.append(b);
    }
    this.searchInput = h("input", {
      testid: "register-search",
      attrs: { id: "register-search", type: "search", placeholder: t("register.searchPlaceholder"), autocomplete: "off", spellcheck: "false" },
      on: {
        input: () => {
          if (this.searchTimer) clearTimeout(this.searchTimer);
          this.searchTimer = setTimeout(() => void this.table.reset(), 250);
        },
      },
    });
    const sorts: [RegisterSort, string][] = [
      ["label", t("register.sortLabel")],
      ["dapodik_id", t("register.sortId")],
      ["updated_at", t("register.sortUpdated")],
    ];
    this.sortSelect = h(
      "select",
      { testid: "register-sort", attrs: { id: "register-sort" }, on: { change: () => void this.table.reset() } },
      ...sorts.map(([v, l]) => h("option", { attrs: { value: v } }, l)),
    );
    this.orderSelect = h(
      "select",
      { testid: "register-order", attrs: { id: "register-order", "aria-label": t("register.order") }, on: { change: () => void this.table.reset() } },
      h("option", { attrs: { value: "asc" } }, t("register.asc")),
      h("option", { attrs: { value: "desc" } }, t("register.desc")),
    );
    this.totalEl = h("span", { class: "total", testid: "register-total", attrs: { "aria-live": "polite" } });
    this.result = h("span", { class: "action-result small", testid: "register-result", attrs: { role: "status" } });
    const field = (id: string, label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), control);
    const exportBtn = (format: ExportFormat) =>
      h("button", { class: "btn", testid: `export-register-${format}`, attrs: { type: "button" }, on: { click: () => void this.exportTab(format) } }, t(format === "xlsx" ? "export.xlsx" : "export.csv"));

    const filters = h(
      "div",
      { class: "filters", attrs: { role: "search" } },
      field("register-search", t("register.search"), this.searchInput),
      field("register-sort", t("register.sort"), this.sortSelect),
      h("div", { class: "field" }, h("span", { class: "label-spacer" }, " "), this.orderSelect),
      this.totalEl,
      h("div", { class: "review-actions inline" }, exportBtn("xlsx"), exportBtn("csv"), this.result),
    );

    this.tableWrap = h("div", { class: "table-wrap card" });
    this.table = this.makeTable();
    this.tableWrap.append(this.table.el);
    this.detail = h("aside", { class: "detail card", testid: "register-detail", attrs: { "aria-live": "polite", tabindex: -1 } });
    this.renderEmpty();
    this.el = h("div", { class: "screen register-screen", testid: "screen-register" }, tablist, filters, h("div", { class: "split" }, this.tableWrap, this.detail));
    this.markTabs();
  }

  show(): void {
    void this.table.reset();
  }

  private setEntity(entity: Entity): void {
    if (entity === this.entity) return;
    this.entity = entity;
    this.markTabs();
    this.table.el.remove();
    this.table = this.makeTable();
    this.tableWrap.append(this.table.el);
    this.view = null;
    this.renderEmpty();
    void this.table.reset();
  }

  private markTabs(): void {
    for (const [e, b] of this.tabs) {
      b.setAttribute("aria-selected", String(e === this.entity));
      b.classList.toggle("active", e === this.entity);
    }
  }

  private makeTable(): VirtualTable<RegisterRecord> {
    const extra = TAB_COLUMNS[this.entity] ?? [];
    return new VirtualTable<RegisterRecord>({
      ariaLabel: t("register.tableLabel"),
      emptyText: t("register.empty"),
      loadingText: t("staging.loading"),
      rowTestId: "register-row",
      rowData: (r) => ({ id: r.dapodik_id, edited: String(r.edited) }),
      pageSize: 100,
      columns: [
        {
          key: "label",
          label: t("register.colName"),
          width: "minmax(180px, 2fr)",
          render: (r) => h("span", {}, r.label || t("staging.noLabel"), r.edited ? h("span", { class: "badge badge-edited", attrs: { title: t("register.editedHint") } }, t("register.edited")) : null),
        },
        ...extra.map(([key, width]) => ({
          key,
          label: fieldLabel(key),
          width,
          render: (r: RegisterRecord) => {
            const v = r.record[key];
            if (Array.isArray(v)) return formatNumber(v.length);
            return valueText(key, v ?? null, false);
          },
        })),
      ],
      fetchPage: (offset, limit) =>
        reviewApi.registerPage({
          entity: this.entity,
          search: this.searchInput.value.trim() || null,
          sort: this.sortSelect.value as RegisterSort,
          descending: this.orderSelect.value === "desc",
          offset,
          limit,
        }),
      onTotal: (n) => (this.totalEl.textContent = t("register.total", { n: formatNumber(n) })),
      onActivate: (r) => void this.open(r.entity, r.dapodik_id),
      onError: (err) => this.ctx.reportError(err),
    });
  }

  private async exportTab(format: ExportFormat): Promise<void> {
    try {
      const done = await reviewApi.exportData({ what: "register", entity: this.entity, search: this.searchInput.value.trim() || null }, format);
      this.result.textContent = done ? t("export.done", { n: formatNumber(done.rows), path: done.path }) : t("export.cancelled");
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  async open(entity: Entity, id: string): Promise<void> {
    const request = ++this.request;
    try {
      const view = await reviewApi.registerView(entity, id);
      if (request !== this.request) return;
      this.view = view;
      this.renderView();
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  private renderEmpty(): void {
    clear(this.detail);
    this.detail.append(h("p", { class: "muted detail-empty" }, t("register.detailEmpty")));
  }

  private renderView(): void {
    const view = this.view;
    clear(this.detail);
    if (!view) {
      this.detail.append(h("p", { class: "muted" }, t("register.gone")));
      return;
    }
    const r = view.record;
    const toggle = h("input", {
      testid: "register-toggle-sensitive",
      attrs: { type: "checkbox", id: "register-toggle-sensitive", checked: this.showSensitive },
      on: {
        change: () => {
          this.showSensitive = toggle.checked;
          this.renderView();
          this.detail.querySelector<HTMLInputElement>("#register-toggle-sensitive")?.focus();
        },
      },
    });
    const fields = orderFields(r.entity, Object.keys(r.record)).filter((k) => !Array.isArray(r.record[k]));
    const list = h("dl", { class: "kv", testid: "register-fields" });
    for (const key of fields) {
      const edited = JSON.stringify(r.record[key] ?? null) !== JSON.stringify(r.base[key] ?? null);
      list.append(
        h("dt", { attrs: { title: key } }, fieldLabel(key)),
        h("dd", { attrs: { "data-field": key }, class: edited ? "edited" : "" }, valueText(key, r.record[key] ?? null, this.showSensitive), edited ? h("span", { class: "badge badge-edited" }, t("register.edited")) : null),
      );
    }

    // Local edit: any non-identity, non-list field.
    const editable = fields.filter((k) => k !== fields[0]);
    const fieldSelect = h("select", { testid: "edit-field", attrs: { id: "edit-field" } }, ...editable.map((k) => h("option", { attrs: { value: k } }, fieldLabel(k))));
    const valueInput = h("input", { testid: "edit-value", attrs: { id: "edit-value", type: "text", autocomplete: "off" } });
    const fill = () => {
      const v = r.record[fieldSelect.value];
      valueInput.value = v === null || v === undefined || typeof v === "object" ? "" : String(v);
    };
    fieldSelect.addEventListener("change", fill);
    fill();
    const save = h(
      "button",
      {
        class: "btn btn-primary btn-small",
        testid: "edit-save",
        attrs: { type: "button" },
        on: {
          click: () =>
            void (async () => {
              try {
                await reviewApi.editRegister(r.entity, r.dapodik_id, fieldSelect.value, valueInput.value === "" ? null : valueInput.value);
                await this.open(r.entity, r.dapodik_id);
                void this.table.refresh();
              } catch (err) {
                this.ctx.reportError(err);
              }
            })(),
        },
      },
      t("register.editSave"),
    );
    const editForm = h(
      "div",
      { class: "edit-form" },
      h("label", { attrs: { for: "edit-field" } }, t("register.editField")),
      fieldSelect,
      h("label", { attrs: { for: "edit-value" } }, t("register.editValue")),
      valueInput,
      save,
      h("p", { class: "small muted" }, t("register.editHint")),
    );

    const related =
      view.related.length > 0
        ? h(
            "ul",
            { class: "related", testid: "register-related" },
            ...view.related.map((m) =>
              h(
                "li",
                {},
                h("button", { class: "link", attrs: { type: "button" }, on: { click: () => void this.open(m.entity, m.dapodik_id) } }, m.label ?? t("register.notInRegister")),
              ),
            ),
          )
        : h("p", { class: "muted small" }, t("register.noRelated"));
    const relatedTitle = r.entity === "rombongan_belajar" ? t("register.members", { n: view.related.length }) : r.entity === "peserta_didik" ? t("register.classes", { n: view.related.length }) : null;

    const history = h(
      "ol",
      { class: "history", testid: "register-history" },
      ...view.history.map((e) =>
        h(
          "li",
          { attrs: { "data-field": e.field ?? "", "data-action": e.action } },
          h("time", { class: "muted small" }, formatDateTime(e.at)),
          " ",
          h("span", { class: "muted small" }, e.actor),
          " — ",
          historyLine(e, this.showSensitive),
        ),
      ),
    );

    append(
      this.detail,
      h(
        "header",
        { class: "detail-head" },
        h("h3", { testid: "register-detail-title" }, r.label || t("staging.noLabel")),
        h("div", { class: "detail-badges" }, h("span", { class: "badge badge-entity" }, entityLabel(r.entity)), r.edited ? h("span", { class: "badge badge-edited" }, t("register.edited")) : null),
        h("p", { class: "muted small" }, t("register.provenance", { updated: formatDateTime(r.provenance.updated_at), batch: r.provenance.source_batch_id ?? "—" })),
      ),
      h("h4", {}, t("register.history", { n: view.history.length })),
      view.history.length > 0 ? history : h("p", { class: "muted small" }, t("register.noHistory")),
      relatedTitle ? h("h4", {}, relatedTitle) : null,
      relatedTitle ? related : null,
      h("div", { class: "detail-fields-head" }, h("h4", {}, t("register.fields")), h("label", { class: "check" }, toggle, t("staging.showSensitive"))),
      list,
      h("h4", {}, t("register.editTitle")),
      editForm,
    );
    this.detail.scrollTop = 0;
  }
}
