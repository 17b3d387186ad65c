// Formatting of numbers, sizes and times for display (Indonesian conventions by default).

import { intlLocale, t } from "./i18n";

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(intlLocale()).format(n);
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(intlLocale(), {
    day: "2-digit",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(new Date(ms));
}

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(intlLocale(), {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(new Date(ms));
}

/** "dalam 12 detik" / "dalam 3 menit" relative to `now`; "sekarang" when due. */
export function formatRelative(targetMs: number, nowMs: number): string {
  const seconds = Math.round((targetMs - nowMs) / 1000);
  if (seconds <= 0) return t("time.now");
  if (seconds < 60) return t("time.inSeconds", { n: seconds });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t("time.inMinutes", { n: minutes });
  return t("time.inHours", { n: Math.round(minutes / 60) });
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return t("time.underSecond");
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return t("time.seconds", { n: seconds });
  const minutes = Math.floor(seconds / 60);
  return t("time.minutesSeconds", { m: minutes, s: seconds % 60 });
}
