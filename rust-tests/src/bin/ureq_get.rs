//! ureq 3 on `wasock::ureq`: a blocking HTTP client whose connections and
//! name lookups go through the pool.
//!
//! Usage: `ureq_get PORT`, where `localhost:PORT` is an HTTP server with
//! `/hello`, `/echo` (POST, answers the body) and `/slow` (answers after
//! 2 s). Fetches `/hello` twice, echoes a 100 kB body, sees a 404 as ureq's
//! `StatusCode(404)` error and a 300 ms global timeout fire on `/slow`.
//! Prints what it got and `ureq ok` at the end.

use std::time::{Duration, Instant};

use ureq::config::Config;
use wasock_rust_tests::{arg, ensure, pattern, say, Res};

fn main() -> Res {
    let port: u16 = arg(1, "port")?.parse()?;
    let base = format!("http://localhost:{port}");
    let agent = wasock::ureq::agent(Config::default());

    for _ in 0..2 {
        let hello = agent.get(format!("{base}/hello")).call()?.body_mut().read_to_string()?;
        ensure!(hello == "hello from native\n", "GET /hello: {hello:?}");
    }
    say("got hello twice");

    let sent = pattern(100_000, 3);
    let back = agent.post(format!("{base}/echo")).send(&sent[..])?.body_mut().read_to_vec()?;
    ensure!(back == sent, "POST /echo: {} bytes back of {}", back.len(), sent.len());
    say(format!("echoed {} bytes", sent.len()));

    let missing = agent.get(format!("{base}/nope")).call();
    ensure!(matches!(missing, Err(ureq::Error::StatusCode(404))), "GET /nope: {missing:?}");
    say("404 as StatusCode(404)");

    let quick = wasock::ureq::agent(Config::builder().timeout_global(Some(Duration::from_millis(300))).build());
    let start = Instant::now();
    let slow = quick.get(format!("{base}/slow")).call();
    ensure!(matches!(slow, Err(ureq::Error::Timeout(_))), "GET /slow: {slow:?}");
    say(format!("timed out after {} ms", start.elapsed().as_millis()));
    say("ureq ok");
    Ok(())
}
