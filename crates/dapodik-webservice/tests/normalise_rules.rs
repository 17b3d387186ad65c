//! Normalisation rules, table-driven, and the masking helpers used in logs.

use dapodik_webservice::normalise::{normalise, normalise_owned};
use dapodik_webservice::privacy::{mask_digit_runs, mask_identifier, mask_name};
use dapodik_webservice::Entity;
use serde_json::{json, Value};

fn one(field: &str, raw: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(field.to_string(), raw);
    let out = normalise_owned(Entity::PesertaDidik, map);
    out.get(field)
        .cloned()
        .unwrap_or(Value::String("<dropped>".into()))
}

#[test]
fn field_rules_table() {
    let cases: Vec<(&str, Value, Value)> = vec![
        // ids and codes: string or number → string
        ("tingkat_pendidikan_id", json!(10), json!("10")),
        ("tingkat_pendidikan_id", json!("10"), json!("10")),
        ("agama_id", json!(1), json!("1")),
        ("jenis_pendaftaran_id", json!(" 1 "), json!("1")),
        ("berat_badan", json!(50), json!("50")),
        ("lintang", json!(-6.4801), json!("-6.4801")),
        // placeholders
        ("email", json!(""), Value::Null),
        ("email", json!("   "), Value::Null),
        ("pangkat_golongan_terakhir", json!("-"), Value::Null),
        ("pangkat_golongan_terakhir", json!(" - "), Value::Null),
        ("nama_wali", Value::Null, Value::Null),
        // "0": none in phones and UUID fields, a real code elsewhere
        ("nomor_telepon_seluler", json!("0"), Value::Null),
        ("nomor_telepon_rumah", json!("000"), Value::Null),
        ("nomor_telepon_rumah", json!(0), Value::Null),
        ("nomor_fax", json!("0"), Value::Null),
        (
            "nomor_telepon_seluler",
            json!("081200000001"),
            json!("081200000001"),
        ),
        ("induk_pembelajaran_id", json!("0"), Value::Null),
        ("ptk_id", json!(0), Value::Null),
        ("pekerjaan_wali_id", json!(0), json!("0")),
        ("kebutuhan_khusus_id", json!("0"), json!("0")),
        ("rt", json!("0"), json!("0")),
        ("nik", json!("0"), json!("0")),
        // UUIDs lower-case, wherever they are
        (
            "peserta_didik_id",
            json!("7E1F0A52-0003-4C3E-9D11-AA0000000003"),
            json!("7e1f0a52-0003-4c3e-9d11-aa0000000003"),
        ),
        (
            "id_ruang",
            json!(" F1F1F1F1-0000-4000-8000-00000000000A "),
            json!("f1f1f1f1-0000-4000-8000-00000000000a"),
        ),
        ("nama", json!("ABCDEF"), json!("ABCDEF")),
        // identifiers: exact strings, leading zeros kept
        ("nisn", json!("0071234567"), json!("0071234567")),
        ("nisn", json!(71234567), json!("0071234567")),
        ("nik", json!(9171014202080001u64), json!("9171014202080001")),
        ("nik", json!("3201051403090007"), json!("3201051403090007")),
        (
            "nuptk",
            json!(1953762664130142u64),
            json!("1953762664130142"),
        ),
        (
            "nip",
            json!("198406212010011007"),
            json!("198406212010011007"),
        ),
        (
            "nip",
            json!(198406212010011007u64),
            json!("198406212010011007"),
        ),
        // strings trimmed, inner whitespace kept
        ("nama", json!("  Putri Ayu\u{a0}"), json!("Putri Ayu")),
        ("nama", json!("Putri\tAyu"), json!("Putri\tAyu")),
        // booleans kept
        ("is_sks", json!(false), json!(false)),
        // the password hash is dropped
        ("password", json!("$2y$10$abcdef"), json!("<dropped>")),
    ];
    for (field, raw, expected) in cases {
        assert_eq!(one(field, raw.clone()), expected, "{field}: {raw}");
    }
}

#[test]
fn nested_arrays_are_normalised_element_wise() {
    let raw = json!({
        "rombongan_belajar_id": "B2A4C6E8-1111-4A2B-8C3D-5E6F7A8B9C01",
        "anggota_rombel": [
            {"peserta_didik_id": "7E1F0A52-0002-4C3E-9D11-AA0000000002", "jenis_pendaftaran_id": 1, "password": "x"}
        ],
        "pembelajaran": [{"mata_pelajaran_id": 800001000, "induk_pembelajaran_id": "", "jam_mengajar_per_minggu": "3"}],
        "rwy_pend_formal": [{"gelar": "-", "tahun_lulus": 2010}],
        "kode_list": [1, "-", " a "]
    });
    let record = normalise_owned(Entity::RombonganBelajar, raw.as_object().unwrap().clone());
    assert_eq!(
        Value::Object(record),
        json!({
            "rombongan_belajar_id": "b2a4c6e8-1111-4a2b-8c3d-5e6f7a8b9c01",
            "anggota_rombel": [{"peserta_didik_id": "7e1f0a52-0002-4c3e-9d11-aa0000000002", "jenis_pendaftaran_id": "1"}],
            "pembelajaran": [{"mata_pelajaran_id": "800001000", "induk_pembelajaran_id": null, "jam_mengajar_per_minggu": "3"}],
            "rwy_pend_formal": [{"gelar": null, "tahun_lulus": "2010"}],
            "kode_list": ["1", null, "a"]
        })
    );
}

#[test]
fn borrowed_and_owned_variants_agree() {
    let raw = json!({"nik": 9171014202080001u64, "nama": " A ", "ptk_id": "0", "password": "h"});
    let map = raw.as_object().unwrap().clone();
    assert_eq!(
        normalise(Entity::Gtk, &map),
        normalise_owned(Entity::Gtk, map.clone())
    );
    assert_eq!(
        map["nama"], " A ",
        "the borrowed variant leaves its input alone"
    );
}

#[test]
fn masking_for_logs() {
    assert_eq!(mask_identifier("3201051403090007"), "3201********0007");
    assert_eq!(mask_identifier("0091234561"), "0091**4561");
    assert_eq!(mask_identifier("12345"), "*****");
    assert_eq!(mask_identifier(""), "");
    assert_eq!(mask_name("Putri Ayu Lestari"), "P**** A** L******");
    assert_eq!(mask_name("  Rizky   Ramadhan "), "R**** R*******");
    assert_eq!(
        mask_digit_runs("NIK 3201051403090007, kelas 10"),
        "NIK 3201********0007, kelas 10"
    );
    assert_eq!(mask_digit_runs("telp 081200000001."), "telp 0812****0001.");
    assert_eq!(mask_digit_runs("line 412"), "line 412");
}
