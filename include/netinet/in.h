/*
 * wasock overlay for <netinet/in.h>.
 *
 * wasi-libc's header (included first) already has the IP_, IPV6_ option
 * names with Linux's numbers, struct ipv6_mreq, and (under _BSD_SOURCE or
 * _GNU_SOURCE, the default) struct ip_mreq / ip_mreqn.  It defines only six
 * IPPROTO_ numbers; this adds the rest that portable code names.
 */
#ifndef __wasock_netinet_in_h
#define __wasock_netinet_in_h

#include <sys/socket.h>
#include_next <netinet/in.h>

#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS  0
#endif
#ifndef IPPROTO_IGMP
#define IPPROTO_IGMP     2
#endif
#ifndef IPPROTO_IPIP
#define IPPROTO_IPIP     4
#endif
#ifndef IPPROTO_EGP
#define IPPROTO_EGP      8
#endif
#ifndef IPPROTO_PUP
#define IPPROTO_PUP      12
#endif
#ifndef IPPROTO_IDP
#define IPPROTO_IDP      22
#endif
#ifndef IPPROTO_TP
#define IPPROTO_TP       29
#endif
#ifndef IPPROTO_DCCP
#define IPPROTO_DCCP     33
#endif
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING  43
#endif
#ifndef IPPROTO_FRAGMENT
#define IPPROTO_FRAGMENT 44
#endif
#ifndef IPPROTO_RSVP
#define IPPROTO_RSVP     46
#endif
#ifndef IPPROTO_GRE
#define IPPROTO_GRE      47
#endif
#ifndef IPPROTO_ESP
#define IPPROTO_ESP      50
#endif
#ifndef IPPROTO_AH
#define IPPROTO_AH       51
#endif
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6   58
#endif
#ifndef IPPROTO_NONE
#define IPPROTO_NONE     59
#endif
#ifndef IPPROTO_DSTOPTS
#define IPPROTO_DSTOPTS  60
#endif
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP     132
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE  136
#endif
#ifndef IPPROTO_MAX
#define IPPROTO_MAX      263
#endif

/* struct ip_mreq and ip_mreqn (IP_ADD_MEMBERSHIP) are declared by wasi-libc
 * only under _BSD_SOURCE or _GNU_SOURCE; declare them for strict POSIX
 * builds (-D_POSIX_C_SOURCE=...) too. */
#if !defined(_GNU_SOURCE) && !defined(_BSD_SOURCE)
struct ip_mreq {
    struct in_addr imr_multiaddr;
    struct in_addr imr_interface;
};

struct ip_mreqn {
    struct in_addr imr_multiaddr;
    struct in_addr imr_address;
    int imr_ifindex;
};
#endif

#endif
