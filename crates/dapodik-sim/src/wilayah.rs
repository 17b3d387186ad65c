//! Kemendagri province and regency codes (the `PPRR` prefix of a NIK), from
//! `data/wilayah-kemendagri.csv`, compiled into the crate.

use std::sync::OnceLock;

const CSV: &str = include_str!("../data/wilayah-kemendagri.csv");

/// A province (`kode` two digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provinsi {
    pub kode: String,
    pub nama: String,
}

/// A regency or city (`kode` four digits: province + regency; regency part ≥ 71 is a city).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KabupatenKota {
    pub kode: String,
    pub kode_provinsi: String,
    /// As in the list, upper case: `BOGOR`.
    pub nama: String,
}

impl KabupatenKota {
    pub fn is_kota(&self) -> bool {
        self.kode[2..]
            .parse::<u32>()
            .map(|n| n >= 71)
            .unwrap_or(false)
    }

    /// `Bogor`, `Kepulauan Seribu` — for places of birth and addresses.
    pub fn nama_title(&self) -> String {
        title_case(&self.nama)
    }

    /// `Kab. Bogor` or `Kota Bogor`, as Dapodik writes `kabupaten_kota`.
    pub fn nama_dapodik(&self) -> String {
        if self.is_kota() {
            format!("Kota {}", self.nama_title())
        } else {
            format!("Kab. {}", self.nama_title())
        }
    }
}

/// The parsed list.
#[derive(Debug)]
pub struct Wilayah {
    pub provinsi: Vec<Provinsi>,
    pub kabupaten_kota: Vec<KabupatenKota>,
}

impl Wilayah {
    /// The compiled-in list, parsed once.
    pub fn get() -> &'static Wilayah {
        static W: OnceLock<Wilayah> = OnceLock::new();
        W.get_or_init(|| Wilayah::parse(CSV))
    }

    fn parse(csv: &str) -> Wilayah {
        let mut provinsi = Vec::new();
        let mut kabupaten_kota = Vec::new();
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
            if cols.len() < 4 {
                continue;
            }
            match cols[3] {
                "provinsi" => provinsi.push(Provinsi {
                    kode: cols[0].to_string(),
                    nama: cols[2].to_string(),
                }),
                "kabupaten/kota" => kabupaten_kota.push(KabupatenKota {
                    kode: cols[0].to_string(),
                    kode_provinsi: cols[1].to_string(),
                    nama: cols[2].to_string(),
                }),
                _ => {}
            }
        }
        Wilayah {
            provinsi,
            kabupaten_kota,
        }
    }

    pub fn provinsi_of(&self, kode: &str) -> Option<&Provinsi> {
        self.provinsi.iter().find(|p| p.kode == kode)
    }

    pub fn kabupaten_kota_of(&self, kode: &str) -> Option<&KabupatenKota> {
        self.kabupaten_kota.iter().find(|k| k.kode == kode)
    }

    /// Regencies of one province.
    pub fn in_provinsi<'a>(
        &'a self,
        kode_provinsi: &'a str,
    ) -> impl Iterator<Item = &'a KabupatenKota> + 'a {
        self.kabupaten_kota
            .iter()
            .filter(move |k| k.kode_provinsi == kode_provinsi)
    }
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = c == ' ' || c == '-' || c == '(' || c == '.';
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_list() {
        let w = Wilayah::get();
        assert_eq!(w.provinsi.len(), 33);
        assert_eq!(w.kabupaten_kota.len(), 497);
        let bogor = w.kabupaten_kota_of("3201").unwrap();
        assert_eq!(bogor.nama_dapodik(), "Kab. Bogor");
        assert_eq!(
            w.kabupaten_kota_of("3271").unwrap().nama_dapodik(),
            "Kota Bogor"
        );
        assert_eq!(w.provinsi_of("32").unwrap().nama, "Jawa Barat");
        assert!(w
            .kabupaten_kota
            .iter()
            .all(|k| k.kode.len() == 4 && k.kode.starts_with(&k.kode_provinsi)));
    }
}
