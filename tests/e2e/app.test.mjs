// End-to-end test of the real desktop binary through tauri-driver (WebKitWebDriver): demo mode, one
// "Sinkronkan sekarang" until Berhasil, the staged rows in the Staging screen, one row's detail.
// Run it with tests/e2e/run.sh, which builds everything and provides the driver and a display.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";

const here = new URL(".", import.meta.url).pathname;
const root = resolve(here, "../..");
const driverUrl = process.env.E2E_WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const app = process.env.E2E_APP ?? join(root, "target/debug/dapodik-sync-desktop");
const artifacts = process.env.E2E_ARTIFACTS ?? join(here, "artifacts");
const screenshots = process.env.E2E_SCREENSHOTS ?? join(root, "docs/screenshots");
const syncTimeoutMs = Number(process.env.E2E_SYNC_TIMEOUT_MS ?? 120_000);
// The demo school's size (run.sh passes it to the app as DAPODIK_SYNC_DEMO_STUDENTS).
const students = Number(process.env.DAPODIK_SYNC_DEMO_STUDENTS ?? 0);

const dataDir = mkdtempSync(join(tmpdir(), "dapodik-sync-e2e-"));
const db = join(dataDir, "e2e.sqlite3");
let session;

mkdirSync(artifacts, { recursive: true });

async function saveScreenshot(name) {
  const png = await session.screenshot();
  assert.ok(png.length > 1000, `screenshot ${name} is suspiciously small (${png.length} bytes)`);
  const file = join(artifacts, name);
  writeFileSync(file, png);
  return file;
}

const byTestId = (id) => `[data-testid="${id}"]`;

/** The DOM text of an element (WebDriver's "visible text" skips ellipsised grid cells in WebKitGTK). */
const textContent = (element) => session.execute("return arguments[0].textContent", [Session.el(element)]);

before(async () => {
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
  rmSync(dataDir, { recursive: true, force: true });
});

// Steps depend on each other: once one fails, the rest are skipped with a pointer to it.
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
        await saveScreenshot(`failure-${safe}.png`);
        writeFileSync(join(artifacts, `failure-${safe}.html`), String(await session.source()));
      } catch {
        // The window may be gone; the original error matters more.
      }
      throw err;
    }
  });
}

step("starts in demo mode with the Mode Demo badge", async () => {
  const badge = await session.waitForElement(byTestId("mode-badge"), 30_000);
  assert.equal((await session.text(badge)).trim(), "Mode Demo");
  const school = await session.text(await session.waitForElement(byTestId("school")));
  assert.match(school, /NPSN \d{8}/, `header should show the school's NPSN, got "${school}"`);
  // Beranda is the first screen; this test walks the Batch screen.
  await session.click(await session.waitForElement(byTestId("nav-batch")));
  const button = await session.waitForElement(byTestId("sync-now"));
  assert.equal((await session.text(button)).trim(), "Sinkronkan sekarang");
});

step("Sinkronkan sekarang runs a batch to Berhasil", async () => {
  await session.click(await session.find(byTestId("sync-now")));
  const status = await waitFor(
    async () => {
      const row = await session.find(byTestId("batch-row"));
      if (!row) return null;
      const badge = await session.find(`${byTestId("batch-row")} ${byTestId("batch-status")}`);
      const text = badge ? (await session.text(badge)).trim() : "";
      if (text === "Gagal" || text === "Dibatalkan") {
        throw Object.assign(new Error(`batch ended as ${text}: ${await session.text(row)}`), { fatal: true });
      }
      return text === "Berhasil" ? text : null;
    },
    { timeoutMs: syncTimeoutMs, intervalMs: 500, message: "the batch to show Berhasil" },
  ).catch((err) => {
    throw err;
  });
  assert.equal(status, "Berhasil");
  const counts = await session.text(await session.waitForElement(`${byTestId("batch-row")} ${byTestId("batch-counts")}`));
  assert.match(counts, /Peserta Didik/);
  await saveScreenshot("batch.png");
});

step("Staging shows the staged peserta didik rows as Baru", async () => {
  await session.click(await session.find(byTestId("nav-staging")));
  await session.waitForElement(byTestId("staging-row"), 30_000);
  // Filter: entity Peserta Didik, status Baru.
  await session.execute(
    `const set = (id, v) => { const s = document.querySelector('[data-testid="' + id + '"]'); s.value = v; s.dispatchEvent(new Event('change')); };
     set('filter-entity', 'peserta_didik'); set('filter-status', 'NEW');`,
  );
  const firstRowText = await waitFor(
    async () => {
      const rows = await session.findAll(byTestId("staging-row"));
      if (rows.length === 0) return null;
      for (const row of rows) {
        const entity = await session.attribute(row, "data-entity");
        const status = await session.attribute(row, "data-status");
        if (entity !== "peserta_didik" || status !== "NEW") return null;
      }
      const text = await textContent(rows[0]);
      return text.includes("Peserta Didik") && text.includes("Baru") ? text : null;
    },
    { timeoutMs: 30_000, message: "staging rows of Peserta Didik, all with status Baru" },
  );
  assert.ok(firstRowText.length > 0);
  const total = await session.text(await session.find(byTestId("staging-total")));
  const n = Number(total.replace(/\D/g, ""));
  assert.ok(n > 0, `the total should count the filtered rows, got "${total}"`);
  if (students > 0) assert.equal(n, students, `every demo student is staged as Baru ("${total}")`);
  // The table is virtualised: far fewer rows in the DOM than staged.
  const rendered = (await session.findAll(byTestId("staging-row"))).length;
  assert.ok(rendered > 0 && rendered < Math.max(n, 200), `rendered ${rendered} of ${n} rows`);
});

step("clicking a row shows its detail", async () => {
  await session.click(await session.find(byTestId("staging-row")));
  const title = await session.text(await session.waitForElement(byTestId("staging-detail-title")));
  assert.ok(title.trim().length > 0, "the detail shows the record's name");
  const fields = await session.text(await session.waitForElement(byTestId("staging-detail-fields")));
  assert.match(fields, /Peserta didik ID/i, "the detail lists the record's fields");
  const nisn = await session.find(`${byTestId("staging-detail-fields")} dd[data-field="nisn"]`);
  if (nisn) {
    const shown = await session.text(nisn);
    assert.doesNotMatch(shown, /^\d{10}$/, "NISN is masked until the operator chooses to show it");
  }
  const file = await saveScreenshot("staging.png");
  mkdirSync(screenshots, { recursive: true });
  copyFileSync(join(artifacts, "batch.png"), join(screenshots, "batch.png"));
  copyFileSync(file, join(screenshots, "staging.png"));
});

step("the virtualised table scrolls smoothly through every row", async () => {
  const viewport = await session.find(".vt-viewport");
  // 120 animation frames, each jumping 900 px (25 rows): every frame renders fresh rows.
  await session.execute(
    `const v = arguments[0]; const frames = []; window.__e2eFrames = frames; let last = performance.now(); let n = 0;
     const step = (t) => { frames.push(t - last); last = t; v.scrollTop += 900; if (++n < 120) requestAnimationFrame(step); else window.__e2eDone = true; };
     requestAnimationFrame(step);`,
    [Session.el(viewport)],
  );
  await waitFor(() => session.execute("return window.__e2eDone === true"), { timeoutMs: 60_000, message: "the scroll run to finish" });
  const stats = await session.execute(
    `const f = window.__e2eFrames.slice(1).sort((a, b) => a - b);
     return { frames: f.length, median: f[f.length >> 1], p90: f[Math.floor(f.length * 0.9)], rows: document.querySelectorAll('.vt-row').length };`,
  );
  console.log(`scroll: ${JSON.stringify(stats)}`);
  assert.ok(stats.median <= 50, `median frame ${stats.median} ms while scrolling (want <= 50 ms)`);
  assert.ok(stats.rows <= 80, `${stats.rows} rows in the DOM: the table must stay virtualised`);

  // Jump to the very end: the last page is fetched on its own and the last row appears.
  const total = Number((await session.text(await session.find(byTestId("staging-total")))).replace(/\D/g, ""));
  await session.execute("arguments[0].scrollTop = arguments[0].scrollHeight", [Session.el(viewport)]);
  await session.waitForElement(`${byTestId("staging-row")}[aria-rowindex="${total}"]`, 15_000);
});
