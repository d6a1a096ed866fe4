use super::*;
use crate::tls::testcerts::Certs;
use rustls::{ClientConnection, ProtocolVersion, ServerConnection};

fn name_rule(text: &str) -> TlsNameRule {
    TlsNameRule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn client(certs: &Certs, opts: &str) -> Arc<TlsClient> {
    let opts = opts.replace("@", &certs.path(""));
    match TlsSide::client(&opts).unwrap_or_else(|e| panic!("{opts}: {e}")) {
        TlsSide::Client { client, .. } => client,
        TlsSide::Server(_) => unreachable!(),
    }
}

fn server(certs: &Certs, opts: &str) -> Result<Arc<TlsServer>, String> {
    match TlsSide::server(&opts.replace("@", &certs.path("")))? {
        TlsSide::Server(server) => Ok(server),
        TlsSide::Client { .. } => unreachable!(),
    }
}

/// Runs a handshake in memory; the version negotiated, or the first side's error.
fn handshake(
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    name: &str,
) -> Result<ProtocolVersion, rustls::Error> {
    let mut c = ClientConnection::new(client, ServerName::try_from(name.to_string()).unwrap())?;
    let mut s = ServerConnection::new(server)?;
    for _ in 0..10 {
        let mut wire = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut wire).unwrap();
        }
        // An empty read would be the end of the stream.
        if !wire.is_empty() {
            s.read_tls(&mut wire.as_slice()).unwrap();
            s.process_new_packets()?;
        }
        wire.clear();
        while s.wants_write() {
            s.write_tls(&mut wire).unwrap();
        }
        if !wire.is_empty() {
            c.read_tls(&mut wire.as_slice()).unwrap();
            c.process_new_packets()?;
        }
        if !c.is_handshaking() && !s.is_handshaking() {
            return Ok(c.protocol_version().unwrap());
        }
    }
    panic!("the handshake did not finish");
}

#[test]
fn name_rules_parse_and_print_as_written() {
    let certs = Certs::new("names-print");
    let ca = certs.path("ca.pem");
    for (text, shown) in [
        ("localhost:8443", "--allow-connect-tls localhost:8443".to_string()),
        ("*.Example.COM.:443", "--allow-connect-tls *.example.com:443".into()),
        ("*:*,", "--allow-connect-tls *:*".into()),
        ("127.0.0.1:8000-8100", "--allow-connect-tls 127.0.0.1:8000-8100".into()),
        ("[::1]:443", "--allow-connect-tls [::1]:443".into()),
        ("[::ffff:10.0.0.1]:443", "--allow-connect-tls 10.0.0.1:443".into()),
        (&format!("localhost:8443,ca={ca}"), format!("--allow-connect-tls localhost:8443,ca={ca}")),
    ] {
        let rule = name_rule(text);
        assert_eq!(rule.to_string(), shown);
        let again = shown.strip_prefix("--allow-connect-tls ").unwrap();
        assert_eq!(name_rule(again), rule, "{shown}");
    }
    assert!(
        matches!(name_rule("[::1]:1").pattern, TlsPattern::Ip(ip) if ip == IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1u16]))
    );
}

#[test]
fn name_rules_match_names_and_ports() {
    let exact = name_rule("localhost:8443");
    assert!(exact.matches("localhost", 8443));
    assert!(exact.matches("LocalHost.", 8443));
    assert!(!exact.matches("localhost", 8444));
    assert!(!exact.matches("localhost.evil", 8443));
    assert!(!exact.matches("127.0.0.1", 8443));

    let suffix = name_rule("*.example.com:8000-8100");
    assert!(suffix.matches("a.example.com", 8000));
    assert!(suffix.matches("A.B.EXAMPLE.COM.", 8100));
    assert!(!suffix.matches("a.example.com", 7999));
    assert!(!suffix.matches("a.example.com", 8101));
    assert!(!suffix.matches("example.com", 8050));
    assert!(!suffix.matches("badexample.com", 8050));

    // `*` is every name, never an address: addresses are granted by Ip patterns alone.
    let any = name_rule("*:*");
    assert!(any.matches("anything.at.all", 1));
    assert!(!any.matches("10.0.0.1", 1));
    assert!(!any.matches("::1", 1));

    let v4 = name_rule("127.0.0.1:443");
    assert!(v4.matches("127.0.0.1", 443));
    assert!(v4.matches("::ffff:127.0.0.1", 443));
    assert!(!v4.matches("127.0.0.2", 443));
    assert!(!v4.matches("localhost", 443));
    let v6 = name_rule("[::1]:443");
    assert!(v6.matches("::1", 443));
    assert!(v6.matches("[::1]", 443));
    assert!(!v6.matches("::2", 443));
}

#[test]
fn bad_name_rules_name_the_flag_the_text_and_the_file() {
    let certs = Certs::new("names-bad");
    let bad = |text: &str, why: &str| {
        let e = TlsNameRule::parse(text).unwrap_err();
        assert!(e.starts_with(&format!("--allow-connect-tls `{text}`: ")), "{e}");
        assert!(e.contains(why), "{text}: `{e}` lacks `{why}`");
    };
    bad("localhost", "expected `PATTERN:PORTS`");
    bad("localhost:99999", "bad port `99999`");
    bad("localhost:9-8", "empty port range");
    bad("::1:443", "bracketed");
    bad("[::1:443", "`[ADDRESS]:PORTS`");
    bad("[nope]:443", "`nope` is not an IP address");
    bad("bad name:443", "expected a host name");
    bad("localhost:443,verify=no", "unknown option `verify=no`");
    bad("localhost:443,ca=", "`ca=` needs a value");
    bad("localhost:443,system-roots=yes", "`system-roots` takes no value");
    bad("localhost:443,name=localhost", "unknown option `name=localhost`");
    let missing = certs.path("missing.pem");
    bad(&format!("localhost:443,ca={missing}"), &format!("ca={missing}: No such file"));
    let empty = certs.path("empty.pem");
    bad(&format!("localhost:443,ca={empty}"), &format!("ca={empty}: no certificate in the file"));
    let cert = certs.path("client.pem");
    bad(&format!("localhost:443,cert={cert}"), "`cert=FILE` and `key=FILE` go together");
    let key = certs.path("other.key");
    bad(&format!("localhost:443,ca={cert},cert={cert},key={key}"), &format!("key={key} does not match"));
}

#[test]
fn tls_connect_needs_a_name() {
    let certs = Certs::new("connect-name");
    let e = TlsSide::client(&format!("ca={}", certs.path("ca.pem"))).unwrap_err();
    assert!(e.contains("`name=NAME` is required"), "{e}");
    assert!(TlsSide::client("name=bad name").unwrap_err().contains("neither a DNS name nor an IP address"));
    let ca = certs.path("ca.pem");
    let side = TlsSide::client(&format!("ca={ca},name=LocalHost")).unwrap();
    assert!(matches!(&side, TlsSide::Client { name, .. } if name.to_str() == "LocalHost"));
    assert_eq!(side.to_string(), format!("name=LocalHost,ca={ca}"));
    let side = TlsSide::client(&format!("name=[::1],ca={ca}")).unwrap();
    assert_eq!(side.to_string(), format!("name=::1,ca={ca}"));
    assert!(TlsSide::client(&format!("name=a,name=b,ca={ca}")).unwrap_err().contains("`name=` is given twice"));
}

#[test]
fn server_options_need_a_matching_certificate_and_key() {
    let certs = Certs::new("server-opts");
    let (cert, key, other) = (certs.path("server.pem"), certs.path("server.key"), certs.path("other.key"));
    let good = server(&certs, "cert=@server.pem,key=@server.key").unwrap();
    assert!(!good.client_auth && good.config.alpn_protocols.is_empty());
    assert_eq!(format!("{good:?}"), format!("TlsServer(\"cert={cert},key={key}\")"));
    let e = server(&certs, "cert=@server.pem").unwrap_err();
    assert!(e.contains("`cert=FILE` and `key=FILE` are required"), "{e}");
    let e = server(&certs, "cert=@server.pem,key=@other.key").unwrap_err();
    assert_eq!(e, format!("key={other} does not match the certificate in cert={cert}"));
    let e = server(&certs, "cert=@key-only.pem,key=@server.key").unwrap_err();
    assert!(e.contains("key-only.pem: no certificate in the file"), "{e}");
    let e = server(&certs, "cert=@server.pem,key=@server.pem").unwrap_err();
    assert!(e.contains("server.pem: no private key in the file"), "{e}");
    let e = server(&certs, "cert=@server.pem,key=@server.key,client-ca=@empty.pem").unwrap_err();
    assert!(e.contains("client-ca=") && e.contains("empty.pem: no certificate"), "{e}");
    let e = server(&certs, "cert=@server.pem,key=@server.key,ca=@ca.pem").unwrap_err();
    assert!(e.contains("unknown option `ca="), "{e}");
    assert!(server(&certs, "cert=@server.pem,key=@server.key,client-ca=@ca.pem").unwrap().client_auth);
}

#[test]
fn configurations_handshake_with_tls_1_2_and_1_3() {
    let certs = Certs::new("handshake");
    let srv = server(&certs, "cert=@server.pem,key=@server.key").unwrap();
    let cli = client(&certs, "ca=@ca.pem,name=localhost");
    assert_eq!(handshake(cli.config.clone(), srv.config.clone(), "localhost"), Ok(ProtocolVersion::TLSv1_3));
    assert_eq!(handshake(cli.config.clone(), srv.config.clone(), "127.0.0.1"), Ok(ProtocolVersion::TLSv1_3));
    // The name is verified against the certificate.
    let e = handshake(cli.config.clone(), srv.config.clone(), "example.com").unwrap_err();
    assert!(matches!(e, rustls::Error::InvalidCertificate(_)), "{e}");
    // A root that did not issue the certificate is not trusted.
    let stranger = client(&certs, "ca=@client.pem,name=localhost");
    assert!(handshake(stranger.config.clone(), srv.config.clone(), "localhost").is_err());

    // Either side speaks TLS 1.2 with a peer that speaks nothing newer.
    let tls12 = [&rustls::version::TLS12];
    let mut roots = RootCertStore::empty();
    add_roots(&mut roots, "ca", &certs.path("ca.pem")).unwrap();
    let old_client = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&tls12)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    assert_eq!(handshake(Arc::new(old_client), srv.config.clone(), "localhost"), Ok(ProtocolVersion::TLSv1_2));
    let (chain, key) =
        (read_certs("cert", &certs.path("server.pem")).unwrap(), read_key(&certs.path("server.key")).unwrap());
    let old_server = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&tls12)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    assert_eq!(handshake(cli.config.clone(), Arc::new(old_server), "localhost"), Ok(ProtocolVersion::TLSv1_2));
}

#[test]
fn client_ca_requires_a_client_certificate() {
    let certs = Certs::new("client-auth");
    let srv = server(&certs, "cert=@server.pem,key=@server.key,client-ca=@ca.pem").unwrap();
    let anonymous = client(&certs, "ca=@ca.pem,name=localhost");
    assert!(handshake(anonymous.config.clone(), srv.config.clone(), "localhost").is_err());
    let known = client(&certs, "ca=@ca.pem,cert=@client.pem,key=@client.key,name=localhost");
    assert_eq!(handshake(known.config.clone(), srv.config.clone(), "localhost"), Ok(ProtocolVersion::TLSv1_3));
}

#[test]
fn system_roots_are_the_default_trust_source() {
    // The answer depends on the machine's store; it must agree with what rustls-native-certs finds.
    let found = !rustls_native_certs::load_native_certs().certs.is_empty();
    assert_eq!(TlsSide::client("name=localhost").is_ok(), found);
    assert_eq!(TlsSide::client("name=localhost,system-roots").is_ok(), found);
    let certs = Certs::new("system-roots");
    // With a file as well, the system may have none.
    assert!(TlsSide::client(&format!("name=localhost,system-roots,ca={}", certs.path("ca.pem"))).is_ok());
}
