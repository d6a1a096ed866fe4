/*
 * struct sockaddr_in / sockaddr_in6 <-> the ABI's 28-byte address record.
 *
 * The record keeps the port (and the IPv6 flow label) in host byte order and
 * the address in network byte order; a sockaddr keeps everything in network
 * byte order except sin6_scope_id.  Caller memory is read and written with
 * memcpy so that a sockaddr in an unaligned buffer works.
 */
#include <string.h>
#include <arpa/inet.h>

#include "internal.h"

/* The parts of the structs that carry information. */
#define SIN_MIN  8  /* family, port, address */
#define SIN6_MIN 28 /* family, port, flowinfo, address, scope */

int __wasock_addr_in(const struct sockaddr *sa, socklen_t len, wasock_addr_t *out) {
    if (sa == NULL)
        return EFAULT;
    if (len < sizeof(sa_family_t))
        return EINVAL;
    sa_family_t family;
    memcpy(&family, sa, sizeof family);
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        if (len < SIN_MIN)
            return EINVAL;
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        memcpy(&sin, sa, len < sizeof sin ? len : sizeof sin);
        out->family = WASOCK_FAMILY_INET4;
        out->port = ntohs(sin.sin_port);
        memcpy(out->ip, &sin.sin_addr, 4);
        return 0;
    }
    if (family == AF_INET6) {
        if (len < SIN6_MIN)
            return EINVAL;
        struct sockaddr_in6 sin6;
        memset(&sin6, 0, sizeof sin6);
        memcpy(&sin6, sa, len < sizeof sin6 ? len : sizeof sin6);
        out->family = WASOCK_FAMILY_INET6;
        out->port = ntohs(sin6.sin6_port);
        out->flowinfo = ntohl(sin6.sin6_flowinfo);
        memcpy(out->ip, &sin6.sin6_addr, 16);
        out->scope_id = sin6.sin6_scope_id;
        return 0;
    }
    return EAFNOSUPPORT;
}

void __wasock_addr_out(const wasock_addr_t *a, struct sockaddr *sa, socklen_t *len) {
    union {
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        sa_family_t family;
    } u;
    socklen_t size;
    memset(&u, 0, sizeof u);
    if (a->family == WASOCK_FAMILY_INET4) {
        u.in.sin_family = AF_INET;
        u.in.sin_port = htons(a->port);
        memcpy(&u.in.sin_addr, a->ip, 4);
        size = sizeof u.in;
    } else if (a->family == WASOCK_FAMILY_INET6) {
        u.in6.sin6_family = AF_INET6;
        u.in6.sin6_port = htons(a->port);
        u.in6.sin6_flowinfo = htonl(a->flowinfo);
        memcpy(&u.in6.sin6_addr, a->ip, 16);
        u.in6.sin6_scope_id = a->scope_id;
        size = sizeof u.in6;
    } else if (a->family == WASOCK_FAMILY_UNIX) {
        /* An unnamed AF_UNIX socket (socketpair): Linux gives just the
         * family, a length of sizeof(sa_family_t). */
        u.family = AF_UNIX;
        size = sizeof u.family;
    } else {
        /* No address (a connection-mode socket's recvfrom): length 0. */
        *len = 0;
        return;
    }
    memcpy(sa, &u, *len < size ? *len : size);
    *len = size;
}

int wasock_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, wasock_addr_t *out) {
    return __wasock_addr_in(sa, len, out);
}

int wasock_addr_to_sockaddr(const wasock_addr_t *addr, struct sockaddr *sa, socklen_t *len) {
    if (addr->family != WASOCK_FAMILY_INET4 && addr->family != WASOCK_FAMILY_INET6)
        return EAFNOSUPPORT;
    __wasock_addr_out(addr, sa, len);
    return 0;
}
