//! Exports read back: the xlsx through calamine (identifier cells are strings with every digit), the
//! CSV byte by byte (BOM, quoting). The register is filled the real way: staged and applied.

#[path = "../../sync-core/tests/storage_support/mod.rs"]
mod storage_support;

use calamine::{open_workbook, Data, Reader, Xlsx};
use dapodik_webservice::Entity;
use register_export::{export_register, export_staging, ExportFormat, StagingExport};
use storage_support::*;
use sync_core::storage::ApplyRequest;
use sync_core::Store;

/// Three students: NISN with leading zeros, a 16-digit NIK, a phone number with a leading zero,
/// one name with a comma and a quote (CSV quoting).
fn register(store: &Store) -> i64 {
    let mut a = student(1, "SISWA SATU");
    a.insert("nomor_telepon_seluler".into(), "081234567890".into());
    let mut b = student(2, "SISWA \"DUA\", ANAK");
    b.insert("nisn".into(), "0098765432".into());
    b.insert("nik".into(), "3201014109876543".into());
    let c = student(3, "SISWA TIGA");
    let pull = Pull::default()
        .with(Entity::Sekolah, vec![school()])
        .with(Entity::PesertaDidik, vec![a, b, c]);
    let batch = running_batch(store, "20212345", 10);
    pull.stage(store, batch.id, 11).unwrap();
    let report = store
        .apply(
            &ApplyRequest {
                batch_id: Some(batch.id),
                statuses: None,
            },
            "tester",
            12,
        )
        .unwrap();
    assert_eq!(report.applied, 4);
    batch.id
}

fn column(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn xlsx_register_keeps_identifiers_as_text() {
    let (dir, store) = new_store();
    register(&store);
    let path = dir.path().join("register.xlsx");
    let report = export_register(
        &store,
        Entity::PesertaDidik,
        None,
        ExportFormat::Xlsx,
        &path,
    )
    .unwrap();
    assert_eq!(report.rows, 3);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), vec!["Peserta Didik".to_string()]);
    let range = book.worksheet_range("Peserta Didik").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 4, "header + 3");
    let header = rows[0];
    assert!(matches!(&header[0], Data::String(s) if s == "peserta_didik_id"));
    let (nisn, nik, hp, nama) = (
        column(header, "nisn"),
        column(header, "nik"),
        column(header, "nomor_telepon_seluler"),
        column(header, "nama"),
    );
    // Sorted by Dapodik id: uuid(1), uuid(2), uuid(3).
    assert_eq!(rows[1][nisn], Data::String("0000000001".into()));
    assert_eq!(rows[1][nik], Data::String("3201014100000001".into()));
    assert_eq!(rows[1][hp], Data::String("081234567890".into()));
    assert_eq!(rows[2][nisn], Data::String("0098765432".into()));
    assert_eq!(rows[2][nik], Data::String("3201014109876543".into()));
    assert_eq!(rows[2][nama], Data::String("SISWA \"DUA\", ANAK".into()));
    assert_eq!(rows[3][hp], Data::Empty);
    for r in &rows[1..] {
        let Data::String(n) = &r[nik] else {
            panic!("NIK not a string cell: {:?}", r[nik]);
        };
        assert_eq!(n.len(), 16);
    }
}

#[test]
fn xlsx_register_search_limits_rows() {
    let (dir, store) = new_store();
    register(&store);
    let path = dir.path().join("tiga.xlsx");
    let report = export_register(
        &store,
        Entity::PesertaDidik,
        Some("tiga"),
        ExportFormat::Xlsx,
        &path,
    )
    .unwrap();
    assert_eq!(report.rows, 1);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("Peserta Didik").unwrap();
    assert_eq!(range.rows().count(), 2);
}

#[test]
fn csv_register_has_bom_and_quotes() {
    let (dir, store) = new_store();
    register(&store);
    let path = dir.path().join("register.csv");
    let report =
        export_register(&store, Entity::PesertaDidik, None, ExportFormat::Csv, &path).unwrap();
    assert_eq!(report.rows, 3);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].starts_with("peserta_didik_id,nama,nisn,nik"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(",0000000001,3201014100000001,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("\"SISWA \"\"DUA\"\", ANAK\""),
        "{}",
        lines[2]
    );
}

#[test]
fn staging_export_lists_rows_with_status_and_identifiers() {
    let (dir, store) = new_store();
    let pull = Pull::default().with(
        Entity::PesertaDidik,
        vec![student(1, "SISWA SATU"), student(2, "SISWA DUA")],
    );
    let batch = running_batch(&store, "20212345", 10);
    pull.stage(&store, batch.id, 11).unwrap();
    let path = dir.path().join("staging.xlsx");
    let report =
        export_staging(&store, &StagingExport::default(), ExportFormat::Xlsx, &path).unwrap();
    assert_eq!(report.rows, 2);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("Staging").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows[0];
    let (status, nisn) = (column(header, "status"), column(header, "nisn"));
    assert_eq!(rows[1][status], Data::String("NEW".into()));
    let nisns: Vec<&Data> = rows[1..].iter().map(|r| &r[nisn]).collect();
    assert!(
        nisns.contains(&&Data::String("0000000002".into())),
        "{nisns:?}"
    );
}

#[test]
fn empty_staging_still_writes_a_header() {
    let (dir, store) = new_store();
    let path = dir.path().join("kosong.csv");
    let report =
        export_staging(&store, &StagingExport::default(), ExportFormat::Csv, &path).unwrap();
    assert_eq!(report.rows, 0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text
        .trim_start_matches('\u{feff}')
        .starts_with("staging_id,batch_id,entitas,status,alasan"));
}
