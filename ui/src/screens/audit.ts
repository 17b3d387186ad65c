// The Log Aktivitas screen: the audit log (every applied change and local edit: who, when, entity, field,
// before → after), filtered by entity, field and date range, paged from SQLite newest first.

import { ENTITIES, type Entity } from "../api";
import { valueText } from "../components/diff-view";
import { VirtualTable } from "../components/virtual-table";
import { clear, h } from "../dom";
import { formatDateTime, formatNumber } from "../format";
import { t } from "../i18n";
import { entityLabel, fieldLabel } from "../labels";
import { reviewApi, type AuditEntry } from "../review-api";
import type { ScreenContext } from "./batch";
import "../review.css";

/** "2026-12-03" (an `<input type=date>` value, local time) → unix ms of that day's start; "" → null. */
export function dayStart(value: string, plusDays = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).getTime();
}

export class AuditScreen {
  readonly el: HTMLElement;
  private readonly entitySelect: HTMLSelectElement;
  private readonly fieldSelect: HTMLSelectElement;
  private readonly fromInput: HTMLInputElement;
  private readonly toInput: HTMLInputElement;
  private readonly idInput: HTMLInputElement;
  private readonly totalEl: HTMLElement;
  private readonly table: VirtualTable<AuditEntry>;

  constructor(private readonly ctx: ScreenContext) {
    const reset = () => void this.table.reset();
    this.entitySelect = h(
      "select",
      { testid: "audit-entity", attrs: { id: "audit-entity" }, on: { change: reset } },
      h("option", { attrs: { value: "" } }, t("staging.allEntities")),
      ...ENTITIES.map((e) => h("option", { attrs: { value: e } }, entityLabel(e))),
    );
    this.fieldSelect = h("select", { testid: "audit-field", attrs: { id: "audit-field" }, on: { change: reset } }, h("option", { attrs: { value: "" } }, t("audit.allFields")));
    this.fromInput = h("input", { testid: "audit-from", attrs: { id: "audit-from", type: "date" }, on: { change: reset } });
    this.toInput = h("input", { testid: "audit-to", attrs: { id: "audit-to", type: "date" }, on: { change: reset } });
    let timer: ReturnType<typeof setTimeout> | null = null;
    this.idInput = h("input", {
      testid: "audit-id",
      attrs: { id: "audit-id", type: "search", placeholder: t("audit.idPlaceholder"), autocomplete: "off", spellcheck: "false" },
      on: {
        input: () => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(reset, 250);
        },
      },
    });
    this.totalEl = h("span", { class: "total", testid: "audit-total", attrs: { "aria-live": "polite" } });
    const field = (id: string, label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), control);

    this.table = new VirtualTable<AuditEntry>({
      ariaLabel: t("audit.tableLabel"),
      emptyText: t("audit.empty"),
      loadingText: t("staging.loading"),
      rowTestId: "audit-row",
      rowData: (e) => ({ field: e.field ?? "", action: e.action, entity: e.entity }),
      pageSize: 100,
      columns: [
        { key: "at", label: t("audit.colAt"), width: "170px", render: (e) => formatDateTime(e.at) },
        { key: "actor", label: t("audit.colActor"), width: "110px", render: (e) => e.actor },
        { key: "action", label: t("audit.colAction"), width: "190px", render: (e) => t(`audit.action.${e.action}` as "audit.action.insert") },
        { key: "entity", label: t("audit.colEntity"), width: "130px", render: (e) => entityLabel(e.entity) },
        { key: "id", label: t("audit.colId"), width: "minmax(110px, 200px)", render: (e) => h("code", { class: "mono" }, e.dapodik_id) },
        { key: "field", label: t("audit.colField"), width: "130px", render: (e) => (e.field ? fieldLabel(e.field) : t("audit.wholeRecord")) },
        {
          key: "change",
          label: t("audit.colChange"),
          width: "minmax(180px, 2fr)",
          render: (e) => (e.field ? `${valueText(e.field, e.before, false)} → ${valueText(e.field, e.after, false)}` : ""),
        },
      ],
      fetchPage: (offset, limit) =>
        reviewApi.auditSearch({
          entity: (this.entitySelect.value || null) as Entity | null,
          field: this.fieldSelect.value || null,
          dapodik_id: this.idInput.value.trim() || null,
          from_ms: dayStart(this.fromInput.value),
          to_ms: dayStart(this.toInput.value, 1),
          offset,
          limit,
        }),
      onTotal: (n) => (this.totalEl.textContent = t("audit.total", { n: formatNumber(n) })),
      onError: (err) => this.ctx.reportError(err),
    });

    this.el = h(
      "div",
      { class: "screen audit-screen", testid: "screen-audit" },
      h(
        "div",
        { class: "filters", attrs: { role: "search" } },
        field("audit-entity", t("audit.entity"), this.entitySelect),
        field("audit-field", t("audit.field"), this.fieldSelect),
        field("audit-from", t("audit.from"), this.fromInput),
        field("audit-to", t("audit.to"), this.toInput),
        field("audit-id", t("audit.id"), this.idInput),
        this.totalEl,
      ),
      h("div", { class: "table-wrap card full" }, this.table.el),
    );
  }

  /** Called when the screen becomes visible: refreshes the field list and the rows. */
  show(): void {
    void this.loadFields();
    void this.table.reset();
  }

  private async loadFields(): Promise<void> {
    try {
      const fields = await reviewApi.auditFields();
      const selected = this.fieldSelect.value;
      clear(this.fieldSelect);
      this.fieldSelect.append(h("option", { attrs: { value: "" } }, t("audit.allFields")), ...fields.map((f) => h("option", { attrs: { value: f } }, fieldLabel(f))));
      this.fieldSelect.value = fields.includes(selected) ? selected : "";
    } catch (err) {
      this.ctx.reportError(err);
    }
  }
}
