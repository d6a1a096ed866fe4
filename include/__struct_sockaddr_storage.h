/*
 * wasock: a struct sockaddr_storage that can hold every sockaddr.
 *
 * This shadows wasi-libc's header of the same name (same include guard).
 * wasi-libc's is 48 bytes, smaller than the struct sockaddr_un that wasock
 * declares (see __struct_sockaddr_un.h); this one is 128 bytes like Linux's,
 * with the same ss_family member and alignment.  No code in wasi-libc's
 * libc.a depends on its size.
 */
#ifndef __wasilibc___struct_sockaddr_storage_h
#define __wasilibc___struct_sockaddr_storage_h

#define __need_STDDEF_H_misc
#include <stddef.h>
#define __need_max_align_t /* also before C11 (-std=c99) */
#include <stddef.h>

#include <__typedef_sa_family_t.h>

struct sockaddr_storage {
    _Alignas(max_align_t) sa_family_t ss_family;
    char __ss_data[126];
};

_Static_assert(sizeof(struct sockaddr_storage) == 128, "sockaddr_storage is 128 bytes");

#endif
