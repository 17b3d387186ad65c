import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Batch, BatchStatus } from "../src/api";

const calls: string[] = [];
const profile = {
  id: 1,
  uid: "u1",
  name: "Sekolah A",
  kind: "webservice",
  host: "localhost",
  port: 5774,
  install_dir: null,
  npsn: "20212345",
  sso_issuer: "",
  sso_client_id: "",
  sso_scopes: [],
  sso_data_endpoint: "",
  active: true,
  last_check: null,
  created_at: 1,
  updated_at: 1,
  base_url: "http://localhost:5774",
  has_key: false,
};
let hasKey = false;

vi.mock("../src/settings-api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/settings-api")>();
  return {
    ...real,
    settingsApi: {
      listProfiles: vi.fn(async () => ({ profiles: [{ ...profile, has_key: hasKey }], env_override: false, keychain_error: null })),
      getPreferences: vi.fn(async () => ({ language: "id", schedule_minutes: null, max_attempts: 5, data_dir: "/data", log_dir: "/data/logs" })),
      saveProfileKey: vi.fn(async (id: number, key: string) => {
        calls.push(`save_profile_key ${id} ${key.length}`);
        hasKey = true;
        return { ...profile, has_key: true };
      }),
      dashboard: vi.fn(async () => ({
        connection: { mode: "demo", profile_name: null, profile_id: null, kind: null, target: "http://127.0.0.1:1", npsn: "20212345", last_check: null, from_environment: false },
        schedule_minutes: 15,
        next_scheduled_at: Date.now() + 60_000,
        next_retry_at: null,
        decisions: { batch_id: 3, conflicts: 4, undecided: 10 },
      })),
      ssoStatus: vi.fn(async () => ({ configured: false, operator: null })),
    },
  };
});

const { setLocale } = await import("../src/i18n");
const { SettingsScreen, readProfileForm } = await import("../src/screens/settings");
const { DashboardScreen } = await import("../src/screens/dashboard");
const { BatchBook } = await import("../src/batches");
const { connectionState } = await import("../src/connection-state");

const flush = () => new Promise((r) => setTimeout(r, 0));

function batch(id: number, status: BatchStatus, code: string | null = null): Batch {
  const zero = { NEW: 0, MATCHED: 0, CONFLICT: 0, REJECTED: 0 };
  return {
    id,
    source: "mock",
    target: "http://127.0.0.1:1",
    npsn: "20212345",
    status,
    attempts: 1,
    max_attempts: 5,
    next_attempt_at: status === "PENDING" ? Date.now() + 5000 : null,
    error: code ? { code, message: "pesan", retryable: true } : null,
    created_at: 1,
    started_at: 1,
    finished_at: status === "SUCCEEDED" || status === "FAILED" || status === "CANCELLED" ? 2 : null,
    counts: { sekolah: { ...zero, NEW: 1 }, peserta_didik: { ...zero, NEW: 40, CONFLICT: 4 }, gtk: { ...zero }, rombongan_belajar: { ...zero } },
    notes: [],
    semester_id: null,
  };
}

async function mountSettings() {
  const errors: unknown[] = [];
  const screen = new SettingsScreen({ book: new BatchBook(), reportError: (e) => errors.push(e), changed: () => {}, languageChanged: () => {} });
  document.body.replaceChildren(screen.el);
  screen.show();
  await flush();
  await flush();
  return { screen, errors };
}

beforeEach(() => {
  calls.length = 0;
  hasKey = false;
  setLocale("id");
});

describe("language switch", () => {
  it("setLocale changes the rendered text of Pengaturan and Beranda", async () => {
    await mountSettings();
    expect(document.body.textContent).toContain("Profil koneksi");
    expect(document.body.textContent).toContain("Buka folder");
    setLocale("en");
    await mountSettings();
    expect(document.body.textContent).toContain("Connection profiles");
    expect(document.body.textContent).toContain("Open folder");
    expect(document.body.textContent).not.toContain("Profil koneksi");

    const dash = new DashboardScreen({ book: new BatchBook(), reportError: () => {}, navigate: () => {} });
    document.body.replaceChildren(dash.el);
    expect(dash.el.textContent).toContain("Synchronise now");
    setLocale("id");
    const dashId = new DashboardScreen({ book: new BatchBook(), reportError: () => {}, navigate: () => {} });
    expect(dashId.el.textContent).toContain("Sinkronkan sekarang");
  });
});

describe("the Web Service key is write-only", () => {
  it("is sent once, the field is emptied, and only 'Kunci tersimpan' comes back", async () => {
    await mountSettings();
    const input = document.querySelector<HTMLInputElement>('[data-testid="key-input"]')!;
    expect(input.type).toBe("password");
    input.value = "RAHASIA-KUNCI-123";
    document.querySelector<HTMLButtonElement>('[data-testid="key-save"]')!.click();
    await flush();
    await flush();
    await flush();
    expect(calls).toEqual(["save_profile_key 1 17"]);
    expect(document.querySelector('[data-testid="key-saved"]')?.textContent).toContain("Kunci tersimpan");
    expect(document.querySelector('[data-testid="key-input"]')).toBeNull();
    expect(document.body.innerHTML).not.toContain("RAHASIA");
    expect(input.value).toBe("");
    // "Ganti kunci" opens an empty field again.
    document.querySelector<HTMLButtonElement>('[data-testid="key-replace"]')!.click();
    expect(document.querySelector<HTMLInputElement>('[data-testid="key-input"]')!.value).toBe("");
  });
});

describe("profile form", () => {
  it("reads port, install folder and scopes", () => {
    const p = readProfileForm({ name: "A", kind: "webservice", host: "10.0.0.2", port: "5800", install_dir: "  ", npsn: "20212345", sso_scopes: "profile, offline_access  sds" });
    expect(p.port).toBe(5800);
    expect(p.install_dir).toBeNull();
    expect(p.sso_scopes).toEqual(["profile", "offline_access", "sds"]);
    expect(readProfileForm({ kind: "demo", port: "" }).port).toBeNull();
  });
});

describe("connection state", () => {
  it("the newest outcome decides; unreachable and timeout mean offline", () => {
    expect(connectionState([]).kind).toBe("unknown");
    expect(connectionState([batch(1, "SUCCEEDED")]).kind).toBe("ok");
    expect(connectionState([batch(1, "SUCCEEDED"), batch(2, "PENDING", "dapodik_unreachable")])).toEqual({ kind: "offline", code: "dapodik_unreachable", batchId: 2 });
    expect(connectionState([batch(2, "FAILED", "timeout"), batch(1, "SUCCEEDED")]).kind).toBe("offline");
    expect(connectionState([batch(1, "FAILED", "key_not_registered")]).kind).toBe("failed");
    // A newer success clears it; a running or cancelled batch without an error says nothing.
    expect(connectionState([batch(1, "FAILED", "timeout"), batch(2, "SUCCEEDED"), batch(3, "RUNNING"), batch(4, "CANCELLED")]).kind).toBe("ok");
  });
});

describe("Beranda", () => {
  it("shows the decisions waiting, the schedule and the offline state", async () => {
    const book = new BatchBook();
    const dash = new DashboardScreen({ book, reportError: () => {}, navigate: () => {} });
    document.body.replaceChildren(dash.el);
    book.replace([batch(2, "PENDING", "dapodik_unreachable"), batch(1, "SUCCEEDED")]);
    await dash.refresh();
    expect(dash.el.querySelector('[data-testid="dash-conflicts"]')?.textContent).toBe("4 konflik menunggu keputusan");
    expect(dash.el.querySelector('[data-testid="dash-next-sync"]')?.textContent).toContain("tiap 15 menit");
    expect(dash.el.querySelector('[data-testid="dash-state"]')?.getAttribute("data-state")).toBe("offline");
    expect(dash.el.querySelector('[data-testid="dash-counts"]')).not.toBeNull();
    expect(dash.el.querySelector('[data-testid="dash-running-status"]')?.textContent).toBe("Menunggu");
  });
});

describe("offline banner", () => {
  it("appears when the newest outcome is unreachable and goes once a sync succeeds", async () => {
    const { OfflineBanner } = await import("../src/app-chrome");
    const book = new BatchBook();
    const banner = new OfflineBanner(book);
    expect(banner.el.hidden).toBe(true);
    book.replace([batch(1, "SUCCEEDED"), batch(2, "PENDING", "timeout")]);
    expect(banner.el.hidden).toBe(false);
    expect(banner.el.textContent).toContain("Dapodik tidak dapat dihubungi.");
    expect(banner.el.textContent).toContain("(timeout)");
    book.apply([batch(2, "SUCCEEDED")], []);
    expect(banner.el.hidden).toBe(true);
    book.apply([batch(3, "FAILED", "key_not_registered")], []);
    expect(banner.el.hidden).toBe(true);
  });
});
