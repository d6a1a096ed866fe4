/*
 * wasock: struct sockaddr_un with sun_path.
 *
 * This shadows wasi-libc's header of the same name (same include guard),
 * whose struct has no sun_path at all.  WASI has no UNIX-domain sockets --
 * socket(AF_UNIX, ...) fails with EAFNOSUPPORT -- but code that supports them
 * as an option should still compile and fall back at run time.
 */
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h

#define __need_STDDEF_H_misc
#include <stddef.h>
#define __need_max_align_t /* also before C11 (-std=c99) */
#include <stddef.h>

#include <__typedef_sa_family_t.h>

struct sockaddr_un {
    _Alignas(max_align_t) sa_family_t sun_family;
    char sun_path[108];
};

#endif
