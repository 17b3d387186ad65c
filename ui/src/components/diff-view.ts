// The three-way diff of one staging row: per field "Data lokal | Terakhir disinkronkan | Dapodik", the
// conflicts highlighted, Verval-protected fields flagged (fix them in VervalPD/VervalPTK, never typed
// here), the operator's choice per field and the controls to change it; then the row's findings.

import type { RecordValue } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { fieldLabel, isSensitiveField, mask } from "../labels";
import type { FieldChoice, FieldDiff, Finding, StagingDetail } from "../review-api";

export interface DiffViewOptions {
  showSensitive: boolean;
  /** Called with a field's new choice. Absent: the view is read-only (no controls). */
  onChoose?: (field: string, choice: FieldChoice) => void;
}

export function valueText(key: string, value: RecordValue, showSensitive: boolean): string {
  if (value === null || value === undefined || value === "") return t("review.emptyValue");
  if (typeof value === "boolean") return value ? t("staging.yes") : t("staging.no");
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return isSensitiveField(key) && !showSensitive ? mask(value) : value;
  if (Array.isArray(value)) return t("staging.items", { n: value.length });
  return JSON.stringify(value);
}

function choiceLabel(choice: FieldChoice | undefined): string | null {
  if (!choice) return null;
  if (choice.take === "dapodik") return t("review.choiceDapodik");
  if (choice.take === "local") return t("review.choiceLocal");
  return t("review.choiceValue");
}

function changeLabel(d: FieldDiff): string {
  return t(`review.change.${d.change}` as "review.change.same");
}

/** One field: its values row and (when it can be decided) a row of controls below, in one `<tbody>`. */
function fieldRow(d: FieldDiff, choice: FieldChoice | undefined, opts: DiffViewOptions): HTMLElement {
  const cell = (which: "local" | "base" | "dapodik", value: RecordValue) =>
    h("td", { class: `diff-cell diff-${which}`, attrs: { "data-col": which } }, valueText(d.field, value, opts.showSensitive));

  const name = h("th", { attrs: { scope: "row", title: d.field } }, fieldLabel(d.field));
  if (d.protected) {
    name.append(
      h("span", { class: "badge badge-protected", testid: "protected-flag", attrs: { title: d.hint ?? t("review.protectedHint") } }, t("review.protected")),
    );
  }
  const state = h("td", { class: "diff-state" }, h("span", { class: `change change-${d.change}` }, changeLabel(d)));
  const chosen = choiceLabel(choice);
  if (chosen) state.append(h("span", { class: "choice", testid: "field-choice" }, chosen));
  if (d.protected && d.change !== "same") state.append(h("p", { class: "hint small", testid: "protected-hint" }, d.hint ?? t("review.protectedHint")));

  const classes = `${d.conflict ? " diff-conflict" : ""}${d.protected ? " diff-protected" : ""}`;
  const data = { "data-field": d.field, "data-conflict": String(d.conflict), "data-protected": String(d.protected), "data-change": d.change };
  const row = h("tr", { class: `diff-row${classes}`, testid: "diff-row", attrs: data }, name, cell("local", d.local), cell("base", d.base), cell("dapodik", d.dapodik), state);
  const group = h("tbody", { class: `diff-field${classes}`, attrs: data }, row);

  if (opts.onChoose && d.change !== "same") {
    const choose = opts.onChoose;
    const controls = h("td", { class: "diff-controls", attrs: { colspan: 5 } });
    const btn = (label: string, testid: string, c: FieldChoice, pressed: boolean) =>
      h(
        "button",
        { class: "btn btn-small", testid, attrs: { type: "button", "aria-pressed": String(pressed), "aria-label": `${label}: ${fieldLabel(d.field)}` }, on: { click: () => choose(d.field, c) } },
        label,
      );
    controls.append(
      btn(t("review.takeDapodik"), "take-dapodik", { take: "dapodik" }, choice?.take === "dapodik"),
      btn(t("review.keepLocal"), "keep-local", { take: "local" }, choice?.take === "local"),
    );
    if (!d.protected) {
      const input = h("input", {
        class: "diff-input",
        testid: "type-value",
        attrs: { type: "text", "aria-label": t("review.typeValueLabel", { field: fieldLabel(d.field) }), placeholder: t("review.typeValue") },
      });
      const save = h(
        "button",
        {
          class: "btn btn-small",
          testid: "save-value",
          attrs: { type: "button" },
          on: {
            click: () => {
              if (input.value.trim() !== "") choose(d.field, { take: "value", value: input.value });
            },
          },
        },
        t("review.saveValue"),
      );
      input.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") save.click();
      });
      controls.append(h("span", { class: "type-value" }, input, save));
    }
    group.append(h("tr", { class: `diff-actions${classes}` }, controls));
  }
  return group;
}

export function renderFindings(findings: Finding[]): HTMLElement {
  if (findings.length === 0) return h("p", { class: "muted", testid: "findings-none" }, t("review.noFindings"));
  return h(
    "ul",
    { class: "findings", testid: "findings" },
    ...findings.map((f) =>
      h(
        "li",
        { class: `finding finding-${f.severity}`, attrs: { "data-code": f.code, "data-severity": f.severity } },
        h("span", { class: `badge badge-severity-${f.severity}` }, t(`review.severity.${f.severity}` as "review.severity.info")),
        " ",
        h("code", {}, f.code),
        " ",
        f.field ? h("span", { class: "muted" }, `${fieldLabel(f.field)}: `) : null,
        f.message,
      ),
    ),
  );
}

/** The diff table of a staging detail (only the fields whose three columns differ; all fields of a NEW row). */
export function renderDiff(detail: StagingDetail, opts: DiffViewOptions): HTMLElement {
  const choices = detail.resolution?.fields ?? {};
  const conflicts = detail.diff.filter((d) => d.conflict).length;
  const table = h(
    "table",
    { class: "diff", testid: "diff-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { attrs: { scope: "col" } }, t("review.colField")),
        h("th", { attrs: { scope: "col" }, testid: "col-local" }, t("review.colLocal")),
        h("th", { attrs: { scope: "col" }, testid: "col-base" }, t("review.colBase")),
        h("th", { attrs: { scope: "col" }, testid: "col-dapodik" }, t("review.colDapodik")),
        h("th", { attrs: { scope: "col" } }, t("review.colState")),
      ),
    ),
    ...detail.diff.map((d) => fieldRow(d, choices[d.field], opts)),
  );
  return h(
    "div",
    { class: "diff-wrap" },
    h(
      "p",
      { class: "small muted", testid: "diff-summary" },
      detail.diff.length === 0 ? t("review.noDiff") : t("review.diffSummary", { n: detail.diff.length, conflicts }),
    ),
    detail.diff.length > 0 ? table : null,
  );
}
