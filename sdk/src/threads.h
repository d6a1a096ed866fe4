/*
 * Thread safety inside libwasock.a (not installed).  The library is built
 * twice: for wasm32-wasi, and with -pthread (which defines _REENTRANT) for
 * wasm32-wasi-threads (sdk/threads.mk).  In the plain build these are
 * nothing; in the threads build:
 *
 *   WASOCK_THREAD_LOCAL    a static result buffer each thread has its own
 *                          copy of (inet_ntoa, dlerror, h_errno: per thread
 *                          in glibc too; gethostbyname, getservbyname:
 *                          shared in glibc, per thread here, which costs a
 *                          few hundred bytes of TLS and removes a race);
 *   WASOCK_MUTEX(name)     defines a mutex guarding shared state (the pool
 *                          list), taken with WASOCK_LOCK / WASOCK_UNLOCK.
 *
 * docs/porting.md ("Threads") lists what is thread-safe.
 */
#ifndef WASOCK_THREADS_H
#define WASOCK_THREADS_H

#ifdef _REENTRANT
#include <pthread.h>
#define WASOCK_THREAD_LOCAL _Thread_local
#define WASOCK_MUTEX(name) static pthread_mutex_t name = PTHREAD_MUTEX_INITIALIZER
#define WASOCK_LOCK(name) ((void)pthread_mutex_lock(&(name)))
#define WASOCK_UNLOCK(name) ((void)pthread_mutex_unlock(&(name)))
#else
#define WASOCK_THREAD_LOCAL
#define WASOCK_MUTEX(name) _Static_assert(1, #name)
#define WASOCK_LOCK(name) ((void)0)
#define WASOCK_UNLOCK(name) ((void)0)
#endif

#endif
