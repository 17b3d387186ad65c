// Pengaturan: connection profiles (Web Service Dapodik | SSO SDS | Demo) with the write-only Web Service
// key ("Kunci tersimpan" + "Ganti kunci" — the key goes to the OS keychain and never comes back), port
// detection from install.ini, "Uji koneksi" step by step, SSO SDS sign-in/out; the automatic sync
// schedule and max attempts; the language; the data and log folders.

import { ApiError } from "../api";
import { clear, h } from "../dom";
import { formatDateTime } from "../format";
import { t, type MessageKey } from "../i18n";
import {
  PROFILE_KINDS,
  settingsApi,
  type CheckReport,
  type Language,
  type Preferences,
  type Profile,
  type ProfileInput,
  type ProfileKind,
  type ProfilesView,
} from "../settings-api";
import type { ScreenContext } from "./batch";
import "../settings.css";

export interface SettingsContext extends ScreenContext {
  /** Something the header or Beranda show changed (active profile, sign-in, schedule). */
  changed: () => void;
  /** The language changed: the app re-renders in it. */
  languageChanged: (language: Language) => void;
}

export function kindLabel(kind: ProfileKind): string {
  return t(`settings.kind.${kind}` as MessageKey);
}

/** The form's values as a profile input (empty port → none; scopes split on spaces/commas). */
export function readProfileForm(values: Record<string, string>): ProfileInput {
  const port = values.port?.trim() ?? "";
  return {
    name: values.name ?? "",
    kind: (values.kind as ProfileKind) || "webservice",
    host: values.host ?? "",
    port: port === "" ? null : Number(port),
    install_dir: values.install_dir?.trim() ? values.install_dir.trim() : null,
    npsn: values.npsn ?? "",
    sso_issuer: values.sso_issuer ?? "",
    sso_client_id: values.sso_client_id ?? "",
    sso_scopes: (values.sso_scopes ?? "").split(/[\s,]+/).filter((s) => s.length > 0),
    sso_data_endpoint: values.sso_data_endpoint ?? "",
  };
}

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), input, hint ? h("p", { class: "field-hint muted" }, hint) : null);
}

export class SettingsScreen {
  readonly el: HTMLElement;
  private readonly profilesEl = h("div", { class: "profile-list", testid: "profile-list" });
  private readonly notice = h("div", { class: "settings-notice", testid: "settings-notice", attrs: { role: "status" } });
  private readonly formSlot = h("div", { class: "profile-form-slot" });
  private readonly prefsEl = h("div", { class: "prefs" });
  private readonly checks = new Map<number, CheckReport | "running">();
  private readonly keyEditing = new Set<number>();
  private readonly operators = new Map<number, string | null>();
  private view: ProfilesView | null = null;
  private prefs: Preferences | null = null;

  constructor(private readonly ctx: SettingsContext) {
    this.el = h(
      "div",
      { class: "screen settings-screen", testid: "screen-settings" },
      h(
        "section",
        { class: "card" },
        h(
          "header",
          { class: "settings-head" },
          h("h2", {}, t("settings.profilesTitle")),
          h(
            "button",
            { class: "btn btn-primary", testid: "profile-add", attrs: { type: "button" }, on: { click: () => this.openForm(null) } },
            t("settings.addProfile"),
          ),
        ),
        h("p", { class: "muted" }, t("settings.profilesHint")),
        this.notice,
        this.formSlot,
        this.profilesEl,
      ),
      this.prefsEl,
    );
  }

  show(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [view, prefs] = await Promise.all([settingsApi.listProfiles(), settingsApi.getPreferences()]);
      this.view = view;
      this.prefs = prefs;
      for (const p of view.profiles) {
        if (p.sso_issuer && p.sso_client_id && !this.operators.has(p.id)) {
          const status = await settingsApi.ssoStatus(p.id).catch(() => null);
          this.operators.set(p.id, status?.operator ? (status.operator.name ?? status.operator.subject) : null);
        }
      }
      this.renderProfiles();
      this.renderPrefs();
      // A counter of finished loads, so a test (or a screen reader hint) knows the screen is current.
      this.el.dataset.loads = String(Number(this.el.dataset.loads ?? 0) + 1);
    } catch (err) {
      this.ctx.reportError(err);
    }
  }

  private renderProfiles(): void {
    const view = this.view;
    clear(this.notice);
    clear(this.profilesEl);
    if (!view) return;
    if (view.env_override) this.notice.append(h("p", { class: "notice" }, t("settings.envOverride")));
    if (view.keychain_error) this.notice.append(h("p", { class: "banner banner-inline", testid: "keychain-error" }, view.keychain_error));
    if (view.profiles.length === 0) {
      this.profilesEl.append(h("p", { class: "empty", testid: "profile-empty" }, t("settings.noProfiles")));
      return;
    }
    for (const p of view.profiles) this.profilesEl.append(this.profileCard(p));
  }

  private profileCard(p: Profile): HTMLElement {
    const card = h("article", { class: `card profile ${p.active ? "profile-active" : ""}`, testid: "profile-row", attrs: { "data-profile-id": p.id, "data-name": p.name } });
    const actions = h("div", { class: "batch-actions" });
    if (!p.active) {
      actions.append(this.button("profile-activate", t("settings.activate"), () => settingsApi.activateProfile(p.id), true));
    }
    actions.append(
      h("button", { class: "btn btn-secondary", testid: "profile-edit", attrs: { type: "button" }, on: { click: () => this.openForm(p) } }, t("settings.edit")),
    );
    {
      actions.append(
        h(
          "button",
          { class: "btn btn-secondary", testid: "profile-test", attrs: { type: "button" }, on: { click: () => void this.runCheck(p) } },
          t("settings.testConnection"),
        ),
      );
    }
    actions.append(
      this.button("profile-delete", t("settings.delete"), async () => {
        if (!window.confirm(t("settings.confirmDelete", { name: p.name }))) return;
        await settingsApi.deleteProfile(p.id);
      }, true),
    );
    card.append(
      h(
        "header",
        { class: "batch-head" },
        h("h3", { class: "batch-id", testid: "profile-name" }, p.name),
        h("span", { class: "badge badge-entity" }, kindLabel(p.kind)),
        p.active ? h("span", { class: "badge badge-succeeded", testid: "profile-active" }, t("settings.active")) : null,
        actions,
      ),
      h(
        "dl",
        { class: "dash-facts" },
        p.kind === "webservice" ? h("dt", {}, t("dashboard.address")) : null,
        p.kind === "webservice" ? h("dd", { testid: "profile-url" }, p.base_url ?? "—") : null,
        p.kind !== "demo" ? h("dt", {}, "NPSN") : null,
        p.kind !== "demo" ? h("dd", {}, p.npsn) : null,
        h("dt", {}, t("dashboard.lastCheck")),
        h(
          "dd",
          {},
          p.last_check
            ? `${p.last_check.ok ? "✓" : "✗"} ${formatDateTime(p.last_check.at)}${p.last_check.code ? ` (${p.last_check.code})` : ""}`
            : t("dashboard.neverChecked"),
        ),
      ),
    );
    if (p.kind === "webservice") card.append(this.keyBlock(p));
    if (p.sso_issuer && p.sso_client_id) card.append(this.ssoBlock(p));
    const check = this.checks.get(p.id);
    if (check) card.append(this.checkView(check));
    return card;
  }

  /** The write-only key: "Kunci tersimpan" + "Ganti kunci", or a password field to save one. */
  private keyBlock(p: Profile): HTMLElement {
    const block = h("div", { class: "key-block", testid: "key-block" });
    if (p.has_key && !this.keyEditing.has(p.id)) {
      block.append(
        h("span", { class: "key-saved", testid: "key-saved" }, "✓ ", t("settings.keySaved")),
        h(
          "button",
          {
            class: "btn btn-ghost",
            testid: "key-replace",
            attrs: { type: "button" },
            on: {
              click: () => {
                this.keyEditing.add(p.id);
                this.renderProfiles();
              },
            },
          },
          t("settings.replaceKey"),
        ),
      );
      return block;
    }
    const input = h("input", {
      class: "input",
      testid: "key-input",
      attrs: { type: "password", autocomplete: "off", spellcheck: "false", placeholder: t("settings.keyPlaceholder") },
    });
    const save = h(
      "button",
      {
        class: "btn btn-primary",
        testid: "key-save",
        attrs: { type: "button" },
        on: {
          click: async () => {
            const key = input.value;
            // The key leaves the page here: the field is emptied before anything else happens.
            input.value = "";
            if (key.trim() === "") return;
            save.disabled = true;
            try {
              await settingsApi.saveProfileKey(p.id, key);
              this.keyEditing.delete(p.id);
              await this.load();
              this.ctx.changed();
            } catch (err) {
              this.ctx.reportError(err);
            } finally {
              save.disabled = false;
            }
          },
        },
      },
      t("settings.saveKey"),
    );
    block.append(field(t("settings.keyLabel"), input, t("settings.keyHint")), save);
    if (this.keyEditing.has(p.id)) {
      block.append(
        h(
          "button",
          {
            class: "btn btn-ghost",
            attrs: { type: "button" },
            on: {
              click: () => {
                this.keyEditing.delete(p.id);
                this.renderProfiles();
              },
            },
          },
          t("settings.cancel"),
        ),
      );
    }
    return block;
  }

  private ssoBlock(p: Profile): HTMLElement {
    const operator = this.operators.get(p.id) ?? null;
    const block = h("div", { class: "sso-block", testid: "sso-block" });
    if (operator) {
      block.append(
        h("span", { testid: "sso-operator" }, t("settings.ssoSignedIn", { name: operator })),
        this.button("sso-sign-out", t("settings.ssoSignOut"), async () => {
          await settingsApi.ssoSignOut(p.id);
          this.operators.set(p.id, null);
        }, true),
      );
    } else {
      block.append(
        h("span", { class: "muted" }, t("settings.ssoSignedOut")),
        this.button("sso-sign-in", t("settings.ssoSignIn"), async () => {
          const status = await settingsApi.ssoSignIn(p.id);
          this.operators.set(p.id, status.operator ? (status.operator.name ?? status.operator.subject) : null);
        }, true),
      );
    }
    return block;
  }

  private checkView(check: CheckReport | "running"): HTMLElement {
    if (check === "running") return h("p", { class: "muted", testid: "check-running" }, t("settings.checking"));
    return h(
      "ol",
      { class: `check-steps ${check.ok ? "check-ok" : "check-failed"}`, testid: "check-steps", attrs: { "data-ok": String(check.ok) } },
      ...check.steps.map((s) =>
        h(
          "li",
          { class: s.ok ? "step-ok" : "step-failed", testid: "check-step", attrs: { "data-step": s.name, "data-ok": String(s.ok) } },
          h("span", { class: "step-mark", attrs: { "aria-hidden": "true" } }, s.ok ? "✓" : "✗"),
          h("strong", {}, t(`settings.step.${s.name}` as MessageKey)),
          // A passing step's message often just repeats its label.
          s.message.trim() === s.label.trim() ? null : h("span", { class: "step-message" }, s.message),
          s.code ? h("code", {}, s.code) : null,
        ),
      ),
    );
  }

  private async runCheck(p: Profile): Promise<void> {
    this.checks.set(p.id, "running");
    this.renderProfiles();
    try {
      this.checks.set(p.id, await settingsApi.testConnection(p.id));
    } catch (err) {
      this.checks.delete(p.id);
      this.ctx.reportError(err);
    }
    await this.load();
    this.ctx.changed();
  }

  private button(testid: string, label: string, run: () => Promise<unknown>, reload: boolean): HTMLButtonElement {
    const b = h(
      "button",
      {
        class: "btn btn-secondary",
        testid,
        attrs: { type: "button" },
        on: {
          click: async () => {
            b.disabled = true;
            try {
              await run();
              if (reload) await this.load();
              this.ctx.changed();
            } catch (err) {
              this.ctx.reportError(err);
            } finally {
              b.disabled = false;
            }
          },
        },
      },
      label,
    );
    return b;
  }

  /** The add/edit form. */
  private openForm(existing: Profile | null): void {
    clear(this.formSlot);
    const input = (name: string, value: string, attrs: Record<string, string> = {}) =>
      h("input", { class: "input", testid: `form-${name}`, attrs: { name, value, autocomplete: "off", ...attrs } });
    const kind = h(
      "select",
      { class: "input", testid: "form-kind", attrs: { name: "kind" } },
      ...PROFILE_KINDS.map((k) => h("option", { attrs: { value: k, selected: (existing?.kind ?? "webservice") === k } }, kindLabel(k))),
    );
    const name = input("name", existing?.name ?? "");
    const host = input("host", existing?.host ?? "localhost");
    const port = input("port", existing?.port ? String(existing.port) : "", { inputmode: "numeric", placeholder: "5774" });
    const installDir = input("install_dir", existing?.install_dir ?? "", { placeholder: "C:\\Program Files (x86)\\Dapodik" });
    const npsn = input("npsn", existing?.npsn ?? "", { inputmode: "numeric", maxlength: "8" });
    const issuer = input("sso_issuer", existing?.sso_issuer ?? "", { placeholder: "https://…" });
    const clientId = input("sso_client_id", existing?.sso_client_id ?? "");
    const scopes = input("sso_scopes", existing?.sso_scopes.join(" ") ?? "", { placeholder: "profile offline_access" });
    const endpoint = input("sso_data_endpoint", existing?.sso_data_endpoint ?? "", { placeholder: "https://…" });
    const detected = h("p", { class: "field-hint muted", testid: "form-port-detected", attrs: { "aria-live": "polite" } });
    const detect = h(
      "button",
      {
        class: "btn btn-secondary",
        testid: "form-detect-port",
        attrs: { type: "button" },
        on: {
          click: async () => {
            try {
              const d = await settingsApi.detectPort(installDir.value || null);
              port.value = String(d.port);
              detected.textContent =
                d.from === "install_ini" ? t("settings.portFromIni", { port: d.port, path: d.path ?? "" }) : t("settings.portDefault", { port: d.port, dir: d.install_dir });
            } catch (err) {
              this.ctx.reportError(err);
            }
          },
        },
      },
      t("settings.detectPort"),
    );
    const wsFields = h(
      "fieldset",
      { class: "form-group" },
      h("legend", {}, t("settings.webServiceLegend")),
      field(t("settings.host"), host, t("settings.hostHint")),
      h("div", { class: "field-row" }, field(t("settings.port"), port), detect),
      detected,
      field(t("settings.installDir"), installDir, t("settings.installDirHint")),
    );
    const ssoFields = h(
      "fieldset",
      { class: "form-group" },
      h("legend", {}, t("settings.ssoLegend")),
      h("p", { class: "field-hint muted" }, t("settings.ssoHint")),
      field(t("settings.ssoIssuer"), issuer),
      field(t("settings.ssoClientId"), clientId),
      field(t("settings.ssoScopes"), scopes),
      field(t("settings.ssoDataEndpoint"), endpoint),
    );
    const npsnField = field("NPSN", npsn, t("settings.npsnHint"));
    const sync = () => {
      const k = kind.value as ProfileKind;
      wsFields.hidden = k !== "webservice";
      npsnField.hidden = k === "demo";
      ssoFields.hidden = k === "demo";
    };
    kind.addEventListener("change", sync);
    sync();
    const error = h("p", { class: "form-error", testid: "form-error", attrs: { role: "alert" } });
    const form = h(
      "form",
      { class: "card profile-form", testid: "profile-form" },
      h("h3", {}, existing ? t("settings.editProfile", { name: existing.name }) : t("settings.newProfile")),
      field(t("settings.name"), name),
      field(t("settings.kind"), kind),
      npsnField,
      wsFields,
      ssoFields,
      error,
      h(
        "div",
        { class: "batch-actions" },
        h("button", { class: "btn btn-primary", testid: "form-save", attrs: { type: "submit" } }, t("settings.saveProfile")),
        h("button", { class: "btn btn-ghost", attrs: { type: "button" }, on: { click: () => clear(this.formSlot) } }, t("settings.cancel")),
      ),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values: Record<string, string> = {};
      for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")) values[el.name] = el.value;
      const profile = readProfileForm(values);
      error.textContent = "";
      try {
        if (existing) await settingsApi.updateProfile(existing.id, profile);
        else await settingsApi.createProfile(profile);
        clear(this.formSlot);
        await this.load();
        this.ctx.changed();
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.message : t("error.unexpected");
      }
    });
    this.formSlot.append(form);
    name.focus();
  }

  private renderPrefs(): void {
    clear(this.prefsEl);
    const prefs = this.prefs;
    if (!prefs) return;
    const schedule = h("input", {
      class: "input input-narrow",
      testid: "pref-schedule",
      attrs: { type: "number", min: "0", max: "1440", value: String(prefs.schedule_minutes ?? 0) },
    });
    const attempts = h("input", {
      class: "input input-narrow",
      testid: "pref-max-attempts",
      attrs: { type: "number", min: "1", max: "20", value: String(prefs.max_attempts) },
    });
    const saved = h("span", { class: "muted", testid: "pref-saved", attrs: { "aria-live": "polite" } });
    const saveSync = h(
      "button",
      {
        class: "btn btn-primary",
        testid: "pref-save",
        attrs: { type: "button" },
        on: {
          click: async () => {
            try {
              this.prefs = await settingsApi.setPreferences({ schedule_minutes: Number(schedule.value), max_attempts: Number(attempts.value) });
              saved.textContent = t("settings.saved");
              this.ctx.changed();
            } catch (err) {
              this.ctx.reportError(err);
            }
          },
        },
      },
      t("settings.save"),
    );
    const language = h(
      "select",
      { class: "input input-narrow", testid: "pref-language" },
      h("option", { attrs: { value: "id", selected: prefs.language === "id" } }, "Bahasa Indonesia"),
      h("option", { attrs: { value: "en", selected: prefs.language === "en" } }, "English"),
    );
    language.addEventListener("change", async () => {
      try {
        const lang = language.value as Language;
        this.prefs = await settingsApi.setPreferences({ language: lang });
        this.ctx.languageChanged(lang);
      } catch (err) {
        this.ctx.reportError(err);
      }
    });
    const folder = (testid: string, label: string, path: string, which: "data" | "logs") =>
      h(
        "div",
        { class: "folder-row" },
        h("div", {}, h("strong", {}, label), h("p", { class: "muted folder-path", testid: `${testid}-path` }, path)),
        h(
          "button",
          {
            class: "btn btn-secondary",
            testid: `${testid}-open`,
            attrs: { type: "button" },
            on: { click: () => void settingsApi.openFolder(which).catch((err) => this.ctx.reportError(err)) },
          },
          t("settings.openFolder"),
        ),
      );
    this.prefsEl.append(
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("settings.syncTitle")),
        h(
          "div",
          { class: "field-row" },
          field(t("settings.schedule"), schedule, t("settings.scheduleHint")),
          field(t("settings.maxAttempts"), attempts, t("settings.maxAttemptsHint")),
          saveSync,
          saved,
        ),
      ),
      h("section", { class: "card" }, h("h2", {}, t("settings.languageTitle")), field(t("settings.language"), language)),
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("settings.foldersTitle")),
        folder("folder-data", t("settings.dataFolder"), prefs.data_dir, "data"),
        folder("folder-logs", t("settings.logFolder"), prefs.log_dir, "logs"),
      ),
    );
  }
}
