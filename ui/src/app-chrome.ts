// App-wide pieces around the screens: the stored language applied before anything renders, the
// offline banner (the last attempt could not reach Dapodik; review still works), and the signed-in
// SSO SDS operator in the header.

import type { BatchBook } from "./batches";
import { connectionState } from "./connection-state";
import { clear, h } from "./dom";
import { setLocale, t } from "./i18n";
import { settingsApi } from "./settings-api";

/** Applies the language stored in Pengaturan (Bahasa Indonesia when none or unreadable). */
export async function applyStoredLocale(): Promise<void> {
  try {
    setLocale((await settingsApi.getPreferences()).language);
  } catch {
    setLocale("id");
  }
}

/** Shown while the newest outcome is `dapodik_unreachable`/`timeout`. */
export class OfflineBanner {
  readonly el = h("div", { class: "notice offline-banner", testid: "offline-banner", attrs: { role: "status" } });

  constructor(book: BatchBook) {
    this.el.hidden = true;
    book.subscribe(() => this.render(book));
    this.render(book);
  }

  private render(book: BatchBook): void {
    const state = connectionState(book.all());
    this.el.hidden = state.kind !== "offline";
    clear(this.el);
    if (state.kind === "offline") {
      this.el.append(h("strong", {}, t("app.offlineTitle")), " ", t("app.offlineBody", { code: state.code ?? "" }));
    }
  }
}

/** "Operator: <name> · NPSN …" when the active profile has a signed-in SSO SDS operator. */
export class OperatorBadge {
  readonly el = h("span", { class: "operator", testid: "header-operator" });

  async refresh(): Promise<void> {
    try {
      const d = await settingsApi.dashboard();
      const id = d.connection.profile_id;
      const status = id !== null ? await settingsApi.ssoStatus(id) : null;
      clear(this.el);
      const op = status?.operator;
      this.el.hidden = !op;
      if (op) {
        this.el.append(t("app.operator", { name: op.name ?? op.subject }), op.npsn ? ` · NPSN ${op.npsn}` : "");
      }
    } catch {
      this.el.hidden = true;
    }
  }
}
