/*
 * getsockopt() and setsockopt().
 *
 * One table, OPTS below, maps each POSIX (level, optname) of the guest's
 * headers to wasock's own (level, name) numbers of the spec's `option`
 * lines and says how the value is coded; every option then goes through
 * the generic sockopt_set / sockopt_get imports.  A test
 * (host/tests/spec_options.rs) reads this table and compares it with the
 * spec, so keep one `{LEVEL, NAME, wasock level, wasock name, T_...}` entry
 * per line.
 *
 * Handled here, outside the table: IP_ADD/DROP_MEMBERSHIP and
 * IPV6_JOIN/LEAVE_GROUP (join_multicast / leave_multicast, whose group
 * address the pool checks); SO_ERROR (take_error); the read-only SO_TYPE,
 * SO_PROTOCOL, SO_DOMAIN.  The SOL_WASOCK_TLS options (<wasock_tls.h>) are
 * read-only: the host answers setsockopt on them with ENOPROTOOPT.  Any
 * other option or level is ENOPROTOOPT: the host knows no other, and
 * refuses on purpose those that could widen what the pool grants
 * (SO_BINDTODEVICE, IP_TRANSPARENT, ...; docs/porting.md).
 *
 * Lengths follow Linux: an int option needs an int (IPPROTO_IP ones also
 * take a single byte); a short optlen is EINVAL; getsockopt cuts the value
 * to *optlen and sets *optlen to what it wrote (IPPROTO_IP writes one byte
 * when *optlen is shorter than an int and the value fits).
 */
#include <string.h>
#include <sys/time.h>
#include <netinet/tcp.h>

#include "internal.h"

enum type {
    T_BOOL,    /* int in C, any non-zero is on; u32 0/1 on the wire */
    T_STRICT,  /* int in C, 0 or 1 else EINVAL (Linux's IPV6_MULTICAST_LOOP) */
    T_INT,     /* int */
    T_TIMEVAL, /* struct timeval; u64 nanoseconds on the wire */
    T_LINGER,  /* struct linger; {u32 on, i32 secs} on the wire */
    T_BYTES,   /* raw bytes (IP_MULTICAST_IF: in_addr, ip_mreq, ip_mreqn; the
                * TLS options' certificate and text): got straight into the
                * caller's buffer, cut to *optlen by the host */
    T_STRING,  /* a name (TCP_CONGESTION) */
};

struct opt {
    int level, name;
    uint32_t wlevel, wname;
    enum type type;
};

static const struct opt OPTS[] = {
    {SOL_SOCKET, SO_REUSEADDR, 1, 1, T_BOOL},
    {SOL_SOCKET, SO_REUSEPORT, 1, 2, T_BOOL},
    {SOL_SOCKET, SO_KEEPALIVE, 1, 3, T_BOOL},
    {SOL_SOCKET, SO_BROADCAST, 1, 4, T_BOOL},
    {SOL_SOCKET, SO_RCVBUF, 1, 5, T_INT},
    {SOL_SOCKET, SO_SNDBUF, 1, 6, T_INT},
    {SOL_SOCKET, SO_RCVTIMEO, 1, 7, T_TIMEVAL},
    {SOL_SOCKET, SO_SNDTIMEO, 1, 8, T_TIMEVAL},
    {SOL_SOCKET, SO_LINGER, 1, 9, T_LINGER},
    {IPPROTO_IP, IP_TTL, 2, 1, T_INT},
    {IPPROTO_IP, IP_TOS, 2, 2, T_INT},
    {IPPROTO_IP, IP_MULTICAST_TTL, 2, 3, T_INT},
    {IPPROTO_IP, IP_MULTICAST_LOOP, 2, 4, T_BOOL},
    {IPPROTO_IP, IP_MULTICAST_IF, 2, 5, T_BYTES},
    {IPPROTO_IPV6, IPV6_V6ONLY, 3, 1, T_BOOL},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, 3, 2, T_INT},
    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 3, 3, T_INT},
    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 3, 4, T_STRICT},
    {IPPROTO_IPV6, IPV6_TCLASS, 3, 5, T_INT},
    {IPPROTO_IPV6, IPV6_MULTICAST_IF, 3, 6, T_INT},
    {IPPROTO_TCP, TCP_NODELAY, 4, 1, T_BOOL},
    {IPPROTO_TCP, TCP_MAXSEG, 4, 2, T_INT},
    {IPPROTO_TCP, TCP_KEEPIDLE, 4, 3, T_INT},
    {IPPROTO_TCP, TCP_KEEPINTVL, 4, 4, T_INT},
    {IPPROTO_TCP, TCP_KEEPCNT, 4, 5, T_INT},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, 4, 6, T_INT},
    {IPPROTO_TCP, TCP_QUICKACK, 4, 7, T_INT},
    {IPPROTO_TCP, TCP_DEFER_ACCEPT, 4, 8, T_INT},
    {IPPROTO_TCP, TCP_CONGESTION, 4, 9, T_STRING},
    {IPPROTO_TCP, TCP_FASTOPEN, 4, 10, T_INT},
    {IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 4, 11, T_INT},
    {SOL_WASOCK, WASOCK_EDGE_TRIGGERED, 5, 1, T_STRICT},
    {SOL_WASOCK_TLS, WASOCK_TLS_PEER_CERTIFICATE, 6, 1, T_BYTES},
    {SOL_WASOCK_TLS, WASOCK_TLS_PEER_IDENTITY, 6, 2, T_BYTES},
    {SOL_WASOCK_TLS, WASOCK_TLS_SERVER_NAME, 6, 3, T_BYTES},
    {SOL_WASOCK_TLS, WASOCK_TLS_VERSION, 6, 4, T_INT},
    {SOL_WASOCK_TLS, WASOCK_TLS_CIPHER_SUITE, 6, 5, T_INT},
};

/* The longest value on the wire (IP_MULTICAST_IF's ip_mreqn is 12, a
 * TCP_CONGESTION name 16). */
#define WIRE_MAX 16

static const struct opt *find(int level, int name) {
    for (size_t i = 0; i < sizeof OPTS / sizeof OPTS[0]; i++)
        if (OPTS[i].level == level && OPTS[i].name == name)
            return &OPTS[i];
    return NULL;
}

/* wasock's number for a level; 0 (no level) for one it does not have. */
static uint32_t wasock_level(int level) {
    switch (level) {
    case SOL_SOCKET:
        return 1;
    case IPPROTO_IP:
        return 2;
    case IPPROTO_IPV6:
        return 3;
    case IPPROTO_TCP:
        return 4;
    case SOL_WASOCK_TLS:
        return 6;
    default:
        return 0;
    }
}

static void put_u32(uint8_t *w, uint32_t v) {
    memcpy(w, &v, 4); /* wasm is little-endian, as the wire is */
}

/* ---- setsockopt ------------------------------------------------------------- */

/* An int value: at least an int, or (IPPROTO_IP) a single byte; and
 * IP_TOS with no bytes at all is 0, as Linux reads it. */
static int in_int(const struct opt *o, const void *val, socklen_t len, int *out) {
    if (len >= sizeof(int)) {
        memcpy(out, val, sizeof(int));
        return 0;
    }
    if (o->level == IPPROTO_IP && len >= 1) {
        *out = *(const unsigned char *)val;
        return 0;
    }
    if (o->level == IPPROTO_IP && o->name == IP_TOS) {
        *out = 0;
        return 0;
    }
    return EINVAL;
}

/* A timeout in nanoseconds (0 = none); a non-zero timeout never rounds to 0. */
static uint64_t timeval_to_ns(const struct timeval *tv) {
    if ((uint64_t)tv->tv_sec >= UINT64_MAX / 1000000000u - 1)
        return UINT64_MAX;
    return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

/* The wire bytes for a C value; returns 0 and sets *wlen, or an errno.  A
 * value too short for its type goes as no bytes, so that the host answers
 * as Linux does: noprotoopt if the option does not apply to the socket
 * (Linux checks that first), else inval. */
static int encode(const struct opt *o, const void *val, socklen_t len, uint8_t *w, uint32_t *wlen) {
    int v;
    *wlen = 0;
    switch (o->type) {
    case T_BOOL:
    case T_STRICT:
    case T_INT:
        if (in_int(o, val, len, &v) != 0)
            return 0;
        /* T_STRICT passes the value as it is: the host refuses what is not 0 or 1. */
        put_u32(w, o->type == T_BOOL ? (uint32_t)(v != 0) : (uint32_t)v);
        *wlen = 4;
        return 0;
    case T_TIMEVAL: {
        struct timeval tv;
        if (len < sizeof tv)
            return 0;
        memcpy(&tv, val, sizeof tv);
        /* Linux takes a negative tv_sec as a zero timeout, which the wire
         * cannot say (0 is none): refuse it as an out-of-range value. */
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return EDOM;
        uint64_t ns = timeval_to_ns(&tv);
        memcpy(w, &ns, 8);
        *wlen = 8;
        return 0;
    }
    case T_LINGER: {
        struct linger l;
        if (len < sizeof l)
            return 0;
        memcpy(&l, val, sizeof l);
        put_u32(w, l.l_onoff != 0);
        put_u32(w + 4, (uint32_t)l.l_linger);
        *wlen = 8;
        return 0;
    }
    case T_BYTES:
    case T_STRING: {
        /* The kernel checks the length itself and reads no more than the
         * largest form (an ip_mreqn) or the longest name. */
        socklen_t max = o->type == T_BYTES ? sizeof(struct ip_mreqn) : WIRE_MAX;
        *wlen = len < max ? len : max;
        memcpy(w, val, *wlen);
        return 0;
    }
    }
    return EINVAL;
}

static int membership(int fd, int join, int v6, const void *val, socklen_t len) {
    wasock_addr_t group;
    memset(&group, 0, sizeof group);
    uint32_t iface;
    if (!v6) {
        /* struct ip_mreq (8 bytes) or struct ip_mreqn (12 bytes). */
        if (len < 8)
            return EINVAL;
        struct in_addr multi, local;
        memcpy(&multi, val, 4);
        memcpy(&local, (const char *)val + 4, 4);
        group.family = WASOCK_FAMILY_INET4;
        memcpy(group.ip, &multi, 4);
        iface = local.s_addr;
    } else {
        if (len < sizeof(struct ipv6_mreq))
            return EINVAL;
        struct ipv6_mreq mr;
        memcpy(&mr, val, sizeof mr);
        group.family = WASOCK_FAMILY_INET6;
        memcpy(group.ip, &mr.ipv6mr_multiaddr, 16);
        iface = mr.ipv6mr_interface;
    }
    return join ? wasi_ephemeral_sock_join_multicast(fd, &group, iface)
                : wasi_ephemeral_sock_leave_multicast(fd, &group, iface);
}

static int set(int fd, int level, int name, const void *val, socklen_t len) {
    if (level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP))
        return val ? membership(fd, name == IP_ADD_MEMBERSHIP, 0, val, len) : EFAULT;
    if (level == IPPROTO_IPV6 && (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP))
        return val ? membership(fd, name == IPV6_JOIN_GROUP, 1, val, len) : EFAULT;
    const struct opt *o = find(level, name);
    /* An option the table lacks (the read-only SO_TYPE, SO_ERROR, ..., and
     * those refused on purpose) goes as name 0, which is none: the host
     * answers what Linux answers for an unknown option of that level. */
    if (o == NULL)
        return wasi_ephemeral_sock_sockopt_set(fd, wasock_level(level), 0, NULL, 0);
    if (val == NULL && len > 0)
        return EFAULT;
    uint8_t w[WIRE_MAX];
    uint32_t wlen = 0;
    int err = encode(o, val, len, w, &wlen);
    return err ? err : wasi_ephemeral_sock_sockopt_set(fd, o->wlevel, o->wname, w, wlen);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    int err = set(fd, level, name, val, len);
    return err ? __wasock_fail(err) : 0;
}

/* ---- getsockopt ------------------------------------------------------------- */

/* Copies a value out, cut to *len as Linux does. */
static int out_bytes(void *val, socklen_t *len, const void *v, socklen_t size) {
    if (val == NULL && *len > 0)
        return EFAULT;
    socklen_t n = *len < size ? *len : size;
    memcpy(val, v, n);
    *len = n;
    return 0;
}

static int out_int(const struct opt *o, void *val, socklen_t *len, int v) {
    /* Linux's IPPROTO_IP answers a short buffer with one byte if it fits. */
    if (o != NULL && o->level == IPPROTO_IP && *len > 0 && *len < sizeof(int) && v >= 0 && v <= 255) {
        unsigned char b = (unsigned char)v;
        *len = 1;
        return out_bytes(val, len, &b, 1);
    }
    return out_bytes(val, len, &v, sizeof v);
}

static uint32_t get_u32(const uint8_t *w) {
    uint32_t v;
    memcpy(&v, w, 4);
    return v;
}

static int decode(const struct opt *o, const uint8_t *w, uint32_t wlen, void *val, socklen_t *len) {
    switch (o->type) {
    case T_BOOL:
    case T_STRICT:
    case T_INT:
        return out_int(o, val, len, (int)get_u32(w));
    case T_TIMEVAL: {
        uint64_t ns;
        memcpy(&ns, w, 8);
        struct timeval tv;
        tv.tv_sec = (time_t)(ns / 1000000000u);
        tv.tv_usec = (suseconds_t)((ns % 1000000000u) / 1000u);
        return out_bytes(val, len, &tv, sizeof tv);
    }
    case T_LINGER: {
        struct linger l = {.l_onoff = (int)get_u32(w), .l_linger = (int)get_u32(w + 4)};
        return out_bytes(val, len, &l, sizeof l);
    }
    case T_BYTES:
    case T_STRING:
        return out_bytes(val, len, w, wlen);
    }
    return EINVAL;
}

/* The SOL_SOCKET options this file answers itself (0 or an errno); -1 for
 * any other. */
static int get_local(int fd, int name, void *val, socklen_t *len) {
    int err;
    switch (name) {
    case SO_ERROR: {
        uint16_t e = 0;
        if ((err = wasi_ephemeral_sock_take_error(fd, &e)) != 0)
            return err;
        return out_int(NULL, val, len, e);
    }
    case SO_TYPE:
    case SO_PROTOCOL: {
        int type;
        if ((err = __wasock_fdstat(fd, &type, NULL)) != 0)
            return err;
        if (type != SOCK_STREAM && type != SOCK_DGRAM)
            return ENOTSOCK;
        if (name == SO_TYPE)
            return out_int(NULL, val, len, type);
        /* Linux: a Unix-domain socket's protocol is 0. */
        wasock_addr_t a = {0};
        if ((err = wasi_ephemeral_sock_addr_local(fd, &a)) != 0)
            return err;
        if (a.family == WASOCK_FAMILY_UNIX)
            return out_int(NULL, val, len, 0);
        return out_int(NULL, val, len, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    }
    case SO_DOMAIN: {
        wasock_addr_t a = {0};
        if ((err = wasi_ephemeral_sock_addr_local(fd, &a)) != 0)
            return err;
        int domain = a.family == WASOCK_FAMILY_INET6 ? AF_INET6 : a.family == WASOCK_FAMILY_UNIX ? AF_UNIX : AF_INET;
        return out_int(NULL, val, len, domain);
    }
    default:
        return -1;
    }
}

static int get(int fd, int level, int name, void *val, socklen_t *len) {
    int err;
    if (len == NULL)
        return EFAULT;
    const struct opt *o = find(level, name);
    uint8_t w[WIRE_MAX] = {0};
    uint32_t wlen = 0;
    if (o == NULL && level == SOL_SOCKET && (err = get_local(fd, name, val, len)) != -1)
        return err;
    if (o == NULL) /* as in set() */
        return wasi_ephemeral_sock_sockopt_get(fd, wasock_level(level), 0, w, 0, &wlen);
    if (o->type == T_BYTES) {
        /* No decoding, and values up to 64 KiB (a peer certificate): the
         * host writes into the caller's buffer, cut to its length as Linux
         * cuts to *optlen.  (In wasm, NULL is a valid address, so it is
         * refused here rather than by the host.) */
        if (val == NULL && *len > 0)
            return EFAULT;
        err = wasi_ephemeral_sock_sockopt_get(fd, o->wlevel, o->wname, val, *len, &wlen);
        if (err == 0)
            *len = wlen;
        return err;
    }
    err = wasi_ephemeral_sock_sockopt_get(fd, o->wlevel, o->wname, w, sizeof w, &wlen);
    return err ? err : decode(o, w, wlen, val, len);
}

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len) {
    int err = get(fd, level, name, val, len);
    return err ? __wasock_fail(err) : 0;
}
