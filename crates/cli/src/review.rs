//! The operator's review from the command line: a staging row's detail (three-way diff, findings),
//! resolving and rejecting rows, bulk accepts, applying to the register in one transaction, local
//! edits, the register and the audit log. All offline: only the SQLite file is touched.
//!
//! JSON shapes (stdout, with `--json`): `staging show` → the row plus `"diff": [{"field", "base",
//! "local", "dapodik", "conflict", …}]` and `"findings": [{"code", "severity", "field", "message"}]`;
//! `apply` → `{"applied": n, "skipped": n, …}`; `register` → `[{"dapodik_id", "record"}]`;
//! `audit` → `[{"id", "at", "actor", "action", "entity", "dapodik_id", "field", "before", "after"}]`.

use crate::output::{self, CliError};
use dapodik_webservice::Entity;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use sync_core::reconcile::{current_actor, FieldChoice};
use sync_core::storage::{ApplyRequest, AuditFilter, RegisterQuery, StagingDetail};
use sync_core::{StagingStatus, Store};

#[derive(clap::Args)]
pub struct ResolveArgs {
    /// The staging row's id.
    pub id: i64,
    /// dapodik: take Dapodik's value; local: keep the local value.
    #[arg(long, value_parser = ["dapodik", "local"])]
    pub take: Option<String>,
    /// Only this field (default: every field that differs).
    #[arg(long)]
    pub field: Option<String>,
    /// A value typed by the operator for --field (not allowed for Verval-protected fields).
    #[arg(long)]
    pub value: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct RowArgs {
    /// The staging row's id.
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct AcceptArgs {
    /// One staging row's id; without it, bulk accept the batch's rows of --status.
    pub id: Option<i64>,
    /// Bulk: the batch (default: the newest staged batch).
    #[arg(long)]
    pub batch: Option<i64>,
    /// Bulk: NEW (all new rows) or MATCHED (all rows matched without conflicts).
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ApplyArgs {
    /// The batch to apply (default: the newest staged batch).
    #[arg(long)]
    pub batch: Option<i64>,
    /// Comma-separated statuses, e.g. NEW,MATCHED (default: accepted or resolved rows plus NEW and
    /// conflict-free MATCHED rows).
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct EditArgs {
    /// sekolah, peserta_didik, gtk, rombongan_belajar
    pub entity: String,
    pub dapodik_id: String,
    /// FIELD=VALUE (an empty VALUE clears the field).
    pub assignment: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct RegisterArgs {
    /// sekolah, peserta_didik, gtk, rombongan_belajar
    pub entity: String,
    /// Case-insensitive part of the name or the Dapodik id.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    #[arg(long)]
    pub entity: Option<String>,
    /// One record's Dapodik id (its history).
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ReconcileArgs {
    /// The batch (default: the newest staged batch).
    #[arg(long)]
    pub batch: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

fn open(db: Option<PathBuf>) -> Result<Store, CliError> {
    let path = match db {
        Some(p) => p,
        None => sync_core::paths::default_database_path().map_err(CliError::other)?,
    };
    Store::open(&path).map_err(CliError::store)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn parse_entity(s: &str) -> Result<Entity, CliError> {
    Entity::parse(s).ok_or_else(|| {
        CliError::usage(format!(
            "{s}: pilih sekolah, peserta_didik, gtk atau rombongan_belajar"
        ))
    })
}

fn parse_status(s: &str) -> Result<StagingStatus, CliError> {
    StagingStatus::parse(s.trim()).ok_or_else(|| {
        CliError::usage(format!(
            "--status {s}: pilih NEW, MATCHED, CONFLICT atau REJECTED"
        ))
    })
}

/// The JSON of `staging show`.
pub fn detail_json(d: &StagingDetail) -> Value {
    json!({
        "id": d.row.id,
        "batch_id": d.row.batch_id,
        "entity": d.row.entity,
        "dapodik_id": d.row.dapodik_id,
        "status": d.row.status,
        "kind": d.kind,
        "reasons": d.row.reasons,
        "match_by": d.match_by,
        "match_id": d.match_id,
        "in_register": d.in_register,
        "record": d.row.record,
        "diff": d.diff,
        "findings": d.findings,
        "resolution": d.resolution,
        "unresolved": d.unresolved,
    })
}

fn print_detail(d: &StagingDetail, as_json: bool) {
    if as_json {
        output::print_json_line(&detail_json(d));
        return;
    }
    println!(
        "#{} {} {:?} {} ({})",
        d.row.id,
        d.row.entity.as_str(),
        d.row.status,
        d.row.dapodik_id.as_deref().unwrap_or("(tanpa id)"),
        d.row.label
    );
    for r in &d.row.reasons {
        println!("  alasan: {r}");
    }
    println!(
        "  {:<28} {:<24} {:<24} {:<24}",
        "kolom", "Data lokal", "Terakhir disinkronkan", "Dapodik"
    );
    for f in &d.diff {
        let mark = if f.conflict { "!" } else { " " };
        println!(
            "{mark} {:<28} {:<24} {:<24} {:<24}{}",
            f.field,
            short(&f.local),
            short(&f.base),
            short(&f.dapodik),
            f.hint
                .as_deref()
                .map(|h| format!("  ({h})"))
                .unwrap_or_default()
        );
    }
    for f in &d.findings {
        println!("  temuan [{}] {}: {}", f.code, f.field, f.message);
    }
    if let Some(r) = &d.resolution {
        println!("  keputusan: {:?} oleh {}", r.decision, r.decided_by);
    }
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(23).collect::<String>())
    } else {
        s
    }
}

pub fn staging_show(db: Option<PathBuf>, id: i64, as_json: bool) -> Result<ExitCode, CliError> {
    let store = open(db)?;
    let d = store
        .staging_detail(id)
        .map_err(CliError::store)?
        .ok_or_else(|| {
            CliError::store(sync_core::StoreError::NotFound(format!(
                "baris staging {id}"
            )))
        })?;
    print_detail(&d, as_json);
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(db: Option<PathBuf>, args: ResolveArgs) -> Result<ExitCode, CliError> {
    let choice = match (args.take.as_deref(), args.value) {
        (_, Some(v)) => {
            if args.field.is_none() {
                return Err(CliError::usage("--value memerlukan --field".into()));
            }
            FieldChoice::Value {
                value: if v.is_empty() {
                    Value::Null
                } else {
                    Value::String(v)
                },
            }
        }
        (Some("dapodik"), None) => FieldChoice::Dapodik,
        (Some("local"), None) => FieldChoice::Local,
        _ => {
            return Err(CliError::usage(
                "pilih --take dapodik, --take local, atau --field F --value V".into(),
            ))
        }
    };
    let store = open(db)?;
    let d = store
        .resolve(
            args.id,
            args.field.as_deref(),
            choice,
            &current_actor(),
            now_ms(),
        )
        .map_err(CliError::store)?;
    print_detail(&d, args.json);
    Ok(ExitCode::SUCCESS)
}

pub fn reject(db: Option<PathBuf>, args: RowArgs) -> Result<ExitCode, CliError> {
    let store = open(db)?;
    let d = store
        .reject_row(args.id, &current_actor(), now_ms())
        .map_err(CliError::store)?;
    print_detail(&d, args.json);
    Ok(ExitCode::SUCCESS)
}

pub fn accept(db: Option<PathBuf>, args: AcceptArgs) -> Result<ExitCode, CliError> {
    let store = open(db)?;
    if let Some(id) = args.id {
        let d = store
            .accept_row(id, &current_actor(), now_ms())
            .map_err(CliError::store)?;
        print_detail(&d, args.json);
        return Ok(ExitCode::SUCCESS);
    }
    let status = parse_status(args.status.as_deref().ok_or_else(|| {
        CliError::usage("tanpa ID, pilih --status NEW atau --status MATCHED".into())
    })?)?;
    let batch = match args.batch {
        Some(b) => b,
        None => store
            .staging_latest_batch()
            .map_err(CliError::store)?
            .ok_or_else(|| CliError::usage("belum ada batch yang di-staging".into()))?,
    };
    let n = store
        .bulk_accept(batch, status, &current_actor(), now_ms())
        .map_err(CliError::store)?;
    if args.json {
        output::print_json_line(&json!({"batch_id": batch, "accepted": n}));
    } else {
        println!("{n} baris diterima (batch #{batch}).");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn apply(db: Option<PathBuf>, args: ApplyArgs) -> Result<ExitCode, CliError> {
    let statuses = match args.status.as_deref() {
        None => None,
        Some(list) => Some(
            list.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(parse_status)
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let store = open(db)?;
    let report = store
        .apply(
            &ApplyRequest {
                batch_id: args.batch,
                statuses,
            },
            &current_actor(),
            now_ms(),
        )
        .map_err(CliError::store)?;
    if args.json {
        output::print_json_line(&json!({
            "applied": report.applied,
            "skipped": report.skipped,
            "changed": report.changed,
            "audited": report.audited,
            "batch_id": report.batch_id,
            "skipped_rows": report.skipped_rows,
        }));
    } else {
        println!(
            "{} baris diterapkan ({} data register berubah), {} dilewati.",
            report.applied, report.changed, report.skipped
        );
        for s in &report.skipped_rows {
            println!("  #{}: {}", s.staging_id, s.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn edit(db: Option<PathBuf>, args: EditArgs) -> Result<ExitCode, CliError> {
    let entity = parse_entity(&args.entity)?;
    let (field, value) = args
        .assignment
        .split_once('=')
        .ok_or_else(|| CliError::usage("tulis KOLOM=NILAI".into()))?;
    let value = if value.is_empty() {
        Value::Null
    } else {
        Value::String(value.to_string())
    };
    let store = open(db)?;
    let change = store
        .edit_register(
            entity,
            &args.dapodik_id,
            field,
            value,
            &current_actor(),
            now_ms(),
        )
        .map_err(CliError::store)?;
    if args.json {
        output::print_json_line(&change);
    } else if change.before == change.after {
        println!("Tidak ada perubahan.");
    } else {
        println!("{} diubah secara lokal.", change.field);
        if sync_core::reconcile::diff::is_protected(entity, &change.field) {
            println!(
                "Catatan: {} hanya dapat diperbaiki di Dapodik ({}); sinkronisasi berikutnya menandainya sebagai konflik.",
                change.field,
                sync_core::reconcile::diff::verval_hint(entity)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn register(db: Option<PathBuf>, args: RegisterArgs) -> Result<ExitCode, CliError> {
    let entity = parse_entity(&args.entity)?;
    let store = open(db)?;
    let mut rows = Vec::new();
    let mut offset = 0;
    while rows.len() < args.limit {
        let page = store
            .register_page(&RegisterQuery {
                entity,
                search: args.search.clone(),
                offset,
                limit: (args.limit - rows.len()).min(1000),
                ..Default::default()
            })
            .map_err(CliError::store)?;
        let n = page.rows.len();
        rows.extend(page.rows);
        offset += n;
        if n == 0 || offset as u64 >= page.total {
            break;
        }
    }
    if args.json {
        let out: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "dapodik_id": r.dapodik_id,
                    "record": r.record,
                    "edited": r.edited,
                    "provenance": r.provenance,
                })
            })
            .collect();
        output::print_json_line(&out);
    } else {
        for r in &rows {
            println!(
                "{} {}{}",
                r.dapodik_id,
                r.label,
                if r.edited {
                    " (ada perubahan lokal)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit(db: Option<PathBuf>, args: AuditArgs) -> Result<ExitCode, CliError> {
    let entity = args.entity.as_deref().map(parse_entity).transpose()?;
    let store = open(db)?;
    let page = store
        .audit_page(&AuditFilter {
            entity,
            dapodik_id: args.id.clone(),
            limit: args.limit,
            ..Default::default()
        })
        .map_err(CliError::store)?;
    if args.json {
        output::print_json_line(&page.rows);
    } else {
        for e in &page.rows {
            println!(
                "{} {} {:?} {} {} {}",
                e.at,
                e.actor,
                e.action,
                e.entity.as_str(),
                e.dapodik_id,
                e.field.as_deref().unwrap_or("*")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reconcile(db: Option<PathBuf>, args: ReconcileArgs) -> Result<ExitCode, CliError> {
    let store = open(db)?;
    let batch = match args.batch {
        Some(b) => b,
        None => store
            .staging_latest_batch()
            .map_err(CliError::store)?
            .ok_or_else(|| CliError::usage("belum ada batch yang di-staging".into()))?,
    };
    let b = store
        .reconcile_batch(batch, now_ms())
        .map_err(CliError::store)?;
    output::print_batch_result(&b, args.json);
    Ok(ExitCode::SUCCESS)
}
