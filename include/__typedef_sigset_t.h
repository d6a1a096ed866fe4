/*
 * wasock overlay of wasi-libc's <__typedef_sigset_t.h>.
 *
 * wasi-libc's placeholder is `typedef unsigned char sigset_t`, which cannot
 * hold signals 9..64 (SIGPIPE is 13).  This gives sigset_t musl's layout
 * (128 bytes, one bit per signal) so that sigaddset(&s, SIGPIPE) and friends
 * (libwasock, compat_signal.c) work.  wasi-libc's compiled code only ever
 * takes sigset_t by pointer (pselect, ppoll), so the size is free to change.
 * bits/alltypes.h includes this file by name: the SDK's include directory
 * comes first, so this one is used.
 */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef struct __sigset_t { unsigned long __bits[128 / sizeof(long)]; } sigset_t;

#endif
