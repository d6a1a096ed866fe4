/*
 * A TLS echo server on the host's TLS: a TLS listener whose certificate
 * (and client authentication) the pool's --allow-bind-tls rule names.
 *
 * usage: tls_server ADDR:PORT [N]
 * Prints "listening on ADDR:PORT", then accepts N connections (default 1)
 * one at a time; for each prints "peer: ENTRY" per entry of the client's
 * verified identity (or "peer: none") -- reading it waits for the
 * handshake -- and echoes what it reads until EOF, then closes.  A failed
 * handshake or connection prints "error: ENAME" and the server goes on to
 * the next.  rust-tests/src/bin/tls_server.rs prints the same lines.
 */
#include "tlsutil.h"

/* Echoes until EOF; 0, or -1 with errno. */
static int echo(int fd) {
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return (int)n;
        if (write_all(fd, buf, (size_t)n) != 0)
            return -1;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tls_server ADDR:PORT [N]\n");
        return 2;
    }
    int count = argc > 2 ? atoi(argv[2]) : 1;
    struct sockaddr_storage ss;
    socklen_t len = parse_addr(argv[1], &ss);
    REQUIRE(len > 0);
    int one = 1;
    int lfd = socket(ss.ss_family, SOCK_STREAM, IPPROTO_WASOCK_TLS);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&ss, len) != 0 || listen(lfd, 128) != 0) {
        tls_error();
        return 1;
    }
    print_listening(lfd);
    for (int i = 0; i < count; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            tls_error();
            return 1;
        }
        if (tls_print_identity(fd, "peer") != 0 || echo(fd) != 0)
            tls_error();
        close(fd);
    }
    close(lfd);
    return 0;
}
