/*
 * sysconf(), which wasock-cc routes here (-Wl,--wrap=sysconf), so that
 * _SC_OPEN_MAX is a positive number: wasi-libc's is -1, which one server
 * reads as "out of memory".  Every other name gets wasi-libc's answer.
 * (A file of its own: it needs the --wrap, which defines __real_sysconf.)
 */
#include <unistd.h>

#include "compat.h"

long __real_sysconf(int name);

long __wrap_sysconf(int name) {
    if (name == _SC_OPEN_MAX)
        return WASOCK_OPEN_MAX;
    return __real_sysconf(name);
}
