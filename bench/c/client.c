/*
 * The C benchmark client: one workload, run once.
 *
 *   client WORKLOAD A.B.C.D:PORT [OPS]
 *
 * Plain POSIX sockets. Built natively with gcc -O2 and for wasm32-wasi with
 * build/bin/wasock-cc -O2 (linking libwasock.a); the same source either way.
 * Workloads, sizes and the output line match bench/src/lib.rs:
 *
 *   RESULT workload=tcp_bulk ops=4096 secs=0.250000000 value=1024.000 unit=MiB/s
 *
 * Only the loop is timed (CLOCK_MONOTONIC); every loop is bounded by OPS.
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BULK_CHUNK (64 * 1024)
#define MESSAGE 64
#define UDP_TIMEOUT_MS 500
#define UDP_MAX_LOST 20
#define UDP_BATCH 32

static const char *workload;

static void die(const char *what) {
    fprintf(stderr, "client %s: %s: %s\n", workload, what, strerror(errno));
    exit(1);
}

static void fail(const char *what) {
    fprintf(stderr, "client %s: %s\n", workload, what);
    exit(1);
}

static double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime");
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tcp_connect(const struct sockaddr_in *to) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0)
        die("connect");
    return fd;
}

/* write() until all of buf is out. */
static void write_all(int fd, const unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("write");
        buf += n;
        len -= (size_t)n;
    }
}

/* read() until buf is full; EOF first is an error. */
static void read_exact(int fd, unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read");
        if (n == 0)
            fail("unexpected EOF");
        buf += n;
        len -= (size_t)n;
    }
}

static void set_nodelay(int fd) {
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
        die("setsockopt(TCP_NODELAY)");
}

/* 64 KiB written, then read back, OPS times: one chunk in flight at most.
 * Page-aligned buffers, as in the Rust client, so native and guest copies
 * see the same alignment. */
static double tcp_bulk(const struct sockaddr_in *to, unsigned long ops) {
    static unsigned char out[BULK_CHUNK] __attribute__((aligned(4096)));
    static unsigned char back[BULK_CHUNK] __attribute__((aligned(4096)));
    for (size_t i = 0; i < BULK_CHUNK; i++)
        out[i] = (unsigned char)(i % 251);
    int fd = tcp_connect(to);
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        write_all(fd, out, BULK_CHUNK);
        read_exact(fd, back, BULK_CHUNK);
    }
    double secs = now() - start;
    if (back[1] != out[1] || back[BULK_CHUNK - 1] != out[BULK_CHUNK - 1])
        fail("echo differs from what was sent");
    close(fd);
    return secs;
}

/* 64-byte round trips on one connection with TCP_NODELAY, via send/recv. */
static double tcp_pingpong(const struct sockaddr_in *to, unsigned long ops) {
    unsigned char msg[MESSAGE] = {0}, back[MESSAGE];
    int fd = tcp_connect(to);
    set_nodelay(fd);
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        msg[0] = (unsigned char)i;
        if (send(fd, msg, MESSAGE, 0) != MESSAGE)
            die("send");
        size_t got = 0;
        while (got < MESSAGE) {
            ssize_t n = recv(fd, back + got, MESSAGE - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                die("recv");
            if (n == 0)
                fail("unexpected EOF");
            got += (size_t)n;
        }
        if (back[0] != msg[0])
            fail("ping-pong reply out of step");
    }
    double secs = now() - start;
    close(fd);
    return secs;
}

/* connect, wait for the server's EOF (it closes first), close; OPS times. */
static double tcp_conn(const struct sockaddr_in *to, unsigned long ops) {
    unsigned char byte;
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        int fd = tcp_connect(to);
        ssize_t n;
        do
            n = read(fd, &byte, 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            die("read");
        if (n != 0)
            fail("the accept-and-close peer sent data");
        close(fd);
    }
    return now() - start;
}

/* A UDP socket bound to 127.0.0.1:0, connected to `to`, with receives
 * timing out after UDP_TIMEOUT_MS (then the datagram counts as lost). */
static int udp_connect(const struct sockaddr_in *to) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in any;
    memset(&any, 0, sizeof any);
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&any, sizeof any) != 0)
        die("bind");
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0)
        die("connect");
    struct timeval tv = {0, UDP_TIMEOUT_MS * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        die("setsockopt(SO_RCVTIMEO)");
    return fd;
}

/* 64-byte datagram round trips on a connected UDP socket. */
static double udp_rr(const struct sockaddr_in *to, unsigned long ops) {
    unsigned char msg[MESSAGE] = {0}, back[MESSAGE];
    int fd = udp_connect(to);
    unsigned long lost = 0;
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        memcpy(msg, &i, sizeof i);
        if (send(fd, msg, MESSAGE, 0) != MESSAGE)
            die("send");
        for (;;) {
            ssize_t n = recv(fd, back, MESSAGE, 0);
            if (n == MESSAGE && memcmp(back, msg, sizeof i) == 0)
                break;
            if (n >= 0 || errno == EINTR)
                continue; /* a late echo of a resent datagram */
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                die("recv");
            if (++lost > UDP_MAX_LOST)
                fail("too many datagrams lost");
            if (send(fd, msg, MESSAGE, 0) != MESSAGE)
                die("send");
        }
    }
    double secs = now() - start;
    if (lost > 0)
        fprintf(stderr, "client udp_rr: %lu datagrams resent\n", lost);
    close(fd);
    return secs;
}

/* Sends datagrams [from, UDP_BATCH) of msgs with sendmmsg until all are out. */
static void send_batch(int fd, struct mmsghdr *msgs, unsigned from) {
    while (from < UDP_BATCH) {
        int n = sendmmsg(fd, msgs + from, UDP_BATCH - from, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("sendmmsg");
        from += (unsigned)n;
    }
}

/* OPS batches of UDP_BATCH 64-byte datagrams: one sendmmsg for the batch,
 * then recvmmsg (MSG_WAITFORONE) until every echo of the batch is back.
 * Each datagram carries its batch number and index, so a late echo of a
 * resent batch is recognised and dropped. After UDP_TIMEOUT_MS with echoes
 * missing the whole batch is sent again, at most UDP_MAX_LOST times a run. */
static double udp_batch(const struct sockaddr_in *to, unsigned long ops) {
    static unsigned char out[UDP_BATCH][MESSAGE], back[UDP_BATCH][MESSAGE];
    struct iovec out_iov[UDP_BATCH], back_iov[UDP_BATCH];
    struct mmsghdr out_msgs[UDP_BATCH], back_msgs[UDP_BATCH];
    memset(out_msgs, 0, sizeof out_msgs);
    memset(back_msgs, 0, sizeof back_msgs);
    for (unsigned k = 0; k < UDP_BATCH; k++) {
        out_iov[k] = (struct iovec){out[k], MESSAGE};
        back_iov[k] = (struct iovec){back[k], MESSAGE};
        out_msgs[k].msg_hdr.msg_iov = &out_iov[k];
        out_msgs[k].msg_hdr.msg_iovlen = 1;
        back_msgs[k].msg_hdr.msg_iov = &back_iov[k];
        back_msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int fd = udp_connect(to);
    unsigned long lost = 0;
    double start = now();
    for (unsigned long b = 0; b < ops; b++) {
        for (unsigned k = 0; k < UDP_BATCH; k++) {
            memcpy(out[k], &b, sizeof b);
            out[k][sizeof b] = (unsigned char)k;
        }
        send_batch(fd, out_msgs, 0);
        uint32_t seen = 0; /* bit k: datagram k of this batch is back */
        unsigned got = 0;
        while (got < UDP_BATCH) {
            int n = recvmmsg(fd, back_msgs, UDP_BATCH - got, MSG_WAITFORONE, NULL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    die("recvmmsg");
                if (++lost > UDP_MAX_LOST)
                    fail("too many batches lost");
                send_batch(fd, out_msgs, 0);
                continue;
            }
            for (int m = 0; m < n; m++) {
                unsigned k = back[m][sizeof b];
                if (back_msgs[m].msg_len != MESSAGE || memcmp(back[m], &b, sizeof b) != 0 || k >= UDP_BATCH ||
                    (seen & (1u << k)))
                    continue; /* a late echo of a resent batch */
                seen |= 1u << k;
                got++;
            }
        }
    }
    double secs = now() - start;
    if (lost > 0)
        fprintf(stderr, "client udp_batch: %lu batches resent\n", lost);
    close(fd);
    return secs;
}

/* getsockopt(TCP_NODELAY) OPS times: natively one system call, in the guest
 * one get_nodelay host call. */
static double hostcall(const struct sockaddr_in *to, unsigned long ops) {
    int fd = tcp_connect(to);
    set_nodelay(fd);
    unsigned long on = 0;
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        int v = 0;
        socklen_t len = sizeof v;
        if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) != 0)
            die("getsockopt(TCP_NODELAY)");
        on += v != 0;
    }
    double secs = now() - start;
    if (on != ops)
        fail("getsockopt did not report the option set");
    close(fd);
    return secs;
}

static const struct {
    const char *name, *unit;
    unsigned long ops;
    double (*run)(const struct sockaddr_in *, unsigned long);
} workloads[] = {
    {"tcp_bulk", "MiB/s", 4096, tcp_bulk},
    {"tcp_pingpong", "rt/s", 20000, tcp_pingpong},
    {"tcp_connect", "conn/s", 3000, tcp_conn},
    {"udp_rr", "rt/s", 20000, udp_rr},
    {"hostcall", "ns/call", 1000000, hostcall},
    {"udp_batch", "dgram/s", 3000, udp_batch},
};

int main(int argc, char **argv) {
    const char *usage = "usage: client tcp_bulk|tcp_pingpong|tcp_connect|udp_rr|hostcall|udp_batch A.B.C.D:PORT [OPS]\n";
    if (argc < 3 || argc > 4) {
        fputs(usage, stderr);
        return 2;
    }
    size_t w = 0, nw = sizeof workloads / sizeof workloads[0];
    while (w < nw && strcmp(workloads[w].name, argv[1]) != 0)
        w++;
    char host[64];
    const char *colon = strrchr(argv[2], ':');
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    if (w == nw || !colon || (size_t)(colon - argv[2]) >= sizeof host || port <= 0 || port > 65535) {
        fputs(usage, stderr);
        return 2;
    }
    memcpy(host, argv[2], (size_t)(colon - argv[2]));
    host[colon - argv[2]] = '\0';
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        fputs(usage, stderr);
        return 2;
    }
    to.sin_port = htons((uint16_t)port);
    unsigned long ops = workloads[w].ops;
    if (argc == 4) {
        char *end;
        ops = strtoul(argv[3], &end, 10);
        if (*end || ops == 0) {
            fputs(usage, stderr);
            return 2;
        }
    }
    workload = workloads[w].name;

    double secs = workloads[w].run(&to, ops);
    if (secs < 1e-9)
        secs = 1e-9;
    double value;
    if (strcmp(workload, "tcp_bulk") == 0)
        value = (double)ops * BULK_CHUNK / (1024.0 * 1024.0) / secs;
    else if (strcmp(workload, "hostcall") == 0)
        value = secs * 1e9 / (double)ops;
    else if (strcmp(workload, "udp_batch") == 0)
        value = (double)ops * UDP_BATCH / secs;
    else
        value = (double)ops / secs;
    printf("RESULT workload=%s ops=%lu secs=%.9f value=%.3f unit=%s\n", workload, ops, secs, value, workloads[w].unit);
    return 0;
}
