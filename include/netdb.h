/*
 * wasock <netdb.h>.  Debian's wasi-libc has no <netdb.h>; this is all of it,
 * implemented by libwasock.a.
 *
 * Name lookups go through an address pool's `resolve` right (the host's
 * resolver, addr_resolve).  Numeric hosts and ports, "localhost" and the
 * service names of a built-in table are handled in the guest and need no
 * right.  There is no reverse lookup: getnameinfo() returns numeric hosts,
 * and fails with EAI_NONAME when NI_NAMEREQD asks for a name.
 *
 * EAI_ codes are positive (as on the BSDs), so no error code is -1.
 */
#ifndef __wasock_netdb_h
#define __wasock_netdb_h

#include <features.h>
#include <sys/socket.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};

/* ai_flags */
#define AI_PASSIVE     0x01
#define AI_CANONNAME   0x02
#define AI_NUMERICHOST 0x04
#define AI_V4MAPPED    0x08
#define AI_ALL         0x10
#define AI_ADDRCONFIG  0x20
#define AI_NUMERICSERV 0x400

/* getnameinfo() flags */
#define NI_NUMERICHOST  0x01
#define NI_NUMERICSERV  0x02
#define NI_NOFQDN       0x04
#define NI_NAMEREQD     0x08
#define NI_DGRAM        0x10
#define NI_NUMERICSCOPE 0x100

#define NI_MAXHOST 1025
#define NI_MAXSERV 32

/* getaddrinfo() / getnameinfo() results */
#define EAI_ADDRFAMILY 1
#define EAI_AGAIN      2
#define EAI_BADFLAGS   3
#define EAI_FAIL       4
#define EAI_FAMILY     5
#define EAI_MEMORY     6
#define EAI_NODATA     7
#define EAI_NONAME     8
#define EAI_SERVICE    9
#define EAI_SOCKTYPE   10
#define EAI_SYSTEM     11
#define EAI_OVERFLOW   14

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints,
                struct addrinfo **__restrict res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int errcode);
int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen,
                char *__restrict host, socklen_t hostlen,
                char *__restrict serv, socklen_t servlen, int flags);

/* ---- the older interfaces --------------------------------------------------- */

struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype;
    int h_length;
    char **h_addr_list;
};
#define h_addr h_addr_list[0]

struct servent {
    char *s_name;
    char **s_aliases;
    int s_port; /* network byte order */
    char *s_proto;
};

struct protoent {
    char *p_name;
    char **p_aliases;
    int p_proto;
};

/* h_errno values */
#define HOST_NOT_FOUND 1
#define TRY_AGAIN      2
#define NO_RECOVERY    3
#define NO_DATA        4
#define NO_ADDRESS     NO_DATA

/* Per thread in a threads build (wasock-cc -pthread), as glibc's. */
#ifdef _REENTRANT
extern _Thread_local int h_errno;
#else
extern int h_errno;
#endif

/* Results live in static storage, overwritten by the next call. */
struct hostent *gethostbyname(const char *name);
struct hostent *gethostbyname2(const char *name, int af);
/* No reverse lookup: always NULL with h_errno HOST_NOT_FOUND. */
struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type);
const char *hstrerror(int err);
void herror(const char *msg);

/* From a built-in table of well-known services (no /etc/services). */
struct servent *getservbyname(const char *name, const char *proto);
struct servent *getservbyport(int port, const char *proto);
/* "ip", "icmp", "tcp", "udp", "ipv6", "icmpv6". */
struct protoent *getprotobyname(const char *name);
struct protoent *getprotobynumber(int proto);

#ifdef __cplusplus
}
#endif

#endif
