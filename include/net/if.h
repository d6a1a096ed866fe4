/*
 * wasock <net/if.h> (wasi-libc has none).
 *
 * A wasock guest sees no network interfaces: the host grants addresses
 * (pools), never interfaces.  So there is no interface to name:
 * if_nametoindex() returns 0 (errno ENXIO), if_indextoname() NULL (ENXIO),
 * if_nameindex() an empty list.  Interface index 0 ("any") is what the ABI's
 * multicast joins and IPv6 scope ids accept.  See docs/porting.md.
 */
#ifndef __wasock_net_if_h
#define __wasock_net_if_h

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#ifndef IFNAMSIZ
#define IFNAMSIZ IF_NAMESIZE
#endif

struct if_nameindex {
    unsigned int if_index;
    char *if_name;
};

unsigned int if_nametoindex(const char *);
char *if_indextoname(unsigned int, char *);
struct if_nameindex *if_nameindex(void);
void if_freenameindex(struct if_nameindex *);

/* Interface flags (Linux values), for code that tests them. */
#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_DEBUG       0x4
#define IFF_LOOPBACK    0x8
#define IFF_POINTOPOINT 0x10
#define IFF_NOTRAILERS  0x20
#define IFF_RUNNING     0x40
#define IFF_NOARP       0x80
#define IFF_PROMISC     0x100
#define IFF_ALLMULTI    0x200
#define IFF_MASTER      0x400
#define IFF_SLAVE       0x800
#define IFF_MULTICAST   0x1000
#define IFF_PORTSEL     0x2000
#define IFF_AUTOMEDIA   0x4000
#define IFF_DYNAMIC     0x8000

#ifdef __cplusplus
}
#endif

#endif
