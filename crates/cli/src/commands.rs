//! The sub-commands: each opens what it needs, calls the core, and prints through [`crate::output`].

use crate::output::{self, CliError};
use crate::{
    CaptureArgs, Cli, Command, DoctorArgs, ReplayArgs, SimCommand, SimServeArgs, StagingArgs,
    SyncArgs,
};
use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::source::Source;
use dapodik_webservice::{Entity, ErrorCode, WsError};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use sync_core::settings::Settings;
use sync_core::worker::{spawn_worker, SourceResolver};
use sync_core::{Batch, BatchStatus, NewBatch, SourceKind, StagingQuery, StagingStatus, Store};

pub async fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Sim {
            command: SimCommand::Serve(args),
        } => sim_serve(args).await,
        Command::Sync(args) => sync(cli.db, args).await,
        Command::Replay(args) => replay(cli.db, args).await,
        Command::Batches { json, limit } => batches(cli.db, json, limit),
        Command::Staging(args) => match (args.show.is_some(), args.id) {
            (true, Some(id)) => crate::review::staging_show(cli.db, id, args.json),
            (true, None) => Err(CliError::usage("staging show ID".into())),
            _ => staging(cli.db, args),
        },
        Command::Resolve(args) => crate::review::resolve(cli.db, args),
        Command::Reject(args) => crate::review::reject(cli.db, args),
        Command::Accept(args) => crate::review::accept(cli.db, args),
        Command::Apply(args) => crate::review::apply(cli.db, args),
        Command::Edit(args) => crate::review::edit(cli.db, args),
        Command::Register(args) => crate::review::register(cli.db, args),
        Command::Audit(args) => crate::review::audit(cli.db, args),
        Command::Reconcile(args) => crate::review::reconcile(cli.db, args),
        Command::Doctor(args) => doctor(args).await,
        Command::Capture(args) => capture(args).await,
        Command::Port { install_dir, json } => port(install_dir, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::print_error(&e);
            ExitCode::from(2)
        }
    }
}

fn open_store(db: Option<std::path::PathBuf>) -> Result<Store, CliError> {
    let path = match db {
        Some(p) => p,
        None => sync_core::paths::default_database_path().map_err(CliError::other)?,
    };
    Store::open(&path).map_err(CliError::store)
}

fn settings() -> Result<Settings, CliError> {
    Settings::from_env().map_err(CliError::settings)
}

async fn sim_serve(args: SimServeArgs) -> Result<ExitCode, CliError> {
    let mut config = dapodik_sim::SimConfig {
        addr: args.addr,
        ..Default::default()
    };
    if let Some(npsn) = args.npsn {
        config.npsn = npsn;
    }
    if let Some(key) = args.key {
        config.key = key;
    }
    if let Some(n) = args.students {
        config.students = n;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(ms) = args.latency_ms {
        config.latency = Duration::from_millis(ms);
    }
    if let Some(fault) = args.fault {
        config.fault = Some(
            fault
                .parse()
                .map_err(|e| CliError::usage(format!("--fault: {e}")))?,
        );
    }
    let handle = if args.semesters == 0 {
        dapodik_sim::SimServer::start(config).map_err(CliError::other)?
    } else {
        let mut school = dapodik_sim::SimSchool::generate(&dapodik_sim::SimSchoolConfig {
            npsn: config.npsn.clone(),
            seed: config.seed,
            students: config.students,
        });
        for _ in 0..args.semesters {
            school.next_semester();
        }
        dapodik_sim::SimServer::start_with_school(config, school).map_err(CliError::other)?
    };
    output::print_json_line(&serde_json::json!({ "url": handle.base_url() }));
    shutdown_signal().await;
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How the CLI turns a batch into a data source: the Web Service with the key from the environment
/// variable the operator named, or a capture folder. The key is read when the batch runs, never stored.
struct CliSources {
    key_env: Option<String>,
    client: ClientConfig,
}

impl SourceResolver for CliSources {
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        match batch.source {
            SourceKind::Webservice => {
                let var = self.key_env.as_deref().ok_or_else(|| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        "no --key-env given for a Web Service batch",
                    )
                })?;
                let key = std::env::var(var)
                    .ok()
                    .filter(|k| !k.trim().is_empty())
                    .ok_or_else(|| {
                        WsError::new(
                            ErrorCode::NotConfigured,
                            format!("environment variable {var} is empty or unset"),
                        )
                    })?;
                Ok(Source::Http(WebServiceClient::new(
                    &batch.target,
                    &batch.npsn,
                    key.trim(),
                    self.client.clone(),
                )?))
            }
            SourceKind::Replay => Ok(Source::Capture(CaptureDir::open(&batch.target)?)),
            SourceKind::Mock => Err(WsError::new(
                ErrorCode::NotConfigured,
                "mock batches belong to the desktop app's in-process simulator",
            )),
        }
    }
}

fn client_config(settings: &Settings) -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_millis(settings.connect_timeout_ms),
        read_timeout: Duration::from_millis(settings.read_timeout_ms),
        max_response_bytes: settings.max_response_mb.saturating_mul(1024 * 1024),
    }
}

async fn run_batch(
    store: Store,
    settings: Settings,
    key_env: Option<String>,
    new: NewBatch,
) -> Result<Batch, CliError> {
    if !settings.claims_batches() {
        return Err(CliError::usage(
            "Sinkronisasi dimatikan (DAPODIK_SYNC_ENABLED=false atau DAPODIK_SYNC_MODE=disabled): \
             hapus pengaturan itu untuk menjalankan sinkronisasi."
                .into(),
        ));
    }
    let resolver = Arc::new(CliSources {
        key_env,
        client: client_config(&settings),
    });
    let worker = spawn_worker(store, settings, resolver);
    let batch = worker.enqueue(new).await.map_err(CliError::store)?;
    let done = worker
        .wait_terminal(batch.id)
        .await
        .map_err(CliError::store)?;
    worker.shutdown().await;
    Ok(done)
}

fn exit_for(batch: &Batch) -> ExitCode {
    if batch.status == BatchStatus::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn sync(db: Option<std::path::PathBuf>, args: SyncArgs) -> Result<ExitCode, CliError> {
    let store = open_store(db)?;
    let mut settings = settings()?;
    if let Some(n) = args.max_attempts {
        if n == 0 {
            return Err(CliError::usage("--max-attempts harus minimal 1".into()));
        }
        settings.max_attempts = n;
    }
    let new = NewBatch {
        source: SourceKind::Webservice,
        target: args.url.trim_end_matches('/').to_string(),
        npsn: args.npsn.trim().to_string(),
        max_attempts: settings.max_attempts,
    };
    let batch = run_batch(store, settings, Some(args.key_env), new).await?;
    output::print_batch_result(&batch, args.json);
    Ok(exit_for(&batch))
}

async fn replay(db: Option<std::path::PathBuf>, args: ReplayArgs) -> Result<ExitCode, CliError> {
    let store = open_store(db)?;
    let settings = settings()?;
    let dir = std::fs::canonicalize(&args.dir).map_err(|e| {
        CliError::usage(format!(
            "folder rekaman {} tidak dapat dibuka: {e}",
            args.dir.display()
        ))
    })?;
    let new = NewBatch {
        source: SourceKind::Replay,
        target: dir.display().to_string(),
        npsn: args.npsn.trim().to_string(),
        max_attempts: 1,
    };
    let batch = run_batch(store, settings, None, new).await?;
    output::print_batch_result(&batch, args.json);
    Ok(exit_for(&batch))
}

fn batches(db: Option<std::path::PathBuf>, json: bool, limit: usize) -> Result<ExitCode, CliError> {
    let store = open_store(db)?;
    let list = store.batches(limit).map_err(CliError::store)?;
    output::print_batches(&list, json);
    Ok(ExitCode::SUCCESS)
}

fn staging(db: Option<std::path::PathBuf>, args: StagingArgs) -> Result<ExitCode, CliError> {
    let entity = match args.entity.as_deref() {
        None => None,
        Some(s) => Some(Entity::parse(s).ok_or_else(|| {
            CliError::usage(format!(
                "--entity {s}: pilih sekolah, peserta_didik, gtk atau rombongan_belajar"
            ))
        })?),
    };
    let status = match args.status.as_deref() {
        None => None,
        Some(s) => Some(StagingStatus::parse(s).ok_or_else(|| {
            CliError::usage(format!(
                "--status {s}: pilih NEW, MATCHED, CONFLICT atau REJECTED"
            ))
        })?),
    };
    let store = open_store(db)?;
    let query = StagingQuery {
        batch_id: args.batch,
        entity,
        status,
        limit: args.limit,
        ..Default::default()
    };
    let page = store.staging_page(&query).map_err(CliError::store)?;
    let mut rows = Vec::with_capacity(page.rows.len());
    for summary in &page.rows {
        if let Some(row) = store.staging_row(summary.id).map_err(CliError::store)? {
            rows.push(row);
        }
    }
    output::print_staging(&rows, args.json);
    Ok(ExitCode::SUCCESS)
}

/// The key from the environment variable the operator named; never from an argument.
fn key_from_env(var: &str) -> Result<String, CliError> {
    std::env::var(var).ok().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).ok_or_else(|| CliError {
        code: ErrorCode::NotConfigured.as_str(),
        message: format!("Variabel lingkungan {var} kosong atau tidak ada: isi dengan kunci Web Service dari Dapodik."),
    })
}

fn http_client(url: &str, npsn: &str, key_env: &str) -> Result<WebServiceClient, CliError> {
    let settings = settings()?;
    let key = key_from_env(key_env)?;
    WebServiceClient::new(
        url.trim_end_matches('/'),
        npsn.trim(),
        &key,
        client_config(&settings),
    )
    .map_err(CliError::ws)
}

async fn doctor(args: DoctorArgs) -> Result<ExitCode, CliError> {
    let client = http_client(&args.url, &args.npsn, &args.key_env)?;
    let report = dapodik_webservice::doctor::diagnose(&client).await;
    output::print_doctor(&report, args.json);
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn capture(args: CaptureArgs) -> Result<ExitCode, CliError> {
    let client = http_client(&args.url, &args.npsn, &args.key_env)?;
    let mut responses = Vec::new();
    for f in dapodik_webservice::Function::ALL {
        let raw = client.fetch(f, &|_, _| {}).await.map_err(CliError::ws)?;
        responses.push((f, raw));
    }
    if args.mask {
        responses = dapodik_webservice::masking::Masker::new().mask_capture(&responses);
    }
    dapodik_webservice::capture::write_capture(&args.out, &responses).map_err(|e| {
        CliError::usage(format!(
            "folder {} tidak dapat ditulis: {e}",
            args.out.display()
        ))
    })?;
    output::print_json_line(&serde_json::json!({
        "out": args.out.display().to_string(),
        "masked": args.mask,
        "functions": responses.iter().map(|(f, r)| serde_json::json!({"function": f.name(), "http_status": r.http_status, "bytes": r.body.len()})).collect::<Vec<_>>(),
    }));
    Ok(ExitCode::SUCCESS)
}

fn port(install_dir: Option<std::path::PathBuf>, json: bool) -> Result<ExitCode, CliError> {
    let (port, origin) = dapodik_webservice::install_ini::discover_port(install_dir.as_deref());
    if json {
        output::print_json_line(&serde_json::json!({ "port": port, "origin": origin }));
    } else {
        match origin {
            dapodik_webservice::install_ini::PortOrigin::InstallIni { path } => {
                println!("{port} (dari {})", path.display())
            }
            dapodik_webservice::install_ini::PortOrigin::Default => {
                println!("{port} (bawaan; install.ini tidak ditemukan)")
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
