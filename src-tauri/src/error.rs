//! The error every command returns to the frontend: a stable code and an Indonesian message
//! (`{"code": "not_found", "message": "Data tidak ditemukan: …"}`). Never personal data, never a key.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        CommandError {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A failure inside the shell itself (a task that panicked, …).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error in a command");
        CommandError::new(
            "internal",
            "Terjadi kesalahan di dalam aplikasi. Coba lagi; jika terus terjadi, mulai ulang aplikasi dan \
             kirimkan berkas log ke dukungan.",
        )
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<sync_core::StoreError> for CommandError {
    fn from(e: sync_core::StoreError) -> Self {
        if !matches!(
            e,
            sync_core::StoreError::NotFound(_) | sync_core::StoreError::InvalidTransition { .. }
        ) {
            tracing::warn!(code = e.code(), error = %e, "store error");
        }
        CommandError::new(e.code(), e.message_id())
    }
}

impl From<dapodik_webservice::WsError> for CommandError {
    fn from(e: dapodik_webservice::WsError) -> Self {
        CommandError::new(e.code.as_str(), e.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_cross_with_their_code_and_indonesian_message() {
        let e = CommandError::from(sync_core::StoreError::NotFound("batch 9".into()));
        assert_eq!(e.code, "not_found");
        assert!(e.message.contains("tidak ditemukan"), "{}", e.message);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "not_found");
        assert_eq!(json.as_object().unwrap().len(), 2);
    }
}
