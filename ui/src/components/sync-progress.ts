// Live progress of a running batch (one tile per Web Service function, in pull order) and the counts
// table of a finished one — shared by the Batch screen and Beranda.

import { ENTITIES, STAGING_STATUSES, type Batch } from "../api";
import type { BatchBook } from "../batches";
import { h } from "../dom";
import { formatBytes, formatNumber } from "../format";
import { t } from "../i18n";
import { entityLabel, FUNCTIONS, functionLabel, functionOrder, stagingStatusLabel } from "../labels";

/**
 * One tile per Web Service function, in pull order. The pull calls them one after another, so every
 * function before the latest one reporting progress is done.
 */
export function progressList(book: BatchBook, batch: Batch, testid = "batch-progress"): HTMLElement {
  const reported = new Map(book.progressOf(batch.id).map((p) => [p.function, p]));
  const current = Math.max(-1, ...[...reported.keys()].map(functionOrder).filter((i) => i < FUNCTIONS.length));
  return h(
    "ul",
    { class: "progress-list", testid },
    ...FUNCTIONS.map((name, index) => {
      const p = reported.get(name);
      const bytes = p && p.bytes > 0 ? formatBytes(p.bytes) : null;
      let state: "done" | "active" | "waiting";
      let text: string;
      if (index < current) {
        state = "done";
        text = bytes ? t("batch.progressDoneBytes", { bytes }) : t("batch.progressDone");
      } else if (index === current || (current < 0 && index === 0)) {
        state = "active";
        text =
          p && p.rows > 0
            ? t("batch.progressRowsBytes", { rows: formatNumber(p.rows), bytes: bytes ?? "0 B" })
            : bytes
              ? t("batch.progressBytes", { bytes })
              : t("batch.progressWaiting");
      } else {
        state = "waiting";
        text = t("batch.progressNotStarted");
      }
      return h(
        "li",
        { class: `progress-${state}`, attrs: { "data-function": name } },
        h("span", { class: "progress-entity" }, functionLabel(name)),
        h("span", { class: "progress-value" }, text),
      );
    }),
  );
}

/** Counts per entity (rows) and staging status (columns) of a staged batch. */
export function countsTable(batch: Batch, testid = "batch-counts"): HTMLElement {
  const head = h(
    "tr",
    {},
    h("th", { attrs: { scope: "col" } }, t("batch.countsEntity")),
    ...STAGING_STATUSES.map((s) => h("th", { attrs: { scope: "col" }, class: `num status-${s.toLowerCase()}` }, stagingStatusLabel(s))),
    h("th", { attrs: { scope: "col" }, class: "num" }, t("batch.countsTotal")),
  );
  const rows = ENTITIES.map((entity) => {
    const counts = batch.counts[entity];
    const values = STAGING_STATUSES.map((s) => counts?.[s] ?? 0);
    const total = values.reduce((a, b) => a + b, 0);
    return h(
      "tr",
      { attrs: { "data-entity": entity } },
      h("th", { attrs: { scope: "row" } }, entityLabel(entity)),
      ...values.map((v) => h("td", { class: v === 0 ? "num zero" : "num" }, formatNumber(v))),
      h("td", { class: "num total" }, formatNumber(total)),
    );
  });
  return h("table", { class: "counts", testid }, h("thead", {}, head), h("tbody", {}, ...rows));
}
