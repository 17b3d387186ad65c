import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Batch, BatchStatus } from "../src/api";

const calls: string[] = [];
vi.mock("../src/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      syncNow: vi.fn(async () => {
        calls.push("sync_now");
        return batch(9, "PENDING");
      }),
      retryBatch: vi.fn(async (id: number) => {
        calls.push(`retry_batch ${id}`);
        return batch(id, "PENDING");
      }),
      cancelBatch: vi.fn(async (id: number) => {
        calls.push(`cancel_batch ${id}`);
        return batch(id, "CANCELLED");
      }),
      batchAttempts: vi.fn(async () => []),
    },
  };
});

const { BatchBook } = await import("../src/batches");
const { BatchScreen } = await import("../src/screens/batch");

function batch(id: number, status: BatchStatus, extra: Partial<Batch> = {}): Batch {
  const zero = { NEW: 0, MATCHED: 0, CONFLICT: 0, REJECTED: 0 };
  return {
    id,
    source: "mock",
    target: "http://127.0.0.1:1",
    npsn: "20212345",
    status,
    attempts: 1,
    max_attempts: 5,
    next_attempt_at: null,
    error: null,
    created_at: Date.now() - 60_000,
    started_at: Date.now() - 50_000,
    finished_at: status === "SUCCEEDED" || status === "FAILED" ? Date.now() - 40_000 : null,
    counts: { sekolah: { ...zero, NEW: 1 }, peserta_didik: { ...zero, NEW: 1200, REJECTED: 2 }, gtk: { ...zero }, rombongan_belajar: { ...zero } },
    notes: [],
    semester_id: "20251",
    ...extra,
  };
}

function mount() {
  const book = new BatchBook();
  const errors: unknown[] = [];
  const screen = new BatchScreen({ book, reportError: (e) => errors.push(e) });
  document.body.replaceChildren(screen.el);
  const card = (id: number) => screen.el.querySelector(`[data-testid="batch-row"][data-batch-id="${id}"]`) as HTMLElement;
  return { book, screen, errors, card };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("Batch screen", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("shows status badges in Indonesian and the right action per status", () => {
    const { book, card } = mount();
    book.replace([
      batch(5, "RUNNING"),
      batch(4, "PENDING", { attempts: 2, next_attempt_at: Date.now() + 30_000, error: { code: "dapodik_unreachable", message: "Aplikasi Dapodik tidak dapat dihubungi.", retryable: true } }),
      batch(3, "FAILED", { error: { code: "key_not_registered", message: "Kunci Web Service tidak terdaftar.", retryable: false } }),
      batch(2, "SUCCEEDED"),
      batch(1, "CANCELLED"),
    ]);
    const status = (id: number) => card(id).querySelector('[data-testid="batch-status"]')!.textContent;
    expect([5, 4, 3, 2, 1].map(status)).toEqual(["Berjalan", "Menunggu", "Gagal", "Berhasil", "Dibatalkan"]);
    const has = (id: number, testid: string) => card(id).querySelector(`[data-testid="${testid}"]`) !== null;
    expect([5, 4, 3, 2, 1].map((id) => has(id, "batch-cancel"))).toEqual([true, true, false, false, false]);
    expect([5, 4, 3, 2, 1].map((id) => has(id, "batch-retry"))).toEqual([false, false, true, false, true]);
    expect(card(4).querySelector('[data-testid="batch-attempts"]')!.textContent).toBe("Percobaan 2/5");
    expect(card(4).querySelector('[data-testid="batch-next-retry"]')!.textContent).toMatch(/Dicoba lagi otomatis pukul .* \(dalam (29|30) detik\)/);
    expect(card(3).querySelector('[data-testid="batch-error-code"]')!.textContent).toBe("key_not_registered");
    expect(card(3).querySelector('[data-testid="batch-error-message"]')!.textContent).toBe("Kunci Web Service tidak terdaftar.");
    const rows = [...card(2).querySelectorAll('[data-testid="batch-counts"] tbody tr')].map((tr) => tr.textContent);
    expect(rows[1]).toBe("Peserta Didik1.200002" + "1.202");
  });

  it("Sinkronkan sekarang enqueues and the new batch appears at the top", async () => {
    const { book, screen, card } = mount();
    book.replace([batch(1, "SUCCEEDED")]);
    const button = screen.el.querySelector('[data-testid="sync-now"]') as HTMLButtonElement;
    expect(button.textContent).toBe("Sinkronkan sekarang");
    button.click();
    await settle();
    await settle();
    expect(calls).toEqual(["sync_now"]);
    expect(card(9)).not.toBeNull();
    expect(screen.el.querySelector('[data-testid="batch-row"]')!.getAttribute("data-batch-id")).toBe("9");
    expect(screen.el.querySelector('[data-testid="sync-hint"]')!.textContent).toBe("Batch #9 masuk antrean.");
  });

  it("Coba lagi and Batalkan call the shell with the batch id", async () => {
    const { book, card } = mount();
    book.replace([batch(2, "RUNNING"), batch(1, "FAILED")]);
    (card(1).querySelector('[data-testid="batch-retry"]') as HTMLButtonElement).click();
    (card(2).querySelector('[data-testid="batch-cancel"]') as HTMLButtonElement).click();
    await settle();
    await settle();
    expect(calls.sort()).toEqual(["cancel_batch 2", "retry_batch 1"]);
    expect(card(1).dataset.status).toBe("PENDING");
    expect(card(2).dataset.status).toBe("CANCELLED");
  });

  it("live progress: earlier functions done, the current one receiving, later ones not started", () => {
    const { book, card } = mount();
    book.replace([batch(7, "RUNNING")]);
    book.apply([], [
      { batch_id: 7, function: "getSekolah", bytes: 2048, rows: 0 },
      { batch_id: 7, function: "getPesertaDidik", bytes: 3 * 1024 * 1024, rows: 0 },
    ]);
    const tiles = [...card(7).querySelectorAll('[data-testid="batch-progress"] li')].map((li) => [li.className, li.textContent]);
    expect(tiles).toEqual([
      ["progress-done", "SekolahSelesai · 2 KB"],
      ["progress-active", "Peserta DidikMenerima 3 MB…"],
      ["progress-waiting", "GTKBelum dimulai"],
      ["progress-waiting", "Rombongan BelajarBelum dimulai"],
    ]);
    // Once the batch is no longer running its progress is dropped.
    book.apply([batch(7, "SUCCEEDED")], [{ batch_id: 7, function: "getGtk", bytes: 1, rows: 0 }]);
    expect(card(7).querySelector('[data-testid="batch-progress"]')).toBeNull();
    expect(card(7).querySelector('[data-testid="batch-counts"]')).not.toBeNull();
  });

  it("only the newest staged batch gets the full table; older ones a summary line", () => {
    const { book, card } = mount();
    book.replace([batch(1, "SUCCEEDED")]);
    expect(card(1).querySelector('[data-testid="batch-counts"]')).not.toBeNull();
    book.apply([batch(2, "SUCCEEDED")], []);
    expect(card(2).querySelector('[data-testid="batch-counts"]')).not.toBeNull();
    expect(card(1).querySelector('[data-testid="batch-counts"]')).toBeNull();
    expect(card(1).querySelector('[data-testid="batch-counts-summary"]')!.textContent).toBe(
      "1.203 baris disimpan ke staging · Baru 1.201 · Cocok 0 · Konflik 0 · Ditolak 2",
    );
  });
});
