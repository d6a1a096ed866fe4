/*
 * wasock: struct sockaddr_in with the traditional sin_zero member.
 *
 * This shadows wasi-libc's header of the same name (same include guard).
 * The layout is unchanged -- family at 0, port at 2, address at 4, 16 bytes,
 * aligned like max_align_t -- sin_zero only names the 8 padding bytes that
 * wasi-libc leaves unnamed, so that the common
 * `memset(sa.sin_zero, 0, sizeof sa.sin_zero)` compiles.
 */
#ifndef __wasilibc___struct_sockaddr_in_h
#define __wasilibc___struct_sockaddr_in_h

#define __need_STDDEF_H_misc
#include <stddef.h>
#define __need_max_align_t /* also before C11 (-std=c99) */
#include <stddef.h>

#include <__typedef_sa_family_t.h>
#include <__typedef_in_port_t.h>
#include <__struct_in_addr.h>

struct sockaddr_in {
    _Alignas(max_align_t) sa_family_t sin_family;
    in_port_t sin_port;
    struct in_addr sin_addr;
    unsigned char sin_zero[8];
};

_Static_assert(sizeof(struct sockaddr_in) == 16, "sockaddr_in keeps its size");

#endif
