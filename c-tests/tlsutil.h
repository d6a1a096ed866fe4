/*
 * Helpers of the TLS guests (tls_client.c, tls_server.c), which print the
 * same lines as their Rust twins (rust-tests/src/bin/tls_*.rs) so that the
 * e2e tests can compare them: errno names through oracle.h, the TLS
 * options through getsockopt(SOL_WASOCK_TLS, ...).
 */
#ifndef WASOCK_TLSUTIL_H
#define WASOCK_TLSUTIL_H

#include <wasock.h>

#include "oracle.h"
#include "testutil.h"

/* "error: ENAME" for errno, as the Rust programs print it. */
static inline void tls_error(void) {
    printf("error: %s\n", err_name(errno));
    fflush(stdout);
}

/* Prints "PREFIX: ENTRY" for each line of the peer's identity, or
 * "PREFIX: none" when it has none.  Returns 0, or -1 with errno (a failed
 * handshake's, since the option waits for it). */
static inline int tls_print_identity(int fd, const char *prefix) {
    char id[4097];
    socklen_t len = sizeof id - 1;
    if (getsockopt(fd, SOL_WASOCK_TLS, WASOCK_TLS_PEER_IDENTITY, id, &len) != 0)
        return -1;
    id[len] = '\0';
    int lines = 0;
    for (char *line = strtok(id, "\n"); line != NULL; line = strtok(NULL, "\n"), lines++)
        printf("%s: %s\n", prefix, line);
    if (lines == 0)
        printf("%s: none\n", prefix);
    fflush(stdout);
    return 0;
}

/* Prints version, cipher, server_name and peer_identity lines. */
static inline int tls_print_info(int fd) {
    int version = 0, cipher = 0;
    socklen_t len = sizeof version;
    if (getsockopt(fd, SOL_WASOCK_TLS, WASOCK_TLS_VERSION, &version, &len) != 0)
        return -1;
    len = sizeof cipher;
    if (getsockopt(fd, SOL_WASOCK_TLS, WASOCK_TLS_CIPHER_SUITE, &cipher, &len) != 0)
        return -1;
    char name[254];
    len = sizeof name - 1;
    if (getsockopt(fd, SOL_WASOCK_TLS, WASOCK_TLS_SERVER_NAME, name, &len) != 0)
        return -1;
    name[len] = '\0';
    printf("version: 0x%04x\ncipher: 0x%04x\nserver_name: %s\n", version, cipher, len ? name : "none");
    return tls_print_identity(fd, "peer_identity");
}

#endif
