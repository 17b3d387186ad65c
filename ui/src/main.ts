// The app shell: header (name, mode badge, school), navigation between the Batch and Staging screens,
// an error banner, and the wiring of the shell's `sync:update` events into the batch book.

import "./styles.css";
import { api, ApiError, type AppInfo } from "./api";
import { BatchBook } from "./batches";
import { clear, h } from "./dom";
import { t } from "./i18n";
import { BatchScreen, type ScreenContext } from "./screens/batch";
import { StagingScreen } from "./screens/staging";
import { applyStoredLocale, OfflineBanner, OperatorBadge } from "./app-chrome";
import { DashboardScreen } from "./screens/dashboard";
import { SettingsScreen } from "./screens/settings";
import { RegisterScreen } from "./screens/register";
import { AuditScreen } from "./screens/audit";

type ScreenName = "dashboard" | "settings" | "batch" | "staging" | "register" | "audit";

function errorText(err: unknown): { code: string; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return { code: "internal", message: t("error.unexpected") };
}

async function start(root: HTMLElement): Promise<void> {
  await applyStoredLocale();
  const book = new BatchBook();
  const banner = h("div", { class: "banner", testid: "error-banner", attrs: { role: "alert" } });
  banner.hidden = true;

  const ctx: ScreenContext = {
    book,
    reportError: (err) => {
      const { code, message } = errorText(err);
      console.error("command failed", code);
      clear(banner);
      banner.append(
        h("div", { class: "banner-text" }, h("strong", {}, t("error.title")), " ", message, " ", h("code", {}, code)),
        h(
          "button",
          { class: "btn btn-ghost", attrs: { type: "button", "aria-label": t("error.dismiss") }, on: { click: () => (banner.hidden = true) } },
          t("error.dismiss"),
        ),
      );
      banner.hidden = false;
    },
  };

  const operatorBadge = new OperatorBadge();
  const offlineBanner = new OfflineBanner(book);
  const dashboardScreen = new DashboardScreen({ ...ctx, navigate: (name) => show(name as ScreenName) });
  const settingsScreen = new SettingsScreen({
    ...ctx,
    changed: () => {
      void api.appInfo().then((info) => renderMode(modeSlot, info), ctx.reportError);
      void operatorBadge.refresh();
      void dashboardScreen.refresh();
    },
    // Every screen renders again in the new language.
    languageChanged: () => window.location.reload(),
  });
  const batchScreen = new BatchScreen(ctx);
  const stagingScreen = new StagingScreen(ctx);
  const registerScreen = new RegisterScreen(ctx);
  const auditScreen = new AuditScreen(ctx);
  const screens: Record<ScreenName, HTMLElement> = { dashboard: dashboardScreen.el, settings: settingsScreen.el, batch: batchScreen.el, staging: stagingScreen.el, register: registerScreen.el, audit: auditScreen.el };

  const navButton = (name: ScreenName, label: string) =>
    h(
      "button",
      {
        class: "nav-tab",
        testid: `nav-${name}`,
        attrs: { type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}` },
        on: { click: () => show(name) },
      },
      label,
    );
  const tabs: Record<ScreenName, HTMLButtonElement> = {
    dashboard: navButton("dashboard", t("app.navDashboard")),
    batch: navButton("batch", t("nav.batch")),
    staging: navButton("staging", t("review.nav")),
    register: navButton("register", t("register.nav")),
    audit: navButton("audit", t("audit.nav")),
    settings: navButton("settings", t("app.navSettings")),
  };
  // In the order of `tabs` (the arrow keys follow it too).
  const tablist = h("nav", { class: "nav", attrs: { role: "tablist", "aria-label": t("nav.label") } }, ...Object.values(tabs));
  tablist.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const order = Object.keys(tabs) as ScreenName[];
    const next = order[(order.indexOf(current) + (e.key === "ArrowRight" ? 1 : order.length - 1)) % order.length];
    show(next);
    tabs[next].focus();
  });

  const main = h("main", { class: "content" });
  for (const [name, el] of Object.entries(screens)) {
    el.id = `panel-${name}`;
    el.setAttribute("role", "tabpanel");
    el.setAttribute("aria-labelledby", `tab-${name}`);
    main.appendChild(el);
  }

  let current: ScreenName = "batch";
  function show(name: ScreenName): void {
    current = name;
    for (const [n, el] of Object.entries(screens) as [ScreenName, HTMLElement][]) {
      el.hidden = n !== name;
      tabs[n].setAttribute("aria-selected", String(n === name));
      tabs[n].tabIndex = n === name ? 0 : -1;
    }
    if (name === "staging") stagingScreen.show();
    if (name === "dashboard") dashboardScreen.show();
    if (name === "settings") settingsScreen.show();
    if (name === "register") registerScreen.show();
    if (name === "audit") auditScreen.show();
  }

  const modeSlot = h("div", { class: "mode" });
  const header = h(
    "header",
    { class: "app-header" },
    h("div", { class: "brand" }, h("span", { class: "logo", attrs: { "aria-hidden": "true" } }), h("h1", {}, t("app.name"))),
    tablist,
    modeSlot,
    operatorBadge.el,
  );

  clear(root);
  root.append(header, banner, offlineBanner.el, main);
  show("dashboard");

  try {
    const info = await api.appInfo();
    renderMode(modeSlot, info);
    void operatorBadge.refresh();
    if (!info.sync_enabled) {
      root.insertBefore(h("div", { class: "notice", testid: "sync-disabled", attrs: { role: "status" } }, t("header.syncDisabled")), main);
    }
  } catch (err) {
    ctx.reportError(err);
  }

  // Subscribe before the first list so no change falls in between.
  await api.onSyncUpdate((update) => book.apply(update.batches, update.progress));
  try {
    book.replace(await api.listBatches());
  } catch (err) {
    ctx.reportError(err);
  }
}

function renderMode(slot: HTMLElement, info: AppInfo): void {
  clear(slot);
  const school = info.school_name ?? t("header.unknownSchool");
  slot.append(
    h(
      "span",
      { class: `mode-badge mode-${info.mode}`, testid: "mode-badge", attrs: { title: info.mode === "demo" ? t("header.demoHint") : t("header.realHint") } },
      info.mode === "demo" ? t("header.demoMode") : t("header.realMode"),
    ),
    h(
      "span",
      { class: "school", testid: "school" },
      h("span", { class: "school-name" }, school),
      h("span", { class: "school-npsn" }, t("header.npsn", { npsn: info.npsn })),
    ),
  );
  slot.title = t("header.dbPath", { path: info.db_path, version: info.version });
}

const root = document.getElementById("app");
if (root) void start(root);
