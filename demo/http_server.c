/*
 * A tiny HTTP/1.0 server in plain POSIX C: nothing in it knows about
 * WebAssembly. Built with `wasock-cc` it runs under `wasock run`, which
 * grants it exactly one listening address.
 *
 * usage: http_server PORT COUNT   -- serves COUNT requests, then exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "http_server: %s: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT COUNT\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), count = atoi(argv[2]);

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0) die("socket");
    int one = 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(srv, 16) < 0) die("listen");
    printf("[server] listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    for (int served = 0; served < count; served++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int c = accept(srv, (struct sockaddr *)&peer, &len);
        if (c < 0) die("accept");
        /* Read the whole request head (to its blank line) before answering:
           closing with request bytes unread would reset the connection. */
        char req[2048];
        size_t have = 0;
        req[0] = 0;
        while (have < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
            ssize_t n = read(c, req + have, sizeof req - 1 - have);
            if (n < 0) die("read");
            if (n == 0) break;
            have += (size_t)n;
            req[have] = 0;
        }
        char *eol = strstr(req, "\r\n");
        if (eol) *eol = 0;
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        printf("[server] %s:%d asked: %s\n", ip, ntohs(peer.sin_port), req);
        fflush(stdout);

        char body[256], resp[512];
        int blen = snprintf(body, sizeof body, "Hello from a C server compiled to wasm32-wasi (request %d)\n", served + 1);
        int rlen = snprintf(resp, sizeof resp,
                            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", blen, body);
        if (write(c, resp, rlen) != rlen) die("write");
        close(c);
    }
    close(srv);
    printf("[server] served %d request(s), bye\n", count);
    return 0;
}
