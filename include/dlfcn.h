/*
 * wasock <dlfcn.h> (wasi-libc has none).  A WebAssembly module cannot load
 * code at run time: dlopen() returns NULL, dlsym() NULL, dlclose() -1, and
 * dlerror() says why ("dynamic loading is not supported ...") once after
 * each failure, as POSIX says.  libdl.a is in wasi-libc (empty), so -ldl
 * links.
 */
#ifndef __wasock_dlfcn_h
#define __wasock_dlfcn_h

#ifdef __cplusplus
extern "C" {
#endif

#define RTLD_LAZY   1
#define RTLD_NOW    2
#define RTLD_NOLOAD 4
#define RTLD_NODELETE 4096
#define RTLD_GLOBAL 256
#define RTLD_LOCAL  0

#define RTLD_NEXT    ((void *)-1)
#define RTLD_DEFAULT ((void *)0)

void *dlopen(const char *, int);
void *dlsym(void *__restrict, const char *__restrict);
int dlclose(void *);
char *dlerror(void);

typedef struct {
    const char *dli_fname;
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} Dl_info;
int dladdr(const void *, Dl_info *);

#ifdef __cplusplus
}
#endif

#endif
