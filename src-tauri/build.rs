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
            // Pengaturan, Beranda, SSO SDS (src/connection.rs, preferences.rs, dashboard.rs, sso.rs)
            "list_profiles",
            "create_profile",
            "update_profile",
            "delete_profile",
            "activate_profile",
            "save_profile_key",
            "detect_port",
            "test_connection",
            "get_preferences",
            "set_preferences",
            "open_folder",
            "dashboard",
            "sso_status",
            "sso_sign_in",
            "sso_sign_out",
            // Review screens (src/review.rs)
            "staging_detail",
            "accept_row",
            "reject_row",
            "resolve_row",
            "bulk_accept",
            "apply_staging",
            "register_page",
            "register_view",
            "edit_register",
            "audit_search",
            "audit_fields",
            "export_data",
            "demo_next_semester",
        ]),
    ))
    .expect("failed to run tauri-build");
}
