//! The TLS rules of a pool (their options are tested in tls/config_tests.rs).

use super::*;
use crate::tls::testcerts::Certs;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// `text` with `@` standing for the certificates' directory.
fn at(certs: &Certs, text: &str) -> String {
    text.replace('@', &certs.path(""))
}

#[test]
fn tls_rules_parse_and_print_as_written() {
    let certs = Certs::new("pool-print");
    let server = "cert=@server.pem,key=@server.key";
    for (flag, text, shown, right) in [
        (
            TlsFlag::TlsConnect,
            "127.0.0.1:8443,name=localhost,ca=@ca.pem".to_string(),
            "--tls-connect 127.0.0.1/32:8443,name=localhost,ca=@ca.pem".to_string(),
            Right::Connect,
        ),
        (
            TlsFlag::TlsConnect,
            "[::1/128]:443,ca=@ca.pem,name=::1,ca=@client.pem".into(),
            "--tls-connect [::1/128]:443,name=::1,ca=@ca.pem,ca=@client.pem".into(),
            Right::Connect,
        ),
        (
            TlsFlag::AllowBindTls,
            format!("0.0.0.0/0,{server}"),
            format!("--allow-bind-tls 0.0.0.0/0:*,{server}"),
            Right::BindTls,
        ),
        (
            TlsFlag::TlsListen,
            format!("::1,{server},client-ca=@ca.pem"),
            format!("--tls-listen [::1/128]:*,{server},client-ca=@ca.pem"),
            Right::Bind,
        ),
    ] {
        let rule = AddrRule::parse_tls(flag, &at(&certs, &text)).unwrap();
        assert_eq!((rule.right, rule.to_string()), (right, at(&certs, &shown)));
        let again = shown.strip_prefix(flag.flag()).unwrap().trim_start();
        assert_eq!(AddrRule::parse_tls(flag, &at(&certs, again)).unwrap(), rule);
        assert_eq!(Rule::Addr(&rule).to_string(), rule.to_string());
    }
    // A BindTls rule always has its server side.
    let e = AddrRule::parse(Right::BindTls, "127.0.0.1:1").unwrap_err();
    assert!(e.starts_with("--allow-bind-tls `127.0.0.1:1`: `cert=FILE` and `key=FILE` are required"), "{e}");
    let rule = AddrRule::parse(Right::BindTls, &at(&certs, &format!("127.0.0.1:1,{server}"))).unwrap();
    assert!(matches!(rule.tls, Some(TlsSide::Server(_))));
    assert_eq!(AddrRule::parse(Right::Bind, "127.0.0.1:1").unwrap().tls, None);
}

#[test]
fn bad_tls_rules_name_the_flag_and_the_text() {
    let certs = Certs::new("pool-bad");
    let bad = |flag: TlsFlag, text: &str, why: &str| {
        let text = at(&certs, text);
        let e = AddrRule::parse_tls(flag, &text).unwrap_err();
        assert!(e.starts_with(&format!("{} `{text}`: ", flag.flag())), "{e}");
        assert!(e.contains(&at(&certs, why)), "{text}: `{e}` lacks `{why}`");
    };
    bad(TlsFlag::TlsConnect, "127.0.0.1:8443", "`name=NAME` is required");
    bad(TlsFlag::TlsConnect, "127.0.0.1:8443,ca=@ca.pem", "`name=NAME` is required");
    bad(TlsFlag::TlsConnect, "127.0.0.1:99999,name=localhost", "bad port `99999`");
    bad(TlsFlag::TlsConnect, "[::1]443,name=localhost", "expected `:PORTS` after `]`");
    bad(TlsFlag::TlsConnect, "127.0.0.1:1,name=localhost,ca=@empty.pem", "ca=@empty.pem: no certificate");
    bad(TlsFlag::AllowBindTls, "127.0.0.1:443", "`cert=FILE` and `key=FILE` are required");
    bad(TlsFlag::AllowBindTls, "127.0.0.1:443,cert=@server.pem", "`cert=FILE` and `key=FILE` are required");
    bad(TlsFlag::TlsListen, "127.0.0.1:443,cert=@server.pem,key=@other.key", "key=@other.key does not match");
    bad(TlsFlag::TlsListen, "127.0.0.1:443,cert=@server.pem,key=@server.key,name=x", "unknown option `name=x`");
    bad(TlsFlag::TlsListen, "300.0.0.1:443,cert=@server.pem,key=@server.key", "neither a CIDR network nor an address");
}

#[test]
fn decide_prefers_the_tls_rule() {
    let certs = Certs::new("pool-decide");
    let server = at(&certs, "cert=@server.pem,key=@server.key");
    let p = Pool::new("tls")
        .allow(Right::Connect, "127.0.0.0/8")
        .unwrap()
        .allow_tls(TlsFlag::TlsConnect, &at(&certs, "127.0.0.1:8443,name=localhost,ca=@ca.pem"))
        .unwrap()
        .allow(Right::Bind, "127.0.0.1")
        .unwrap()
        .allow_tls(TlsFlag::TlsListen, &format!("127.0.0.1:9443,{server}"))
        .unwrap()
        .allow_tls(TlsFlag::AllowBindTls, &format!("127.0.0.1:9000-9100,{server}"))
        .unwrap();
    let rule = |right, addr| match p.decide(right, &sa(addr)) {
        Some(Rule::Addr(r)) => Some(r.flag()),
        None => None,
        Some(other) => panic!("{other}"),
    };
    assert_eq!(rule(Right::Connect, "127.0.0.1:8443"), Some("--tls-connect"));
    assert_eq!(rule(Right::Connect, "[::ffff:127.0.0.1]:8443"), Some("--tls-connect"));
    assert_eq!(rule(Right::Connect, "127.0.0.1:80"), Some("--allow-connect"));
    assert_eq!(rule(Right::Connect, "127.0.0.2:8443"), Some("--allow-connect"));
    assert_eq!(rule(Right::Bind, "127.0.0.1:9443"), Some("--tls-listen"));
    assert_eq!(rule(Right::Bind, "127.0.0.1:9050"), Some("--allow-bind"));
    assert_eq!(rule(Right::BindTls, "127.0.0.1:9050"), Some("--allow-bind-tls"));
    // The plain and TLS bind rights are separate grants.
    assert_eq!(rule(Right::BindTls, "127.0.0.1:9443"), None);
    assert!(matches!(&p.addr_rules[3].tls, Some(TlsSide::Server(s)) if !s.client_auth));

    let ip = IpAddr::from([127, 0, 0, 1]);
    let flags = |right| p.bind_rules(right, ip).map(|r| r.flag()).collect::<Vec<_>>();
    assert_eq!(flags(Right::Bind), ["--tls-listen", "--allow-bind"]);
    assert_eq!(flags(Right::BindTls), ["--allow-bind-tls"]);
    assert_eq!(p.bind_rules_for(ip).collect::<Vec<_>>(), p.bind_rules(Right::Bind, ip).collect::<Vec<_>>());
    assert_eq!(p.bind_rules(Right::BindTls, IpAddr::from([127, 0, 0, 2])).count(), 0);
    // TLS listeners add no accept rule: every peer may still come in.
    assert!(!p.filters_peers() && p.allows(Right::Accept, &sa("192.0.2.1:5")));
    assert!(p.grants_ipv4(Right::BindTls));
    // Pools compare and clone through their rules' text.
    assert_eq!(p.clone(), p);
    assert!(format!("{p:?}").contains("TlsServer("), "{p:?}");
}

#[test]
fn tls_name_rules_are_found_by_name_and_port() {
    // `ca=` keeps the test off the machine's own roots.
    let certs = Certs::new("pool-names");
    let mut p = Pool::new("tls");
    for pattern in ["localhost:8443", "*.example.com:443-444", "[::1]:8443", "*:8443"] {
        p = p.allow_connect_tls(&at(&certs, &format!("{pattern},ca=@ca.pem"))).unwrap();
    }
    let found = |name, port| {
        let shown = p.tls_name_rule(name, port).map(|r| Rule::TlsName(r).to_string())?;
        Some(shown.strip_suffix(&at(&certs, ",ca=@ca.pem")).unwrap().to_string())
    };
    assert_eq!(found("LOCALHOST.", 8443).as_deref(), Some("--allow-connect-tls localhost:8443"));
    assert_eq!(found("a.example.com", 444).as_deref(), Some("--allow-connect-tls *.example.com:443-444"));
    assert_eq!(found("a.example.com", 445), None);
    assert_eq!(found("::1", 8443).as_deref(), Some("--allow-connect-tls [::1]:8443"));
    assert_eq!(found("other.name", 8443).as_deref(), Some("--allow-connect-tls *:8443"));
    assert_eq!(found("127.0.0.1", 8443), None);
    // A TLS name rule grants no address.
    assert!(!p.allows(Right::Connect, &sa("127.0.0.1:8443")));
}
