//! What the CLI prints: one JSON value on stdout with `--json`, short Indonesian lines otherwise;
//! errors on stderr as `{"error": {"code", "message"}}` (JSON) or `galat [code]: message`.

use serde::Serialize;
use serde_json::{json, Value};
use sync_core::{Batch, StagingRow, StoreError};

/// An error of the command itself (not of a batch: a batch's error is part of its result).
#[derive(Debug)]
pub struct CliError {
    pub code: &'static str,
    pub message: String,
}

impl CliError {
    pub fn usage(message: String) -> Self {
        CliError {
            code: "usage",
            message,
        }
    }

    pub fn store(e: StoreError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_id(),
        }
    }

    pub fn settings(e: sync_core::settings::SettingsError) -> Self {
        CliError {
            code: "invalid_setting",
            message: e.to_string(),
        }
    }

    pub fn ws(e: dapodik_webservice::WsError) -> Self {
        CliError {
            code: e.code.as_str(),
            message: e.message().to_string(),
        }
    }

    pub fn other(e: impl std::fmt::Display) -> Self {
        CliError {
            code: "internal",
            message: e.to_string(),
        }
    }
}

pub fn print_error(e: &CliError) {
    eprintln!(
        "{}",
        json!({ "error": { "code": e.code, "message": e.message } })
    );
}

pub fn print_json_line(v: &impl Serialize) {
    match serde_json::to_string(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("galat: {e}"),
    }
}

fn print_json_pretty(v: &impl Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("galat: {e}"),
    }
}

/// The `sync` / `replay` result object of the CLI contract.
pub fn batch_result(batch: &Batch) -> Value {
    json!({
        "batch_id": batch.id,
        "status": batch.status,
        "attempts": batch.attempts,
        "error": batch.error,
        "counts": batch.counts,
        "notes": batch.notes,
        "semester_id": batch.semester_id,
    })
}

pub fn print_batch_result(batch: &Batch, as_json: bool) {
    if as_json {
        print_json_pretty(&batch_result(batch));
        return;
    }
    println!(
        "Batch #{}: {:?} (percobaan {}/{})",
        batch.id, batch.status, batch.attempts, batch.max_attempts
    );
    if let Some(err) = &batch.error {
        println!("Galat [{}]: {}", err.code, err.message);
    }
    for (entity, c) in &batch.counts {
        println!(
            "  {entity:<18} baru {:>6}  cocok {:>6}  konflik {:>6}  ditolak {:>6}",
            c.new, c.matched, c.conflict, c.rejected
        );
    }
    for note in &batch.notes {
        println!("  catatan: {note}");
    }
}

pub fn print_batches(list: &[Batch], as_json: bool) {
    if as_json {
        print_json_pretty(&list);
        return;
    }
    if list.is_empty() {
        println!("Belum ada batch sinkronisasi.");
    }
    for b in list {
        let err = b.error.as_ref().map(|e| e.code.as_str()).unwrap_or("-");
        println!(
            "#{:<5} {:<10?} {:>2}/{:<2} {:<10} {}",
            b.id,
            b.status,
            b.attempts,
            b.max_attempts,
            serde_json::to_value(b.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            err
        );
    }
}

pub fn print_staging(rows: &[StagingRow], as_json: bool) {
    if as_json {
        let out: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "batch_id": r.batch_id,
                    "entity": r.entity,
                    "dapodik_id": r.dapodik_id,
                    "status": r.status,
                    "reasons": r.reasons,
                    "record": r.record,
                })
            })
            .collect();
        print_json_pretty(&out);
        return;
    }
    for r in rows {
        println!(
            "#{:<7} {:<18} {:<9?} {}",
            r.id,
            r.entity.as_str(),
            r.status,
            r.dapodik_id.as_deref().unwrap_or("(tanpa id)")
        );
    }
}

pub fn print_doctor(report: &dapodik_webservice::doctor::Report, as_json: bool) {
    if as_json {
        print_json_pretty(report);
        return;
    }
    for step in &report.steps {
        let mark = if step.ok { "OK   " } else { "GAGAL" };
        println!("[{mark}] {}: {}", step.name.label(), step.message);
    }
    println!(
        "{}",
        if report.ok {
            "Koneksi siap dipakai."
        } else {
            "Koneksi belum siap: perbaiki langkah yang gagal, lalu uji lagi."
        }
    );
}
