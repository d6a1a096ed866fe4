//! Certificates for tests, made with rcgen into a fresh directory: a CA,
//! a server leaf for `localhost` and 127.0.0.1, a client leaf, all signed
//! by the CA, and a stray key that matches none of them.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The files of one test's certificates.
pub(crate) struct Certs {
    /// The directory, unique to the test (removed on drop).
    pub dir: PathBuf,
}

impl Certs {
    /// Writes `ca.pem`, `server.pem` + `server.key`, `client.pem` + `client.key`,
    /// `other.key`, `empty.pem` (no PEM block) and `key-only.pem` (a key, no certificate).
    pub fn new(test: &str) -> Certs {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wasock-tls-{test}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let certs = Certs { dir };
        certs.write("ca.pem", &ca.pem());
        for (name, sans) in [("server", vec!["localhost".to_string(), "127.0.0.1".into()]), ("client", vec![])] {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(sans).unwrap();
            params.distinguished_name.push(rcgen::DnType::CommonName, format!("{name}.test"));
            let cert = params.signed_by(&key, &ca).unwrap();
            certs.write(&format!("{name}.pem"), &cert.pem());
            certs.write(&format!("{name}.key"), &key.serialize_pem());
        }
        certs.write("other.key", &KeyPair::generate().unwrap().serialize_pem());
        certs.write("empty.pem", "not a certificate\n");
        certs.write("key-only.pem", &KeyPair::generate().unwrap().serialize_pem());
        certs
    }

    /// The path of one of the files, as a rule names it.
    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().expect("temp paths are UTF-8").to_string()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir.join(file), text).unwrap();
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
