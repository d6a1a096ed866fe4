/*
 * <sys/wait.h>, <dlfcn.h>, <setjmp.h>: what a single WebAssembly module
 * cannot do.  No children (wait: ECHILD), no code loading (dlopen: NULL),
 * no non-local jumps (longjmp: aborts; see include/setjmp.h for why).
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

pid_t wait(int *status) {
    (void)status;
    errno = ECHILD;
    return -1;
}

pid_t waitpid(pid_t pid, int *status, int options) {
    (void)pid, (void)status, (void)options;
    errno = ECHILD;
    return -1;
}

#include "threads.h"

static WASOCK_THREAD_LOCAL const char *dl_error; /* per thread, as glibc */

void *dlopen(const char *file, int mode) {
    (void)file, (void)mode;
    dl_error = "dlopen: dynamic loading is not supported in a WebAssembly (wasm32-wasi) module";
    return NULL;
}

void *dlsym(void *restrict handle, const char *restrict name) {
    (void)handle, (void)name;
    dl_error = "dlsym: dynamic loading is not supported in a WebAssembly (wasm32-wasi) module";
    return NULL;
}

int dlclose(void *handle) {
    (void)handle;
    dl_error = "dlclose: invalid handle (nothing can be loaded in a WebAssembly module)";
    return -1;
}

char *dlerror(void) {
    const char *e = dl_error;
    dl_error = NULL;
    return (char *)e;
}

int dladdr(const void *addr, Dl_info *info) {
    (void)addr, (void)info;
    return 0;
}

#undef setjmp
int setjmp(jmp_buf env) {
    (void)env;
    return 0;
}

int _setjmp(jmp_buf env) {
    (void)env;
    return 0;
}

int sigsetjmp(sigjmp_buf env, int savemask) {
    (void)env, (void)savemask;
    return 0;
}

_Noreturn static void no_longjmp(const char *what) {
    fprintf(stderr, "%s: not supported in this WebAssembly sandbox (no exception handling); aborting\n", what);
    abort();
}

_Noreturn void longjmp(jmp_buf env, int val) {
    (void)env, (void)val;
    no_longjmp("longjmp");
}

_Noreturn void _longjmp(jmp_buf env, int val) {
    (void)env, (void)val;
    no_longjmp("_longjmp");
}

_Noreturn void siglongjmp(sigjmp_buf env, int val) {
    (void)env, (void)val;
    no_longjmp("siglongjmp");
}
