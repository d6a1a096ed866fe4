/*
 * getnameinfo().
 *
 * The ABI has no reverse lookup, so the host part is always numeric
 * (IPv6 with "%scope" when sin6_scope_id is set); with NI_NAMEREQD, which
 * demands a name, the call fails with EAI_NONAME.  The service part is the
 * name from the built-in table (services.c) unless NI_NUMERICSERV is given or
 * the port has no name; NI_DGRAM looks the port up as UDP.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "internal.h"

#define KNOWN_FLAGS (NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_NUMERICSCOPE)

static int put(char *dst, socklen_t cap, const char *src) {
    size_t len = strlen(src);
    if (len + 1 > cap)
        return EAI_OVERFLOW;
    memcpy(dst, src, len + 1);
    return 0;
}

int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen,
                char *__restrict host, socklen_t hostlen,
                char *__restrict serv, socklen_t servlen, int flags) {
    if (flags & ~KNOWN_FLAGS)
        return EAI_BADFLAGS;
    wasock_addr_t a;
    int err = __wasock_addr_in(sa, salen, &a);
    if (err == EFAULT) {
        errno = EFAULT;
        return EAI_SYSTEM;
    }
    if (err != 0)
        return EAI_FAMILY;
    int want_host = host != NULL && hostlen > 0;
    int want_serv = serv != NULL && servlen > 0;
    if (!want_host && !want_serv)
        return EAI_NONAME;

    if (want_host) {
        if ((flags & NI_NAMEREQD) && !(flags & NI_NUMERICHOST))
            return EAI_NONAME; /* no reverse lookup in wasock */
        char buf[INET6_ADDRSTRLEN + 12];
        if (a.family == WASOCK_FAMILY_INET4) {
            inet_ntop(AF_INET, a.ip, buf, sizeof buf);
        } else {
            inet_ntop(AF_INET6, a.ip, buf, sizeof buf);
            if (a.scope_id != 0) {
                size_t l = strlen(buf);
                snprintf(buf + l, sizeof buf - l, "%%%u", (unsigned)a.scope_id);
            }
        }
        if ((err = put(host, hostlen, buf)) != 0)
            return err;
    }
    if (want_serv) {
        char buf[8];
        const char *name = NULL;
        if (!(flags & NI_NUMERICSERV))
            name = __wasock_service_name(a.port, (flags & NI_DGRAM) ? WASOCK_SVC_UDP : WASOCK_SVC_TCP);
        if (name == NULL) {
            snprintf(buf, sizeof buf, "%u", (unsigned)a.port);
            name = buf;
        }
        if ((err = put(serv, servlen, name)) != 0)
            return err;
    }
    return 0;
}
