/*
 * gethostbyname(), gethostbyname2(), gethostbyaddr(), h_errno, hstrerror(),
 * herror() -- the old interfaces, on top of getaddrinfo().  Results live in
 * static storage that the next call overwrites; in the threads build each
 * thread has its own (glibc shares one) and its own h_errno (as glibc).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

WASOCK_THREAD_LOCAL int h_errno;

#define MAX_ADDRS 16

static WASOCK_THREAD_LOCAL struct {
    struct hostent h;
    char name[256];
    char *aliases[1];
    char *addr_ptrs[MAX_ADDRS + 1];
    unsigned char addrs[MAX_ADDRS][16];
} hb;

struct hostent *gethostbyname2(const char *name, int af) {
    if (name == NULL || (af != AF_INET && af != AF_INET6)) {
        h_errno = NO_RECOVERY;
        return NULL;
    }
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = af;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        h_errno = rc == EAI_NONAME ? HOST_NOT_FOUND : rc == EAI_AGAIN ? TRY_AGAIN : NO_RECOVERY;
        return NULL;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai != NULL && n < MAX_ADDRS; ai = ai->ai_next) {
        if (af == AF_INET)
            memcpy(hb.addrs[n], &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
        else
            memcpy(hb.addrs[n], &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
        hb.addr_ptrs[n] = (char *)hb.addrs[n];
        n++;
    }
    freeaddrinfo(res);
    hb.addr_ptrs[n] = NULL;
    hb.aliases[0] = NULL;
    snprintf(hb.name, sizeof hb.name, "%s", name);
    hb.h.h_name = hb.name;
    hb.h.h_aliases = hb.aliases;
    hb.h.h_addrtype = af;
    hb.h.h_length = af == AF_INET ? 4 : 16;
    hb.h.h_addr_list = hb.addr_ptrs;
    return &hb.h;
}

struct hostent *gethostbyname(const char *name) {
    return gethostbyname2(name, AF_INET);
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type) {
    (void)addr;
    (void)len;
    (void)type;
    h_errno = HOST_NOT_FOUND; /* no reverse lookup in wasock */
    return NULL;
}

const char *hstrerror(int err) {
    switch (err) {
    case HOST_NOT_FOUND:
        return "Unknown host";
    case TRY_AGAIN:
        return "Host name lookup failure";
    case NO_RECOVERY:
        return "Unknown server error";
    case NO_DATA:
        return "No address associated with name";
    default:
        return "Resolver internal error";
    }
}

void herror(const char *msg) {
    if (msg != NULL && *msg != '\0')
        fprintf(stderr, "%s: %s\n", msg, hstrerror(h_errno));
    else
        fprintf(stderr, "%s\n", hstrerror(h_errno));
}
