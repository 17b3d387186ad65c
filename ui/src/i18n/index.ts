// A tiny translator: every user-facing string lives in id.json (Bahasa Indonesia, the default) with an
// English twin in en.json. Keys are checked at compile time against id.json.

import id from "./id.json";
import en from "./en.json";

export type MessageKey = keyof typeof id;
export type Locale = "id" | "en";

export const catalogs: Record<Locale, Record<string, string>> = { id, en };

let current: Locale = "id";

export function setLocale(locale: Locale): void {
  current = locale;
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

/** The BCP 47 tag for number/date formatting. */
export function intlLocale(): string {
  return current === "id" ? "id-ID" : "en-GB";
}

/**
 * Translate `key`, replacing `{name}` placeholders with `params.name`. A key missing from the current
 * catalog falls back to Indonesian, then to the key itself (visible, so it gets noticed).
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = catalogs[current][key] ?? catalogs.id[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
