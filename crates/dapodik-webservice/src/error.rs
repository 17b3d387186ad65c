//! Stable error codes. They are a contract: the CLI prints them, the queue stores them, the UI branches
//! on them. Each has an Indonesian message that says what happened and what the operator should do,
//! and a retry class: retryable faults are retried with backoff, configuration faults fail at once.
//!
//! Messages never contain personal data or secrets; `detail` is technical context (a status line, a
//! byte count, a host) for logs and support, already free of NIK/NISN/names and keys.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Retryable: the same request may succeed later.
    DapodikUnreachable,
    Timeout,
    ServerFault,
    MalformedResponse,
    // Not retryable: the operator must change something first.
    AccessDenied,
    KeyNotRegistered,
    IpMismatch,
    NpsnMissing,
    SchoolNotFound,
    SemesterNotFound,
    WrongSchool,
    FunctionMissing,
    ResponseTooLarge,
    /// The sync is not configured (no URL, no key, …). Raised before any request is made.
    NotConfigured,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::DapodikUnreachable,
        ErrorCode::Timeout,
        ErrorCode::ServerFault,
        ErrorCode::MalformedResponse,
        ErrorCode::AccessDenied,
        ErrorCode::KeyNotRegistered,
        ErrorCode::IpMismatch,
        ErrorCode::NpsnMissing,
        ErrorCode::SchoolNotFound,
        ErrorCode::SemesterNotFound,
        ErrorCode::WrongSchool,
        ErrorCode::FunctionMissing,
        ErrorCode::ResponseTooLarge,
        ErrorCode::NotConfigured,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::DapodikUnreachable => "dapodik_unreachable",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ServerFault => "server_fault",
            ErrorCode::MalformedResponse => "malformed_response",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::KeyNotRegistered => "key_not_registered",
            ErrorCode::IpMismatch => "ip_mismatch",
            ErrorCode::NpsnMissing => "npsn_missing",
            ErrorCode::SchoolNotFound => "school_not_found",
            ErrorCode::SemesterNotFound => "semester_not_found",
            ErrorCode::WrongSchool => "wrong_school",
            ErrorCode::FunctionMissing => "function_missing",
            ErrorCode::ResponseTooLarge => "response_too_large",
            ErrorCode::NotConfigured => "not_configured",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether retrying the same request later can help.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::DapodikUnreachable
                | ErrorCode::Timeout
                | ErrorCode::ServerFault
                | ErrorCode::MalformedResponse
        )
    }

    /// What happened and what to do, in Bahasa Indonesia, for the operator.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::DapodikUnreachable => {
                "Aplikasi Dapodik tidak dapat dihubungi. Pastikan Dapodik sedang berjalan di PC operator, \
                 alamat dan port Web Service benar (bawaan 5774, lihat WebPort= di config\\install.ini), \
                 dan PC ini terhubung ke jaringan sekolah. Sinkronisasi akan dicoba lagi otomatis."
            }
            ErrorCode::Timeout => {
                "Dapodik terlalu lama menjawab. Sekolah besar memang butuh waktu; pastikan PC Dapodik tidak \
                 sedang sibuk atau tertidur. Sinkronisasi akan dicoba lagi otomatis."
            }
            ErrorCode::ServerFault => {
                "Web Service Dapodik mengalami galat di sisi server (misalnya data referensi rusak). \
                 Sinkronisasi akan dicoba lagi otomatis; jika terus terjadi, perbarui Dapodik ke versi \
                 terbaru atau hubungi layanan bantuan Dapodik."
            }
            ErrorCode::MalformedResponse => {
                "Jawaban Web Service Dapodik tidak lengkap atau tidak dapat dibaca, sehingga tidak ada data \
                 yang disimpan. Sinkronisasi akan dicoba lagi otomatis; jika terus terjadi, periksa \
                 jaringan atau perbarui Dapodik."
            }
            ErrorCode::AccessDenied => {
                "Web Service Dapodik menolak akses karena kunci (key) tidak dikirim atau formatnya salah. \
                 Salin ulang kunci dari Dapodik, menu Pengaturan → Web Service, lalu simpan di Pengaturan \
                 koneksi aplikasi ini."
            }
            ErrorCode::KeyNotRegistered => {
                "Kunci Web Service tidak terdaftar atau sudah dinonaktifkan di Dapodik. Buka Dapodik, menu \
                 Pengaturan → Web Service, daftarkan aplikasi ini, lalu salin kunci yang baru ke Pengaturan \
                 koneksi aplikasi ini."
            }
            ErrorCode::IpMismatch => {
                "Alamat IP PC ini berbeda dengan IP yang didaftarkan untuk kunci ini di Dapodik. Hapus \
                 pendaftaran lama di Dapodik (Pengaturan → Web Service) dan daftarkan ulang dengan alamat IP \
                 PC ini. Jika aplikasi ini berjalan di PC Dapodik sendiri, gunakan alamat 127.0.0.1."
            }
            ErrorCode::NpsnMissing => {
                "NPSN sekolah belum diisi. Isi NPSN (8 karakter) di Pengaturan koneksi, lalu coba lagi."
            }
            ErrorCode::SchoolNotFound => {
                "NPSN yang diisi tidak ditemukan di aplikasi Dapodik ini. Periksa NPSN di Pengaturan koneksi \
                 dan pastikan Dapodik yang dihubungi adalah milik sekolah ini."
            }
            ErrorCode::SemesterNotFound => {
                "Dapodik belum memiliki semester aktif. Buka Dapodik, aktifkan semester berjalan (lakukan \
                 registrasi/pemutakhiran semester), lalu coba lagi."
            }
            ErrorCode::WrongSchool => {
                "Data yang dikirim Dapodik milik sekolah lain (NPSN berbeda dengan yang diisi). Tidak ada data \
                 yang disimpan. Periksa NPSN di Pengaturan koneksi, atau daftarkan ulang kunci Web Service \
                 untuk sekolah ini di Dapodik."
            }
            ErrorCode::FunctionMissing => {
                "Versi Dapodik ini tidak menyediakan fungsi Web Service yang diminta. Perbarui Dapodik ke \
                 versi terbaru."
            }
            ErrorCode::ResponseTooLarge => {
                "Jawaban Web Service Dapodik melebihi batas ukuran yang diizinkan, sehingga tidak ada data \
                 yang disimpan. Periksa alamat Web Service di Pengaturan koneksi; jika benar, naikkan batas \
                 ukuran (DAPODIK_SYNC_MAX_RESPONSE_MB)."
            }
            ErrorCode::NotConfigured => {
                "Koneksi ke Dapodik belum diatur. Isi alamat Web Service, NPSN dan kunci di Pengaturan \
                 koneksi, atau gunakan Mode Demo."
            }
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from talking to the Web Service: a stable code plus technical detail free of personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct WsError {
    pub code: ErrorCode,
    /// Technical context for logs and support (never personal data, never the key).
    pub detail: String,
}

impl WsError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        WsError {
            code,
            detail: detail.into(),
        }
    }

    pub fn retryable(&self) -> bool {
        self.code.retryable()
    }

    /// The operator-facing message (Indonesian).
    pub fn message(&self) -> &'static str {
        self.code.message()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_serialise_as_their_names() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert!(!code.message().is_empty());
        }
    }

    #[test]
    fn only_transport_and_server_faults_are_retryable() {
        let retryable: Vec<_> = ErrorCode::ALL
            .into_iter()
            .filter(|c| c.retryable())
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            retryable,
            [
                "dapodik_unreachable",
                "timeout",
                "server_fault",
                "malformed_response"
            ]
        );
    }
}
