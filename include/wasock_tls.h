/*
 * wasock_tls.h -- TLS run by the host (included by <wasock.h>).
 *
 * The host makes the handshake and the record layer (rustls); the program
 * reads and writes plaintext with the usual calls (read, write, send, recv,
 * poll, shutdown, close).  What is security is the host's policy
 * (`wasock run --allow-connect-tls NAME:PORT`, `--allow-bind-tls
 * ADDR:PORT,cert=F,key=F[,client-ca=F]`; docs/tls.md), never the program's.
 *
 * A client opens a TLS socket and connects it *by name* -- the name is
 * what the host verifies the server's certificate against:
 *
 *     int fd = wasock_tls_connect("example.com", 443);   // or, by hand:
 *     int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_WASOCK_TLS);
 *     wasock_connect_name(fd, "example.com", 443);
 *
 * connect() with an address on a TLS socket is EINVAL.  A server binds and
 * listens on a TLS socket as on a TCP one; accept() returns each connection
 * at once and its handshake runs as it is first read, written or polled
 * (a blocking recv waits for it; poll() reports the socket only after it).
 *
 * Errors (errno):
 *   ENOTCAPABLE   no TLS rule of the pool grants the name and port (or the
 *                 address, for bind/listen)
 *   EACCES        the peer's certificate was not accepted (untrusted issuer,
 *                 wrong name, expired; a server's missing or refused client
 *                 certificate)
 *   ECONNREFUSED  the handshake failed otherwise (no shared version or
 *                 suite, the peer's alert, not TLS), or the port is closed
 *   ECONNRESET    after the handshake: a corrupt record, or the stream
 *                 ended without close_notify
 * A failure is sticky: later reads and writes return it too.
 */
#ifndef __wasock_wasock_tls_h
#define __wasock_wasock_tls_h

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The protocol of socket(AF_INET or AF_INET6, SOCK_STREAM, ...) that opens a
 * TLS socket.  Far above every IPPROTO_ number (they are below 263), so it
 * can never mean a real protocol; SO_PROTOCOL still answers IPPROTO_TCP, as
 * Linux does for kernel TLS. */
#define IPPROTO_WASOCK_TLS 0x7715

/* Connects the TLS socket fd to the server `name` (a NUL-terminated host
 * name or numeric address, at most 253 bytes) on `port`: the host resolves
 * the name in the socket's family, connects, and makes the handshake.
 * Returns 0, or -1 with errno (above; EINVAL for a plain socket).  On a
 * non-blocking socket it is -1/EINPROGRESS: poll() reports POLLOUT once the
 * handshake has finished or failed, and SO_ERROR says which, as for a
 * non-blocking connect(). */
int wasock_connect_name(int fd, const char *name, uint16_t port);

/* socket(AF_INET, SOCK_STREAM, IPPROTO_WASOCK_TLS) from the default pool
 * and wasock_connect_name; when the IPv4 attempt fails because the name has
 * no IPv4 address or IPv4 cannot reach it (ENOENT, EADDRNOTAVAIL,
 * EAFNOSUPPORT, ENETUNREACH, EHOSTUNREACH), the same with AF_INET6.  A
 * numeric name is tried in its own family only.  Returns the connected,
 * blocking socket, or -1 with errno. */
int wasock_tls_connect(const char *name, uint16_t port);

/* wasock_tls_connect with sockets from the pool `pool_fd`. */
int wasock_tls_connect_in(int pool_fd, const char *name, uint16_t port);

/* The TLS options: getsockopt(fd, SOL_WASOCK_TLS, NAME, buf, &len), read
 * only (setsockopt is ENOPROTOOPT), on TLS sockets only (others:
 * ENOPROTOOPT).  On a socket whose handshake is not done, a blocking socket
 * waits for it and a non-blocking one gets EAGAIN.  Byte values are cut to
 * *len, which is set to the bytes written; the text values carry no NUL. */
#define SOL_WASOCK_TLS 0x57544c53
/* DER of the peer's verified certificate; empty when it sent none (up to 65536 bytes). */
#define WASOCK_TLS_PEER_CERTIFICATE 1
/* The verified identity as text, one entry a line: dns:NAME, ip:ADDR,
 * email:ADDR, uri:URI for each subject alternative name, then cn:NAME;
 * empty without a peer certificate (up to 4096 bytes). */
#define WASOCK_TLS_PEER_IDENTITY 2
/* Client: the name verified; server: the SNI the client sent (up to 253 bytes). */
#define WASOCK_TLS_SERVER_NAME 3
/* int: 0x0303 TLS 1.2, 0x0304 TLS 1.3. */
#define WASOCK_TLS_VERSION 4
/* int: the IANA number of the cipher suite (0x1301 TLS_AES_128_GCM_SHA256, ...). */
#define WASOCK_TLS_CIPHER_SUITE 5

#ifdef __cplusplus
}
#endif

#endif
