//! The one-shot loopback listener that receives the authorization response (RFC 8252 §7.3): bound to
//! 127.0.0.1 on a random port (or the first free port of a fixed list), it answers exactly one request
//! on the redirect path with a short Indonesian page and hands the full callback URL to the caller.
//! Requests for other paths (a browser's `/favicon.ico`) get a 404 and do not end the wait.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::SsoError;

/// The most bytes read of one request head.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

const DONE_PAGE: &str = "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
<title>Dapodik Sync</title></head><body style=\"font-family:sans-serif\">\
<h1>Proses masuk SSO SDS diterima</h1>\
<p>Silakan tutup tab ini dan kembali ke aplikasi Dapodik Sync.</p></body></html>";

/// A bound loopback listener and the redirect URI that points at it.
#[derive(Debug)]
pub(crate) struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: Url,
    path: String,
}

impl LoopbackListener {
    /// Binds 127.0.0.1: a random port when `ports` is empty, else the first free one of `ports`.
    pub(crate) async fn bind(ports: &[u16], path: &str) -> Result<Self, SsoError> {
        let listener = if ports.is_empty() {
            TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| SsoError::Loopback(e.to_string()))?
        } else {
            let mut bound = None;
            for &port in ports {
                match TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(l) => {
                        bound = Some(l);
                        break;
                    }
                    Err(e) => {
                        tracing::debug!(port, error = %e, "redirect port busy, trying the next")
                    }
                }
            }
            bound.ok_or_else(|| SsoError::NoFreePort {
                ports: ports.to_vec(),
            })?
        };
        let port = listener
            .local_addr()
            .map_err(|e| SsoError::Loopback(e.to_string()))?
            .port();
        let redirect_uri = Url::parse(&format!("http://127.0.0.1:{port}{path}"))
            .map_err(|e| SsoError::Config(format!("redirect URI: {e}")))?;
        Ok(LoopbackListener {
            listener,
            redirect_uri,
            path: path.to_string(),
        })
    }

    pub(crate) fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits for the request on the redirect path and returns its full URL.
    pub(crate) async fn accept_callback(&self, timeout: Duration) -> Result<Url, SsoError> {
        tokio::time::timeout(timeout, async {
            loop {
                let (stream, _) = self
                    .listener
                    .accept()
                    .await
                    .map_err(|e| SsoError::Loopback(e.to_string()))?;
                // A client that connects and says nothing must not block the sign-in.
                match tokio::time::timeout(Duration::from_secs(10), self.serve(stream)).await {
                    Ok(Ok(Some(url))) => return Ok(url),
                    Ok(Ok(None)) => continue,
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "loopback request failed");
                        continue;
                    }
                    Err(_) => continue,
                }
            }
        })
        .await
        .map_err(|_| SsoError::Timeout)?
    }

    /// Serves one connection: `Some(url)` for the callback, `None` for anything else.
    async fn serve(&self, mut stream: TcpStream) -> std::io::Result<Option<Url>> {
        let mut head = Vec::with_capacity(1024);
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await?;
            if n == 0 || head.len() + n > MAX_REQUEST_HEAD {
                return Ok(None);
            }
            head.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&head);
        let mut parts = head.lines().next().unwrap_or("").split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let url = self.redirect_uri.join(target).ok();
        let is_callback = method == "GET"
            && target.starts_with('/')
            && url.as_ref().is_some_and(|u| u.path() == self.path);
        if is_callback {
            respond(&mut stream, "200 OK", DONE_PAGE).await?;
            Ok(url)
        } else {
            respond(&mut stream, "404 Not Found", "Tidak ditemukan").await?;
            Ok(None)
        }
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn random_port_serves_one_callback_and_ignores_other_paths() {
        let l = LoopbackListener::bind(&[], "/callback").await.unwrap();
        let base = l.redirect_uri().clone();
        assert_eq!(base.host_str(), Some("127.0.0.1"));
        assert_ne!(base.port(), Some(0));
        let port = base.port().unwrap();
        let client = tokio::spawn(async move {
            let favicon = get(&format!("http://127.0.0.1:{port}/favicon.ico")).await;
            let cb = get(&format!(
                "http://127.0.0.1:{port}/callback?code=abc&state=xyz"
            ))
            .await;
            (favicon, cb)
        });
        let url = l.accept_callback(Duration::from_secs(10)).await.unwrap();
        assert_eq!(url.path(), "/callback");
        assert_eq!(url.query(), Some("code=abc&state=xyz"));
        let (favicon, cb) = client.await.unwrap();
        assert_eq!(favicon.0, 404);
        assert_eq!(cb.0, 200);
        assert!(cb.1.contains("kembali ke aplikasi"));
        // One-shot: dropping it frees the port.
        drop(l);
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
    }

    #[tokio::test]
    async fn fixed_ports_fall_back_to_the_next_free_one() {
        let busy = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let busy_port = busy.local_addr().unwrap().port();
        let free_port = {
            let probe = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
            probe.local_addr().unwrap().port()
        };
        let l = LoopbackListener::bind(&[busy_port, free_port], "/cb")
            .await
            .unwrap();
        assert_eq!(l.redirect_uri().port(), Some(free_port));
        assert_eq!(l.redirect_uri().path(), "/cb");

        let err = LoopbackListener::bind(&[busy_port], "/cb")
            .await
            .unwrap_err();
        assert!(matches!(err, SsoError::NoFreePort { .. }));
    }

    #[tokio::test]
    async fn times_out_without_a_callback() {
        let l = LoopbackListener::bind(&[], "/callback").await.unwrap();
        let err = l
            .accept_callback(Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(err, SsoError::Timeout));
    }
}
