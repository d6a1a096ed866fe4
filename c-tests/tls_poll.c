/*
 * Readiness of host-side TLS sockets (docs/tls.md, "Readiness is
 * plaintext"), run by e2e/tests/tls.rs against native rustls peers:
 *
 *   tls_poll client NAME PORT   a non-blocking TLS client: connect_name,
 *       POLLOUT once the handshake is done, SO_ERROR 0; then, against a
 *       server that writes each record in two halves 300 ms apart, no
 *       POLLIN and EAGAIN while only half a record is in, POLLIN after
 *       the pause with the whole message in one recv; EOF after
 *       close_notify.
 *   tls_poll server ADDR:PORT   a non-blocking TLS server on poll(): the
 *       first client it accepts never sends a ClientHello; the second is
 *       echoed all the same, and the silent one is never reported.
 *
 * Prints "ok: ..." for each check that held (see testutil.h).
 */
#include "oracle.h"
#include "testutil.h"

#include <wasock.h>

/* How long the native split server holds back the second half of a record. */
#define SPLIT_PAUSE_MS 300

static int tls_socket(int nonblock) {
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_WASOCK_TLS);
    REQUIRE(fd >= 0);
    if (nonblock)
        REQUIRE(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
    return fd;
}

static void client(const char *name, int port) {
    int fd = tls_socket(1);
    int r = wasock_connect_name(fd, name, (uint16_t)port);
    CHECK(r == 0 || errno == EINPROGRESS);
    if (r != 0)
        REQUIRE(wait_for(fd, POLLOUT, 10000) & POLLOUT);
    int err = -1;
    socklen_t len = sizeof err;
    REQUIRE(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
    CHECK_INT(err, 0);
    ok("non-blocking connect_name: POLLOUT, then SO_ERROR 0");

    /* The server may have sent session tickets: ciphertext, no plaintext. */
    char buf[256];
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EAGAIN);
    CHECK(!(wait_for(fd, POLLIN, 0) & POLLIN));
    ok("no plaintext yet: recv is EAGAIN and poll reports no POLLIN");

    static const char request[] = "one record, sent in two halves\n";
    const size_t n = sizeof request - 1;
    double t0 = now_ms();
    REQUIRE(write_all(fd, request, n) == 0);

    /* The first half arrives at once; the rest only after the pause. */
    CHECK(!(wait_for(fd, POLLIN, SPLIT_PAUSE_MS / 2) & POLLIN));
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EAGAIN);
    ok("half a record: no POLLIN, recv is EAGAIN");

    CHECK(wait_for(fd, POLLIN, 10000) & POLLIN);
    double waited = now_ms() - t0;
    if (!CHECK(waited >= SPLIT_PAUSE_MS - 10))
        fprintf(stderr, "POLLIN after %.0f ms, before the %d ms pause ended\n", waited, SPLIT_PAUSE_MS);
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    CHECK_INT(got, n);
    CHECK(got == (ssize_t)n && memcmp(buf, request, n) == 0);
    ok("POLLIN once the whole record is in, and recv returns all of it");

    REQUIRE(shutdown(fd, SHUT_WR) == 0);
    CHECK(wait_for(fd, POLLIN, 10000) & POLLIN);
    CHECK_INT(recv(fd, buf, sizeof buf, 0), 0);
    ok("EOF after the server's close_notify");
    close(fd);
}

/* Serves until one client was echoed to its end; the first connection
 * accepted is the silent one and must never be reported. */
static void server(const char *addr_text) {
    struct sockaddr_storage ss;
    socklen_t sslen = parse_addr(addr_text, &ss);
    REQUIRE(sslen > 0);
    int lfd = tls_socket(1);
    REQUIRE(bind(lfd, (struct sockaddr *)&ss, sslen) == 0);
    REQUIRE(listen(lfd, 8) == 0);
    print_listening(lfd);

    struct pollfd fds[8] = {{.fd = lfd, .events = POLLIN}};
    int nfds = 1, accepted = 0, served = 0, silent_fd = -1, silent_reported = 0;
    while (served == 0) {
        int ready = poll(fds, (nfds_t)nfds, 10000);
        if (!CHECK(ready > 0))
            break; /* the native clients gave up, or nothing was reported */
        if (fds[0].revents & POLLIN) {
            int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
            if (cfd >= 0 && CHECK(nfds < 8)) {
                fds[nfds++] = (struct pollfd){.fd = cfd, .events = POLLIN};
                if (++accepted == 1)
                    silent_fd = cfd;
                printf("accepted %d\n", accepted);
                fflush(stdout);
            }
        }
        for (int i = 1; i < nfds; i++) {
            if (!fds[i].revents)
                continue;
            if (fds[i].fd == silent_fd)
                silent_reported = 1;
            char buf[4096];
            ssize_t n = recv(fds[i].fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EAGAIN)
                continue;
            if (n > 0) {
                CHECK(write_all(fds[i].fd, buf, (size_t)n) == 0);
                continue;
            }
            if (n < 0)
                printf("error: %s\n", err_name(errno));
            else
                served++;
            close(fds[i].fd);
            fds[i--] = fds[--nfds];
        }
    }
    CHECK_INT(served, 1);
    CHECK(!silent_reported);
    CHECK(silent_fd >= 0);
    ok("a client was echoed while a silent one held a connection that was never reported");
    for (int i = 0; i < nfds; i++)
        close(fds[i].fd);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "client") == 0)
        client(argv[2], atoi(argv[3]));
    else if (argc == 3 && strcmp(argv[1], "server") == 0)
        server(argv[2]);
    else {
        fprintf(stderr, "usage: tls_poll client NAME PORT | tls_poll server ADDR:PORT\n");
        return 2;
    }
    return finish("tls_poll");
}
