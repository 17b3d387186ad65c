import { describe, expect, it } from "vitest";
import { renderDiff, renderFindings } from "../src/components/diff-view";
import type { FieldChoice, StagingDetail } from "../src/review-api";

function detail(extra: Partial<StagingDetail> = {}): StagingDetail {
  return {
    row: {
      id: 7,
      batch_id: 2,
      entity: "peserta_didik",
      dapodik_id: "00000001-abcd-4ef0-8000-000000000001",
      status: "CONFLICT",
      reasons: ["Berubah di Dapodik dan di data lokal: nama"],
      record: { nama: "BUDI SANTOSO", nisn: "0012345678" },
      content_hash: "x",
    },
    kind: "record",
    match_by: "uuid",
    match_id: "00000001-abcd-4ef0-8000-000000000001",
    in_register: true,
    diff: [
      { field: "nama", base: "BUDI SANTOSA", local: "BUDI SANTOSO L", dapodik: "BUDI SANTOSO", change: "conflict", conflict: true, protected: true, hint: "perbaiki lewat VervalPD" },
      { field: "alamat_jalan", base: "JL. LAMA", local: "JL. LAMA", dapodik: "JL. BARU", change: "dapodik", conflict: false, protected: false },
      { field: "nisn", base: "0012345678", local: "0012345678", dapodik: "0012345679", change: "dapodik", conflict: false, protected: false },
    ],
    findings: [{ code: "nama_gelar", severity: "warning", field: "nama", message: "Nama mengandung gelar" }],
    resolution: null,
    unresolved: ["nama"],
    ...extra,
  };
}

const cellText = (row: Element, col: string) => row.querySelector(`[data-col="${col}"]`)?.textContent;

describe("diff view", () => {
  it("shows the three columns in order: Data lokal | Terakhir disinkronkan | Dapodik", () => {
    const el = renderDiff(detail(), { showSensitive: true });
    const heads = [...el.querySelectorAll("thead th")].map((th) => th.textContent);
    expect(heads.slice(1, 4)).toEqual(["Data lokal", "Terakhir disinkronkan", "Dapodik"]);
    const nama = el.querySelector('[data-field="nama"]')!;
    expect(cellText(nama, "local")).toBe("BUDI SANTOSO L");
    expect(cellText(nama, "base")).toBe("BUDI SANTOSA");
    expect(cellText(nama, "dapodik")).toBe("BUDI SANTOSO");
    expect(el.querySelector('[data-testid="diff-summary"]')!.textContent).toBe("3 kolom berbeda, 1 konflik");
  });

  it("highlights conflicts and only conflicts", () => {
    const el = renderDiff(detail(), { showSensitive: true });
    const conflicted = [...el.querySelectorAll("tr.diff-conflict")].map((r) => r.getAttribute("data-field"));
    expect(conflicted).toEqual(["nama"]);
    expect(el.querySelector('[data-field="alamat_jalan"]')!.classList.contains("diff-conflict")).toBe(false);
  });

  it("flags Verval-protected fields and offers no typed value for them", () => {
    const el = renderDiff(detail(), { showSensitive: true, onChoose: () => undefined });
    const nama = el.querySelector('[data-field="nama"]')!;
    expect(nama.querySelector('[data-testid="protected-flag"]')).not.toBeNull();
    expect(nama.querySelector('[data-testid="protected-hint"]')!.textContent).toContain("VervalPD");
    expect(nama.querySelector('[data-testid="type-value"]')).toBeNull();
    expect(nama.querySelector('[data-testid="take-dapodik"]')).not.toBeNull();
    const alamat = el.querySelector('[data-field="alamat_jalan"]')!;
    expect(alamat.querySelector('[data-testid="protected-flag"]')).toBeNull();
    expect(alamat.querySelector('[data-testid="type-value"]')).not.toBeNull();
  });

  it("reports the operator's choices per field", () => {
    const chosen: [string, FieldChoice][] = [];
    const el = renderDiff(detail(), { showSensitive: true, onChoose: (f, c) => chosen.push([f, c]) });
    (el.querySelector('[data-field="nama"] [data-testid="take-dapodik"]') as HTMLButtonElement).click();
    (el.querySelector('[data-field="alamat_jalan"] [data-testid="keep-local"]') as HTMLButtonElement).click();
    const input = el.querySelector('[data-field="alamat_jalan"] [data-testid="type-value"]') as HTMLInputElement;
    input.value = "JL. KETIK";
    (el.querySelector('[data-field="alamat_jalan"] [data-testid="save-value"]') as HTMLButtonElement).click();
    expect(chosen).toEqual([
      ["nama", { take: "dapodik" }],
      ["alamat_jalan", { take: "local" }],
      ["alamat_jalan", { take: "value", value: "JL. KETIK" }],
    ]);
  });

  it("shows a stored choice and marks its button pressed", () => {
    const el = renderDiff(
      detail({ resolution: { decision: "ACCEPTED", fields: { nama: { take: "dapodik" } }, decided_by: "op", decided_at: 1, applied_at: null } }),
      { showSensitive: true, onChoose: () => undefined },
    );
    const nama = el.querySelector('[data-field="nama"]')!;
    expect(nama.querySelector('[data-testid="field-choice"]')!.textContent).toBe("Pilihan: ambil Dapodik");
    expect(nama.querySelector('[data-testid="take-dapodik"]')!.getAttribute("aria-pressed")).toBe("true");
    expect(nama.querySelector('[data-testid="keep-local"]')!.getAttribute("aria-pressed")).toBe("false");
  });

  it("masks identifiers unless asked to show them, and is read-only without a handler", () => {
    const masked = renderDiff(detail(), { showSensitive: false });
    expect(cellText(masked.querySelector('[data-field="nisn"]')!, "dapodik")).toBe("00******79");
    expect(masked.querySelector('[data-testid="take-dapodik"]')).toBeNull();
    const shown = renderDiff(detail(), { showSensitive: true });
    expect(cellText(shown.querySelector('[data-field="nisn"]')!, "dapodik")).toBe("0012345679");
  });

  it("lists findings with code, severity and message", () => {
    const el = renderFindings(detail().findings);
    const item = el.querySelector("li")!;
    expect(item.getAttribute("data-code")).toBe("nama_gelar");
    expect(item.getAttribute("data-severity")).toBe("warning");
    expect(item.textContent).toContain("Peringatan");
    expect(item.textContent).toContain("Nama mengandung gelar");
    expect(renderFindings([]).textContent).toBe("Tidak ada temuan.");
  });
});
