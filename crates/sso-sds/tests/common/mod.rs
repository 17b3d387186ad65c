//! Test harness: a real OpenID Connect provider (`node tests/oidc/provider.mjs`, the npm package
//! oidc-provider) on 127.0.0.1, and a scripted "browser" that drives its sign-in pages with plain HTTP.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use reqwest::redirect::Policy;
use serde_json::Value;
use sso_sds::{MemoryRefreshTokens, SsoClient, SsoConfig};
use url::Url;

pub const CLIENT_ID: &str = "dapodik-sync-test";

/// A running provider; killed when dropped.
pub struct Provider {
    child: Child,
    // Kept open so a late write by the provider never hits a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tests/oidc` of the workspace, found upwards from the crate using this harness (the desktop shell's
/// tests include it too).
fn oidc_dir() -> PathBuf {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|d| d.join("tests/oidc"))
        .find(|d| d.join("provider.mjs").is_file())
        .unwrap_or_else(|| crate_dir.join("../../tests/oidc"))
}

impl Provider {
    /// Starts the provider with extra environment (`OIDC_*`, see provider.mjs).
    pub fn start_with(env: &[(&str, &str)]) -> Provider {
        let dir = oidc_dir();
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test OIDC provider is not installed: run `npm ci` in tests/oidc (scripts/bootstrap.sh does)"
        );
        let mut cmd = Command::new("node");
        cmd.arg("provider.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .expect("node must be installed to run the OIDC provider");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("provider did not start ({e}): {line:?}"));
        Provider {
            child,
            _stdout: stdout,
            issuer: v["issuer"].as_str().unwrap().to_string(),
        }
    }

    pub fn start() -> Provider {
        Provider::start_with(&[])
    }

    pub fn config(&self) -> SsoConfig {
        let mut c = SsoConfig::new(&self.issuer, CLIENT_ID);
        c.scopes = vec!["profile".into(), "offline_access".into(), "sds".into()];
        c
    }

    pub async fn client(&self) -> (SsoClient, Arc<MemoryRefreshTokens>) {
        self.client_with(self.config()).await
    }

    pub async fn client_with(&self, config: SsoConfig) -> (SsoClient, Arc<MemoryRefreshTokens>) {
        let store = Arc::new(MemoryRefreshTokens::new());
        let client = SsoClient::discover(config, store.clone()).await.unwrap();
        (client, store)
    }

    /// An endpoint from the discovery document.
    pub async fn endpoint(&self, name: &str) -> String {
        let doc: Value = reqwest::get(format!("{}/.well-known/openid-configuration", self.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        doc[name].as_str().unwrap().to_string()
    }

    /// Whether the discovery document lacks `name`.
    pub async fn endpoint_missing(&self, name: &str) -> bool {
        let doc: Value = reqwest::get(format!("{}/.well-known/openid-configuration", self.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        doc.get(name).is_none()
    }

    /// A raw token request (form), returning status and JSON body.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let r = reqwest::Client::new()
            .post(self.endpoint("token_endpoint").await)
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// A raw userinfo request with `access_token`: the HTTP status.
    pub async fn userinfo_status(&self, access_token: &str) -> u16 {
        reqwest::Client::new()
            .get(self.endpoint("userinfo_endpoint").await)
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// A scripted browser: follows redirects by hand, keeps cookies, fills the provider's login form with
/// the given login name and accepts the consent page. Stops at the first redirect that leaves the
/// provider (the authorization response) and returns that URL without fetching it.
pub struct Browser {
    http: reqwest::Client,
    login: String,
}

impl Browser {
    pub fn new(login: &str) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            login: login.to_string(),
        }
    }

    pub async fn authorize(&self, authorize_url: &Url) -> Url {
        let provider_origin = authorize_url.origin();
        let mut request = self.http.get(authorize_url.clone());
        for _ in 0..20 {
            let response = request.send().await.unwrap();
            let here = response.url().clone();
            let status = response.status();
            if status.is_redirection() {
                let location = response.headers()["location"].to_str().unwrap();
                let next = here.join(location).unwrap();
                if next.origin() != provider_origin {
                    return next;
                }
                request = self.http.get(next);
                continue;
            }
            let body = response.text().await.unwrap();
            assert!(status.is_success(), "provider answered {status}: {body}");
            let action = here.join(&attribute(&body, "action=\"")).unwrap();
            if body.contains("name=\"prompt\" value=\"login\"") {
                request = self.http.post(action).form(&[
                    ("prompt", "login"),
                    ("login", self.login.as_str()),
                    ("password", "rahasia"),
                ]);
            } else if body.contains("name=\"prompt\" value=\"consent\"") {
                request = self.http.post(action).form(&[("prompt", "consent")]);
            } else {
                panic!("unexpected page at {here}: {body}");
            }
        }
        panic!("too many steps in the sign-in pages");
    }

    /// Drives the sign-in and then delivers the authorization response to the app's loopback
    /// listener, like a real browser following the final redirect. Returns the listener's page.
    pub async fn sign_in_and_return(&self, authorize_url: &Url) -> String {
        let callback = self.authorize(authorize_url).await;
        reqwest::get(callback).await.unwrap().text().await.unwrap()
    }
}

fn attribute(html: &str, start: &str) -> String {
    let from = html.find(start).expect("form action") + start.len();
    let to = html[from..].find('"').unwrap() + from;
    html[from..to].replace("&amp;", "&")
}

/// An `open_url` for `SsoClient::sign_in` that runs `browser` on the URL in a task, recording the
/// URL and the page the loopback listener answered with.
pub fn open_with(
    browser: Browser,
    seen: Arc<std::sync::Mutex<Option<(Url, String)>>>,
) -> sso_sds::OpenUrl {
    Box::new(move |url: &Url| {
        let url = url.clone();
        tokio::spawn(async move {
            let page = browser.sign_in_and_return(&url).await;
            *seen.lock().unwrap() = Some((url, page));
        });
        Ok(())
    })
}

/// The value of a query parameter.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with query parameter `name` set to `value` (or removed when `None`).
pub fn with_param(url: &Url, name: &str, value: Option<&str>) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    out
}
