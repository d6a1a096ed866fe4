//! A hyper 1.x HTTP/1.1 server on `wasock::tokio`, current_thread runtime.
//!
//! Usage: `http_server BIND_ADDR CONNECTIONS [tokio-accept]`. Serves
//! CONNECTIONS connections concurrently, each with hyper's
//! `http1::Builder::serve_connection` in its own task, and exits when all
//! have ended. Routes: `GET /hello` answers `hello from wasock`, `GET /peer`
//! the peer's address as the guest saw it at accept, `POST /echo` the request
//! body, anything else 404. Prints `accepted PEER` and `closed PEER` per
//! connection, `done` at the end.
//!
//! With `tokio-accept` it accepts with tokio's own `TcpListener`, as a hyper
//! server is usually written (peers are then `0.0.0.0:0` on wasip1).

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::task::JoinSet;
use wasock_rust_tests::{addr_arg, arg, say, Listener, Res};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res {
    let bind = addr_arg(1, "bind address")?;
    let connections: usize = arg(2, "connections")?.parse()?;
    let listener = Listener::bind(bind, std::env::args().nth(3).as_deref() == Some("tokio-accept")).await?;
    say(format!("listening on {bind}"));
    let mut tasks = JoinSet::new();
    for _ in 0..connections {
        let (stream, peer) = listener.accept().await?;
        say(format!("accepted {peer}"));
        tasks.spawn(async move {
            let service = service_fn(move |req| respond(req, peer));
            match http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                Ok(()) => say(format!("closed {peer}")),
                Err(e) => say(format!("failed {peer}: {e}")),
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r?;
    }
    say("done");
    Ok(())
}

async fn respond(req: Request<Incoming>, peer: SocketAddr) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (status, body) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/hello") => (StatusCode::OK, Bytes::from_static(b"hello from wasock\n")),
        (&Method::GET, "/peer") => (StatusCode::OK, Bytes::from(peer.to_string())),
        // The whole body, however hyper received it (Content-Length or chunked).
        (&Method::POST, "/echo") => (StatusCode::OK, req.into_body().collect().await?.to_bytes()),
        _ => (StatusCode::NOT_FOUND, Bytes::from_static(b"not found\n")),
    };
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    Ok(resp)
}
