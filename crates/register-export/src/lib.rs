//! Export of the school's register and of a staged batch to Excel (`.xlsx`) and CSV.
//!
//! Identifiers (NIK, NISN, NUPTK, NIP, NPSN, NIPD, KK, phone numbers, postal codes …) are written as
//! TEXT cells with the text number format `@`, so Excel keeps a NISN's leading zeros and all 16 digits
//! of a NIK (as a number Excel would keep only 15 significant digits). Every string value is written
//! as a string, never guessed into a number or a date. CSV is UTF-8 with a byte-order mark (so Excel
//! reads the names right), comma separated, RFC 4180 quoting, CRLF line ends.
//!
//! Rows are read from the store one page at a time and written as they come (the xlsx sheet in
//! rust_xlsxwriter's constant-memory mode), so exporting 50,000 students never holds them all.
//! No Tauri here: the desktop shell and the CLI both call [`export_register`] / [`export_staging`].

use dapodik_webservice::{Entity, Record};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use sync_core::storage::{RegisterQuery, RegisterSort};
use sync_core::{StagingQuery, StagingStatus, Store, StoreError};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportReport {
    pub path: PathBuf,
    pub format: ExportFormat,
    /// Data rows (the header row not counted).
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl ExportError {
    /// A stable code for the frontend.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Store(e) => e.code(),
            ExportError::Xlsx(_) | ExportError::Io(_) => "export_failed",
        }
    }

    /// An Indonesian message without personal data.
    pub fn message_id(&self) -> String {
        match self {
            ExportError::Store(e) => e.message_id(),
            ExportError::Xlsx(_) | ExportError::Io(_) => {
                "Berkas ekspor tidak dapat ditulis. Periksa folder tujuan (izin tulis, ruang kosong, berkas sedang dibuka di Excel) lalu coba lagi.".to_string()
            }
        }
    }
}

/// Whether a field holds an identifier or a number-like code that must stay text.
pub fn is_identifier(field: &str) -> bool {
    const EXACT: &[&str] = &[
        "nik",
        "nisn",
        "nuptk",
        "nip",
        "npsn",
        "nipd",
        "nsm",
        "npwp",
        "no_kk",
        "nomor_kk",
        "kode_pos",
        "rt",
        "rw",
        "kode_wilayah",
        "no_kip",
        "nomor_kip",
        "no_kks",
        "no_kps",
        "nomor_kps",
        "no_rekening",
        "nomor_rekening",
        "no_registrasi_akta_lahir",
        "nik_ayah",
        "nik_ibu",
        "nik_wali",
        "niy_nigk",
    ];
    let f = field.to_ascii_lowercase();
    EXACT.contains(&f.as_str())
        || f.starts_with("nik_")
        || f.starts_with("nisn")
        || f.starts_with("nuptk")
        || f.starts_with("nip_")
        || f.contains("telepon")
        || f.contains("telp")
        || f.starts_with("no_hp")
        || f.starts_with("nomor_hp")
        || f.ends_with("_hp")
        || f == "hp"
        || f == "fax"
        || f.starts_with("nomor_fax")
}

/// Fields an operator looks for first (after the Dapodik id); the rest follow alphabetically.
const KEY_FIELDS: &[&str] = &[
    "nama",
    "npsn",
    "nisn",
    "nik",
    "nipd",
    "nuptk",
    "nip",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "nama_ibu",
    "nama_ibu_kandung",
    "nama_rombel",
    "tingkat_pendidikan_id",
];

/// The column order for a set of record fields.
pub fn order_columns(entity: Option<Entity>, keys: &BTreeSet<String>) -> Vec<String> {
    let mut first: Vec<String> = Vec::new();
    let ids: Vec<&str> = match entity {
        Some(e) => vec![e.id_field()],
        None => vec![
            "sekolah_id",
            "peserta_didik_id",
            "ptk_id",
            "rombongan_belajar_id",
        ],
    };
    for k in ids.into_iter().chain(KEY_FIELDS.iter().copied()) {
        if keys.contains(k) && !first.iter().any(|f| f == k) {
            first.push(k.to_string());
        }
    }
    let rest: Vec<String> = keys
        .iter()
        .filter(|k| !first.contains(k))
        .cloned()
        .collect();
    first.extend(rest);
    first
}

/// One cell as it will be written.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    /// Written as a text cell.
    Text(String),
    /// Written as a text cell with the text format (identifiers).
    Identifier(String),
    Number(f64),
    Bool(bool),
}

fn cell(field: &str, value: Option<&Value>) -> Cell {
    let ident = is_identifier(field);
    match value {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::String(s)) if ident => Cell::Identifier(s.clone()),
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(Value::Number(n)) if ident => Cell::Identifier(n.to_string()),
        Some(Value::Number(n)) => match n.as_f64() {
            // Excel keeps 15 significant digits: longer numbers are kept as text.
            Some(f) if f.abs() < 1.0e15 => Cell::Number(f),
            _ => Cell::Text(n.to_string()),
        },
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(v @ (Value::Array(_) | Value::Object(_))) => Cell::Text(v.to_string()),
    }
}

/// A sheet being written, xlsx or CSV, one row at a time (one per export: its size does not matter).
#[allow(clippy::large_enum_variant)]
enum Sink {
    Xlsx {
        workbook: Box<Workbook>,
        text: CellFormat,
        header: CellFormat,
        row: u32,
    },
    Csv {
        out: std::io::BufWriter<std::fs::File>,
    },
}

/// Excel's limit; beyond it rows are not written (the register of one school is far below it).
const XLSX_MAX_ROWS: u32 = 1_048_576;

impl Sink {
    fn create(format: ExportFormat, path: &Path, sheet: &str) -> Result<Sink, ExportError> {
        match format {
            ExportFormat::Xlsx => {
                let mut workbook = Workbook::new();
                workbook
                    .add_worksheet_with_constant_memory()?
                    .set_name(sheet)?
                    .set_freeze_panes(1, 0)?;
                Ok(Sink::Xlsx {
                    workbook: Box::new(workbook),
                    text: CellFormat::new().set_num_format("@"),
                    header: CellFormat::new().set_bold(),
                    row: 0,
                })
            }
            ExportFormat::Csv => {
                let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
                out.write_all("\u{feff}".as_bytes())?;
                Ok(Sink::Csv { out })
            }
        }
    }

    fn header(&mut self, names: &[String]) -> Result<(), ExportError> {
        let cells: Vec<Cell> = names.iter().map(|n| Cell::Text(n.clone())).collect();
        self.row(&cells, true)
    }

    fn row(&mut self, cells: &[Cell], is_header: bool) -> Result<(), ExportError> {
        match self {
            Sink::Xlsx {
                workbook,
                text,
                header,
                row,
            } => {
                if *row >= XLSX_MAX_ROWS {
                    return Ok(());
                }
                let sheet = workbook.worksheet_from_index(0)?;
                for (c, value) in cells.iter().enumerate() {
                    let col = c as u16;
                    match value {
                        Cell::Empty => {}
                        Cell::Text(s) if is_header => {
                            sheet.write_string_with_format(*row, col, s, header)?;
                        }
                        Cell::Text(s) => {
                            sheet.write_string(*row, col, s)?;
                        }
                        Cell::Identifier(s) => {
                            sheet.write_string_with_format(*row, col, s, text)?;
                        }
                        Cell::Number(n) => {
                            sheet.write_number(*row, col, *n)?;
                        }
                        Cell::Bool(b) => {
                            sheet.write_boolean(*row, col, *b)?;
                        }
                    }
                }
                *row += 1;
                Ok(())
            }
            Sink::Csv { out } => {
                let mut line = String::new();
                for (i, value) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    let s = match value {
                        Cell::Empty => String::new(),
                        Cell::Text(s) | Cell::Identifier(s) => s.clone(),
                        Cell::Number(n) => n.to_string(),
                        Cell::Bool(b) => b.to_string(),
                    };
                    if s.contains([',', '"', '\n', '\r', ';']) || s.starts_with(' ') {
                        line.push('"');
                        line.push_str(&s.replace('"', "\"\""));
                        line.push('"');
                    } else {
                        line.push_str(&s);
                    }
                }
                line.push_str("\r\n");
                out.write_all(line.as_bytes())?;
                Ok(())
            }
        }
    }

    fn finish(self, path: &Path) -> Result<(), ExportError> {
        match self {
            Sink::Xlsx { mut workbook, .. } => {
                workbook.save(path)?;
                Ok(())
            }
            Sink::Csv { mut out } => {
                out.flush()?;
                out.into_inner()
                    .map_err(|e| ExportError::Io(e.into_error()))?
                    .sync_all()?;
                Ok(())
            }
        }
    }
}

/// The sheet name of an entity (Excel allows at most 31 characters, no `/\?*[]:`).
fn sheet_name(entity: Option<Entity>) -> &'static str {
    match entity {
        Some(Entity::Sekolah) => "Sekolah",
        Some(Entity::PesertaDidik) => "Peserta Didik",
        Some(Entity::Gtk) => "GTK",
        Some(Entity::RombonganBelajar) => "Rombongan Belajar",
        None => "Staging",
    }
}

const PAGE: usize = 1000;

/// Calls `each` for every register record of `entity` matching `search`, in Dapodik-id order.
fn for_each_register(
    store: &Store,
    entity: Entity,
    search: Option<&str>,
    mut each: impl FnMut(&Record) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut offset = 0;
    loop {
        let page = store.register_page(&RegisterQuery {
            entity,
            search: search.map(str::to_string),
            sort: RegisterSort::DapodikId,
            descending: false,
            offset,
            limit: PAGE,
        })?;
        let n = page.rows.len();
        for r in &page.rows {
            each(&r.record)?;
        }
        if n < PAGE {
            return Ok(());
        }
        offset += n;
    }
}

/// Writes one entity's register (the local values: base plus local edits) to `path`.
pub fn export_register(
    store: &Store,
    entity: Entity,
    search: Option<&str>,
    format: ExportFormat,
    path: &Path,
) -> Result<ExportReport, ExportError> {
    let mut keys = BTreeSet::new();
    for_each_register(store, entity, search, |r| {
        keys.extend(r.keys().cloned());
        Ok(())
    })?;
    let columns = order_columns(Some(entity), &keys);
    let mut sink = Sink::create(format, path, sheet_name(Some(entity)))?;
    sink.header(&columns)?;
    let mut rows = 0;
    for_each_register(store, entity, search, |r| {
        let cells: Vec<Cell> = columns.iter().map(|c| cell(c, r.get(c))).collect();
        rows += 1;
        sink.row(&cells, false)
    })?;
    sink.finish(path)?;
    Ok(ExportReport {
        path: path.to_path_buf(),
        format,
        rows,
    })
}

/// Which staging rows to export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StagingExport {
    /// None: the newest staged batch.
    pub batch_id: Option<i64>,
    pub entity: Option<Entity>,
    pub status: Option<StagingStatus>,
    pub search: Option<String>,
}

fn for_each_staging(
    store: &Store,
    filter: &StagingExport,
    batch_id: Option<i64>,
    mut each: impl FnMut(&sync_core::StagingRow) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut offset = 0;
    loop {
        let page = store.staging_page(&StagingQuery {
            batch_id,
            entity: filter.entity,
            status: filter.status,
            search: filter.search.clone(),
            offset,
            limit: PAGE,
            ..Default::default()
        })?;
        let n = page.rows.len();
        for summary in &page.rows {
            if let Some(row) = store.staging_row(summary.id)? {
                each(&row)?;
            }
        }
        if n < PAGE {
            return Ok(());
        }
        offset += n;
    }
}

/// Writes staging rows (id, batch, entity, status, reasons, then the incoming record) to `path`.
pub fn export_staging(
    store: &Store,
    filter: &StagingExport,
    format: ExportFormat,
    path: &Path,
) -> Result<ExportReport, ExportError> {
    let batch_id = match filter.batch_id {
        Some(b) => Some(b),
        None => store.staging_latest_batch()?,
    };
    let mut keys = BTreeSet::new();
    if batch_id.is_some() {
        for_each_staging(store, filter, batch_id, |r| {
            keys.extend(r.record.keys().cloned());
            Ok(())
        })?;
    }
    let fixed = ["staging_id", "batch_id", "entitas", "status", "alasan"];
    let columns = order_columns(filter.entity, &keys);
    let header: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(columns.iter().cloned())
        .collect();
    let mut sink = Sink::create(format, path, sheet_name(None))?;
    sink.header(&header)?;
    let mut rows = 0;
    if batch_id.is_some() {
        for_each_staging(store, filter, batch_id, |r| {
            let mut cells = vec![
                Cell::Number(r.id as f64),
                Cell::Number(r.batch_id as f64),
                Cell::Text(r.entity.as_str().to_string()),
                Cell::Text(r.status.as_str().to_string()),
                Cell::Text(r.reasons.join("; ")),
            ];
            cells.extend(columns.iter().map(|c| cell(c, r.record.get(c))));
            rows += 1;
            sink.row(&cells, false)
        })?;
    }
    sink.finish(path)?;
    Ok(ExportReport {
        path: path.to_path_buf(),
        format,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_recognised() {
        for f in [
            "nik",
            "NISN",
            "nuptk",
            "nip",
            "npsn",
            "nipd",
            "nomor_telepon_seluler",
            "nomor_telepon_rumah",
            "nik_ayah",
            "kode_pos",
        ] {
            assert!(is_identifier(f), "{f}");
        }
        for f in [
            "nama",
            "tanggal_lahir",
            "jumlah_saudara_kandung",
            "semester_id",
        ] {
            assert!(!is_identifier(f), "{f}");
        }
    }

    #[test]
    fn numbers_in_identifier_columns_become_text() {
        let v = serde_json::json!(12345);
        assert_eq!(cell("nisn", Some(&v)), Cell::Identifier("12345".into()));
        assert_eq!(cell("anak_keberapa", Some(&v)), Cell::Number(12345.0));
        let big = serde_json::json!(3201234567890123u64);
        assert_eq!(cell("x", Some(&big)), Cell::Text("3201234567890123".into()));
    }

    #[test]
    fn columns_put_the_id_and_key_fields_first() {
        let keys: BTreeSet<String> = ["zeta", "nisn", "nama", "peserta_didik_id", "alpha"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            order_columns(Some(Entity::PesertaDidik), &keys),
            vec!["peserta_didik_id", "nama", "nisn", "alpha", "zeta"]
        );
    }
}
