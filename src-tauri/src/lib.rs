//! Dapodik Sync desktop shell: a thin Tauri 2 layer over `sync-core`.
//!
//! At start it opens the store, reads the settings, chooses demo mode (an in-process simulated
//! Dapodik, see [`demo`]) or the real Web Service (see [`config`]), starts the worker, and forwards
//! its events to the window ([`events`]). The window talks to the core only through [`commands`].

pub mod commands;
pub mod config;
pub mod connection;
pub mod dashboard;
pub mod demo;
pub mod desktop;
pub mod error;
pub mod events;
pub mod preferences;
pub mod review;
pub mod sources;
pub mod sso;
pub mod state;

use config::LaunchArgs;
use error::CommandError;
use state::{AppState, Mode, Profile, Ready};
use std::sync::Arc;
use sync_core::settings::{Settings, SyncMode};
use sync_core::{SourceKind, Store};
use tauri::{Manager, RunEvent};

pub fn run() {
    init_tracing();
    webkit_defaults();
    let args = LaunchArgs::parse(std::env::args().skip(1));
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running instance and exits before anything starts.
        .plugin(desktop::single_instance_plugin())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(desktop::window_state_plugin())
        .setup(move |app| {
            let state = tauri::async_runtime::block_on(start(&args));
            match &state {
                AppState::Ready(ready) => events::spawn_forwarder(
                    app.handle().clone(),
                    ready.worker.subscribe(),
                    ready.store.clone(),
                ),
                AppState::Failed(e) => tracing::error!(code = %e.code, "start failed"),
            }
            app.manage(state);
            let size = app
                .config()
                .app
                .windows
                .first()
                .map_or((1280.0, 800.0), |w| (w.width, w.height));
            if let Some(window) = app.get_webview_window("main") {
                if desktop::restore_window(&window) {
                    let _ = window.show();
                } else {
                    place_and_show(&window, size);
                }
            }
            desktop::after_start(app);
            Ok(())
        })
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::sync_now,
            commands::cancel_batch,
            commands::retry_batch,
            commands::list_batches,
            commands::batch_attempts,
            commands::staging_page,
            commands::staging_row,
            connection::list_profiles,
            connection::create_profile,
            connection::update_profile,
            connection::delete_profile,
            connection::activate_profile,
            connection::save_profile_key,
            connection::detect_port,
            connection::test_connection,
            preferences::get_preferences,
            preferences::set_preferences,
            preferences::open_folder,
            dashboard::dashboard,
            sso::sso_status,
            sso::sso_sign_in,
            sso::sso_sign_out,
            review::staging_detail,
            review::accept_row,
            review::reject_row,
            review::resolve_row,
            review::bulk_accept,
            review::apply_staging,
            review::register_page,
            review::register_view,
            review::edit_register,
            review::audit_search,
            review::audit_fields,
            review::export_data,
            review::demo_next_semester,
        ])
        .build(tauri::generate_context!())
        .expect("error while building the Tauri application");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(AppState::Ready(ready)) = handle.try_state::<AppState>().as_deref() {
                // Lets a staging transaction finish; an in-flight pull is recovered at the next start.
                tauri::async_runtime::block_on(ready.worker.clone().shutdown());
            }
        }
    });
}

/// Sizes and centers the window (created hidden) before showing it. Small laptop screens (1366×768 is
/// common in schools) can't hold the default 1280×800: the window shrinks to the monitor so the header
/// is never off-screen.
fn place_and_show(window: &tauri::WebviewWindow, logical: (f64, f64)) {
    if let Ok(Some(monitor)) = window
        .current_monitor()
        .or_else(|_| window.primary_monitor())
    {
        let scale = monitor.scale_factor();
        let screen = monitor.size();
        let fitted = tauri::PhysicalSize::new(
            ((logical.0 * scale) as u32).min(screen.width),
            ((logical.1 * scale) as u32).min(screen.height),
        );
        let origin = monitor.position();
        let _ = window.set_size(fitted);
        let _ = window.set_position(tauri::PhysicalPosition::new(
            origin.x + ((screen.width - fitted.width) / 2) as i32,
            origin.y + ((screen.height - fitted.height) / 2) as i32,
        ));
    }
    let _ = window.show();
}

/// WebKitGTK's DMA-BUF renderer paints slowly or not at all on software GL, old GPUs and VMs (a
/// scroll frame took ~200 ms under Xvfb, ~15 ms without it). Turn it off unless the user chose.
fn webkit_defaults() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // Still single-threaded here: nothing else reads the environment concurrently.
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tao=warn,wry=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(desktop::LogWriter::to_folder(&preferences::log_dir()))
        .try_init();
}

/// Opens everything the app needs; any failure becomes the error every command reports.
async fn start(args: &LaunchArgs) -> AppState {
    match try_start(args).await {
        Ok(ready) => AppState::Ready(Box::new(ready)),
        Err(e) => AppState::Failed(e),
    }
}

async fn try_start(args: &LaunchArgs) -> Result<Ready, CommandError> {
    let env = |name: &str| std::env::var(name).ok();
    let settings = Settings::from_env().map_err(|e| CommandError::new(e.code(), e.message()))?;
    let path =
        config::database_path(args, env).map_err(|e| CommandError::new(e.code(), e.message()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CommandError::from(sync_core::StoreError::Io(e)))?;
    }
    let store = Store::open(&path)?;
    tracing::info!(db = %path.display(), "database opened");

    let real = config::real_connection(env);
    let use_real = match settings.effective_mode(real.is_some()) {
        SyncMode::Real => true,
        SyncMode::Mock => false,
        SyncMode::Disabled => real.is_some(),
    };

    let (profile, demo) = if use_real {
        let profile = Profile {
            mode: Mode::Real,
            source: SourceKind::Webservice,
            target: real.as_ref().map(|r| r.url.clone()).unwrap_or_default(),
            npsn: real.as_ref().map(|r| r.npsn.clone()).unwrap_or_default(),
        };
        (profile, None)
    } else {
        let demo = demo::Demo::start(env).map_err(|e| {
            tracing::error!(error = %e, "demo simulator failed to start");
            CommandError::new(
                "demo_failed",
                "Mode Demo tidak dapat dimulai (Dapodik simulasi gagal berjalan). Mulai ulang aplikasi.",
            )
        })?;
        let profile = Profile {
            mode: Mode::Demo,
            source: SourceKind::Mock,
            target: demo.base_url().to_string(),
            npsn: demo.npsn().to_string(),
        };
        (profile, Some(demo))
    };

    let resolver = sources::AppSources {
        demo: demo.as_ref().map(|d| sources::DemoEndpoint {
            base_url: d.base_url().to_string(),
            key: d.key().to_string(),
        }),
        real,
        client: settings.client_config(),
        env: Box::new(|name| std::env::var(name).ok()),
        profile_keys: Some(sources::ProfileKeys {
            store: store.clone(),
            secrets: connection::secret_store(),
        }),
    };
    let worker = sync_core::worker::spawn_worker(store.clone(), settings, Arc::new(resolver));
    tracing::info!(mode = profile.mode.as_str(), "worker started");
    Ok(Ready {
        store,
        worker,
        profile,
        demo,
    })
}
