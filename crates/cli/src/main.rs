//! `dapodik-sync`: the headless command-line face of Dapodik Sync. It needs no GUI libraries and drives
//! the same core as the desktop app: the simulator, the queue and worker, staging.
//!
//! Contract relied on by tests and scripts (see README, "Command line"): sub-commands, `--json` shapes,
//! stable error codes, exit code 0 only when a batch succeeded. The Web Service key comes from an
//! environment variable named by `--key-env`, never from an argument, and is never stored.

mod commands;
mod output;
mod review;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dapodik-sync",
    version,
    about = "Dapodik Sync: tarik data Dapodik ke antrean dan staging lokal (tanpa GUI)"
)]
pub struct Cli {
    /// SQLite database file (default: the OS data directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// The simulated Dapodik (demo, tests).
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
    /// Enqueue a sync batch from a Dapodik Web Service and run the worker until it ends.
    Sync(SyncArgs),
    /// One attempt of the sync pipeline fed from a capture folder.
    Replay(ReplayArgs),
    /// List sync batches.
    Batches {
        #[arg(long)]
        json: bool,
        /// How many batches, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// List staging rows, or `staging show ID`: one row with its three-way diff and findings.
    Staging(StagingArgs),
    /// Resolve a staging row: take Dapodik's or keep the local value (all fields or --field), or type one.
    Resolve(review::ResolveArgs),
    /// Reject a staging row: it is never applied.
    Reject(review::RowArgs),
    /// Accept one staging row, or bulk accept all NEW / all conflict-free MATCHED rows of a batch.
    Accept(review::AcceptArgs),
    /// Apply staging rows to the register in one transaction (audited).
    Apply(review::ApplyArgs),
    /// A local edit of a register record: ENTITY DAPODIK_ID FIELD=VALUE.
    Edit(review::EditArgs),
    /// List the register of one entity.
    Register(review::RegisterArgs),
    /// The audit log (newest first).
    Audit(review::AuditArgs),
    /// Reconcile a staged batch again against the register as it is now (after edits or an apply).
    Reconcile(review::ReconcileArgs),
    /// Check a Web Service connection step by step and say what to fix.
    Doctor(DoctorArgs),
    /// Save the raw responses of a Web Service as a capture folder (optionally masked for support).
    Capture(CaptureArgs),
    /// The Web Service port of a Dapodik installation (`WebPort=` in config\install.ini, else 5774).
    Port {
        /// Dapodik's install folder (default C:\Program Files (x86)\Dapodik).
        #[arg(long)]
        install_dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct DoctorArgs {
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub npsn: String,
    /// Name of the environment variable holding the Web Service key.
    #[arg(long, value_name = "VAR")]
    pub key_env: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct CaptureArgs {
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub npsn: String,
    /// Name of the environment variable holding the Web Service key.
    #[arg(long, value_name = "VAR")]
    pub key_env: String,
    /// The folder to write (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace NIK, NISN, NUPTK, NIP, names, phone numbers, e-mails and addresses by consistent fakes.
    #[arg(long)]
    pub mask: bool,
}

#[derive(Subcommand)]
pub enum SimCommand {
    /// Serve the simulated Web Service until interrupted. Prints one JSON line `{"url": …}` when ready.
    Serve(SimServeArgs),
}

#[derive(clap::Args)]
pub struct SimServeArgs {
    #[arg(long, default_value = "127.0.0.1:5774")]
    pub addr: std::net::SocketAddr,
    #[arg(long)]
    pub npsn: Option<String>,
    /// The key the simulated Web Service accepts (a test value, not a secret).
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long)]
    pub students: Option<usize>,
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Serve the school as it is after this many "next semester" steps (new students, moves,
    /// corrected names, leavers).
    #[arg(long, default_value_t = 0)]
    pub semesters: u32,
    /// down, slow, key-not-registered, ip-mismatch, server-error[:P], semester-not-found,
    /// empty-peserta-didik, status-in-body, php-notice, truncated, missing:FUNCTION
    #[arg(long)]
    pub fault: Option<String>,
}

#[derive(clap::Args)]
pub struct SyncArgs {
    /// Web Service base URL, e.g. http://127.0.0.1:5774
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub npsn: String,
    /// Name of the environment variable holding the Web Service key.
    #[arg(long, value_name = "VAR")]
    pub key_env: String,
    #[arg(long)]
    pub max_attempts: Option<u32>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// A capture folder (`<function>.body`, optional `<function>.status`).
    pub dir: PathBuf,
    #[arg(long)]
    pub npsn: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct StagingArgs {
    /// `show`, followed by a staging row id, for one row in detail.
    #[arg(value_parser = ["show"])]
    pub show: Option<String>,
    /// The staging row id (with `show`).
    #[arg(requires = "show")]
    pub id: Option<i64>,
    /// sekolah, peserta_didik, gtk, rombongan_belajar
    #[arg(long)]
    pub entity: Option<String>,
    /// NEW, MATCHED, CONFLICT, REJECTED
    #[arg(long)]
    pub status: Option<String>,
    /// Only this batch (default: every batch).
    #[arg(long)]
    pub batch: Option<i64>,
    #[arg(long, default_value_t = 100_000)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("galat: runtime tidak dapat dimulai: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(commands::run(cli))
}

/// Logs go to stderr (stdout is for results); `RUST_LOG` sets the level, default warnings only.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
