/*
 * libwasock's own state under threads (docs/porting.md, "Threads": what is
 * thread-safe): several threads at once use the calls that return static
 * storage or share a buffer, and each must see only its own results.
 *
 * usage: thread_libc
 * THREADS threads each, ROUNDS times: inet_ntoa() of an address of its own
 * and (in the guest) getservbyname() of a service of its own, each result
 * checked after the other threads had time to make theirs (a result buffer
 * shared between threads would show another thread's answer); and a UDP round
 * trip over a socket pair of its own, received with recvmsg() into two
 * iovecs (libwasock receives a datagram through a scratch buffer, which
 * must be per thread).  Prints "thread_libc: all checks passed" and exits
 * 0 when every result was the thread's own.
 *
 * getservbyname() is checked in the guest only: glibc's shares one buffer
 * between threads (POSIX does not ask it to be thread-safe), libwasock's is
 * per thread.  glibc's inet_ntoa() is per thread, as libwasock's.
 */
#include <sched.h>
#include <sys/uio.h>

#include "threadutil.h"

#ifdef __wasi__
#define CHECK_SERVICES 1
#else
#define CHECK_SERVICES 0
#endif

#define THREADS 4
#define ROUNDS 300

static const struct {
    const char *name;
    int port;
} services[THREADS] = {{"http", 80}, {"ssh", 22}, {"smtp", 25}, {"domain", 53}};

/* A UDP socket on 127.0.0.1 connected to another one. */
static void udp_pair(int *a, int *b) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in sb = sa;
    socklen_t len = sizeof sa;
    *a = socket(AF_INET, SOCK_DGRAM, 0);
    *b = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(*a >= 0 && *b >= 0);
    REQUIRE(bind(*a, (struct sockaddr *)&sa, sizeof sa) == 0);
    REQUIRE(getsockname(*a, (struct sockaddr *)&sa, &len) == 0);
    REQUIRE(bind(*b, (struct sockaddr *)&sb, sizeof sb) == 0);
    len = sizeof sb;
    REQUIRE(getsockname(*b, (struct sockaddr *)&sb, &len) == 0);
    REQUIRE(connect(*a, (struct sockaddr *)&sb, sizeof sb) == 0);
    REQUIRE(connect(*b, (struct sockaddr *)&sa, sizeof sa) == 0);
}

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    struct in_addr addr = {.s_addr = htonl(0x0a000000u | (unsigned)(id + 1))};
    char want_ip[24];
    snprintf(want_ip, sizeof want_ip, "10.0.0.%d", id + 1);
    int a, b;
    udp_pair(&a, &b);
    int bad_ip = 0, bad_serv = 0, bad_udp = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const char *ip = inet_ntoa(addr);
        struct servent *se = CHECK_SERVICES ? getservbyname(services[id].name, "tcp") : NULL;
        sched_yield();
        bad_ip += strcmp(ip, want_ip) != 0;
        if (CHECK_SERVICES)
            bad_serv += se == NULL || ntohs((unsigned short)se->s_port) != services[id].port;

        char msg[32], head[8], tail[32];
        int n = snprintf(msg, sizeof msg, "thread %d round %d", id, r);
        if (send(a, msg, (size_t)n, 0) != n) {
            bad_udp++;
            continue;
        }
        struct iovec iov[2] = {{head, sizeof head}, {tail, sizeof tail}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t got = recvmsg(b, &mh, 0);
        char joined[40];
        if (got == n) {
            memcpy(joined, head, sizeof head);
            memcpy(joined + sizeof head, tail, (size_t)n - sizeof head);
        }
        bad_udp += got != n || memcmp(joined, msg, (size_t)n) != 0;
    }
    CHECK_INT(bad_ip, 0);
    CHECK_INT(bad_serv, 0);
    CHECK_INT(bad_udp, 0);
    close(a);
    close(b);
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        REQUIRE(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
    for (int i = 0; i < THREADS; i++)
        REQUIRE(pthread_join(t[i], NULL) == 0);
    return finish("thread_libc");
}
