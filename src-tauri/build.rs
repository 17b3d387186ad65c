//! Build script: generates the Tauri context and the permissions of this app's own commands.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "sync_now",
            "cancel_batch",
            "retry_batch",
            "list_batches",
            "batch_attempts",
            "staging_page",
            "staging_row",
        ]),
    ))
    .expect("failed to run tauri-build");
}
