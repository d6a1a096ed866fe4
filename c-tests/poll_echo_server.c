/*
 * A poll()-based echo server with several concurrent clients.
 *
 * usage: poll_echo_server ADDR NCLIENTS
 * Listens on ADDR ("127.0.0.1:PORT", "[::1]:PORT", port 0 for any), prints
 * "listening on ADDR", echoes everything every client sends, and exits 0
 * after NCLIENTS clients have connected and closed.  The listener and the
 * clients are non-blocking (SOCK_NONBLOCK, accept4), and all I/O is plain
 * read()/write()/close() multiplexed by poll().
 */
#include "testutil.h"

#define MAX_CLIENTS 64

struct client {
    int fd;
    char pending[65536];
    size_t len; /* bytes received and not yet echoed */
};

static struct client clients[MAX_CLIENTS];
static int nclients;

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    struct sockaddr_storage addr;
    socklen_t alen = parse_addr(argv[1], &addr);
    REQUIRE(alen > 0);
    int want = atoi(argv[2]);

    int lfd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    REQUIRE(lfd >= 0);
    int one = 1;
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, alen) == 0);
    REQUIRE(listen(lfd, 16) == 0);
    CHECK(fcntl(lfd, F_GETFL) & O_NONBLOCK);

    /* Nothing pending yet: a non-blocking accept is EAGAIN, poll times out. */
    CHECK_ERR(accept(lfd, NULL, NULL), EAGAIN);
    CHECK(wait_for(lfd, POLLIN, 0) == 0);
    print_listening(lfd);

    int served = 0, accepted = 0;
    while (served < want) {
        struct pollfd pfds[MAX_CLIENTS + 1];
        pfds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < nclients; ++i)
            pfds[i + 1] = (struct pollfd){
                .fd = clients[i].fd,
                .events = clients[i].len ? POLLOUT : POLLIN,
            };
        int polled = nclients;
        int n = poll(pfds, (nfds_t)polled + 1, 30000);
        REQUIRE(n > 0);

        if (pfds[0].revents & POLLIN) {
            for (;;) {
                struct sockaddr_storage peer;
                socklen_t plen = sizeof peer;
                int cfd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                    CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
                    break;
                }
                REQUIRE(nclients < MAX_CLIENTS);
                accepted++;
                CHECK(plen == (peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in)));
                CHECK(fcntl(cfd, F_GETFL) & O_NONBLOCK);
                struct sockaddr_storage peer2;
                socklen_t plen2 = sizeof peer2;
                CHECK(getpeername(cfd, (struct sockaddr *)&peer2, &plen2) == 0);
                CHECK(sockaddr_equal(&peer, &peer2));
                char buf[80];
                printf("accepted %s\n", fmt_addr(&peer, buf, sizeof buf));
                fflush(stdout);
                clients[nclients].fd = cfd;
                clients[nclients].len = 0;
                nclients++;
            }
        }

        for (int i = 0; i < polled; ++i) {
            struct client *c = &clients[i];
            short rev = pfds[i + 1].revents;
            if (rev == 0)
                continue;
            if (c->len == 0 && (rev & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t r = read(c->fd, c->pending, sizeof c->pending);
                if (r > 0) {
                    c->len = (size_t)r;
                } else if (r == 0 || errno != EAGAIN) {
                    CHECK(r == 0);
                    CHECK(close(c->fd) == 0);
                    c->fd = -1;
                    served++;
                }
            } else if (c->len > 0 && (rev & (POLLOUT | POLLERR | POLLHUP))) {
                ssize_t w = write(c->fd, c->pending, c->len);
                if (w > 0) {
                    memmove(c->pending, c->pending + w, c->len - (size_t)w);
                    c->len -= (size_t)w;
                } else if (errno != EAGAIN) {
                    CHECK(w > 0);
                    close(c->fd);
                    c->fd = -1;
                    served++;
                }
            }
        }
        /* Drop closed clients. */
        int k = 0;
        for (int i = 0; i < nclients; ++i)
            if (clients[i].fd >= 0)
                clients[k++] = clients[i];
        nclients = k;
    }
    CHECK(accepted == want);
    printf("served %d\n", served);
    CHECK(close(lfd) == 0);
    return finish("poll_echo_server");
}
