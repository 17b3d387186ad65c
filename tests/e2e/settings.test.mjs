// End-to-end test of Beranda and Pengaturan on the real desktop binary (run by tests/e2e/run.sh inside a
// D-Bus session with an unlocked gnome-keyring, so the real Secret Service holds the key):
// demo mode → Beranda shows the demo school and "Sinkronkan sekarang" works from there → Pengaturan:
// a Web Service profile pointing at a simulator started here (`dapodik-sync sim serve`), its key saved
// ("Kunci tersimpan", the key nowhere in the DOM), "Uji koneksi" with every step ✓, a sync through that
// profile (the worker reads the key from the keychain) → English and back.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import net from "node:net";
import { Session, waitFor } from "./webdriver.mjs";

const here = new URL(".", import.meta.url).pathname;
const root = resolve(here, "../..");
const driverUrl = process.env.E2E_WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const app = process.env.E2E_APP ?? join(root, "target/debug/dapodik-sync-desktop");
const cli = process.env.E2E_CLI ?? join(root, "target/debug/dapodik-sync");
const artifacts = process.env.E2E_ARTIFACTS ?? join(here, "artifacts");
const screenshots = process.env.E2E_SCREENSHOTS ?? join(root, "docs/screenshots");
const syncTimeoutMs = Number(process.env.E2E_SYNC_TIMEOUT_MS ?? 120_000);

const SIM_NPSN = "20298765";
// A recognisable test key: it must never show up in the page.
const SIM_KEY = "E2E-KUNCI-RAHASIA-7Q4Z9";

const dataDir = mkdtempSync(join(tmpdir(), "dapodik-sync-e2e-settings-"));
const db = join(dataDir, "settings.sqlite3");
let session;
let sim;
let simUrl;

mkdirSync(artifacts, { recursive: true });
const byTestId = (id) => `[data-testid="${id}"]`;

async function saveScreenshot(name) {
  const png = await session.screenshot();
  assert.ok(png.length > 1000, `screenshot ${name} is suspiciously small (${png.length} bytes)`);
  const file = join(artifacts, name);
  writeFileSync(file, png);
  return file;
}

/** The DOM text of the first match, found and read in one script (screens re-render while syncing). */
const textOf = (css) => session.execute("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", [css]);

async function typeInto(css, text) {
  const el = await session.waitForElement(css);
  await session.cmd("POST", `/element/${el}/clear`, {});
  await session.cmd("POST", `/element/${el}/value`, { text });
}

/** Clicks the element matching `css`, finding it again if a re-render replaced it meanwhile. */
async function clickWhenReady(css, timeoutMs = 10_000) {
  await waitFor(
    async () => {
      const el = await session.find(css);
      if (!el) return false;
      try {
        await session.click(el);
        return true;
      } catch (err) {
        if (err.error === "stale element reference") return false;
        throw err;
      }
    },
    { timeoutMs, message: `a click on ${css}` },
  );
}

/** Opens Pengaturan and waits until it has loaded afresh (it re-renders once its data arrive). */
async function openSettings() {
  const loads = () => session.execute(`return Number(document.querySelector('[data-testid="screen-settings"]')?.dataset.loads ?? 0)`);
  const before = await loads();
  await clickWhenReady(byTestId("nav-settings"));
  await waitFor(async () => (await loads()) > before, { timeoutMs: 15_000, message: "Pengaturan loaded" });
}

/** Starts `dapodik-sync sim serve` on a free port and returns its URL. */
function startSimulator() {
  return new Promise((resolveUrl, reject) => {
    sim = spawn(cli, ["sim", "serve", "--addr", "127.0.0.1:0", "--npsn", SIM_NPSN, "--key", SIM_KEY, "--students", "300"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    sim.on("error", reject);
    sim.on("exit", (code) => reject(new Error(`sim serve exited with ${code}`)));
    createInterface({ input: sim.stdout }).once("line", (line) => resolveUrl(JSON.parse(line).url));
  });
}

before(async () => {
  simUrl = await startSimulator();
  await Session.waitForServer(driverUrl);
  session = await Session.create(driverUrl, {
    "tauri:options": { application: app, args: ["--db", db] },
  });
});

after(async () => {
  if (session) {
    try {
      await session.delete();
    } catch (err) {
      console.error(`could not close the session: ${err.message}`);
    }
  }
  sim?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

let failed = null;
function step(name, fn) {
  test(name, async (t) => {
    if (failed) {
      t.skip(`skipped: earlier step "${failed}" failed`);
      return;
    }
    try {
      await fn();
    } catch (err) {
      failed = name;
      try {
        const safe = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
        await saveScreenshot(`failure-settings-${safe}.png`);
        writeFileSync(join(artifacts, `failure-settings-${safe}.html`), String(await session.source()));
      } catch {
        // The window may be gone.
      }
      throw err;
    }
  });
}

/** Waits until the newest batch on Beranda has finished as Berhasil (fails fast on Gagal). */
async function waitForSuccessfulSync(previousWhen) {
  return waitFor(
    async () => {
      const running = await textOf(byTestId("dash-running-status"));
      if (running === "Gagal") throw new Error("the batch failed");
      const when = await textOf(byTestId("dash-last-sync-when"));
      return when && when !== previousWhen ? when : null;
    },
    { timeoutMs: syncTimeoutMs, intervalMs: 500, message: "a successful sync on Beranda" },
  );
}

step("Beranda is the first screen and shows the demo school", async () => {
  // Generous: on a loaded 2-core machine WebKit can take a while to paint the first page.
  await session.waitForElement(byTestId("screen-dashboard"), 90_000);
  const hidden = await session.execute(`return document.querySelector('[data-testid="screen-dashboard"]').hidden`);
  assert.equal(hidden, false, "Beranda is shown first");
  const badge = await textOf(byTestId("mode-badge"));
  assert.equal(badge?.trim(), "Mode Demo");
  const school = await waitFor(() => textOf(`${byTestId("school")} .school-name`), { message: "the school in the header" });
  assert.ok(school.trim().length > 0 && school !== "Sekolah belum diketahui", `demo school name, got "${school}"`);
  assert.equal((await textOf(byTestId("dash-sync-now")))?.trim(), "Sinkronkan sekarang");
  assert.match(await textOf(byTestId("dash-no-sync")), /Belum ada sinkronisasi/);
});

step("Sinkronkan sekarang on Beranda runs a batch and shows what it brought", async () => {
  await clickWhenReady(byTestId("dash-sync-now"));
  const when = await waitForSuccessfulSync(null);
  assert.match(when, /Batch #\d+/);
  const counts = await textOf(byTestId("dash-counts"));
  assert.match(counts, /Peserta Didik/);
  assert.match(await textOf(byTestId("dash-state")), /berhasil/);
  const decisions = await waitFor(() => textOf(byTestId("dash-conflicts")), { message: "decisions waiting" });
  assert.match(decisions, /\d+ konflik menunggu keputusan/);
  await saveScreenshot("beranda.png");
});

step("Pengaturan: a Web Service profile pointing at the simulator", async () => {
  await openSettings();
  await session.waitForElement(byTestId("profile-empty"), 15_000);
  await clickWhenReady(byTestId("profile-add"));
  const port = new URL(simUrl).port;
  // "Deteksi otomatis": WebPort= from <install folder>/config/install.ini (a Dapodik install laid out here).
  const installDir = join(dataDir, "Dapodik");
  mkdirSync(join(installDir, "config"), { recursive: true });
  writeFileSync(join(installDir, "config", "install.ini"), `[Dapodik]\r\nWebPort=${port}\r\n`);
  await typeInto(byTestId("form-name"), "Sekolah Uji");
  await typeInto(byTestId("form-host"), "127.0.0.1");
  await typeInto(byTestId("form-install_dir"), installDir);
  await clickWhenReady(byTestId("form-detect-port"));
  const detected = await waitFor(() => textOf(byTestId("form-port-detected")), { message: "the detected port" });
  assert.match(detected, new RegExp(`Port ${port} dibaca dari .*install\\.ini`));
  assert.equal(await session.execute(`return document.querySelector('[data-testid="form-port"]').value`), port);
  await typeInto(byTestId("form-npsn"), SIM_NPSN);
  await clickWhenReady(byTestId("form-save"));
  const url = await waitFor(() => textOf(`${byTestId("profile-row")} ${byTestId("profile-url")}`), { message: "the new profile" });
  assert.equal(url, `http://127.0.0.1:${port}`);
  assert.ok(await session.find(`${byTestId("profile-row")} ${byTestId("profile-active")}`), "the first profile is active");
});

step("the key is saved to the keychain and never shown again", async () => {
  await typeInto(byTestId("key-input"), SIM_KEY);
  await clickWhenReady(byTestId("key-save"));
  const saved = await waitFor(() => textOf(byTestId("key-saved")), { timeoutMs: 20_000, message: '"Kunci tersimpan"' });
  assert.match(saved, /Kunci tersimpan/);
  assert.ok(await session.find(byTestId("key-replace")), '"Ganti kunci" is offered');
  const source = String(await session.source());
  assert.ok(!source.includes(SIM_KEY), "the key is not in the page source");
  const inDom = await session.execute(
    `const key = arguments[0];
     const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value);
     return document.documentElement.outerHTML.includes(key) || document.body.innerText.includes(key) || values.some((v) => v.includes(key));`,
    [SIM_KEY],
  );
  assert.equal(inDom, false, "the key is nowhere in the DOM, its text or its fields");
});

step("Uji koneksi shows every step passed", async () => {
  await clickWhenReady(byTestId("profile-test"));
  await session.waitForElement(byTestId("check-steps"), 30_000);
  const steps = await session.execute(
    `return [...document.querySelectorAll('[data-testid="check-step"]')].map((li) => ({ step: li.dataset.step, ok: li.dataset.ok, text: li.textContent }));`,
  );
  assert.ok(steps.length >= 5, `doctor steps: ${JSON.stringify(steps)}`);
  for (const s of steps) assert.equal(s.ok, "true", `step ${s.step} passed: ${s.text}`);
  assert.ok(steps.every((s) => s.text.startsWith("✓")), "each step is marked ✓");
  assert.equal(await session.execute(`return document.querySelector('[data-testid="check-steps"]').dataset.ok`), "true");
  const file = await saveScreenshot("pengaturan.png");
  mkdirSync(screenshots, { recursive: true });
  copyFileSync(join(artifacts, "beranda.png"), join(screenshots, "beranda.png"));
  copyFileSync(file, join(screenshots, "pengaturan.png"));
});

step("a sync through the profile reads the key from the keychain", async () => {
  await clickWhenReady(byTestId("nav-dashboard"));
  const previous = await textOf(byTestId("dash-last-sync-when"));
  await waitFor(async () => (await textOf(byTestId("dash-profile"))) === "Sekolah Uji", { message: "Beranda shows the active profile" });
  assert.equal(await textOf(byTestId("dash-npsn")), SIM_NPSN);
  await clickWhenReady(byTestId("dash-sync-now"));
  await waitForSuccessfulSync(previous);
  const source = String(await session.source());
  assert.ok(!source.includes(SIM_KEY), "the key is still not in the page");
});

/** Picks a language in Pengaturan (found and changed in one script: the screen re-renders on load). */
const chooseLanguage = (value) =>
  session.execute(
    `const s = document.querySelector('[data-testid="pref-language"]'); if (!s) return false;
     s.value = arguments[0]; s.dispatchEvent(new Event("change")); return true;`,
    [value],
  );

step("the automatic sync schedule set in Pengaturan shows on Beranda", async () => {
  await openSettings();
  await typeInto(byTestId("pref-schedule"), "30");
  await typeInto(byTestId("pref-max-attempts"), "3");
  await clickWhenReady(byTestId("pref-save"));
  await waitFor(async () => (await textOf(byTestId("pref-saved"))) === "Tersimpan.", { message: "the preferences saved" });
  await clickWhenReady(byTestId("nav-dashboard"));
  const next = await waitFor(
    async () => {
      const text = await textOf(byTestId("dash-next-sync"));
      return text && text.includes("berikutnya") ? text : null;
    },
    { timeoutMs: 15_000, message: "the next scheduled sync on Beranda" },
  );
  assert.match(next, /Otomatis tiap 30 menit; berikutnya .* \(dalam (29|30) menit\)/);
});

step("switching to English and back", async () => {
  await openSettings();
  await session.waitForElement(byTestId("pref-language"), 15_000);
  assert.equal(await chooseLanguage("en"), true);
  await waitFor(async () => (await textOf(byTestId("nav-settings")))?.trim() === "Settings", { timeoutMs: 20_000, message: "English navigation" });
  assert.equal((await textOf(byTestId("dash-sync-now")))?.trim(), "Synchronise now");
  assert.equal((await textOf(byTestId("nav-dashboard")))?.trim(), "Home");
  await clickWhenReady(byTestId("nav-settings"));
  await waitFor(() => session.execute(`return document.querySelector('[data-testid="pref-language"]')?.value === "en"`), {
    message: "the stored language",
  });
  assert.match(await textOf(byTestId("screen-settings")), /Connection profiles/);
  assert.equal(await chooseLanguage("id"), true);
  await waitFor(async () => (await textOf(byTestId("nav-settings")))?.trim() === "Pengaturan", { timeoutMs: 20_000, message: "Indonesian navigation" });
  assert.equal((await textOf(byTestId("dash-sync-now")))?.trim(), "Sinkronkan sekarang");
});

/** A TCP port nothing listens on (bound, then closed). */
function closedPort() {
  return new Promise((resolvePort) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

step("a second launch exits and leaves the running window alone", async () => {
  const second = spawn(app, ["--db", join(dataDir, "second.sqlite3")], { stdio: "ignore" });
  const code = await new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => {
      second.kill();
      reject(new Error("the second instance kept running"));
    }, 20_000);
    second.on("exit", (c) => {
      clearTimeout(timer);
      resolveExit(c);
    });
  });
  assert.equal(code, 0, "the second instance hands over and exits cleanly");
  // The first window still answers.
  assert.equal((await textOf(byTestId("nav-settings")))?.trim(), "Pengaturan");
});

step("when Dapodik cannot be reached the offline banner shows and review still works", async () => {
  await openSettings();
  await clickWhenReady(byTestId("profile-add"));
  await typeInto(byTestId("form-name"), "PC Dapodik mati");
  await typeInto(byTestId("form-host"), "127.0.0.1");
  await typeInto(byTestId("form-port"), String(await closedPort()));
  await typeInto(byTestId("form-npsn"), SIM_NPSN);
  await clickWhenReady(byTestId("form-save"));
  const row = `${byTestId("profile-row")}[data-name="PC Dapodik mati"]`;
  await session.waitForElement(row, 15_000);
  await typeInto(`${row} ${byTestId("key-input")}`, "KUNCI-LAIN-123");
  await clickWhenReady(`${row} ${byTestId("key-save")}`);
  await session.waitForElement(`${row} ${byTestId("key-saved")}`, 15_000);
  await clickWhenReady(`${row} ${byTestId("profile-activate")}`);
  await session.waitForElement(`${row} ${byTestId("profile-active")}`, 15_000);

  await clickWhenReady(byTestId("nav-dashboard"));
  await clickWhenReady(byTestId("dash-sync-now"));
  const banner = await waitFor(
    () => session.execute(`const b = document.querySelector('[data-testid="offline-banner"]'); return b && !b.hidden ? b.textContent : null;`),
    { timeoutMs: 60_000, message: "the offline banner" },
  );
  assert.match(banner, /Dapodik tidak dapat dihubungi/);
  assert.match(banner, /dapodik_unreachable|timeout/);
  assert.equal(await session.execute(`return document.querySelector('[data-testid="dash-state"]').dataset.state`), "offline");
  await saveScreenshot("beranda-offline.png");
  // Review still works offline: the staged rows of the earlier syncs are there.
  await clickWhenReady(byTestId("nav-staging"));
  await session.waitForElement(byTestId("staging-row"), 30_000);
  // Stop the retries.
  await clickWhenReady(byTestId("nav-dashboard"));
  await clickWhenReady(byTestId("dash-cancel"));
});
