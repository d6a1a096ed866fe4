//! Certificates generated at test time: two unrelated CAs and the leaf
//! certificates the TLS tests need, as PEM files for the host's rules and as
//! DER for the native peers' configurations.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use rcgen::string::Ia5String;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The name the server certificates (other than [`Pki::wrong_name`]) are for.
pub const SERVER_NAME: &str = "localhost";
/// The only name [`Pki::wrong_name`] is for.
pub const WRONG_NAME: &str = "wrong.example";
/// The client certificate's subject common name.
pub const CLIENT_CN: &str = "wasock test client";
/// The client certificate's DNS subject alternative name.
pub const CLIENT_DNS: &str = "client.wasock.test";
/// The client certificate's email subject alternative name.
pub const CLIENT_EMAIL: &str = "client@wasock.test";

/// A certificate and its key: PEM files, and the DER the native peers use.
pub struct Identity {
    /// The certificate, PEM (for `cert=`).
    pub cert: PathBuf,
    /// Its private key, PKCS#8 PEM (for `key=`).
    pub key: PathBuf,
    cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl Identity {
    /// The certificate's DER, as a peer receives it.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The chain to present: the leaf alone, since the peers trust its CA directly.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.cert_der.clone()]
    }

    /// The private key for a rustls configuration.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// A certificate authority: its certificate file and DER.
pub struct Authority {
    /// The CA certificate, PEM (for `ca=` and `client-ca=`).
    pub cert: PathBuf,
    cert_der: CertificateDer<'static>,
}

impl Authority {
    /// The CA certificate's DER, to put in a root store.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }
}

/// Everything the TLS tests trust and present, in a temporary directory
/// removed when the `Pki` is dropped.
pub struct Pki {
    dir: PathBuf,
    /// The CA the tests trust; it signed every leaf below.
    pub ca: Authority,
    /// A second CA that signed nothing here: trusting it alone, no leaf verifies.
    pub untrusted_ca: Authority,
    /// A server certificate for `localhost`, 127.0.0.1 and ::1.
    pub server: Identity,
    /// A client certificate: CN [`CLIENT_CN`], SANs [`CLIENT_DNS`] and [`CLIENT_EMAIL`].
    pub client: Identity,
    /// A server certificate for [`WRONG_NAME`] only.
    pub wrong_name: Identity,
    /// A server certificate for `localhost` that expired in 2001.
    pub expired: Identity,
}

impl Pki {
    /// Generates a fresh set (ECDSA P-256 keys: a few milliseconds).
    pub fn generate() -> Pki {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wasock-pki-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the PKI directory");

        let (ca, issuer) = authority(&dir, "ca", "wasock test CA");
        let (untrusted_ca, _) = authority(&dir, "untrusted-ca", "wasock untrusted CA");
        let localhost = || sans(&[SanType::DnsName(ia5(SERVER_NAME)), ip("127.0.0.1"), ip("::1")]);

        let server = leaf(&dir, "server", &issuer, server_params(localhost()));
        let wrong_name = leaf(&dir, "wrong-name", &issuer, server_params(sans(&[SanType::DnsName(ia5(WRONG_NAME))])));
        let mut old = server_params(localhost());
        old.not_before = date_time_ymd(2000, 1, 1);
        old.not_after = date_time_ymd(2001, 1, 1);
        let expired = leaf(&dir, "expired", &issuer, old);

        let mut client = sans(&[SanType::DnsName(ia5(CLIENT_DNS)), SanType::Rfc822Name(ia5(CLIENT_EMAIL))]);
        client.distinguished_name.push(DnType::CommonName, CLIENT_CN);
        client.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth);
        client.key_usages.push(KeyUsagePurpose::DigitalSignature);
        let client = leaf(&dir, "client", &issuer, client);

        Pki { dir, ca, untrusted_ca, server, client, wrong_name, expired }
    }

    /// The directory that holds the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ia5(s: &str) -> Ia5String {
    Ia5String::try_from(s).expect("an IA5 name")
}

fn ip(s: &str) -> SanType {
    SanType::IpAddress(s.parse().expect("an IP address"))
}

/// Parameters with these subject alternative names and a subject of their
/// own (rcgen's default common name would be the same for every certificate).
fn sans(names: &[SanType]) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.subject_alt_names = names.to_vec();
    p.distinguished_name.remove(DnType::CommonName);
    p.use_authority_key_identifier_extension = true;
    p
}

fn server_params(mut p: CertificateParams) -> CertificateParams {
    if let Some(SanType::DnsName(n)) = p.subject_alt_names.first() {
        let cn = n.as_str().to_string();
        p.distinguished_name.push(DnType::CommonName, cn);
    }
    p.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
    p.key_usages.push(KeyUsagePurpose::DigitalSignature);
    p
}

fn write(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// A self-signed CA named `cn`, written as `FILE.pem`, and the issuer that signs with it.
fn authority(dir: &Path, file: &str, cn: &str) -> (Authority, Issuer<'static, KeyPair>) {
    let mut p = CertificateParams::default();
    p.distinguished_name.remove(DnType::CommonName);
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().expect("a CA key");
    let cert = p.self_signed(&key).expect("a self-signed CA");
    let ca = Authority { cert: write(dir, &format!("{file}.pem"), &cert.pem()), cert_der: cert.der().clone() };
    (ca, Issuer::new(p, key))
}

/// A leaf certificate signed by `issuer`, written as `FILE.pem` and `FILE-key.pem`.
fn leaf(dir: &Path, file: &str, issuer: &Issuer<'static, KeyPair>, params: CertificateParams) -> Identity {
    let key = KeyPair::generate().expect("a leaf key");
    let cert = params.signed_by(&key, issuer).expect("a signed leaf");
    Identity {
        cert: write(dir, &format!("{file}.pem"), &cert.pem()),
        key: write(dir, &format!("{file}-key.pem"), &key.serialize_pem()),
        cert_der: cert.der().clone(),
        key_der: key.serialize_der(),
    }
}
