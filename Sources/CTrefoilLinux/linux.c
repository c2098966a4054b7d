#define _GNU_SOURCE
#include "CTrefoilLinux.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>

// The system call numbers are the same on every architecture since Linux 5.1 (openat2 came in 5.6);
// older kernel headers may not name them.
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/// struct open_how of linux/openat2.h, spelled out so that older kernel headers do not matter.
struct ctrefoil_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

const int CTrefoilOPath = O_PATH;

int CTrefoil_openat2(int dirfd, const char *path, int flags, unsigned long long resolve) {
    struct ctrefoil_open_how how = {.flags = (uint64_t)(unsigned int)flags, .mode = 0, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int CTrefoil_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

#else

const int CTrefoilOPath = O_RDONLY;

int CTrefoil_openat2(int dirfd, const char *path, int flags, unsigned long long resolve) {
    (void)dirfd, (void)path, (void)flags, (void)resolve;
    errno = ENOSYS;
    return -1;
}

int CTrefoil_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    (void)olddirfd, (void)oldpath, (void)newdirfd, (void)newpath, (void)flags;
    errno = ENOSYS;
    return -1;
}

#endif

int CTrefoil_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions, (void)from;
    return ENOSYS;
#endif
}

int CTrefoil_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    return posix_spawn_file_actions_addchdir_np(actions, path);
#else
    (void)actions, (void)path;
    return ENOSYS;
#endif
}

int CTrefoil_spawnattr_own_group(posix_spawnattr_t *attributes, const int *defaults, int count) {
    int error =
        posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (error == 0) error = posix_spawnattr_setpgroup(attributes, 0);
    sigset_t set;
    sigemptyset(&set);
    if (error == 0) error = posix_spawnattr_setsigmask(attributes, &set);
    for (int i = 0; i < count; i++) sigaddset(&set, defaults[i]);
    if (error == 0) error = posix_spawnattr_setsigdefault(attributes, &set);
    return error;
}
