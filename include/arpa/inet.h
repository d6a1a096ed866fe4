/*
 * wasock overlay for <arpa/inet.h>: declares inet_addr() and inet_ntoa(),
 * which wasi-libc hides and libwasock.a implements.  inet_pton, inet_ntop and
 * inet_aton come from wasi-libc.
 */
#ifndef __wasock_arpa_inet_h
#define __wasock_arpa_inet_h

#include_next <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *);
char *inet_ntoa(struct in_addr);

#ifdef __cplusplus
}
#endif

#endif
