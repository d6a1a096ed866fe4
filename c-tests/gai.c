/*
 * getaddrinfo(), getnameinfo(), gai_strerror() and the older lookups.
 *
 * usage: gai [resolve NAME IP] [noname NAME] [denied NAME]
 * With no arguments only the cases the guest answers itself are checked
 * (numeric hosts and ports, NULL hosts, "localhost", service names), which
 * need no pool at all.  The optional arguments add lookups through the host:
 *   resolve NAME IP   NAME resolves, and IP is among its addresses
 *   noname NAME       NAME does not exist: EAI_NONAME
 *   denied NAME       the pool does not grant NAME: EAI_FAIL, errno ENOTCAPABLE
 */
#include "testutil.h"

/* Counts the entries of a result, by family and by socket type. */
struct tally {
    int total, v4, v6, stream, dgram, bad_proto;
};

static struct tally count(const struct addrinfo *res) {
    struct tally t = {0};
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        t.total++;
        if (ai->ai_family == AF_INET) {
            t.v4++;
            if (ai->ai_addrlen != sizeof(struct sockaddr_in) || ai->ai_addr->sa_family != AF_INET)
                t.bad_proto++;
        } else if (ai->ai_family == AF_INET6) {
            t.v6++;
            if (ai->ai_addrlen != sizeof(struct sockaddr_in6) || ai->ai_addr->sa_family != AF_INET6)
                t.bad_proto++;
        }
        if (ai->ai_socktype == SOCK_STREAM) {
            t.stream++;
            if (ai->ai_protocol != IPPROTO_TCP)
                t.bad_proto++;
        } else if (ai->ai_socktype == SOCK_DGRAM) {
            t.dgram++;
            if (ai->ai_protocol != IPPROTO_UDP)
                t.bad_proto++;
        } else {
            t.bad_proto++;
        }
    }
    return t;
}

static int gai(const char *node, const char *service, int family, int socktype, int protocol,
               int flags, struct addrinfo **res) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    *res = NULL;
    return getaddrinfo(node, service, &hints, res);
}

static int port_of(const struct addrinfo *ai) {
    return ai->ai_family == AF_INET ? ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port)
                                    : ntohs(((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
}

static const char *text_of(const struct addrinfo *ai, char *buf, size_t len) {
    const void *a = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                             : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
    return inet_ntop(ai->ai_family, a, buf, (socklen_t)len);
}

static int has_ip(const struct addrinfo *res, const char *ip) {
    char buf[INET6_ADDRSTRLEN];
    for (; res; res = res->ai_next)
        if (strcmp(text_of(res, buf, sizeof buf), ip) == 0)
            return 1;
    return 0;
}

static void builtin_cases(void) {
    struct addrinfo *res;
    struct tally t;
    char buf[INET6_ADDRSTRLEN];

    /* Numeric IPv4, socktype 0: one stream and one datagram entry. */
    CHECK_INT(gai("127.0.0.1", "8080", AF_UNSPEC, 0, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.total == 2 && t.v4 == 2 && t.stream == 1 && t.dgram == 1 && t.bad_proto == 0);
    CHECK(res && res->ai_socktype == SOCK_STREAM && port_of(res) == 8080);
    CHECK(res && strcmp(text_of(res, buf, sizeof buf), "127.0.0.1") == 0);
    freeaddrinfo(res);
    ok("gai: numeric IPv4, socktype 0 gives stream and datagram");

    /* Numeric IPv6, with a numeric scope. */
    CHECK_INT(gai("::1", "http", AF_UNSPEC, SOCK_STREAM, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.total == 1 && t.v6 == 1 && t.bad_proto == 0 && port_of(res) == 80);
    freeaddrinfo(res);
    CHECK_INT(gai("fe80::1%3", NULL, AF_INET6, SOCK_DGRAM, 0, AI_NUMERICHOST, &res), 0);
    CHECK(res && ((struct sockaddr_in6 *)res->ai_addr)->sin6_scope_id == 3);
    freeaddrinfo(res);
    CHECK_INT(gai("fe80::1%eth0", NULL, AF_INET6, 0, 0, 0, &res), EAI_NONAME);
    ok("gai: numeric IPv6");

    /* inet_aton forms. */
    CHECK_INT(gai("127.1", NULL, AF_INET, SOCK_STREAM, 0, 0, &res), 0);
    CHECK(res && strcmp(text_of(res, buf, sizeof buf), "127.0.0.1") == 0);
    freeaddrinfo(res);

    /* Family filtering of literals, and AI_V4MAPPED. */
    CHECK_INT(gai("::1", NULL, AF_INET, 0, 0, 0, &res), EAI_NONAME);
    CHECK_INT(gai("127.0.0.1", NULL, AF_INET6, 0, 0, 0, &res), EAI_NONAME);
    CHECK_INT(gai("127.0.0.1", NULL, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED, &res), 0);
    CHECK(res && res->ai_family == AF_INET6 && strcmp(text_of(res, buf, sizeof buf), "::ffff:127.0.0.1") == 0);
    freeaddrinfo(res);
    ok("gai: literal of the other family");

    /* localhost: AF_UNSPEC gives both families; AF_INET only IPv4; AF_INET6 only IPv6. */
    CHECK_INT(gai("localhost", "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.v4 >= 1 && t.v6 >= 1 && t.dgram == 0 && t.bad_proto == 0);
    CHECK(has_ip(res, "127.0.0.1") && has_ip(res, "::1"));
    freeaddrinfo(res);
    CHECK_INT(gai("localhost", "80", AF_INET, 0, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.v4 == 2 && t.v6 == 0 && t.stream == 1 && t.dgram == 1);
    freeaddrinfo(res);
    CHECK_INT(gai("LocalHost.", NULL, AF_INET6, SOCK_DGRAM, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.v6 == 1 && t.v4 == 0 && t.dgram == 1 && has_ip(res, "::1"));
    freeaddrinfo(res);
    CHECK_INT(gai("app.localhost", NULL, AF_INET, SOCK_STREAM, 0, 0, &res), 0);
    freeaddrinfo(res);
    ok("gai: localhost by family");

    /* NULL host: wildcard with AI_PASSIVE, loopback without. */
    CHECK_INT(gai(NULL, "4000", AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE, &res), 0);
    CHECK(has_ip(res, "0.0.0.0") && has_ip(res, "::") && count(res).total == 2);
    freeaddrinfo(res);
    CHECK_INT(gai(NULL, "4000", AF_INET, SOCK_STREAM, 0, AI_PASSIVE, &res), 0);
    CHECK(has_ip(res, "0.0.0.0") && count(res).total == 1 && port_of(res) == 4000);
    freeaddrinfo(res);
    CHECK_INT(gai(NULL, "4000", AF_UNSPEC, SOCK_DGRAM, 0, 0, &res), 0);
    CHECK(has_ip(res, "127.0.0.1") && has_ip(res, "::1") && count(res).dgram == 2);
    freeaddrinfo(res);
    ok("gai: AI_PASSIVE and NULL host");

    /* ai_protocol is honoured. */
    CHECK_INT(gai("127.0.0.1", "53", AF_INET, 0, IPPROTO_UDP, 0, &res), 0);
    t = count(res);
    CHECK(t.total == 1 && t.dgram == 1);
    freeaddrinfo(res);
    CHECK_INT(gai("127.0.0.1", "53", AF_INET, 0, IPPROTO_TCP, 0, &res), 0);
    t = count(res);
    CHECK(t.total == 1 && t.stream == 1);
    freeaddrinfo(res);
    CHECK_INT(gai("127.0.0.1", "53", AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0, &res), EAI_SOCKTYPE);
    ok("gai: ai_protocol");

    /* Service names, AI_NUMERICSERV. */
    CHECK_INT(gai("127.0.0.1", "https", AF_INET, SOCK_STREAM, 0, 0, &res), 0);
    CHECK(res && port_of(res) == 443);
    freeaddrinfo(res);
    CHECK_INT(gai("127.0.0.1", "ssh", AF_INET, 0, 0, 0, &res), 0);
    t = count(res);
    CHECK(t.total == 1 && t.stream == 1 && port_of(res) == 22); /* ssh is TCP only */
    freeaddrinfo(res);
    CHECK_INT(gai("127.0.0.1", "ssh", AF_INET, SOCK_DGRAM, 0, 0, &res), EAI_SERVICE);
    CHECK_INT(gai("127.0.0.1", "http", AF_INET, SOCK_STREAM, 0, AI_NUMERICSERV, &res), EAI_NONAME);
    CHECK_INT(gai("127.0.0.1", "no-such-service", AF_INET, SOCK_STREAM, 0, 0, &res), EAI_SERVICE);
    CHECK_INT(gai("127.0.0.1", "70000", AF_INET, SOCK_STREAM, 0, 0, &res), EAI_SERVICE);
    ok("gai: services");

    /* AI_CANONNAME. */
    CHECK_INT(gai("localhost", NULL, AF_INET, SOCK_STREAM, 0, AI_CANONNAME, &res), 0);
    CHECK(res && res->ai_canonname && strcmp(res->ai_canonname, "localhost") == 0);
    freeaddrinfo(res);
    ok("gai: AI_CANONNAME");

    /* Errors are EAI_ codes, never -1. */
    CHECK_INT(gai(NULL, NULL, AF_UNSPEC, 0, 0, 0, &res), EAI_NONAME);
    CHECK_INT(gai("", "80", AF_UNSPEC, 0, 0, 0, &res), EAI_NONAME);
    CHECK_INT(gai("localhost", NULL, AF_UNSPEC, 0, 0, AI_NUMERICHOST, &res), EAI_NONAME);
    CHECK_INT(gai("localhost", NULL, AF_UNIX, 0, 0, 0, &res), EAI_FAMILY);
    CHECK_INT(gai("localhost", NULL, 99, 0, 0, 0, &res), EAI_FAMILY);
    CHECK_INT(gai("localhost", NULL, AF_INET, SOCK_RAW, 0, 0, &res), EAI_SOCKTYPE);
    CHECK_INT(gai("localhost", NULL, AF_INET, 0, 0, 0x10000, &res), EAI_BADFLAGS);
    CHECK_INT(gai(NULL, "80", AF_INET, 0, 0, AI_CANONNAME, &res), EAI_BADFLAGS);
    CHECK(EAI_NONAME != -1 && EAI_FAIL != -1 && EAI_BADFLAGS != -1 && EAI_AGAIN != -1);
    int codes[] = {EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY, EAI_NONAME,
                   EAI_SERVICE, EAI_SOCKTYPE, EAI_SYSTEM, EAI_OVERFLOW};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i)
        CHECK(gai_strerror(codes[i]) != NULL && strlen(gai_strerror(codes[i])) > 0);
    ok("gai: errors");

    /* getaddrinfo with NULL hints. */
    CHECK_INT(getaddrinfo("127.0.0.1", "7", NULL, &res), 0);
    CHECK(count(res).total == 2);
    freeaddrinfo(res);

    /* getnameinfo: numeric host, service names, NI_NAMEREQD, overflow. */
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, serv, sizeof serv, 0), 0);
    CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "http") == 0);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, serv, sizeof serv,
                          NI_NUMERICHOST | NI_NUMERICSERV), 0);
    CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "80") == 0);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, NULL, 0, NI_NAMEREQD), EAI_NONAME);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, 5, NULL, 0, NI_NUMERICHOST), EAI_OVERFLOW);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, NULL, 0, NULL, 0, 0), EAI_NONAME);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, 4, host, sizeof host, NULL, 0, 0), EAI_FAMILY);
    sin.sin_port = htons(123);
    CHECK_INT(getnameinfo((struct sockaddr *)&sin, sizeof sin, NULL, 0, serv, sizeof serv, NI_DGRAM), 0);
    CHECK(strcmp(serv, "ntp") == 0);
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(40000);
    inet_pton(AF_INET6, "fe80::1", &sin6.sin6_addr);
    sin6.sin6_scope_id = 2;
    CHECK_INT(getnameinfo((struct sockaddr *)&sin6, sizeof sin6, host, sizeof host, serv, sizeof serv, 0), 0);
    CHECK(strcmp(host, "fe80::1%2") == 0 && strcmp(serv, "40000") == 0);
    ok("getnameinfo");

    /* The older interfaces. */
    struct hostent *he = gethostbyname("localhost");
    CHECK(he != NULL && he->h_addrtype == AF_INET && he->h_length == 4);
    CHECK(he && he->h_addr_list[0] && memcmp(he->h_addr_list[0], "\x7f\0\0\x01", 4) == 0);
    he = gethostbyname("10.1.2.3");
    CHECK(he && memcmp(he->h_addr, "\x0a\x01\x02\x03", 4) == 0);
    struct servent *se = getservbyname("http", "tcp");
    CHECK(se && ntohs((uint16_t)se->s_port) == 80 && strcmp(se->s_proto, "tcp") == 0);
    se = getservbyport(htons(443), NULL);
    CHECK(se && strcmp(se->s_name, "https") == 0);
    struct protoent *pe = getprotobyname("udp");
    CHECK(pe && pe->p_proto == IPPROTO_UDP);
    CHECK(inet_addr("10.0.0.1") == htonl(0x0a000001) && inet_addr("bogus") == INADDR_NONE);
    struct in_addr ia = {htonl(0xc0a80001)};
    CHECK(strcmp(inet_ntoa(ia), "192.168.0.1") == 0);
    struct in_addr ib;
    CHECK(inet_aton("1.2.3.4", &ib) == 1 && ib.s_addr == htonl(0x01020304));
    char hn[256];
    CHECK(gethostname(hn, sizeof hn) == 0 && hn[0] != '\0');
    ok("gethostbyname, getservbyname, inet_addr, inet_ntoa, gethostname");
}

int main(int argc, char **argv) {
    builtin_cases();
    for (int i = 1; i < argc; ++i) {
        struct addrinfo *res = NULL;
        if (strcmp(argv[i], "resolve") == 0 && i + 2 < argc) {
            const char *name = argv[i + 1], *ip = argv[i + 2];
            i += 2;
            int rc = gai(name, "80", AF_UNSPEC, 0, 0, 0, &res);
            if (!CHECK(rc == 0))
                fprintf(stderr, "  getaddrinfo(%s): %s\n", name, gai_strerror(rc));
            struct tally t = count(res);
            CHECK(t.stream == t.dgram && t.total >= 2 && t.bad_proto == 0);
            CHECK(has_ip(res, ip));
            freeaddrinfo(res);
            /* AF_INET asks the host for IPv4 only. */
            rc = gai(name, NULL, AF_INET, SOCK_STREAM, 0, 0, &res);
            if (rc == 0) {
                t = count(res);
                CHECK(t.v6 == 0 && t.v4 >= 1);
                freeaddrinfo(res);
            } else {
                CHECK(rc == EAI_NONAME); /* the name may have no IPv4 address */
            }
            printf("resolved %s\n", name);
        } else if (strcmp(argv[i], "noname") == 0 && i + 1 < argc) {
            CHECK_INT(gai(argv[++i], NULL, AF_UNSPEC, SOCK_STREAM, 0, 0, &res), EAI_NONAME);
            printf("no such name %s\n", argv[i]);
        } else if (strcmp(argv[i], "denied") == 0 && i + 1 < argc) {
            errno = 0;
            CHECK_INT(gai(argv[++i], NULL, AF_UNSPEC, SOCK_STREAM, 0, 0, &res), EAI_FAIL);
            CHECK_INT(errno, ENOTCAPABLE);
            printf("denied %s\n", argv[i]);
        } else {
            fprintf(stderr, "bad arguments\n");
            return 2;
        }
        fflush(stdout);
    }
    return finish("gai");
}
