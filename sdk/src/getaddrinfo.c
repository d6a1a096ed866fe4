/*
 * getaddrinfo(), freeaddrinfo(), wasock_getaddrinfo().
 *
 * Handled in the guest, with no pool and no resolve right:
 *   - a NULL node: the wildcard addresses with AI_PASSIVE, else loopback;
 *   - numeric hosts: IPv4 in every inet_aton() form, IPv6 with an optional
 *     numeric %scope;
 *   - "localhost" and names under ".localhost" (RFC 6761): 127.0.0.1, ::1;
 *   - numeric ports and the service names of services.c.
 * Other names go to the host (addr_resolve), through the default pool's (or
 * the given pool's) resolve right.  Results, for each address (IPv4 before
 * IPv6 for the built-in answers, the host's order otherwise), one entry per
 * socket type: SOCK_STREAM/IPPROTO_TCP then SOCK_DGRAM/IPPROTO_UDP, as the
 * hints and the service allow.
 *
 * Errors are EAI_ codes:  EAI_BADFLAGS (unknown ai_flags, AI_CANONNAME with
 * no node), EAI_FAMILY, EAI_SOCKTYPE (a socket type or protocol wasock cannot
 * open, or a protocol that does not fit the type), EAI_SERVICE (an unknown
 * service, or one not offered for the socket type), EAI_NONAME (no node and no
 * service, an unknown name, a non-numeric name with AI_NUMERICHOST, a
 * non-numeric service with AI_NUMERICSERV, a literal of the other family),
 * EAI_AGAIN (the host's resolver failed for now), EAI_FAIL (the name may not
 * be looked up: no pool, or no resolve right for it -- errno is ENOTCAPABLE),
 * EAI_MEMORY, EAI_SYSTEM (errno says why).  AI_ADDRCONFIG is accepted and
 * ignored (a guest cannot see the host's interfaces).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "internal.h"

#define KNOWN_FLAGS \
    (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV)

#define T WASOCK_SVC_TCP
#define U WASOCK_SVC_UDP

struct ip {
    int family;
    unsigned char addr[16];
    uint32_t scope_id;
};

struct node {
    struct addrinfo ai;
    union {
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } sa;
    char canon[];
};

static const unsigned char v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void set_v4(struct ip *ip, const void *a4) {
    memset(ip, 0, sizeof *ip);
    ip->family = AF_INET;
    memcpy(ip->addr, a4, 4);
}

static void set_v6(struct ip *ip, const void *a6, uint32_t scope) {
    memset(ip, 0, sizeof *ip);
    ip->family = AF_INET6;
    memcpy(ip->addr, a6, 16);
    ip->scope_id = scope;
}

static void map_v4(struct ip *ip) {
    unsigned char a6[16];
    memcpy(a6, v4mapped_prefix, 12);
    memcpy(a6 + 12, ip->addr, 4);
    set_v6(ip, a6, 0);
}

static int all_digits(const char *s) {
    if (*s == '\0')
        return 0;
    for (; *s; ++s)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* 1: numeric (ip filled); 0: not numeric; -1: an IPv6 literal with a bad scope. */
static int numeric_host(const char *node, struct ip *ip) {
    struct in_addr a4;
    if (inet_aton(node, &a4)) {
        set_v4(ip, &a4);
        return 1;
    }
    char buf[INET6_ADDRSTRLEN + 1];
    const char *pct = strchr(node, '%');
    size_t len = pct ? (size_t)(pct - node) : strlen(node);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, node, len);
    buf[len] = '\0';
    unsigned char a6[16];
    if (inet_pton(AF_INET6, buf, a6) != 1)
        return 0;
    uint32_t scope = 0;
    if (pct != NULL) {
        /* Only numeric scopes: a guest cannot map interface names. */
        if (!all_digits(pct + 1))
            return -1;
        unsigned long s = strtoul(pct + 1, NULL, 10);
        if (s > UINT32_MAX)
            return -1;
        scope = (uint32_t)s;
    }
    set_v6(ip, a6, scope);
    return 1;
}

/* "localhost", "localhost.", "x.localhost", "x.localhost." (any case). */
static int is_localhost(const char *name) {
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len < 9 || strncasecmp(name + len - 9, "localhost", 9) != 0)
        return 0;
    return len == 9 || name[len - 10] == '.';
}

/* The built-in addresses: wildcard or loopback, IPv4 first. */
static size_t builtin(int family, int wildcard, struct ip *out) {
    size_t n = 0;
    static const unsigned char any6[16], lo6[16] = {[15] = 1};
    const unsigned char lo4[4] = {127, 0, 0, 1}, any4[4] = {0, 0, 0, 0};
    if (family != AF_INET6)
        set_v4(&out[n++], wildcard ? any4 : lo4);
    if (family != AF_INET)
        set_v6(&out[n++], wildcard ? any6 : lo6, 0);
    return n;
}

static int gai_error(int err) {
    switch (err) {
    case ENOENT:
    case EINVAL:
        return EAI_NONAME;
    case EAGAIN:
        return EAI_AGAIN;
    case ENOMEM:
        return EAI_MEMORY;
    case ENOTCAPABLE:
        errno = ENOTCAPABLE;
        return EAI_FAIL;
    default:
        errno = err;
        return EAI_SYSTEM;
    }
}

/* Asks the host; on success *out is a malloc'd array of *n addresses. */
static int resolve(int pool, const char *name, int family, int flags, struct ip **out, size_t *n) {
    uint8_t fam = WASOCK_FAMILY_ANY;
    if (family == AF_INET)
        fam = WASOCK_FAMILY_INET4;
    else if (family == AF_INET6 && !(flags & AI_V4MAPPED))
        fam = WASOCK_FAMILY_INET6;
    uint32_t cap = 16, count = 0;
    wasock_addr_t *recs = NULL;
    for (;;) {
        wasock_addr_t *grown = realloc(recs, cap * sizeof *recs);
        if (grown == NULL) {
            free(recs);
            return EAI_MEMORY;
        }
        recs = grown;
        int err = wasi_ephemeral_sock_addr_resolve(pool, name, (uint32_t)strlen(name), 0, fam,
                                                   WASOCK_TYPE_ANY, recs, cap, &count);
        if (err != 0) {
            free(recs);
            return gai_error(err);
        }
        if (count <= cap || cap >= 1024)
            break;
        cap = count > 1024 ? 1024 : count;
    }
    if (count > cap)
        count = cap;
    struct ip *ips = calloc(count ? count : 1, sizeof *ips);
    if (ips == NULL) {
        free(recs);
        return EAI_MEMORY;
    }
    size_t k = 0;
    int have_v6 = 0;
    for (uint32_t i = 0; i < count; ++i)
        have_v6 |= recs[i].family == WASOCK_FAMILY_INET6;
    for (uint32_t i = 0; i < count; ++i) {
        struct ip ip;
        if (recs[i].family == WASOCK_FAMILY_INET4) {
            if (family == AF_INET6) {
                /* Only with AI_V4MAPPED: when there is no IPv6 address, or AI_ALL. */
                if (!(flags & AI_V4MAPPED) || (have_v6 && !(flags & AI_ALL)))
                    continue;
                set_v4(&ip, recs[i].ip);
                map_v4(&ip);
            } else {
                set_v4(&ip, recs[i].ip);
            }
        } else if (recs[i].family == WASOCK_FAMILY_INET6) {
            if (family == AF_INET)
                continue;
            set_v6(&ip, recs[i].ip, recs[i].scope_id);
        } else {
            continue;
        }
        int dup = 0;
        for (size_t j = 0; j < k && !dup; ++j)
            dup = ips[j].family == ip.family && ips[j].scope_id == ip.scope_id &&
                  memcmp(ips[j].addr, ip.addr, 16) == 0;
        if (!dup)
            ips[k++] = ip;
    }
    free(recs);
    *out = ips;
    *n = k;
    return 0;
}

/* Resolves the service: port and the protocols it exists for. */
static int service_port(const char *service, int flags, int *port, int *protos) {
    *port = 0;
    *protos = T | U;
    if (service == NULL || *service == '\0')
        return 0;
    if (all_digits(service)) {
        unsigned long p = strtoul(service, NULL, 10);
        if (p > 65535 || strlen(service) > 5)
            return EAI_SERVICE;
        *port = (int)p;
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    int p = __wasock_service_port(service, protos);
    if (p < 0)
        return EAI_SERVICE;
    *port = p;
    return 0;
}

static struct node *make_node(const struct ip *ip, int port, int flags, int socktype,
                              int protocol, const char *canon) {
    size_t clen = canon ? strlen(canon) + 1 : 0;
    struct node *n = calloc(1, sizeof *n + clen);
    if (n == NULL)
        return NULL;
    n->ai.ai_flags = flags;
    n->ai.ai_family = ip->family;
    n->ai.ai_socktype = socktype;
    n->ai.ai_protocol = protocol;
    n->ai.ai_addr = (struct sockaddr *)&n->sa;
    if (ip->family == AF_INET) {
        n->sa.in.sin_family = AF_INET;
        n->sa.in.sin_port = htons((uint16_t)port);
        memcpy(&n->sa.in.sin_addr, ip->addr, 4);
        n->ai.ai_addrlen = sizeof n->sa.in;
    } else {
        n->sa.in6.sin6_family = AF_INET6;
        n->sa.in6.sin6_port = htons((uint16_t)port);
        memcpy(&n->sa.in6.sin6_addr, ip->addr, 16);
        n->sa.in6.sin6_scope_id = ip->scope_id;
        n->ai.ai_addrlen = sizeof n->sa.in6;
    }
    if (canon) {
        memcpy(n->canon, canon, clen);
        n->ai.ai_canonname = n->canon;
    }
    return n;
}

void freeaddrinfo(struct addrinfo *res) {
    while (res != NULL) {
        struct addrinfo *next = res->ai_next;
        free(res); /* each entry is one allocation (struct node) */
        res = next;
    }
}

/* pool < 0: use the default pool if a name must be resolved. */
static int lookup(int pool, const char *node, const char *service,
                  const struct addrinfo *hints, struct addrinfo **res) {
    if (res == NULL) {
        errno = EFAULT;
        return EAI_SYSTEM;
    }
    *res = NULL;
    int flags = hints ? hints->ai_flags : 0;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;

    if (flags & ~KNOWN_FLAGS)
        return EAI_BADFLAGS;
    if (node == NULL && service == NULL)
        return EAI_NONAME;
    if ((flags & AI_CANONNAME) && node == NULL)
        return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;

    int want;
    switch (socktype) {
    case 0:
        want = T | U;
        break;
    case SOCK_STREAM:
        want = T;
        break;
    case SOCK_DGRAM:
        want = U;
        break;
    default:
        return EAI_SOCKTYPE;
    }
    switch (protocol) {
    case 0:
        break;
    case IPPROTO_TCP:
        want &= T;
        break;
    case IPPROTO_UDP:
        want &= U;
        break;
    default:
        return EAI_SOCKTYPE;
    }
    if (want == 0)
        return EAI_SOCKTYPE;

    int port, protos;
    int rc = service_port(service, flags, &port, &protos);
    if (rc != 0)
        return rc;
    want &= protos;
    if (want == 0)
        return EAI_SERVICE;

    struct ip fixed[2];
    struct ip *ips = fixed;
    size_t nips = 0;
    struct ip *allocated = NULL;
    const char *canon = (flags & AI_CANONNAME) ? node : NULL;

    if (node == NULL) {
        nips = builtin(family, flags & AI_PASSIVE, fixed);
    } else if (*node == '\0') {
        return EAI_NONAME;
    } else {
        int num = numeric_host(node, &fixed[0]);
        if (num < 0)
            return EAI_NONAME;
        if (num > 0) {
            nips = 1;
            if (family == AF_INET6 && fixed[0].family == AF_INET) {
                if (!(flags & AI_V4MAPPED))
                    return EAI_NONAME;
                map_v4(&fixed[0]);
            } else if (family == AF_INET && fixed[0].family == AF_INET6) {
                return EAI_NONAME;
            }
        } else if (flags & AI_NUMERICHOST) {
            return EAI_NONAME;
        } else if (is_localhost(node)) {
            nips = builtin(family, 0, fixed);
        } else {
            if (pool < 0) {
                pool = wasock_pool_default();
                if (pool < 0) {
                    errno = ENOTCAPABLE;
                    return EAI_FAIL;
                }
            }
            rc = resolve(pool, node, family, flags, &allocated, &nips);
            if (rc != 0)
                return rc;
            ips = allocated;
        }
    }
    if (nips == 0) {
        free(allocated);
        return EAI_NONAME;
    }

    struct addrinfo *head = NULL, **tail = &head;
    for (size_t i = 0; i < nips; ++i) {
        for (int t = 0; t < 2; ++t) {
            int bit = t == 0 ? T : U;
            if (!(want & bit))
                continue;
            int st = t == 0 ? SOCK_STREAM : SOCK_DGRAM;
            int proto = t == 0 ? IPPROTO_TCP : IPPROTO_UDP;
            struct node *n = make_node(&ips[i], port, flags, st, proto, head ? NULL : canon);
            if (n == NULL) {
                freeaddrinfo(head);
                free(allocated);
                return EAI_MEMORY;
            }
            *tail = &n->ai;
            tail = &n->ai.ai_next;
        }
    }
    free(allocated);
    *res = head;
    return 0;
}

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints, struct addrinfo **__restrict res) {
    return lookup(-1, node, service, hints, res);
}

int wasock_getaddrinfo(int pool_fd, const char *node, const char *service,
                       const struct addrinfo *hints, struct addrinfo **res) {
    if (pool_fd < 0) {
        errno = EBADF;
        return EAI_SYSTEM;
    }
    return lookup(pool_fd, node, service, hints, res);
}

const char *gai_strerror(int code) {
    switch (code) {
    case 0:
        return "Success";
    case EAI_ADDRFAMILY:
        return "Address family for hostname not supported";
    case EAI_AGAIN:
        return "Temporary failure in name resolution";
    case EAI_BADFLAGS:
        return "Invalid value for ai_flags";
    case EAI_FAIL:
        return "Non-recoverable failure in name resolution";
    case EAI_FAMILY:
        return "ai_family not supported";
    case EAI_MEMORY:
        return "Memory allocation failure";
    case EAI_NODATA:
        return "No address associated with hostname";
    case EAI_NONAME:
        return "Name or service not known";
    case EAI_SERVICE:
        return "Servname not supported for ai_socktype";
    case EAI_SOCKTYPE:
        return "ai_socktype not supported";
    case EAI_SYSTEM:
        return "System error";
    case EAI_OVERFLOW:
        return "Argument buffer overflow";
    default:
        return "Unknown error";
    }
}
