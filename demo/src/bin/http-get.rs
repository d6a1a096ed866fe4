//! A Rust guest HTTP client on `wasock::net::TcpStream`: fetches each
//! `HOST:PORT` given on the command line and prints what it got, or the
//! error the program sees when its pool does not grant the address.

use std::io::{Read, Write};
use wasock::net::TcpStream;

fn get(target: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(target)?;
    // One write: `write!` straight to the stream would send each formatted
    // piece as its own segment, and a server that answers on the first one
    // and closes would make the next a broken pipe.
    let request = format!("GET / HTTP/1.0\r\nHost: {target}\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn main() {
    let mut failures = 0;
    for target in std::env::args().skip(1) {
        println!("[client] GET http://{target}/");
        match get(&target) {
            Ok(response) => {
                let status = response.lines().next().unwrap_or("");
                let body = response.split("\r\n\r\n").nth(1).unwrap_or("").trim_end();
                println!("[client]   -> {status}: {body}");
            }
            Err(e) => {
                failures += 1;
                println!("[client]   -> error ({:?}): {e}", e.kind());
            }
        }
    }
    std::process::exit(if failures > 0 { 3 } else { 0 });
}
