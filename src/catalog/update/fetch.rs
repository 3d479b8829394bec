//! HTTP for the price list: HTTPS only (plain HTTP only to loopback, for tests), timeouts,
//! bounded retries with backoff, and a size limit enforced while the body streams.

use std::io::Read;
use std::time::Duration;

use crate::error::{Error, Result};

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Seconds a whole request may take, body included.
    pub timeout_s: u64,
    /// Attempts after the first, on connection errors, timeouts and 5xx answers.
    pub retries: u32,
    /// Seconds before the first retry; each further retry waits twice as long.
    pub backoff_s: f64,
    /// Largest body accepted, bytes.
    pub max_bytes: u64,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout_s: 900,
            retries: 3,
            backoff_s: 1.0,
            max_bytes: 2 << 30,
        }
    }
}

/// A blocking HTTP client with the options applied.
pub(crate) struct Fetcher {
    client: reqwest::blocking::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub(crate) fn new(options: FetchOptions) -> Result<Fetcher> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(options.timeout_s))
            .connect_timeout(Duration::from_secs(options.timeout_s.min(30)))
            .user_agent(concat!("costcast/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot set up HTTP: {e}")))?;
        Ok(Fetcher { client, options })
    }

    /// Runs `read` on the body of `url`, retrying the whole request on failures that
    /// may pass (connection, timeout, 5xx, a body cut short).
    pub(crate) fn with_body<T>(
        &self,
        url: &str,
        mut read: impl FnMut(&mut dyn Read) -> Result<T>,
    ) -> Result<T> {
        check_url(url)?;
        let mut attempt = 0;
        loop {
            match self.try_once(url, &mut read) {
                Ok(value) => return Ok(value),
                Err((error, retryable)) if retryable && attempt < self.options.retries => {
                    drop(error);
                    let wait = self.options.backoff_s * f64::from(2u32.saturating_pow(attempt));
                    std::thread::sleep(Duration::from_secs_f64(wait.max(0.0)));
                    attempt += 1;
                }
                Err((error, _)) => return Err(error),
            }
        }
    }

    fn try_once<T>(
        &self,
        url: &str,
        read: &mut impl FnMut(&mut dyn Read) -> Result<T>,
    ) -> Result<T, (Error, bool)> {
        let fail = |message: String, retryable: bool| {
            (
                Error::Fetch {
                    url: url.to_string(),
                    message,
                },
                retryable,
            )
        };
        let response = self.client.get(url).send().map_err(|e| {
            fail(
                describe(&e),
                e.is_timeout() || e.is_connect() || e.is_request(),
            )
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(
                format!("the server answered {status}"),
                status.is_server_error(),
            ));
        }
        if let Some(length) = response.content_length()
            && length > self.options.max_bytes
        {
            return Err(fail(
                format!(
                    "{length} bytes is over the {} byte limit (--max-mb)",
                    self.options.max_bytes
                ),
                false,
            ));
        }
        let mut limited = Limited {
            inner: response,
            left: self.options.max_bytes,
            limit: self.options.max_bytes,
        };
        match read(&mut limited) {
            Ok(value) => Ok(value),
            // A body cut short may pass on a retry; one over the size limit will not.
            Err(Error::Io { source, .. }) => {
                let retryable = source.kind() != std::io::ErrorKind::FileTooLarge;
                Err(fail(source_text(&source), retryable))
            }
            // A malformed file is the file's fault: said as it is, not retried.
            Err(other) => Err((other, false)),
        }
    }
}

fn source_text(e: &std::io::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// The error's chain in words (reqwest's top-level message alone is vague).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// Only HTTPS, except plain HTTP to this machine (loopback) for tests and mirrors.
pub(crate) fn check_url(url: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Fetch {
        url: url.to_string(),
        message: format!("not a URL: {e}"),
    })?;
    let host = parsed
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        scheme => Err(Error::Fetch {
            url: url.to_string(),
            message: format!(
                "`{scheme}` is not allowed: prices are fetched over HTTPS only (plain HTTP only from loopback)"
            ),
        }),
    }
}

/// A reader that fails once more than `limit` bytes have been read.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        if n64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("the body is over the {} byte limit (--max-mb)", self.limit),
            ));
        }
        self.left -= n64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(
            check_url("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json").is_ok()
        );
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://localhost:8080/x").is_ok());
        assert!(check_url("http://[::1]:8080/x").is_ok());
        let err = check_url("http://example.com/x").unwrap_err().to_string();
        assert!(err.contains("`http` is not allowed"), "{err}");
        assert!(check_url("ftp://127.0.0.1/x").is_err());
    }

    #[test]
    fn the_size_limit_holds_while_reading() {
        let mut r = Limited {
            inner: std::io::Cursor::new(vec![0u8; 100]),
            left: 50,
            limit: 50,
        };
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
    }
}
