/*
 * <resolv.h>: a guest has no resolver configuration and no name servers of
 * its own (the host resolves names for getaddrinfo(), within the pool's
 * --allow-resolve rights).  The res_* calls fail with ENOSYS (h_errno
 * NO_RECOVERY).  dn_expand(), dn_skipname() and dn_comp() only format
 * names, so they work (dn_comp writes names uncompressed).
 */
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

struct __res_state _res;

static int no_resolver(void) {
    h_errno = NO_RECOVERY;
    errno = ENOSYS;
    return -1;
}

int res_init(void) {
    errno = ENOSYS;
    return -1;
}

int res_ninit(res_state st) {
    (void)st;
    errno = ENOSYS;
    return -1;
}

void res_nclose(res_state st) { (void)st; }

int res_query(const char *name, int class, int type, unsigned char *ans, int len) {
    (void)name, (void)class, (void)type, (void)ans, (void)len;
    return no_resolver();
}

int res_search(const char *name, int class, int type, unsigned char *ans, int len) {
    (void)name, (void)class, (void)type, (void)ans, (void)len;
    return no_resolver();
}

int res_querydomain(const char *name, const char *domain, int class, int type, unsigned char *ans, int len) {
    (void)name, (void)domain, (void)class, (void)type, (void)ans, (void)len;
    return no_resolver();
}

int res_mkquery(int op, const char *dname, int class, int type, const unsigned char *data, int datalen,
                const unsigned char *newrr, unsigned char *buf, int buflen) {
    (void)op, (void)dname, (void)class, (void)type, (void)data, (void)datalen, (void)newrr, (void)buf,
        (void)buflen;
    return no_resolver();
}

int res_send(const unsigned char *msg, int msglen, unsigned char *ans, int anslen) {
    (void)msg, (void)msglen, (void)ans, (void)anslen;
    return no_resolver();
}

/* Expands the (possibly compressed) name at src inside msg[0..eom) into dest
 * as dotted text; returns the bytes the name takes at src, or -1. */
int dn_expand(const unsigned char *msg, const unsigned char *eom, const unsigned char *src, char *dest, int space) {
    const unsigned char *p = src;
    char *d = dest, *dend = dest + (space > 254 ? 254 : space);
    int len = -1, hops = 0;
    if (p == eom || space <= 0)
        return -1;
    for (;;) {
        if (p >= eom)
            return -1;
        if ((*p & 0xc0) == 0xc0) {
            if (p + 1 >= eom || ++hops > 127)
                return -1;
            if (len < 0)
                len = (int)(p + 2 - src);
            p = msg + (((p[0] & 0x3f) << 8) | p[1]);
            continue;
        }
        if (*p & 0xc0)
            return -1;
        if (*p == 0) {
            if (d == dest)
                *d = '\0'; /* the root: "" as in glibc */
            else
                d[-1] = '\0';
            if (len < 0)
                len = (int)(p + 1 - src);
            return len;
        }
        int n = *p++;
        if (n >= eom - p || n >= dend - d)
            return -1;
        memcpy(d, p, n);
        d += n;
        *d++ = '.';
        p += n;
    }
}

int dn_skipname(const unsigned char *s, const unsigned char *end) {
    const unsigned char *p = s;
    while (p < end) {
        if (*p == 0)
            return (int)(p + 1 - s);
        if ((*p & 0xc0) == 0xc0)
            return p + 1 < end ? (int)(p + 2 - s) : -1;
        if (*p & 0xc0)
            return -1;
        p += *p + 1;
    }
    return -1;
}

int dn_comp(const char *src, unsigned char *dst, int space, unsigned char **dnptrs, unsigned char **lastdnptr) {
    (void)dnptrs, (void)lastdnptr;
    size_t l = strlen(src);
    if (l && src[l - 1] == '.')
        l--;
    if (l > 253 || (int)l + 2 > space) {
        errno = EMSGSIZE;
        return -1;
    }
    unsigned char *d = dst;
    const char *p = src, *end = src + l;
    while (p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t n = dot ? (size_t)(dot - p) : (size_t)(end - p);
        if (n == 0 || n > 63) {
            errno = EMSGSIZE;
            return -1;
        }
        *d++ = (unsigned char)n;
        memcpy(d, p, n);
        d += n;
        p += n + (dot ? 1 : 0);
    }
    *d++ = 0;
    return (int)(d - dst);
}
