/*
 * A poll()-based echo server under load (e2e/tests/load.rs).
 *
 * usage: load_echo_server ADDR NCLIENTS
 * Listens on ADDR (port 0 for any), prints "listening on ADDR", accepts
 * NCLIENTS clients and echoes everything each one sends, all from one
 * poll() loop over non-blocking sockets. Prints "holding N" the first time
 * N clients are connected at once, and when every client has closed,
 * "served N peak P bytes B" (B = bytes echoed) and exits 0.
 *
 * poll() on ~500 fds: wasi-libc's poll() keeps (2n+1) subscriptions and
 * (n+1) events on the stack, about 64 KiB for n = 500 -- the whole default
 * stack -- so hardening.mk links this program with a 1 MiB stack, and the
 * large arrays here are static.
 */
#include "testutil.h"

#define MAX_CLIENTS 1024
#define BUF 4096

struct client {
    int fd;
    size_t len; /* bytes received and not yet echoed */
    size_t off; /* of those, bytes already echoed */
    char buf[BUF];
};

static struct client clients[MAX_CLIENTS];
static struct pollfd pfds[MAX_CLIENTS + 1];
static int nclients;

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    struct sockaddr_storage addr;
    socklen_t alen = parse_addr(argv[1], &addr);
    REQUIRE(alen > 0);
    int want = atoi(argv[2]);
    REQUIRE(want > 0 && want <= MAX_CLIENTS);

    int lfd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    REQUIRE(lfd >= 0);
    int one = 1;
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, alen) == 0);
    REQUIRE(listen(lfd, MAX_CLIENTS) == 0);
    print_listening(lfd);

    int served = 0, accepted = 0, peak = 0, announced = 0;
    unsigned long long echoed = 0;
    while (served < want) {
        /* The listener is polled only while clients are still to come. */
        int base = accepted < want ? 1 : 0;
        if (base)
            pfds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < nclients; ++i)
            pfds[base + i] = (struct pollfd){
                .fd = clients[i].fd,
                .events = clients[i].len ? POLLOUT : POLLIN,
            };
        int polled = nclients;
        int n = poll(pfds, (nfds_t)(base + polled), 30000);
        REQUIRE(n > 0);

        if (base && (pfds[0].revents & POLLIN)) {
            for (;;) {
                int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                    REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK);
                    break;
                }
                REQUIRE(nclients < MAX_CLIENTS);
                accepted++;
                clients[nclients].fd = cfd;
                clients[nclients].len = 0;
                clients[nclients].off = 0;
                nclients++;
                if (nclients > peak)
                    peak = nclients;
            }
            if (!announced && nclients == want) {
                printf("holding %d\n", nclients);
                fflush(stdout);
                announced = 1;
            }
        }

        for (int i = 0; i < polled; ++i) {
            struct client *c = &clients[i];
            short rev = pfds[base + i].revents;
            if (rev == 0)
                continue;
            if (c->len == 0) {
                ssize_t r = read(c->fd, c->buf, sizeof c->buf);
                if (r > 0) {
                    c->len = (size_t)r;
                    c->off = 0;
                } else if (r == 0 || errno != EAGAIN) {
                    CHECK(r == 0); /* an orderly close, not an error */
                    CHECK(close(c->fd) == 0);
                    c->fd = -1;
                    served++;
                }
            } else {
                ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
                if (w > 0) {
                    c->off += (size_t)w;
                    echoed += (unsigned long long)w;
                    if (c->off == c->len)
                        c->len = c->off = 0;
                } else if (errno != EAGAIN) {
                    CHECK(w > 0);
                    CHECK(close(c->fd) == 0);
                    c->fd = -1;
                    served++;
                }
            }
        }
        int k = 0;
        for (int i = 0; i < nclients; ++i) {
            if (clients[i].fd < 0)
                continue;
            if (k != i)
                clients[k] = clients[i];
            k++;
        }
        nclients = k;
    }
    CHECK(accepted == want);
    printf("served %d peak %d bytes %llu\n", served, peak, echoed);
    CHECK(close(lfd) == 0);
    return finish("load_echo_server");
}
