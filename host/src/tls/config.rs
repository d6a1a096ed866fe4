//! The options of TLS rules, turned into rustls configurations.
//!
//! Every file a rule names is read and checked here, while the command line
//! is parsed, so that a bad rule stops `wasock run` before the guest starts
//! (docs/tls.md). Configurations use the ring provider explicitly: the
//! process-wide default provider is never installed nor consulted, so an
//! embedder's own choice cannot change what a pool's rules mean.

use crate::pool::{canonical_ip, normalize_name, NamePattern, Ports};
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

/// The client side of a TLS rule: what a connection verifies against and presents.
pub struct TlsClient {
    /// The configuration connections are made with.
    pub config: Arc<ClientConfig>,
    /// The options as written (`ca=/etc/ca.pem,system-roots`), without `name=`.
    text: String,
}

/// The server side: the certificate a listener presents, client authentication.
pub struct TlsServer {
    /// The configuration accepted connections are served with.
    pub config: Arc<ServerConfig>,
    /// Whether clients must present a certificate (`client-ca=` was given).
    pub client_auth: bool,
    /// The options as written (`cert=/a.pem,key=/a.key`).
    text: String,
}

/// What makes an [`AddrRule`](crate::pool::AddrRule) a TLS rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsSide {
    /// `--tls-connect ...,name=NAME`: connections are TLS to `name`.
    Client {
        /// The name the server's certificate is verified against (and the SNI).
        name: ServerName<'static>,
        /// Trust and identity.
        client: Arc<TlsClient>,
    },
    /// `--allow-bind-tls` / `--tls-listen`: connections accepted are TLS.
    Server(Arc<TlsServer>),
}

/// `--allow-connect-tls PATTERN:PORTS[,OPTS]`: the names a guest may reach
/// over TLS with `connect_name`, and how those connections verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsNameRule {
    /// The names (or the address) it covers.
    pub pattern: TlsPattern,
    /// The ports it covers.
    pub ports: Ports,
    /// Trust and identity for its connections.
    pub client: Arc<TlsClient>,
}

/// What a [`TlsNameRule`] matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsPattern {
    /// Host names: exact, `*.suffix` or `*` (never an IP literal).
    Name(NamePattern),
    /// One address, given as an IP literal (IPv4-mapped IPv6 stored as IPv4).
    Ip(IpAddr),
}

const ALLOW_CONNECT_TLS: &str = "--allow-connect-tls";
/// The options of a client side; `--tls-connect` adds `name`.
const CLIENT_OPTIONS: &[&str] = &["ca", "system-roots", "cert", "key"];
const SERVER_OPTIONS: &[&str] = &["cert", "key", "client-ca"];

impl TlsNameRule {
    /// Parses `PATTERN:PORTS[,OPTS]`: `localhost:8443`, `*.example.com:443,ca=/ca.pem`,
    /// `127.0.0.1:8000-8100`, `[::1]:443`. Errors name the flag and the text
    /// (and the file, for a file that cannot be used).
    pub fn parse(text: &str) -> Result<TlsNameRule, String> {
        let err = |why: String| format!("{ALLOW_CONNECT_TLS} `{text}`: {why}");
        let (target, opts) = text.split_once(',').unwrap_or((text, ""));
        let (pattern, ports) = match target.strip_prefix('[') {
            Some(rest) => {
                let (ip, ports) = rest.split_once("]:").ok_or_else(|| err("expected `[ADDRESS]:PORTS`".into()))?;
                let ip = ip.parse::<IpAddr>().map_err(|_| err(format!("`{ip}` is not an IP address")))?;
                (TlsPattern::Ip(canonical_ip(ip)), ports)
            }
            None => {
                let (pattern, ports) = target.rsplit_once(':').ok_or_else(|| err("expected `PATTERN:PORTS`".into()))?;
                // `::1:443` could be either `[::1]:443` or `[::1:443]`: brackets decide.
                if pattern.contains(':') {
                    return Err(err("IPv6 addresses are bracketed: `[::1]:443`".into()));
                }
                let pattern = match pattern.parse::<IpAddr>() {
                    Ok(ip) => TlsPattern::Ip(ip),
                    Err(_) => TlsPattern::Name(NamePattern::parse_pattern(pattern).map_err(|why| err(why.into()))?),
                };
                (pattern, ports)
            }
        };
        let ports = ports.parse().map_err(err)?;
        let client = TlsClient::build(&Options::parse(opts, CLIENT_OPTIONS).map_err(err)?).map_err(err)?;
        Ok(TlsNameRule { pattern, ports, client: Arc::new(client) })
    }

    /// Whether the rule covers `name` (as the guest gave it: case-insensitive,
    /// a trailing dot is allowed) at `port`. An IP literal (`127.0.0.1`,
    /// `::1` or `[::1]`) matches only an address pattern, never a name pattern
    /// (not even `*`): names and addresses are granted separately.
    pub fn matches(&self, name: &str, port: u16) -> bool {
        if !self.ports.contains(port) {
            return false;
        }
        let literal = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
        match (literal.parse::<IpAddr>(), &self.pattern) {
            (Ok(ip), TlsPattern::Ip(p)) => canonical_ip(ip) == *p,
            (Err(_), TlsPattern::Name(p)) => p.matches(&normalize_name(name)),
            _ => false,
        }
    }
}

/// The rule as written: `--allow-connect-tls localhost:8443,ca=/path`.
impl fmt::Display for TlsNameRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pattern {
            TlsPattern::Name(p) => write!(f, "{ALLOW_CONNECT_TLS} {p}:{}", self.ports)?,
            TlsPattern::Ip(IpAddr::V6(ip)) => write!(f, "{ALLOW_CONNECT_TLS} [{ip}]:{}", self.ports)?,
            TlsPattern::Ip(ip) => write!(f, "{ALLOW_CONNECT_TLS} {ip}:{}", self.ports)?,
        }
        match self.client.text.as_str() {
            "" => Ok(()),
            text => write!(f, ",{text}"),
        }
    }
}

impl TlsSide {
    /// The client side of `--tls-connect` from its options: `name=NAME` and
    /// the client options. The error is the reason alone (the caller names
    /// the flag and text).
    pub(crate) fn client(opts: &str) -> Result<TlsSide, String> {
        let mut allowed = CLIENT_OPTIONS.to_vec();
        allowed.push("name");
        let o = Options::parse(opts, &allowed)?;
        let name = o.name.ok_or("`name=NAME` is required: the name the server's certificate must show")?;
        let literal = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
        let name = ServerName::try_from(literal.to_string())
            .map_err(|_| format!("name=`{name}` is neither a DNS name nor an IP address"))?;
        Ok(TlsSide::Client { name, client: Arc::new(TlsClient::build(&o)?) })
    }

    /// The server side of `--allow-bind-tls` and `--tls-listen` from their options.
    pub(crate) fn server(opts: &str) -> Result<TlsSide, String> {
        Ok(TlsSide::Server(Arc::new(TlsServer::build(&Options::parse(opts, SERVER_OPTIONS)?)?)))
    }
}

/// The options as written after the address: `name=localhost,ca=/tmp/ca.pem`.
impl fmt::Display for TlsSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSide::Client { name, client } if client.text.is_empty() => write!(f, "name={}", name.to_str()),
            TlsSide::Client { name, client } => write!(f, "name={},{}", name.to_str(), client.text),
            TlsSide::Server(server) => f.write_str(&server.text),
        }
    }
}

impl TlsClient {
    fn build(o: &Options<'_>) -> Result<TlsClient, String> {
        let mut roots = RootCertStore::empty();
        for file in &o.ca {
            add_roots(&mut roots, "ca", file)?;
        }
        // With no `ca=`, the system's roots are the trust source; with `ca=`
        // and `system-roots`, the files suffice when the system has none.
        if o.system_roots || o.ca.is_empty() {
            match system_roots() {
                Ok(system) => roots.roots.extend(system.roots.iter().cloned()),
                Err(e) if o.ca.is_empty() => return Err(e.clone()),
                Err(_) => {}
            }
        }
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots);
        let config = match (o.cert, o.key) {
            (None, None) => builder.with_no_client_auth(),
            (Some(cert), Some(key)) => builder
                .with_client_auth_cert(read_certs("cert", cert)?, read_key(key)?)
                .map_err(|e| identity_error(cert, key, e))?,
            _ => return Err("`cert=FILE` and `key=FILE` go together".into()),
        };
        Ok(TlsClient { config: Arc::new(config), text: o.text.clone() })
    }
}

impl TlsServer {
    fn build(o: &Options<'_>) -> Result<TlsServer, String> {
        let (Some(cert), Some(key)) = (o.cert, o.key) else {
            return Err("`cert=FILE` and `key=FILE` are required: the certificate the listener presents".into());
        };
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let builder = if o.client_ca.is_empty() {
            builder.with_no_client_auth()
        } else {
            let mut roots = RootCertStore::empty();
            for file in &o.client_ca {
                add_roots(&mut roots, "client-ca", file)?;
            }
            // Without `allow_unauthenticated`, the verifier requires a certificate.
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| format!("client-ca: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        };
        let mut config = builder
            .with_single_cert(read_certs("cert", cert)?, read_key(key)?)
            .map_err(|e| identity_error(cert, key, e))?;
        // The guest speaks one protocol over the socket; nothing is negotiated.
        config.alpn_protocols = Vec::new();
        Ok(TlsServer { config: Arc::new(config), client_auth: !o.client_ca.is_empty(), text: o.text.clone() })
    }
}

/// One ring provider for every configuration.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(ring::default_provider())).clone()
}

/// The system's roots, loaded once however many rules trust them.
fn system_roots() -> &'static Result<RootCertStore, String> {
    static ROOTS: OnceLock<Result<RootCertStore, String>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(found.certs);
        if roots.is_empty() {
            let why = found.errors.first().map(|e| format!(" ({e})")).unwrap_or_default();
            return Err(format!("no system root certificates found{why}: give `ca=FILE`"));
        }
        Ok(roots)
    })
}

/// Adds every certificate of `file` (option `opt`) as a trust root.
fn add_roots(roots: &mut RootCertStore, opt: &str, file: &str) -> Result<(), String> {
    for cert in read_certs(opt, file)? {
        roots.add(cert).map_err(|e| format!("{opt}={file}: not a usable root certificate: {e}"))?;
    }
    Ok(())
}

/// The PEM certificates of `file`, at least one.
fn read_certs(opt: &str, file: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let err = |e: pem::Error| format!("{opt}={file}: {}", pem_reason(e));
    let certs: Vec<_> = CertificateDer::pem_file_iter(file).map_err(err)?.collect::<Result<_, _>>().map_err(err)?;
    if certs.is_empty() {
        return Err(format!("{opt}={file}: no certificate in the file (a PEM `CERTIFICATE` block)"));
    }
    Ok(certs)
}

/// The first PEM private key of `file` (PKCS#8, PKCS#1 or SEC1).
fn read_key(file: &str) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(file).map_err(|e| match e {
        pem::Error::NoItemsFound => format!("key={file}: no private key in the file (PKCS#8, PKCS#1 or SEC1 PEM)"),
        e => format!("key={file}: {}", pem_reason(e)),
    })
}

fn pem_reason(e: pem::Error) -> String {
    match e {
        pem::Error::Io(io) => io.to_string(),
        e => format!("not PEM: {e}"),
    }
}

/// A certificate and key rustls would not pair.
fn identity_error(cert: &str, key: &str, e: rustls::Error) -> String {
    match e {
        rustls::Error::InconsistentKeys(_) => format!("key={key} does not match the certificate in cert={cert}"),
        e => format!("cert={cert},key={key}: {e}"),
    }
}

/// A rule's options, gathered from the comma-separated words after its address.
#[derive(Default)]
struct Options<'a> {
    ca: Vec<&'a str>,
    system_roots: bool,
    cert: Option<&'a str>,
    key: Option<&'a str>,
    client_ca: Vec<&'a str>,
    name: Option<&'a str>,
    /// The options as written, less `name=` (which the client side keeps as a `ServerName`).
    text: String,
}

impl<'a> Options<'a> {
    /// Parses `key=value` words and bare flags, taking only the keys in `allowed`.
    fn parse(text: &'a str, allowed: &[&str]) -> Result<Options<'a>, String> {
        let mut o = Options::default();
        let mut kept = Vec::new();
        // Empty words (a trailing comma, `,,`) say nothing and are skipped.
        for word in text.split(',').filter(|w| !w.is_empty()) {
            let (key, raw) = match word.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (word, None),
            };
            if !allowed.contains(&key) {
                return Err(format!("unknown option `{word}` (expected {})", allowed.join(", ")));
            }
            let value = || raw.filter(|v| !v.is_empty()).ok_or_else(|| format!("`{key}=` needs a value"));
            let once = |slot: &mut Option<&'a str>| match slot.replace(value()?) {
                Some(_) => Err(format!("`{key}=` is given twice")),
                None => Ok(()),
            };
            match key {
                "system-roots" if raw.is_some() => return Err("`system-roots` takes no value".into()),
                "system-roots" => o.system_roots = true,
                "ca" => o.ca.push(value()?),
                "client-ca" => o.client_ca.push(value()?),
                "cert" => once(&mut o.cert)?,
                "key" => once(&mut o.key)?,
                _ => once(&mut o.name)?,
            }
            if key != "name" {
                kept.push(word);
            }
        }
        o.text = kept.join(",");
        Ok(o)
    }
}

/// By the options as written: two rules with the same options trust and present the same files.
impl PartialEq for TlsClient {
    fn eq(&self, other: &TlsClient) -> bool {
        self.text == other.text
    }
}

impl Eq for TlsClient {}

impl fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TlsClient").field(&self.text).finish()
    }
}

/// By the options as written, as for [`TlsClient`].
impl PartialEq for TlsServer {
    fn eq(&self, other: &TlsServer) -> bool {
        self.text == other.text
    }
}

impl Eq for TlsServer {}

impl fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TlsServer").field(&self.text).finish()
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
