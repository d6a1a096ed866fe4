/*
 * <net/if.h> and getifaddrs(): a wasock guest is granted addresses (pools),
 * never interfaces, and sees none.  Name lookups fail with ENXIO (as Linux
 * does for a name or index that does not exist); the lists are empty.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>

unsigned int if_nametoindex(const char *name) {
    (void)name;
    errno = ENXIO;
    return 0;
}

char *if_indextoname(unsigned int index, char *name) {
    (void)index, (void)name;
    errno = ENXIO;
    return NULL;
}

struct if_nameindex *if_nameindex(void) {
    /* Just the terminating entry. */
    struct if_nameindex *list = calloc(1, sizeof *list);
    if (!list)
        errno = ENOBUFS;
    return list;
}

void if_freenameindex(struct if_nameindex *list) {
    free(list);
}

int getifaddrs(struct ifaddrs **ifap) {
    *ifap = NULL;
    return 0;
}

void freeifaddrs(struct ifaddrs *ifa) {
    while (ifa) {
        struct ifaddrs *next = ifa->ifa_next;
        free(ifa);
        ifa = next;
    }
}
