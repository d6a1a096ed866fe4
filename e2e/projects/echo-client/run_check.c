/*
 * A configure-time check that must run (AC_RUN_IFELSE in configure.ac,
 * check_c_source_runs in CMakeLists.txt): exits 0 when a socketpair carries
 * data, and, where the current directory is writable, leaves the size of a
 * pointer in conftest.val (4 for wasm32, 8 for a native x86-64 build), so
 * the result shows where the check ran.
 */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int sv[2];
    char buf[4];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    if (write(sv[0], "ping", 4) != 4 || read(sv[1], buf, sizeof buf) != 4)
        return 2;
    FILE *f = fopen("conftest.val", "w");
    if (f != NULL) {
        /* No newline escape: CMake unescapes the source it reads. */
        fprintf(f, "%d", (int)sizeof(void *));
        fclose(f);
    }
    return 0;
}
