/*
 * getsockopt() and setsockopt().
 *
 * Supported (level: options):
 *   SOL_SOCKET:   SO_REUSEADDR SO_REUSEPORT SO_KEEPALIVE SO_BROADCAST
 *                 SO_RCVBUF SO_SNDBUF SO_RCVTIMEO SO_SNDTIMEO SO_LINGER
 *                 SO_ERROR SO_TYPE SO_PROTOCOL SO_DOMAIN (read-only)
 *   IPPROTO_TCP:  TCP_NODELAY
 *   IPPROTO_IP:   IP_TTL IP_MULTICAST_TTL IP_MULTICAST_LOOP
 *                 IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP (set)
 *   IPPROTO_IPV6: IPV6_V6ONLY IPV6_UNICAST_HOPS IPV6_MULTICAST_HOPS
 *                 IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_LEAVE_GROUP (set)
 * Any other option or level is ENOPROTOOPT.
 *
 * Values follow Linux: int-valued options take an int (the IP_ ones also a
 * single byte); a too-short optlen is EINVAL; getsockopt writes at most
 * *optlen bytes.  For IP_ADD_MEMBERSHIP the ABI's `interface` argument is
 * the interface's IPv4 address exactly as C holds it (imr_interface.s_addr,
 * network byte order; INADDR_ANY = any); for IPv6 it is the interface index.
 */
#include <string.h>
#include <sys/time.h>
#include <netinet/tcp.h>

#include "internal.h"

/* ---- argument helpers ------------------------------------------------------ */

static int in_int(const void *val, socklen_t len, int byte_ok, int *out) {
    if (val == NULL)
        return EFAULT;
    if (len >= sizeof(int)) {
        memcpy(out, val, sizeof(int));
        return 0;
    }
    if (byte_ok && len >= 1) {
        *out = *(const unsigned char *)val;
        return 0;
    }
    return EINVAL;
}

static int out_bytes(void *val, socklen_t *len, const void *v, socklen_t size) {
    if (len == NULL || (val == NULL && *len > 0))
        return EFAULT;
    socklen_t n = *len < size ? *len : size;
    memcpy(val, v, n);
    *len = n;
    return 0;
}

static int out_int(void *val, socklen_t *len, int v) {
    return out_bytes(val, len, &v, sizeof v);
}

/* A timeout in nanoseconds (0 = none); a non-zero timeout never rounds to 0. */
static uint64_t timeval_to_ns(const struct timeval *tv) {
    if ((uint64_t)tv->tv_sec >= UINT64_MAX / 1000000000u - 1)
        return UINT64_MAX;
    return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

/* Option value for an int-to-u8 boolean. */
#define BOOL(v) ((uint8_t)((v) != 0))

/* ---- setsockopt ------------------------------------------------------------- */

static int membership(int fd, int join, int v6, const void *val, socklen_t len) {
    wasock_addr_t group;
    memset(&group, 0, sizeof group);
    uint32_t iface;
    if (val == NULL)
        return EFAULT;
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

/* A hop limit: 0..255, or -1 for the system default (64 unicast, 1 multicast). */
static int hops(int v, int dflt, int min, uint32_t *out) {
    if (v == -1) {
        *out = (uint32_t)dflt;
        return 0;
    }
    if (v < min || v > 255)
        return EINVAL;
    *out = (uint32_t)v;
    return 0;
}

static int set_socket_level(int fd, int name, const void *val, socklen_t len) {
    int v = 0, err;
    switch (name) {
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        if (val == NULL)
            return EFAULT;
        if (len < sizeof(struct timeval))
            return EINVAL;
        struct timeval tv;
        memcpy(&tv, val, sizeof tv);
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return EDOM;
        uint64_t ns = timeval_to_ns(&tv);
        return name == SO_RCVTIMEO ? wasi_ephemeral_sock_set_recv_timeout(fd, ns)
                                   : wasi_ephemeral_sock_set_send_timeout(fd, ns);
    }
    case SO_LINGER: {
        if (val == NULL)
            return EFAULT;
        if (len < sizeof(struct linger))
            return EINVAL;
        struct linger l;
        memcpy(&l, val, sizeof l);
        return wasi_ephemeral_sock_set_linger(fd, BOOL(l.l_onoff),
                                              l.l_linger < 0 ? 0 : (uint32_t)l.l_linger);
    }
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
    case SO_RCVBUF:
    case SO_SNDBUF:
        if ((err = in_int(val, len, 0, &v)) != 0)
            return err;
        break;
    default:
        return ENOPROTOOPT; /* including the read-only SO_TYPE, SO_ERROR, ... */
    }
    switch (name) {
    case SO_REUSEADDR:
        return wasi_ephemeral_sock_set_reuse_addr(fd, BOOL(v));
    case SO_REUSEPORT:
        return wasi_ephemeral_sock_set_reuse_port(fd, BOOL(v));
    case SO_KEEPALIVE:
        return wasi_ephemeral_sock_set_keepalive(fd, BOOL(v));
    case SO_BROADCAST:
        return wasi_ephemeral_sock_set_broadcast(fd, BOOL(v));
    case SO_RCVBUF:
        return wasi_ephemeral_sock_set_recv_buf_size(fd, v < 0 ? 0 : (uint32_t)v);
    default: /* SO_SNDBUF */
        return wasi_ephemeral_sock_set_send_buf_size(fd, v < 0 ? 0 : (uint32_t)v);
    }
}

static int set_ip_level(int fd, int name, const void *val, socklen_t len) {
    int v, err;
    uint32_t u;
    switch (name) {
    case IP_ADD_MEMBERSHIP:
    case IP_DROP_MEMBERSHIP:
        return membership(fd, name == IP_ADD_MEMBERSHIP, 0, val, len);
    case IP_TTL:
        if ((err = in_int(val, len, 1, &v)) != 0 || (err = hops(v, 64, 1, &u)) != 0)
            return err;
        return wasi_ephemeral_sock_set_ttl(fd, u);
    case IP_MULTICAST_TTL:
        if ((err = in_int(val, len, 1, &v)) != 0 || (err = hops(v, 1, 0, &u)) != 0)
            return err;
        return wasi_ephemeral_sock_set_multicast_ttl(fd, u);
    case IP_MULTICAST_LOOP:
        if ((err = in_int(val, len, 1, &v)) != 0)
            return err;
        return wasi_ephemeral_sock_set_multicast_loop(fd, BOOL(v));
    default:
        return ENOPROTOOPT;
    }
}

static int set_ipv6_level(int fd, int name, const void *val, socklen_t len) {
    int v, err;
    uint32_t u;
    switch (name) {
    case IPV6_JOIN_GROUP:
    case IPV6_LEAVE_GROUP:
        return membership(fd, name == IPV6_JOIN_GROUP, 1, val, len);
    case IPV6_V6ONLY:
        if ((err = in_int(val, len, 0, &v)) != 0)
            return err;
        return wasi_ephemeral_sock_set_v6only(fd, BOOL(v));
    case IPV6_UNICAST_HOPS:
        if ((err = in_int(val, len, 0, &v)) != 0 || (err = hops(v, 64, 0, &u)) != 0)
            return err;
        return wasi_ephemeral_sock_set_ttl(fd, u);
    case IPV6_MULTICAST_HOPS:
        if ((err = in_int(val, len, 0, &v)) != 0 || (err = hops(v, 1, 0, &u)) != 0)
            return err;
        return wasi_ephemeral_sock_set_multicast_ttl(fd, u);
    case IPV6_MULTICAST_LOOP:
        if ((err = in_int(val, len, 0, &v)) != 0)
            return err;
        if (v != 0 && v != 1)
            return EINVAL;
        return wasi_ephemeral_sock_set_multicast_loop(fd, BOOL(v));
    default:
        return ENOPROTOOPT;
    }
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    int err;
    switch (level) {
    case SOL_SOCKET:
        err = set_socket_level(fd, name, val, len);
        break;
    case IPPROTO_TCP:
        if (name != TCP_NODELAY) {
            err = ENOPROTOOPT;
        } else {
            int v;
            err = in_int(val, len, 0, &v);
            if (err == 0)
                err = wasi_ephemeral_sock_set_nodelay(fd, BOOL(v));
        }
        break;
    case IPPROTO_IP:
        err = set_ip_level(fd, name, val, len);
        break;
    case IPPROTO_IPV6:
        err = set_ipv6_level(fd, name, val, len);
        break;
    default:
        err = ENOPROTOOPT;
    }
    return err ? __wasock_fail(err) : 0;
}

/* ---- getsockopt ------------------------------------------------------------- */

static int get_bool(int fd, int32_t (*get)(int32_t, uint8_t *), void *val, socklen_t *len) {
    uint8_t b = 0;
    int err = get(fd, &b);
    return err ? err : out_int(val, len, b != 0);
}

static int get_u32(int fd, int32_t (*get)(int32_t, uint32_t *), void *val, socklen_t *len) {
    uint32_t u = 0;
    int err = get(fd, &u);
    return err ? err : out_int(val, len, u > INT32_MAX ? INT32_MAX : (int)u);
}

static int get_socket_level(int fd, int name, void *val, socklen_t *len) {
    int err;
    switch (name) {
    case SO_REUSEADDR:
        return get_bool(fd, wasi_ephemeral_sock_get_reuse_addr, val, len);
    case SO_REUSEPORT:
        return get_bool(fd, wasi_ephemeral_sock_get_reuse_port, val, len);
    case SO_KEEPALIVE:
        return get_bool(fd, wasi_ephemeral_sock_get_keepalive, val, len);
    case SO_BROADCAST:
        return get_bool(fd, wasi_ephemeral_sock_get_broadcast, val, len);
    case SO_RCVBUF:
        return get_u32(fd, wasi_ephemeral_sock_get_recv_buf_size, val, len);
    case SO_SNDBUF:
        return get_u32(fd, wasi_ephemeral_sock_get_send_buf_size, val, len);
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        uint64_t ns = 0;
        err = name == SO_RCVTIMEO ? wasi_ephemeral_sock_get_recv_timeout(fd, &ns)
                                  : wasi_ephemeral_sock_get_send_timeout(fd, &ns);
        if (err != 0)
            return err;
        struct timeval tv;
        tv.tv_sec = (time_t)(ns / 1000000000u);
        tv.tv_usec = (suseconds_t)((ns % 1000000000u) / 1000u);
        return out_bytes(val, len, &tv, sizeof tv);
    }
    case SO_LINGER: {
        uint8_t on = 0;
        uint32_t secs = 0;
        if ((err = wasi_ephemeral_sock_get_linger(fd, &on, &secs)) != 0)
            return err;
        struct linger l = {.l_onoff = on != 0, .l_linger = secs > INT32_MAX ? INT32_MAX : (int)secs};
        return out_bytes(val, len, &l, sizeof l);
    }
    case SO_ERROR: {
        uint16_t e = 0;
        if ((err = wasi_ephemeral_sock_take_error(fd, &e)) != 0)
            return err;
        return out_int(val, len, e);
    }
    case SO_TYPE:
    case SO_PROTOCOL: {
        int type;
        if ((err = __wasock_fdstat(fd, &type, NULL)) != 0)
            return err;
        if (type != SOCK_STREAM && type != SOCK_DGRAM)
            return ENOTSOCK;
        if (name == SO_PROTOCOL)
            return out_int(val, len, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
        return out_int(val, len, type);
    }
    case SO_DOMAIN: {
        wasock_addr_t a = {0};
        if ((err = wasi_ephemeral_sock_addr_local(fd, &a)) != 0)
            return err;
        return out_int(val, len, a.family == WASOCK_FAMILY_INET6 ? AF_INET6 : AF_INET);
    }
    default:
        return ENOPROTOOPT;
    }
}

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len) {
    int err;
    if (len == NULL)
        return __wasock_fail(EFAULT);
    switch (level) {
    case SOL_SOCKET:
        err = get_socket_level(fd, name, val, len);
        break;
    case IPPROTO_TCP:
        err = name == TCP_NODELAY ? get_bool(fd, wasi_ephemeral_sock_get_nodelay, val, len)
                                  : ENOPROTOOPT;
        break;
    case IPPROTO_IP:
        switch (name) {
        case IP_TTL:
            err = get_u32(fd, wasi_ephemeral_sock_get_ttl, val, len);
            break;
        case IP_MULTICAST_TTL:
            err = get_u32(fd, wasi_ephemeral_sock_get_multicast_ttl, val, len);
            break;
        case IP_MULTICAST_LOOP:
            err = get_bool(fd, wasi_ephemeral_sock_get_multicast_loop, val, len);
            break;
        default:
            err = ENOPROTOOPT;
        }
        break;
    case IPPROTO_IPV6:
        switch (name) {
        case IPV6_V6ONLY:
            err = get_bool(fd, wasi_ephemeral_sock_get_v6only, val, len);
            break;
        case IPV6_UNICAST_HOPS:
            err = get_u32(fd, wasi_ephemeral_sock_get_ttl, val, len);
            break;
        case IPV6_MULTICAST_HOPS:
            err = get_u32(fd, wasi_ephemeral_sock_get_multicast_ttl, val, len);
            break;
        case IPV6_MULTICAST_LOOP:
            err = get_bool(fd, wasi_ephemeral_sock_get_multicast_loop, val, len);
            break;
        default:
            err = ENOPROTOOPT;
        }
        break;
    default:
        err = ENOPROTOOPT;
    }
    return err ? __wasock_fail(err) : 0;
}
