//! The one way the collector reads the web. Every fetch:
//! - times out on connect, on each read, and as a whole (a server that
//!   sends a byte a second is cut off);
//! - follows at most 5 redirects and refuses a loop;
//! - stops reading past a size cap, counted after decompression (gzip,
//!   deflate, br), so a compression bomb is cut off as it inflates;
//! - refuses addresses inside the machine or the private network (unless
//!   configured, as tests on 127.0.0.1 are): checked on the name's every
//!   resolved address and on every redirect;
//! - sends the validators of the last fetch (conditional GET) and reports
//!   `304 Not Modified`;
//! - waits its turn per host (a few at once), and reports a server's
//!   `Retry-After`.
//!
//! Failures carry their grade ([`Failure`]) and a Vietnamese message.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canhgiac_domain::Failure;
use futures_util::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap};
use tokio::sync::Semaphore;

/// How the fetcher behaves.
#[derive(Clone, Debug)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// Between two reads of the body.
    pub read_timeout: Duration,
    /// For the whole exchange, body included.
    pub total_timeout: Duration,
    /// The largest body read, after decompression.
    pub max_body: usize,
    pub max_redirects: usize,
    /// Fetches at once to one host.
    pub per_host: usize,
    /// Allow loopback and private addresses (tests; an intranet portal).
    pub allow_private: bool,
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_body: 20 * 1024 * 1024,
            max_redirects: 5,
            per_host: 2,
            allow_private: false,
            user_agent: concat!("canhgiac/", env!("CARGO_PKG_VERSION"), " (theo doi bao chi)").to_owned(),
        }
    }
}

/// The validators of the last fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A body fetched.
#[derive(Clone, Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub final_url: String,
    pub status: u16,
    pub validators: Validators,
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
}

#[derive(Clone, Debug)]
pub enum Fetched {
    NotModified { max_age: Option<Duration> },
    Body(Body),
}

/// A fetch that failed: how badly, why (Vietnamese), and when the server
/// asked to be tried again.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub failure: Failure,
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl FetchError {
    fn new(failure: Failure, message: impl Into<String>) -> Self {
        FetchError {
            failure,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Whether an address is one the collector may reach on the open web.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

/// Resolves names and drops every address that is not public.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host}: địa chỉ nội bộ hoặc không phân giải được").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether a URL may be fetched: http(s), and no private IP literal.
fn url_allowed(url: &url::Url, allow_private: bool) -> Result<(), String> {
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("chỉ lấy được địa chỉ http, https: «{url}»"));
    }
    if allow_private {
        return Ok(());
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
            Err(format!("địa chỉ nội bộ, không được lấy: «{url}»"))
        }
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            Err(format!("địa chỉ nội bộ, không được lấy: «{url}»"))
        }
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") => {
            Err(format!("địa chỉ nội bộ, không được lấy: «{url}»"))
        }
        None => Err(format!("địa chỉ thiếu tên máy: «{url}»")),
        _ => Ok(()),
    }
}

/// The collector's HTTP client.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher").field("config", &self.config).finish()
    }
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Self, crate::IngestError> {
        let allow_private = config.allow_private;
        let max = config.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max {
                return attempt.error(format!("chuyển hướng quá {max} lần"));
            }
            if attempt.previous().iter().any(|u| u == attempt.url()) {
                return attempt.error("chuyển hướng vòng tròn");
            }
            if let Err(why) = url_allowed(attempt.url(), allow_private) {
                return attempt.error(why);
            }
            attempt.follow()
        });
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .redirect(policy)
            .user_agent(config.user_agent.clone())
            .gzip(true)
            .brotli(true)
            .deflate(true);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder
            .build()
            .map_err(|e| crate::IngestError::Setup(format!("không tạo được trình tải: {e}")))?;
        Ok(Fetcher {
            client,
            config,
            hosts: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    fn host_gate(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        hosts
            .entry(host.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.config.per_host.max(1))))
            .clone()
    }

    /// `url` parsed and allowed (http(s), no private address unless
    /// allowed), with its host's turn: held while the exchange lasts.
    async fn admit(&self, url: &str) -> Result<(url::Url, tokio::sync::OwnedSemaphorePermit), FetchError> {
        let parsed = url::Url::parse(url.trim())
            .map_err(|_| FetchError::new(Failure::Hard, format!("địa chỉ không hợp lệ: «{url}»")))?;
        url_allowed(&parsed, self.config.allow_private).map_err(|m| FetchError::new(Failure::Hard, m))?;
        let turn = self
            .host_gate(parsed.host_str().unwrap_or_default())
            .acquire_owned()
            .await
            .map_err(|_| FetchError::new(Failure::Temporary, "trình tải đang dừng"))?;
        Ok((parsed, turn))
    }

    /// Fetches `url`, conditionally when `validators` are given.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let (parsed, _turn) = self.admit(url).await?;
        let mut req = self.client.get(parsed.clone());
        if let Some(e) = &validators.etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(l) = &validators.last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, l);
        }
        let resp = req.send().await.map_err(|e| classify_error(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let max_age = max_age(&headers);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified { max_age });
        }
        if !status.is_success() {
            let mut err = match status.as_u16() {
                429 | 503 => FetchError::new(Failure::Temporary, format!("máy chủ bận (mã {})", status.as_u16())),
                s if s >= 500 => FetchError::new(Failure::Soft, format!("máy chủ báo lỗi (mã {s})")),
                404 | 410 => FetchError::new(Failure::Hard, format!("không còn trang này (mã {})", status.as_u16())),
                s => FetchError::new(Failure::Hard, format!("máy chủ từ chối (mã {s})")),
            };
            err.retry_after = retry_after(&headers);
            return Err(err);
        }
        let final_url = resp.url().to_string();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cap = self.config.max_body;
        if resp.content_length().is_some_and(|n| n > cap as u64) && headers.get(header::CONTENT_ENCODING).is_none() {
            return Err(too_big(cap));
        }
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| classify_error(&e))?;
            if bytes.len() + chunk.len() > cap {
                return Err(too_big(cap));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Fetched::Body(Body {
            bytes,
            content_type,
            final_url,
            status: status.as_u16(),
            validators: Validators {
                etag: text(header::ETAG),
                last_modified: text(header::LAST_MODIFIED),
            },
            max_age,
        }))
    }
}

impl Fetcher {
    /// Sends `body` as JSON to `url` (a webhook) under the same rules as a
    /// fetch: http(s) only, no private address unless allowed, on every
    /// redirect hop too, and the same timeouts. The answer's body is not
    /// read; a status outside 2xx is a failure.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<u16, FetchError> {
        let (parsed, _turn) = self.admit(url).await?;
        let bytes = serde_json::to_vec(body).map_err(|e| FetchError::new(Failure::Hard, e.to_string()))?;
        let resp = self
            .client
            .post(parsed)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(bytes)
            .send()
            .await
            .map_err(|e| classify_error(&e))?;
        let status = resp.status().as_u16();
        if !resp.status().is_success() {
            let failure = if status == 429 || status >= 500 {
                Failure::Temporary
            } else {
                Failure::Hard
            };
            let mut err = FetchError::new(failure, format!("địa chỉ nhận từ chối (mã {status})"));
            err.retry_after = retry_after(resp.headers());
            return Err(err);
        }
        Ok(status)
    }
}

fn too_big(cap: usize) -> FetchError {
    FetchError::new(
        Failure::Hard,
        format!("nội dung lớn quá {} MB (kể cả sau khi giải nén)", cap / (1024 * 1024)),
    )
}

fn classify_error(e: &reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut chain = String::new();
    while let Some(s) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::info!(error = %chain, "fetch failed");
    if e.is_timeout() {
        FetchError::new(Failure::Temporary, "hết thời gian chờ máy chủ trả lời")
    } else if e.is_redirect() {
        let why = if chain.contains("vòng tròn") {
            "chuyển hướng vòng tròn"
        } else if chain.contains("nội bộ") {
            "chuyển hướng tới địa chỉ nội bộ"
        } else {
            "chuyển hướng quá nhiều lần"
        };
        FetchError::new(Failure::Hard, why)
    } else if e.is_connect() {
        if chain.contains("nội bộ") {
            FetchError::new(Failure::Hard, "tên máy trỏ tới địa chỉ nội bộ, không được lấy")
        } else {
            FetchError::new(Failure::Temporary, "không kết nối được tới máy chủ")
        }
    } else if e.is_decode() || e.is_body() {
        FetchError::new(Failure::Soft, "nội dung truyền về bị hỏng hoặc bị cắt")
    } else {
        FetchError::new(Failure::Soft, "lỗi khi tải")
    }
}

fn max_age(h: &HeaderMap) -> Option<Duration> {
    let cc = h.get(header::CACHE_CONTROL)?.to_str().ok()?;
    cc.split(',').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        (k.eq_ignore_ascii_case("max-age"))
            .then(|| v.trim().parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(header::RETRY_AFTER)?.to_str().ok()?.trim().to_owned();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(&v).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["14.225.0.1", "8.8.8.8", "2001:4860::8888"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(url_allowed(&u("http://169.254.169.254/latest/meta-data"), false).is_err());
        assert!(url_allowed(&u("http://localhost:8080/"), false).is_err());
        assert!(url_allowed(&u("http://[::1]/"), false).is_err());
        assert!(url_allowed(&u("file:///etc/passwd"), true).is_err());
        assert!(url_allowed(&u("https://baobacgiang.vn/rss"), false).is_ok());
        assert!(url_allowed(&u("http://127.0.0.1:9/"), true).is_ok());
    }

    #[test]
    fn cache_headers_are_read() {
        let mut h = HeaderMap::new();
        h.insert(header::CACHE_CONTROL, "public, max-age=1800".parse().unwrap());
        h.insert(header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(max_age(&h), Some(Duration::from_secs(1800)));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
    }
}
