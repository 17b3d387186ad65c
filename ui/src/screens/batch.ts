// The Batch screen: the big "Sinkronkan sekarang" button and the queue's batches with status, attempts,
// next automatic retry, error (code + Indonesian message), per-entity counts and live progress.

import { api, ENTITIES, STAGING_STATUSES, type Attempt, type Batch } from "../api";
import type { BatchBook } from "../batches";
import { countsTable, progressList } from "../components/sync-progress";
import { clear, h } from "../dom";
import { formatDateTime, formatDuration, formatNumber, formatRelative, formatTime } from "../format";
import { t } from "../i18n";
import { batchStatusLabel, stagingStatusLabel } from "../labels";

export interface ScreenContext {
  book: BatchBook;
  reportError: (err: unknown) => void;
}

export class BatchScreen {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly syncButton: HTMLButtonElement;
  private readonly syncHint: HTMLElement;
  private readonly cards = new Map<number, HTMLElement>();
  private readonly attempts = new Map<number, Attempt[]>();
  private readonly busy = new Set<string>();
  private hintTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ctx: ScreenContext) {
    this.syncButton = h(
      "button",
      { class: "btn btn-primary btn-large", testid: "sync-now", attrs: { type: "button" }, on: { click: () => void this.syncNow() } },
      t("batch.syncNow"),
    );
    this.syncHint = h("p", { class: "sync-hint", testid: "sync-hint", attrs: { "aria-live": "polite" } });
    const syncCard = h(
      "section",
      { class: "card sync-card" },
      h(
        "div",
        { class: "sync-text" },
        h("h2", {}, t("batch.syncTitle")),
        h("p", { class: "muted" }, t("batch.syncDescription")),
        this.syncHint,
      ),
      this.syncButton,
    );
    this.list = h("div", { class: "batch-list", testid: "batch-list", attrs: { "aria-live": "polite" } });
    this.el = h(
      "div",
      { class: "screen batch-screen", testid: "screen-batch" },
      syncCard,
      h("h2", { class: "section-title" }, t("batch.historyTitle")),
      this.list,
    );

    ctx.book.subscribe((changed) => this.onChanged(changed));
    setInterval(() => this.tick(), 1000);
    this.renderAll();
  }

  private async syncNow(): Promise<void> {
    if (this.syncButton.disabled) return;
    this.syncButton.disabled = true;
    this.syncHint.textContent = t("batch.enqueueing");
    try {
      const batch = await api.syncNow();
      this.ctx.book.apply([batch], []);
      this.syncHint.textContent = t("batch.enqueued", { id: batch.id });
      if (this.hintTimer) clearTimeout(this.hintTimer);
      this.hintTimer = setTimeout(() => (this.syncHint.textContent = ""), 8000);
    } catch (err) {
      this.syncHint.textContent = "";
      this.ctx.reportError(err);
    } finally {
      this.syncButton.disabled = false;
    }
  }

  private onChanged(changed: Batch[]): void {
    // A full list (after `replace`) or a new batch changes the order: rebuild; otherwise patch cards.
    const needsRebuild =
      changed.some((b) => !this.cards.has(b.id) || (b.status === "SUCCEEDED" && this.cards.get(b.id)?.dataset.status !== "SUCCEEDED")) ||
      this.cards.size !== this.ctx.book.all().length;
    if (needsRebuild) {
      this.renderAll();
    } else {
      for (const batch of changed) this.renderCard(batch);
    }
    for (const batch of changed) {
      if (this.attempts.has(batch.id)) void this.reloadAttempts(batch.id);
    }
  }

  private async reloadAttempts(id: number): Promise<void> {
    try {
      const attempts = await api.batchAttempts(id);
      if (!this.attempts.has(id)) return;
      const before = JSON.stringify(this.attempts.get(id));
      this.attempts.set(id, attempts);
      const batch = this.ctx.book.get(id);
      if (batch && JSON.stringify(attempts) !== before) this.renderCard(batch);
    } catch {
      // The list stays as it was; the next change retries.
    }
  }

  private renderAll(): void {
    const batches = this.ctx.book.all();
    const focusKey = this.focusKey();
    clear(this.list);
    this.cards.clear();
    if (batches.length === 0) {
      this.list.appendChild(h("p", { class: "empty", testid: "batch-empty" }, t("batch.empty")));
      return;
    }
    for (const batch of batches) {
      const card = h("article", { class: "card batch", testid: "batch-row" });
      this.cards.set(batch.id, card);
      this.list.appendChild(card);
      this.fillCard(card, batch);
    }
    this.restoreFocus(focusKey);
  }

  private renderCard(batch: Batch): void {
    const card = this.cards.get(batch.id);
    if (!card) return;
    const focusKey = this.focusKey();
    this.fillCard(card, batch);
    this.restoreFocus(focusKey);
  }

  private focusKey(): string | null {
    const active = document.activeElement;
    return active instanceof HTMLElement && this.list.contains(active) ? (active.dataset.focusKey ?? null) : null;
  }

  private restoreFocus(key: string | null): void {
    if (!key) return;
    const el = this.list.querySelector<HTMLElement>(`[data-focus-key="${key}"]`);
    el?.focus();
  }

  private fillCard(card: HTMLElement, batch: Batch): void {
    clear(card);
    card.dataset.batchId = String(batch.id);
    card.dataset.status = batch.status;
    card.setAttribute("aria-label", t("batch.cardLabel", { id: batch.id, status: batchStatusLabel(batch.status) }));

    const actions = h("div", { class: "batch-actions" });
    if (batch.status === "FAILED" || batch.status === "CANCELLED") {
      actions.appendChild(this.actionButton(batch, "retry", t("batch.retry"), () => api.retryBatch(batch.id)));
    }
    if (batch.status === "PENDING" || batch.status === "RUNNING") {
      actions.appendChild(this.actionButton(batch, "cancel", t("batch.cancel"), () => api.cancelBatch(batch.id)));
    }
    const expanded = this.attempts.has(batch.id);
    actions.appendChild(
      h(
        "button",
        {
          class: "btn btn-ghost",
          testid: "batch-attempts-toggle",
          attrs: { type: "button", "aria-expanded": String(expanded), "data-focus-key": `attempts-${batch.id}` },
          on: { click: () => void this.toggleAttempts(batch) },
        },
        expanded ? t("batch.hideAttempts") : t("batch.showAttempts"),
      ),
    );

    const meta = h(
      "div",
      { class: "batch-meta" },
      h("span", { testid: "batch-attempts" }, t("batch.attempts", { n: batch.attempts, max: batch.max_attempts })),
      h("span", {}, t("batch.created", { time: formatDateTime(batch.created_at) })),
      batch.finished_at !== null && batch.started_at !== null
        ? h("span", {}, t("batch.duration", { duration: formatDuration(batch.finished_at - batch.started_at) }))
        : null,
      batch.semester_id ? h("span", {}, t("batch.semester", { semester: batch.semester_id })) : null,
    );

    card.appendChild(
      h(
        "header",
        { class: "batch-head" },
        h("h3", { class: "batch-id" }, t("batch.title", { id: batch.id })),
        h(
          "span",
          { class: `badge badge-${batch.status.toLowerCase()}`, testid: "batch-status", attrs: { "data-status": batch.status } },
          batchStatusLabel(batch.status),
        ),
        meta,
        actions,
      ),
    );

    if (batch.status === "PENDING" && batch.next_attempt_at !== null && batch.attempts > 0) {
      card.appendChild(
        h(
          "p",
          { class: "retry-note", testid: "batch-next-retry" },
          h("span", { class: "retry-countdown", attrs: { "data-at": batch.next_attempt_at } }, this.retryText(batch.next_attempt_at)),
        ),
      );
    } else if (batch.status === "PENDING") {
      card.appendChild(h("p", { class: "muted" }, t("batch.waiting")));
    } else if (batch.status === "CANCELLED") {
      card.appendChild(h("p", { class: "muted" }, t("batch.cancelledNote")));
    }

    if (batch.error) {
      card.appendChild(
        h(
          "div",
          { class: `error-box ${batch.status === "FAILED" ? "error-fatal" : "error-retrying"}`, testid: "batch-error", attrs: { role: "note" } },
          h("p", { class: "error-message", testid: "batch-error-message" }, batch.error.message),
          h("p", { class: "error-code" }, t("batch.errorCode"), " ", h("code", { testid: "batch-error-code" }, batch.error.code)),
        ),
      );
    }

    if (batch.status === "RUNNING") card.appendChild(this.progressView(batch));
    if (batch.status === "SUCCEEDED") {
      // The newest staged batch gets the full table; older ones a one-line summary.
      const newest = this.ctx.book.staged()[0]?.id === batch.id;
      card.appendChild(newest ? this.countsView(batch) : this.countsSummary(batch));
    }
    if (batch.notes.length > 0) {
      card.appendChild(h("ul", { class: "notes" }, ...batch.notes.map((n) => h("li", {}, n))));
    }
    const attempts = this.attempts.get(batch.id);
    if (attempts) card.appendChild(this.attemptsView(attempts));
  }

  private actionButton(batch: Batch, kind: string, label: string, run: () => Promise<Batch>): HTMLButtonElement {
    const key = `${kind}-${batch.id}`;
    return h(
      "button",
      {
        class: "btn btn-secondary",
        testid: `batch-${kind}`,
        attrs: { type: "button", "data-focus-key": key, disabled: this.busy.has(key) },
        on: {
          click: async () => {
            this.busy.add(key);
            this.renderCard(batch);
            try {
              const updated = await run();
              this.ctx.book.apply([updated], []);
            } catch (err) {
              this.ctx.reportError(err);
            } finally {
              this.busy.delete(key);
              const current = this.ctx.book.get(batch.id);
              if (current) this.renderCard(current);
            }
          },
        },
      },
      label,
    );
  }

  private retryText(at: number): string {
    return t("batch.nextRetry", { time: formatTime(at), relative: formatRelative(at, Date.now()) });
  }

  private progressView(batch: Batch): HTMLElement {
    return progressList(this.ctx.book, batch);
  }

  private countsView(batch: Batch): HTMLElement {
    return countsTable(batch);
  }

  private countsSummary(batch: Batch): HTMLElement {
    const totals = STAGING_STATUSES.map((s) => ENTITIES.reduce((n, e) => n + (batch.counts[e]?.[s] ?? 0), 0));
    const all = totals.reduce((a, b) => a + b, 0);
    return h(
      "p",
      { class: "counts-summary muted", testid: "batch-counts-summary" },
      t("batch.countsSummary", { n: formatNumber(all) }),
      ...STAGING_STATUSES.map((s, i) => ` · ${stagingStatusLabel(s)} ${formatNumber(totals[i])}`),
    );
  }

  private attemptsView(attempts: Attempt[]): HTMLElement {
    if (attempts.length === 0) return h("p", { class: "muted" }, t("batch.noAttempts"));
    return h(
      "ol",
      { class: "attempts", testid: "batch-attempt-list" },
      ...attempts.map((a) =>
        h(
          "li",
          {},
          h("strong", {}, t("batch.attemptNumber", { n: a.number })),
          " ",
          formatDateTime(a.started_at),
          a.finished_at !== null ? ` · ${formatDuration(a.finished_at - a.started_at)}` : ` · ${t("batch.attemptOpen")}`,
          a.error ? h("span", { class: "attempt-error" }, " · ", h("code", {}, a.error.code)) : ` · ${t("batch.attemptOk")}`,
        ),
      ),
    );
  }

  private async toggleAttempts(batch: Batch): Promise<void> {
    if (this.attempts.has(batch.id)) {
      this.attempts.delete(batch.id);
    } else {
      try {
        this.attempts.set(batch.id, await api.batchAttempts(batch.id));
      } catch (err) {
        this.ctx.reportError(err);
        return;
      }
    }
    this.renderCard(this.ctx.book.get(batch.id) ?? batch);
  }

  private tick(): void {
    for (const el of this.list.querySelectorAll<HTMLElement>(".retry-countdown")) {
      const at = Number(el.dataset.at);
      if (Number.isFinite(at)) el.textContent = this.retryText(at);
    }
  }
}
