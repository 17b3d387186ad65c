//! Entry point of the desktop app; everything lives in the library (`lib.rs`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    dapodik_sync_desktop::run();
}
