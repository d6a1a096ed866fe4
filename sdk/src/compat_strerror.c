/*
 * strerror() for the Linux errno names <errno.h> adds (120..140, numbers
 * no WASI call returns), with glibc's messages; wasock-cc routes strerror
 * here (-Wl,--wrap=strerror), so perror(), err() and warn() use it too.
 * Every other number is wasi-libc's message.
 */
#include <errno.h>
#include <string.h>

char *__real_strerror(int e);

static const char *const linux_messages[] = {
    [EHOSTDOWN - 120] = "Host is down",
    [ESHUTDOWN - 120] = "Cannot send after transport endpoint shutdown",
    [ESOCKTNOSUPPORT - 120] = "Socket type not supported",
    [EPFNOSUPPORT - 120] = "Protocol family not supported",
    [ETOOMANYREFS - 120] = "Too many references: cannot splice",
    [EUSERS - 120] = "Too many users",
    [EREMOTEIO - 120] = "Remote I/O error",
    [ENONET - 120] = "Machine is not on the network",
    [ENODATA - 120] = "No data available",
    [ETIME - 120] = "Timer expired",
    [ENOSR - 120] = "Out of streams resources",
    [ENOSTR - 120] = "Device not a stream",
    [EBADFD - 120] = "File descriptor in bad state",
    [ECOMM - 120] = "Communication error on send",
    [EREMOTE - 120] = "Object is remote",
    [ENOTBLK - 120] = "Block device required",
    [ENOTUNIQ - 120] = "Name not unique on network",
    [ENOMEDIUM - 120] = "No medium found",
    [ENOKEY - 120] = "Required key not available",
    [ESTRPIPE - 120] = "Streams pipe error",
    [ERESTART - 120] = "Interrupted system call should be restarted",
};

char *__wrap_strerror(int e) {
    if (e >= 120 && e < 120 + (int)(sizeof linux_messages / sizeof linux_messages[0]) && linux_messages[e - 120])
        return (char *)linux_messages[e - 120];
    return __real_strerror(e);
}
