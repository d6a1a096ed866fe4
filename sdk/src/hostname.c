/*
 * gethostname(): wasi-libc declares it but does not define it.  The guest's
 * host name is uname()'s nodename.
 */
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "internal.h"

int gethostname(char *name, size_t len) {
    struct utsname u;
    if (uname(&u) != 0)
        return -1;
    size_t n = strlen(u.nodename);
    if (n + 1 > len)
        return __wasock_fail(ENAMETOOLONG);
    memcpy(name, u.nodename, n + 1);
    return 0;
}
