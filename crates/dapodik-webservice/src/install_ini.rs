//! Where Dapodik listens: the Web Service port is `WebPort=` in `config\install.ini` under Dapodik's
//! install folder (default `C:\Program Files (x86)\Dapodik`); the installer takes the next free port
//! when 5774 is busy. Missing file, missing key or a bad value fall back to 5774.

use std::path::{Path, PathBuf};

/// Dapodik's default Web Service port.
pub const DEFAULT_PORT: u16 = 5774;

/// Dapodik's default install folder on Windows.
pub const DEFAULT_INSTALL_DIR: &str = r"C:\Program Files (x86)\Dapodik";

/// Where the port came from, so the UI can say so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum PortOrigin {
    /// Read from this install.ini.
    InstallIni { path: PathBuf },
    /// No usable install.ini: the default.
    Default,
}

/// The `install.ini` path under an install folder.
pub fn install_ini_path(install_dir: &Path) -> PathBuf {
    install_dir.join("config").join("install.ini")
}

/// `WebPort=` from the text of an install.ini (case-insensitive key, spaces tolerated, `;`/`#` comments,
/// any section). `None` when absent or not a valid port.
pub fn parse_web_port(text: &str) -> Option<u16> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().find_map(|line| {
        let line = line.trim();
        if line.starts_with(';') || line.starts_with('#') {
            return None;
        }
        let (key, value) = line.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("WebPort") {
            return None;
        }
        let value = value.trim().trim_matches('"');
        value.parse::<u16>().ok().filter(|p| *p != 0)
    })
}

/// The Web Service port of the Dapodik installed in `install_dir` (`None`: the default folder).
pub fn discover_port(install_dir: Option<&Path>) -> (u16, PortOrigin) {
    let dir = install_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INSTALL_DIR));
    let path = install_ini_path(&dir);
    match std::fs::read(&path) {
        Ok(bytes) => match parse_web_port(&String::from_utf8_lossy(&bytes)) {
            Some(port) => (port, PortOrigin::InstallIni { path }),
            None => (DEFAULT_PORT, PortOrigin::Default),
        },
        Err(_) => (DEFAULT_PORT, PortOrigin::Default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_web_port_in_its_many_spellings() {
        let cases = [
            ("[Dapodik]\r\nWebPort=5775\r\nDbPort=54532\r\n", Some(5775)),
            ("webport = 5780", Some(5780)),
            ("\u{feff}WebPort=\"5776\"", Some(5776)),
            ("; WebPort=1111\nWebPort=5777", Some(5777)),
            ("DbPort=54532", None),
            ("WebPort=", None),
            ("WebPort=99999", None),
            ("WebPort=0", None),
            ("WebPort=abc", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_web_port(text), want, "{text:?}");
        }
    }

    #[test]
    fn discovers_from_the_install_folder_or_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            discover_port(Some(dir.path())),
            (DEFAULT_PORT, PortOrigin::Default)
        );
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(install_ini_path(dir.path()), "[Web]\r\nWebPort=5781\r\n").unwrap();
        let (port, origin) = discover_port(Some(dir.path()));
        assert_eq!(port, 5781);
        assert_eq!(
            origin,
            PortOrigin::InstallIni {
                path: install_ini_path(dir.path())
            }
        );
    }
}
