// Beranda, the first screen: the active connection and its last check, the last successful sync and
// what it brought, the next scheduled sync, counts of the latest batch, decisions waiting, and the large
// "Sinkronkan sekarang" with live progress per entity (cancellable).

import { api, ENTITIES, STAGING_STATUSES, type Batch } from "../api";
import { countsTable, progressList } from "../components/sync-progress";
import { clear, h } from "../dom";
import { formatDateTime, formatNumber, formatRelative } from "../format";
import { t } from "../i18n";
import { batchStatusLabel, stagingStatusLabel } from "../labels";
import { connectionState } from "../connection-state";
import { settingsApi, type Dashboard } from "../settings-api";
import type { ScreenContext } from "./batch";
import "../settings.css";

export interface DashboardContext extends ScreenContext {
  /** Opens another screen (e.g. "staging" for the decisions waiting). */
  navigate: (screen: string) => void;
}

export class DashboardScreen {
  readonly el: HTMLElement;
  private readonly connection = h("section", { class: "card dash-card", testid: "dash-connection" });
  private readonly lastSync = h("section", { class: "card dash-card dash-card-wide", testid: "dash-last-sync" });
  private readonly schedule = h("section", { class: "card dash-card", testid: "dash-schedule" });
  private readonly decisions = h("section", { class: "card dash-card", testid: "dash-decisions" });
  private readonly running = h("div", { class: "dash-running", testid: "dash-running", attrs: { "aria-live": "polite" } });
  private readonly syncButton: HTMLButtonElement;
  private readonly hint = h("p", { class: "sync-hint", testid: "dash-sync-hint", attrs: { "aria-live": "polite" } });
  private info: Dashboard | null = null;
  private refreshing = false;

  constructor(private readonly ctx: DashboardContext) {
    this.syncButton = h(
      "button",
      { class: "btn btn-primary btn-large dash-sync", testid: "dash-sync-now", attrs: { type: "button" }, on: { click: () => void this.syncNow() } },
      t("batch.syncNow"),
    );
    const syncCard = h(
      "section",
      { class: "card sync-card dash-sync-card" },
      h("div", { class: "sync-text" }, h("h2", {}, t("dashboard.syncTitle")), h("p", { class: "muted" }, t("batch.syncDescription")), this.hint),
      this.syncButton,
    );
    this.el = h(
      "div",
      { class: "screen dashboard-screen", testid: "screen-dashboard" },
      syncCard,
      this.running,
      h("div", { class: "dash-grid" }, this.connection, this.lastSync, this.schedule, this.decisions),
    );
    ctx.book.subscribe((changed) => {
      this.render();
      // A batch that just ended changes the last sync, the decisions and maybe the next retry.
      if (changed.some((b) => b.status !== "RUNNING" && b.status !== "PENDING")) void this.refresh();
    });
    setInterval(() => this.renderSchedule(), 1000);
    this.render();
  }

  /** Called when the screen is shown. */
  show(): void {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      this.info = await settingsApi.dashboard();
      this.render();
    } catch (err) {
      this.ctx.reportError(err);
    } finally {
      this.refreshing = false;
    }
  }

  private async syncNow(): Promise<void> {
    if (this.syncButton.disabled) return;
    this.syncButton.disabled = true;
    this.hint.textContent = t("batch.enqueueing");
    try {
      const batch = await api.syncNow();
      this.ctx.book.apply([batch], []);
      this.hint.textContent = t("batch.enqueued", { id: batch.id });
    } catch (err) {
      this.hint.textContent = "";
      this.ctx.reportError(err);
    } finally {
      this.syncButton.disabled = false;
    }
  }

  private render(): void {
    this.renderRunning();
    this.renderConnection();
    this.renderLastSync();
    this.renderSchedule();
    this.renderDecisions();
  }

  /** The batch in progress (or waiting), with live progress and "Batalkan". */
  private renderRunning(): void {
    clear(this.running);
    const active = this.ctx.book.all().find((b) => b.status === "RUNNING" || b.status === "PENDING");
    if (!active) {
      this.running.hidden = true;
      return;
    }
    this.running.hidden = false;
    const cancel = h(
      "button",
      {
        class: "btn btn-secondary",
        testid: "dash-cancel",
        attrs: { type: "button" },
        on: {
          click: async () => {
            cancel.disabled = true;
            try {
              this.ctx.book.apply([await api.cancelBatch(active.id)], []);
            } catch (err) {
              this.ctx.reportError(err);
            }
          },
        },
      },
      t("batch.cancel"),
    );
    this.running.append(
      h(
        "div",
        { class: "card dash-progress-card" },
        h(
          "header",
          { class: "batch-head" },
          h("h3", { class: "batch-id" }, t("batch.title", { id: active.id })),
          h("span", { class: `badge badge-${active.status.toLowerCase()}`, testid: "dash-running-status" }, batchStatusLabel(active.status)),
          h("div", { class: "batch-actions" }, cancel),
        ),
        active.status === "RUNNING"
          ? progressList(this.ctx.book, active, "dash-progress")
          : active.error && active.next_attempt_at !== null
            ? h(
                "div",
                { class: "error-box error-retrying", testid: "dash-retrying", attrs: { role: "note" } },
                h("p", { class: "error-message" }, active.error.message),
                h("p", { class: "muted" }, t("dashboard.nextRetry", { relative: formatRelative(active.next_attempt_at, Date.now()) })),
              )
            : h("p", { class: "muted" }, t("batch.waiting")),
      ),
    );
  }

  private renderConnection(): void {
    clear(this.connection);
    const c = this.info?.connection;
    const state = connectionState(this.ctx.book.all());
    const stateText =
      state.kind === "offline"
        ? t("dashboard.stateOffline")
        : state.kind === "failed"
          ? t("dashboard.stateFailed", { code: state.code ?? "" })
          : state.kind === "ok"
            ? t("dashboard.stateOk")
            : t("dashboard.stateUnknown");
    this.connection.append(
      h("h2", {}, t("dashboard.connectionTitle")),
      h(
        "p",
        { class: `dash-state dash-state-${state.kind}`, testid: "dash-state", attrs: { "data-state": state.kind } },
        stateText,
      ),
    );
    if (!c) return;
    const name = c.from_environment
      ? t("dashboard.fromEnvironment")
      : (c.profile_name ?? (c.mode === "demo" ? t("header.demoMode") : t("dashboard.noProfile")));
    this.connection.append(
      h(
        "dl",
        { class: "dash-facts" },
        h("dt", {}, t("dashboard.profile")),
        h("dd", { testid: "dash-profile" }, name),
        h("dt", {}, t("dashboard.address")),
        h("dd", {}, c.target || "—"),
        h("dt", {}, "NPSN"),
        h("dd", { testid: "dash-npsn" }, c.npsn || "—"),
        h("dt", {}, t("dashboard.lastCheck")),
        h(
          "dd",
          { testid: "dash-last-check" },
          c.last_check
            ? `${c.last_check.ok ? "✓" : "✗"} ${formatDateTime(c.last_check.at)}${c.last_check.code ? ` (${c.last_check.code})` : ""}`
            : t("dashboard.neverChecked"),
        ),
      ),
    );
  }

  private renderLastSync(): void {
    clear(this.lastSync);
    this.lastSync.append(h("h2", {}, t("dashboard.lastSyncTitle")));
    const last = this.ctx.book.staged()[0];
    if (!last) {
      this.lastSync.append(h("p", { class: "muted", testid: "dash-no-sync" }, t("dashboard.noSyncYet")));
      return;
    }
    const totals = STAGING_STATUSES.map((s) => ENTITIES.reduce((n, e) => n + (last.counts[e]?.[s] ?? 0), 0));
    this.lastSync.append(
      h(
        "p",
        { testid: "dash-last-sync-when" },
        t("dashboard.lastSyncAt", { id: last.id, time: formatDateTime(last.finished_at ?? last.created_at) }),
      ),
      h(
        "p",
        { class: "muted", testid: "dash-last-sync-summary" },
        STAGING_STATUSES.map((s, i) => `${stagingStatusLabel(s)} ${formatNumber(totals[i])}`).join(" · "),
      ),
      h("div", { class: "dash-table-scroll" }, countsTable(last, "dash-counts")),
    );
  }

  private renderSchedule(): void {
    clear(this.schedule);
    this.schedule.append(h("h2", {}, t("dashboard.scheduleTitle")));
    const info = this.info;
    const now = Date.now();
    const next = info?.next_scheduled_at ?? null;
    this.schedule.append(
      h(
        "p",
        { testid: "dash-next-sync" },
        info?.schedule_minutes
          ? next
            ? t("dashboard.nextSync", { every: info.schedule_minutes, time: formatDateTime(next), relative: formatRelative(next, now) })
            : t("dashboard.scheduleOn", { every: info.schedule_minutes })
          : t("dashboard.scheduleOff"),
      ),
    );
    const retry = info?.next_retry_at ?? null;
    if (retry) this.schedule.append(h("p", { class: "muted" }, t("dashboard.nextRetry", { relative: formatRelative(retry, now) })));
  }

  private renderDecisions(): void {
    clear(this.decisions);
    this.decisions.append(h("h2", {}, t("dashboard.decisionsTitle")));
    const d = this.info?.decisions;
    if (!d) {
      this.decisions.append(h("p", { class: "muted" }, t("dashboard.noDecisions")));
      return;
    }
    this.decisions.append(
      h(
        "p",
        { class: d.conflicts > 0 ? "dash-attention" : "", testid: "dash-conflicts" },
        t("dashboard.conflictsWaiting", { n: formatNumber(d.conflicts) }),
      ),
      h("p", { class: "muted", testid: "dash-undecided" }, t("dashboard.undecided", { n: formatNumber(d.undecided), id: d.batch_id })),
      h(
        "button",
        { class: "btn btn-secondary", testid: "dash-open-review", attrs: { type: "button" }, on: { click: () => this.ctx.navigate("staging") } },
        t("dashboard.openReview"),
      ),
    );
  }
}

export type { Batch };
