/*
 * Batched datagrams against Linux: sendmmsg/recvmmsg between two UDP
 * sockets on loopback, built natively with cc and as a guest with
 * wasock-cc; e2e/tests/batch_oracle.rs requires the same lines from both.
 * Lines are symbolic (errno and flag names, never numbers, ports or fds).
 *
 * Guest rules: --allow-bind 127.0.0.1 --allow-connect 127.0.0.1.  The one
 * legitimate difference is the `pool` section, whose lines start with
 * "pool call:": a destination the pool does not grant (127.0.0.2, which
 * Linux simply sends to) in the middle of a batch ends the guest's batch
 * there, and its next call is ENOTCAPABLE.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "oracle.h"

#define N 32

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; its address in *a. */
static int udp(struct sockaddr_in *a) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        die("socket");
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof *a;
    if (bind(s, (struct sockaddr *)a, sizeof *a) != 0 || getsockname(s, (struct sockaddr *)a, &len) != 0)
        die("bind");
    return s;
}

/* Messages to send: message i is "dgram i" padded with 'x' to 8 + i bytes. */
static char out_buf[N][64];
static struct iovec out_iov[N][2];
static struct mmsghdr out_vec[N];
static struct sockaddr_in out_to[N];

static void outgoing(int n, const struct sockaddr_in *to) {
    memset(out_vec, 0, sizeof out_vec);
    for (int i = 0; i < n; ++i) {
        memset(out_buf[i], 'x', sizeof out_buf[i]);
        int l = snprintf(out_buf[i], sizeof out_buf[i], "dgram %d", i);
        out_buf[i][l] = 'x';
        /* Two iovecs per message: the datagram is their concatenation. */
        out_iov[i][0] = (struct iovec){out_buf[i], 4};
        out_iov[i][1] = (struct iovec){out_buf[i] + 4, (size_t)(4 + i)};
        out_vec[i].msg_hdr.msg_iov = out_iov[i];
        out_vec[i].msg_hdr.msg_iovlen = 2;
        if (to != NULL) {
            out_to[i] = *to;
            out_vec[i].msg_hdr.msg_name = &out_to[i];
            out_vec[i].msg_hdr.msg_namelen = sizeof out_to[i];
        }
    }
}

static char in_buf[N][64];
static struct iovec in_iov[N];
static struct mmsghdr in_vec[N];
static struct sockaddr_in in_from[N];

static void incoming(int n, size_t buf_len) {
    memset(in_vec, 0, sizeof in_vec);
    memset(in_buf, 0, sizeof in_buf);
    for (int i = 0; i < n; ++i) {
        in_iov[i] = (struct iovec){in_buf[i], buf_len};
        in_vec[i].msg_hdr.msg_iov = &in_iov[i];
        in_vec[i].msg_hdr.msg_iovlen = 1;
        in_vec[i].msg_hdr.msg_name = &in_from[i];
        in_vec[i].msg_hdr.msg_namelen = sizeof in_from[i];
    }
}

/* Checks received message i against sent message `want` from `src`. */
static int matches(int i, int want, const struct sockaddr_in *src) {
    return in_vec[i].msg_len == (unsigned)(8 + want) && memcmp(in_buf[i], out_buf[want], 8 + want) == 0 &&
           in_vec[i].msg_hdr.msg_namelen == sizeof(struct sockaddr_in) && in_from[i].sin_port == src->sin_port &&
           in_from[i].sin_addr.s_addr == src->sin_addr.s_addr && in_vec[i].msg_hdr.msg_flags == 0;
}

/* Receives `n` messages into in_vec with MSG_WAITFORONE rounds; returns how many. */
static int drain(int s, int n) {
    int total = 0;
    while (total < n) {
        int r = recvmmsg(s, in_vec + total, (unsigned)(n - total), MSG_WAITFORONE, NULL);
        if (r <= 0)
            break;
        total += r;
    }
    return total;
}

static void batch32(int a, const struct sockaddr_in *aa, int b, const struct sockaddr_in *ba) {
    outgoing(N, ba);
    int r = sendmmsg(a, out_vec, N, 0);
    unsigned bytes = 0;
    for (int i = 0; i < N && i < r; ++i)
        bytes += out_vec[i].msg_len;
    printf("batch32: sendmmsg %s, %u bytes\n", res(r), bytes);
    incoming(N, sizeof in_buf[0]);
    int got = drain(b, N);
    int ok = 0;
    for (int i = 0; i < got; ++i)
        ok += matches(i, i, aa);
    printf("batch32: received %d, %d in order from the sender\n", got, ok);
}

static void waitforone(int a, int b, const struct sockaddr_in *ba) {
    outgoing(3, ba);
    printf("waitforone: sendmmsg 3 %s\n", res(sendmmsg(a, out_vec, 3, 0)));
    incoming(8, sizeof in_buf[0]);
    printf("waitforone: recvmmsg 8 MSG_WAITFORONE %s\n", res(recvmmsg(b, in_vec, 8, MSG_WAITFORONE, NULL)));
    printf("waitforone: nothing queued, MSG_DONTWAIT %s\n", res(recvmmsg(b, in_vec, 8, MSG_DONTWAIT, NULL)));
}

static void truncation(int a, int b, const struct sockaddr_in *ba) {
    outgoing(2, ba);
    printf("truncation: sendmmsg 2 %s\n", res(sendmmsg(a, out_vec, 2, 0)));
    incoming(2, 5);
    int r = recvmmsg(b, in_vec, 2, MSG_WAITFORONE, NULL);
    printf("truncation: recvmmsg into 5 bytes %s\n", res(r));
    for (int i = 0; i < r; ++i)
        printf("truncation: msg %d len %u %s \"%.5s\"\n", i, in_vec[i].msg_len,
               in_vec[i].msg_hdr.msg_flags & MSG_TRUNC ? "MSG_TRUNC" : "0", in_buf[i]);
}

static void blocking(int a, int b, const struct sockaddr_in *ba) {
    outgoing(4, ba);
    printf("blocking: sendmmsg 4 %s\n", res(sendmmsg(a, out_vec, 4, 0)));
    incoming(4, sizeof in_buf[0]);
    printf("blocking: recvmmsg 4, flags 0 %s\n", res(recvmmsg(b, in_vec, 4, 0, NULL)));
    /* Without MSG_WAITFORONE it waits for every message; SO_RCVTIMEO ends it. */
    struct timeval tv = {0, 100000};
    setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    outgoing(2, ba);
    printf("blocking: sendmmsg 2 %s\n", res(sendmmsg(a, out_vec, 2, 0)));
    incoming(4, sizeof in_buf[0]);
    printf("blocking: recvmmsg 4 with 2 queued, SO_RCVTIMEO %s\n", res(recvmmsg(b, in_vec, 4, 0, NULL)));
    printf("blocking: recvmmsg 4 with none queued %s\n", res(recvmmsg(b, in_vec, 4, 0, NULL)));
    /* recvmmsg's timeout is looked at only after datagrams arrive: with 2
     * queued and not run out, the wait for a third goes on until SO_RCVTIMEO. */
    struct timespec ts = {0, 50000000L};
    outgoing(2, ba);
    sendmmsg(a, out_vec, 2, 0);
    incoming(4, sizeof in_buf[0]);
    printf("blocking: recvmmsg 4 with 2 queued, timeout 50 ms %s\n", res(recvmmsg(b, in_vec, 4, 0, &ts)));
    sendmmsg(a, out_vec, 2, 0);
    printf("blocking: the same with MSG_WAITFORONE %s\n", res(recvmmsg(b, in_vec, 4, MSG_WAITFORONE, &ts)));
    struct timespec bad = {0, 1000000000L};
    printf("blocking: tv_nsec 1000000000 %s\n", res(recvmmsg(b, in_vec, 4, 0, &bad)));
    tv.tv_usec = 0;
    setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static void edges(int a, int b, const struct sockaddr_in *ba) {
    outgoing(1, ba);
    printf("edges: sendmmsg vlen 0 %s\n", res(sendmmsg(a, out_vec, 0, 0)));
    printf("edges: recvmmsg vlen 0 %s\n", res(recvmmsg(b, in_vec, 0, 0, NULL)));
    outgoing(2, NULL);
    printf("edges: sendmmsg unconnected, no address %s\n", res(sendmmsg(a, out_vec, 2, 0)));
    outgoing(2, ba);
    out_vec[1].msg_hdr.msg_iovlen = 1025;
    printf("edges: sendmmsg, message 1 with 1025 iovecs %s\n", res(sendmmsg(a, out_vec, 2, 0)));
    printf("edges: sendmmsg, message 0 with 1025 iovecs %s\n", res(sendmmsg(a, out_vec + 1, 1, 0)));
    incoming(1, sizeof in_buf[0]);
    printf("edges: recvmmsg %s\n", res(recvmmsg(b, in_vec, 1, 0, NULL)));
    /* Connected: no address needed. */
    if (connect(a, (const struct sockaddr *)ba, sizeof *ba) != 0)
        die("connect");
    outgoing(5, NULL);
    printf("edges: sendmmsg connected, no addresses %s\n", res(sendmmsg(a, out_vec, 5, 0)));
    incoming(5, sizeof in_buf[0]);
    printf("edges: received %d\n", drain(b, 5));
    struct sockaddr_in none = {.sin_family = AF_UNSPEC};
    connect(a, (const struct sockaddr *)&none, sizeof none);
}

/* Message 16 goes to 127.0.0.2, which the guest's pool does not grant. */
static void pool(int a, int b, const struct sockaddr_in *ba) {
    outgoing(N, ba);
    out_to[16].sin_addr.s_addr = htonl(0x7f000002);
    int off = 0;
    while (off < N) {
        int r = sendmmsg(a, out_vec + off, (unsigned)(N - off), 0);
        printf("pool call: %s\n", res(r));
        off += r < 0 ? 1 : r; /* skip the denied message */
    }
    incoming(N, sizeof in_buf[0]);
    int got = drain(b, N - 1);
    int ok = 0;
    for (int i = 0; i < got; ++i)
        ok += in_vec[i].msg_len == (unsigned)(8 + (i < 16 ? i : i + 1));
    printf("pool: received %d, %d as sent\n", got, ok);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_in aa, ba;
    int a = udp(&aa), b = udp(&ba);
    batch32(a, &aa, b, &ba);
    waitforone(a, b, &ba);
    truncation(a, b, &ba);
    blocking(a, b, &ba);
    edges(a, b, &ba);
    pool(a, b, &ba);
    close(a);
    close(b);
    printf("done\n");
    return 0;
}
