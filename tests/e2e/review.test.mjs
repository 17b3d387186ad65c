// End-to-end test of the review screens on the real binary (demo mode): sync → accept and apply every
// NEW row (the register fills) → a local edit of one student's name → the simulated Dapodik moves to the
// next semester (it corrects that student's name too) → sync again → Rekonsiliasi shows MATCHED updates
// and CONFLICTs, the edited name a Verval-protected conflict → take Dapodik on that field → apply → Data
// Sekolah shows the Dapodik value and its history → Log Aktivitas lists the change → export the register
// to Excel and read the identifier cells back (strings, NISN leading zeros, NIK 16 digits).
//
// The export bypasses the save dialog through DAPODIK_SYNC_EXPORT_DIR (TEST-ONLY; run.sh sets it for
// the app and this test). Screenshots: docs/screenshots/{rekonsiliasi,data-sekolah,log-aktivitas}.png.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ExcelJS from "exceljs";
import { Session, waitFor } from "./webdriver.mjs";

const here = new URL(".", import.meta.url).pathname;
const root = resolve(here, "../..");
const driverUrl = process.env.E2E_WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const app = process.env.E2E_APP ?? join(root, "target/debug/dapodik-sync-desktop");
const artifacts = process.env.E2E_ARTIFACTS ?? join(here, "artifacts");
const screenshots = process.env.E2E_SCREENSHOTS ?? join(root, "docs/screenshots");
const exportDir = process.env.DAPODIK_SYNC_EXPORT_DIR;
const syncTimeoutMs = Number(process.env.E2E_SYNC_TIMEOUT_MS ?? 120_000);

const dataDir = mkdtempSync(join(tmpdir(), "dapodik-sync-e2e-review-"));
const db = join(dataDir, "review.sqlite3");
let session;

mkdirSync(artifacts, { recursive: true });

const byTestId = (id) => `[data-testid="${id}"]`;
const textContent = (element) => session.execute("return arguments[0].textContent", [Session.el(element)]);
const textOf = async (css) => {
  const el = await session.find(css);
  return el ? String(await textContent(el)) : "";
};

async function saveScreenshot(name, publish = false) {
  const png = await session.screenshot();
  assert.ok(png.length > 1000, `screenshot ${name} is suspiciously small (${png.length} bytes)`);
  const file = join(artifacts, name);
  writeFileSync(file, png);
  if (publish) {
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(file, join(screenshots, name));
  }
  return file;
}

/** Sets a control's value and fires the event the screen listens to. */
function setValue(testid, value, event = "change") {
  return session.execute(
    `const el = document.querySelector('[data-testid="' + arguments[0] + '"]'); el.value = arguments[1]; el.dispatchEvent(new Event(arguments[2]));`,
    [testid, value, event],
  );
}

async function nav(name) {
  await session.click(await session.waitForElement(byTestId(`nav-${name}`)));
}

/** Clicks "Sinkronkan sekarang" (wherever it is shown) and waits until `n` batches show Berhasil. */
async function syncUntil(n) {
  await nav("batch");
  await waitFor(
    () =>
      session.execute(
        `const b = [...document.querySelectorAll('[data-testid="sync-now"]')].find((e) => e.offsetParent !== null && !e.disabled);
         if (b) b.click(); return Boolean(b);`,
      ),
    { timeoutMs: 15_000, message: "a visible Sinkronkan sekarang button" },
  );
  await waitFor(
    async () => {
      const badges = await session.findAll(`${byTestId("batch-row")} ${byTestId("batch-status")}`);
      let ok = 0;
      for (const b of badges) {
        const text = String(await textContent(b)).trim();
        if (text === "Gagal") throw Object.assign(new Error("a batch failed"), { fatal: true });
        if (text === "Berhasil") ok += 1;
      }
      return ok >= n;
    },
    { timeoutMs: syncTimeoutMs, intervalMs: 500, message: `${n} batch(es) to show Berhasil` },
  );
}

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
        await saveScreenshot(`failure-review-${safe}.png`);
        writeFileSync(join(artifacts, `failure-review-${safe}.html`), String(await session.source()));
      } catch {
        // The window may be gone; the original error matters more.
      }
      throw err;
    }
  });
}

let student = null; // the Dapodik id of the student whose name is edited locally and corrected in Dapodik
let dapodikName = null;

step("first sync, then Terima semua Baru + Terapkan fills the register", async () => {
  await session.waitForElement(byTestId("mode-badge"), 30_000);
  await syncUntil(1);
  await nav("staging");
  await session.waitForElement(byTestId("staging-row"), 30_000);
  await session.click(await session.find(byTestId("bulk-accept-new")));
  await waitFor(async () => /diterima/.test(await textOf(byTestId("review-result"))), { message: "the bulk accept result" });
  await session.click(await session.find(byTestId("apply")));
  const applied = await waitFor(
    async () => {
      const el = await session.find(byTestId("review-result"));
      const n = el ? await session.attribute(el, "data-applied") : null;
      return n ? Number(n) : null;
    },
    { timeoutMs: 60_000, message: "the apply report" },
  );
  assert.ok(applied > 0, `applied ${applied}`);
  assert.match(await textOf(byTestId("review-result")), /Diterapkan: [\d.]+ · dilewati: [\d.]+/);

  await nav("register");
  await session.waitForElement(byTestId("register-row"), 30_000);
  const total = Number((await textOf(byTestId("register-total"))).replace(/\D/g, ""));
  assert.ok(total > 0, "the register has students");
});

step("the simulated Dapodik moves to the next semester; a corrected student is edited locally", async () => {
  await nav("staging");
  await session.click(await session.waitForElement(byTestId("demo-next-semester")));
  const corrected = await waitFor(
    async () => {
      const el = await session.find(byTestId("review-result"));
      const ids = el ? await session.attribute(el, "data-corrected") : null;
      return ids ? ids.split(",").filter(Boolean) : null;
    },
    { message: "the next-semester summary" },
  );
  assert.ok(corrected.length > 0, "the next semester corrects some names");
  student = corrected[0];

  await nav("register");
  await setValue("register-search", student, "input");
  const row = await waitFor(
    async () => {
      const rows = await session.findAll(byTestId("register-row"));
      if (rows.length !== 1) return null;
      return (await session.attribute(rows[0], "data-id")) === student ? rows[0] : null;
    },
    { message: "the student found by Dapodik id" },
  );
  await session.click(row);
  await session.waitForElement(byTestId("edit-field"));
  await setValue("edit-field", "nama");
  await setValue("edit-value", "NAMA DIUBAH OPERATOR", "input");
  await session.click(await session.find(byTestId("edit-save")));
  await waitFor(async () => (await textOf(`${byTestId("register-history")} li[data-action="edit"]`)).includes("NAMA DIUBAH OPERATOR"), {
    message: "the local edit in the record's history",
  });
});

step("second sync: Rekonsiliasi shows MATCHED updates and a Verval-protected CONFLICT", async () => {
  await syncUntil(2);
  await nav("staging");
  // The screen follows the newest staged batch.
  await setValue("filter-status", "MATCHED");
  await waitFor(async () => Number((await textOf(byTestId("staging-total"))).replace(/\D/g, "")) > 0, { timeoutMs: 30_000, message: "MATCHED rows" });
  await setValue("filter-status", "CONFLICT");
  await waitFor(async () => Number((await textOf(byTestId("staging-total"))).replace(/\D/g, "")) > 0, { timeoutMs: 30_000, message: "CONFLICT rows" });
  // Keyboard: "j" opens the batch's first conflict.
  await session.execute(
    `document.activeElement && document.activeElement.blur();
     document.querySelector('[data-testid="screen-staging"]').dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true }));`,
  );
  await waitFor(async () => /^Konflik 1 dari [\d.]+$/.test(await textOf(byTestId("review-result"))), { message: "j to open the first conflict" });
  await waitFor(async () => (await textOf(byTestId("staging-detail-title"))).trim().length > 0, { message: "the conflict's detail" });
  await setValue("filter-search", student, "input");
  const row = await waitFor(
    async () => {
      const rows = await session.findAll(byTestId("staging-row"));
      if (rows.length !== 1) return null;
      return (await session.attribute(rows[0], "data-status")) === "CONFLICT" ? rows[0] : null;
    },
    { timeoutMs: 15_000, message: "the edited student as a CONFLICT row" },
  );
  await session.click(row);
  const nama = await session.waitForElement(`${byTestId("diff-table")} tbody[data-field="nama"]`);
  assert.equal(await session.attribute(nama, "data-conflict"), "true");
  assert.equal(await session.attribute(nama, "data-protected"), "true");
  const local = await textOf(`tbody[data-field="nama"] [data-col="local"]`);
  assert.equal(local, "NAMA DIUBAH OPERATOR");
  dapodikName = await textOf(`tbody[data-field="nama"] [data-col="dapodik"]`);
  assert.ok(dapodikName && dapodikName !== local, "Dapodik has its own (corrected) name");
  assert.match(await textOf(`tbody[data-field="nama"]`), /Verval/);
  assert.match(await textOf(byTestId("review-keys")), /j\/n/);
  await saveScreenshot("rekonsiliasi.png", true);
});

step("take Dapodik on the conflicting field, then Terapkan", async () => {
  await session.click(await session.find(`tbody[data-field="nama"] ${byTestId("take-dapodik")}`));
  await waitFor(async () => (await textOf(`tbody[data-field="nama"] ${byTestId("field-choice")}`)).includes("Dapodik"), { message: "the choice shown" });
  await session.click(await session.find(byTestId("apply")));
  await waitFor(
    async () => {
      const el = await session.find(byTestId("review-result"));
      const n = el ? await session.attribute(el, "data-applied") : null;
      return n !== null && /Diterapkan/.test(await textOf(byTestId("review-result")));
    },
    { timeoutMs: 60_000, message: "the second apply report" },
  );
  await waitFor(async () => (await textOf(byTestId("decision"))).includes("Sudah diterapkan"), { timeoutMs: 15_000, message: "the row marked applied" });
});

step("Data Sekolah shows the Dapodik value and its history", async () => {
  await nav("register");
  await setValue("register-search", student, "input");
  const row = await waitFor(
    async () => {
      const rows = await session.findAll(byTestId("register-row"));
      return rows.length === 1 ? rows[0] : null;
    },
    { message: "the student in the register" },
  );
  await session.click(row);
  await waitFor(async () => (await textOf(`${byTestId("register-fields")} dd[data-field="nama"]`)).startsWith(dapodikName), {
    message: "the register's name = Dapodik's",
  });
  const history = await textOf(byTestId("register-history"));
  assert.match(history, /Diubah lokal/);
  assert.ok(history.includes(`NAMA DIUBAH OPERATOR → ${dapodikName}`), `history: ${history}`);
  await saveScreenshot("data-sekolah.png", true);
});

step("Log Aktivitas lists the change, filtered by field", async () => {
  await nav("audit");
  await session.waitForElement(byTestId("audit-row"), 15_000);
  await waitFor(async () => (await session.findAll(`${byTestId("audit-field")} option[value="nama"]`)).length > 0, { message: "the field filter" });
  await setValue("audit-field", "nama");
  await setValue("audit-id", student, "input");
  await waitFor(
    async () => {
      const rows = await session.findAll(byTestId("audit-row"));
      if (rows.length === 0) return false;
      for (const r of rows) if ((await session.attribute(r, "data-field")) !== "nama") return false;
      const first = String(await textContent(rows[0]));
      return first.includes(student) && first.includes(dapodikName);
    },
    { timeoutMs: 15_000, message: "the name change at the top of the log" },
  );
  await saveScreenshot("log-aktivitas.png", true);
});

step("export the register to Excel: NISN and NIK are text cells with every digit", async () => {
  assert.ok(exportDir, "DAPODIK_SYNC_EXPORT_DIR must be set (run.sh sets it)");
  const file = join(exportDir, "data-sekolah-peserta-didik.xlsx");
  rmSync(file, { force: true });
  await nav("register");
  await setValue("register-search", "", "input");
  await session.click(await session.waitForElement(byTestId("export-register-xlsx")));
  await waitFor(async () => (await textOf(byTestId("register-result"))).includes("diekspor"), { timeoutMs: 60_000, message: "the export result" });
  assert.ok(existsSync(file), `${file} written`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.getWorksheet("Peserta Didik");
  assert.ok(sheet, "a Peserta Didik sheet");
  const header = sheet.getRow(1).values;
  const col = (name) => header.indexOf(name);
  const nisnCol = col("nisn");
  const nikCol = col("nik");
  assert.ok(nisnCol > 0 && nikCol > 0, `columns nisn/nik in ${header}`);
  let rows = 0;
  let leadingZero = 0;
  let nik16 = 0;
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    rows += 1;
    const nisn = row.getCell(nisnCol).value;
    const nik = row.getCell(nikCol).value;
    if (nisn !== null && nisn !== undefined) {
      assert.equal(typeof nisn, "string", `NISN row ${n} is a string cell`);
      if (/^0\d{9}$/.test(nisn)) leadingZero += 1;
    }
    if (nik !== null && nik !== undefined) {
      assert.equal(typeof nik, "string", `NIK row ${n} is a string cell`);
      if (/^\d{16}$/.test(nik)) nik16 += 1;
    }
  });
  assert.ok(rows > 0, "rows exported");
  assert.ok(leadingZero > 0, "some NISN keep their leading zero");
  assert.ok(nik16 > 0, "NIKs keep all 16 digits");
});

step("export the filtered Rekonsiliasi rows to CSV (UTF-8 with BOM)", async () => {
  const file = join(exportDir, "rekonsiliasi-batch-2.csv");
  rmSync(file, { force: true });
  await nav("staging");
  // Still filtered to CONFLICT rows matching the student.
  await session.click(await session.waitForElement(byTestId("export-staging-csv")));
  await waitFor(async () => (await textOf(byTestId("review-result"))).includes("diekspor"), { timeoutMs: 30_000, message: "the staging export result" });
  assert.ok(existsSync(file), `${file} written`);
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 byte-order mark");
  const lines = bytes.subarray(3).toString("utf8").split("\r\n").filter(Boolean);
  assert.equal(lines.length, 2, "header + the one filtered row");
  const header = lines[0].split(",");
  assert.deepEqual(header.slice(0, 5), ["staging_id", "batch_id", "entitas", "status", "alasan"]);
  assert.ok(lines[1].includes(student) && lines[1].includes(",CONFLICT,"), lines[1].slice(0, 80));
  const nisn = header.indexOf("nisn");
  assert.ok(nisn > 0, "a nisn column");
});
