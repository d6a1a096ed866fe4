/*
 * wasock <setjmp.h> (wasi-libc's 2022 snapshot has none).
 *
 * WebAssembly cannot jump back into a caller's frame without the exception
 * handling proposal.  clang-19's -mllvm -wasm-enable-sjlj does compile
 * setjmp/longjmp, but into the *legacy* exception instructions (try/catch),
 * which wasmtime 48 rejects ("legacy_exceptions feature required"), and it
 * needs runtime helpers this wasi-libc lacks.  So: setjmp() and sigsetjmp()
 * return 0 (the direct return, which is all a program sees until it jumps),
 * and longjmp()/siglongjmp() print "longjmp: not supported ..." on stderr
 * and abort() -- a trap, never a silent return into the wrong place.
 * Code that uses setjmp only for error recovery runs normally until the
 * error happens.  See docs/porting.md.
 */
#ifndef __wasock_setjmp_h
#define __wasock_setjmp_h

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long long __wasock_jmp_buf_words[8];

typedef struct __jmp_buf_tag {
    __wasock_jmp_buf_words __jb;
    unsigned long __fl;
    unsigned long __ss[128 / sizeof(long)];
} jmp_buf[1];

typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf) __attribute__((__returns_twice__));
__attribute__((__noreturn__)) void longjmp(jmp_buf, int);
int _setjmp(jmp_buf) __attribute__((__returns_twice__));
__attribute__((__noreturn__)) void _longjmp(jmp_buf, int);
int sigsetjmp(sigjmp_buf, int) __attribute__((__returns_twice__));
__attribute__((__noreturn__)) void siglongjmp(sigjmp_buf, int);

#define setjmp setjmp

#ifdef __cplusplus
}
#endif

#endif
