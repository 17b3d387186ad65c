import { describe, expect, it } from "vitest";
import id from "../src/i18n/id.json";
import en from "../src/i18n/en.json";
import { setLocale, t } from "../src/i18n";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("i18n catalogs", () => {
  it("every key in id.json exists in en.json and vice versa", () => {
    const idKeys = Object.keys(id).sort();
    const enKeys = Object.keys(en).sort();
    expect(idKeys.filter((k) => !(k in en))).toEqual([]);
    expect(enKeys.filter((k) => !(k in id))).toEqual([]);
  });

  it("translations use the same placeholders and are never empty", () => {
    for (const [key, value] of Object.entries(id)) {
      const english = (en as Record<string, string>)[key];
      expect(value.trim(), key).not.toBe("");
      expect(english?.trim(), key).not.toBe("");
      expect(placeholders(english), key).toEqual(placeholders(value));
    }
  });

  it("every key used in the code exists in id.json", () => {
    const srcDir = join(__dirname, "../src");
    const used = new Set<string>();
    for (const file of sources(srcDir)) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bt\("([\w.]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !(k in id))).toEqual([]);
  });

  it("the exact operator-facing labels the brief and the e2e test rely on", () => {
    setLocale("id");
    expect(t("batch.syncNow")).toBe("Sinkronkan sekarang");
    expect(t("header.demoMode")).toBe("Mode Demo");
    expect(["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"].map((s) => t(`batchStatus.${s}` as never))).toEqual([
      "Menunggu",
      "Berjalan",
      "Berhasil",
      "Gagal",
      "Dibatalkan",
    ]);
    expect(["NEW", "MATCHED", "CONFLICT", "REJECTED"].map((s) => t(`stagingStatus.${s}` as never))).toEqual([
      "Baru",
      "Cocok",
      "Konflik",
      "Ditolak",
    ]);
  });

  it("t() interpolates, switches locale and leaves unknown placeholders visible", () => {
    setLocale("id");
    expect(t("batch.enqueued", { id: 7 })).toBe("Batch #7 masuk antrean.");
    expect(t("batch.enqueued")).toBe("Batch #{id} masuk antrean.");
    setLocale("en");
    expect(t("batch.enqueued", { id: 7 })).toBe("Batch #7 queued.");
    setLocale("id");
  });
});
