#ifndef CTREFOIL_LINUX_H
#define CTREFOIL_LINUX_H

#include <spawn.h>

// Linux calls that Swift's Glibc module cannot reach: openat2(2) has no glibc wrapper (only the variadic
// syscall(2), which Swift does not import), and O_PATH and renameat2(2) need _GNU_SOURCE.

/// openat2(2)'s RESOLVE_NO_MAGICLINKS, RESOLVE_BENEATH and RESOLVE_IN_ROOT (linux/openat2.h).
#define CTREFOIL_RESOLVE_NO_MAGICLINKS 0x02
#define CTREFOIL_RESOLVE_BENEATH 0x08
#define CTREFOIL_RESOLVE_IN_ROOT 0x10

/// renameat2(2)'s RENAME_EXCHANGE.
#define CTREFOIL_RENAME_EXCHANGE 2

/// O_PATH: a descriptor that only names a file (to resolve paths against it), without read access to it.
extern const int CTrefoilOPath;

/// openat2(2) with `flags` and `resolve`; -1 with errno ENOSYS where the kernel (or a seccomp filter) has no
/// openat2, or the platform is not Linux.
int CTrefoil_openat2(int dirfd, const char *path, int flags, unsigned long long resolve);

/// renameat2(2) through the raw system call, for kernels whose C library lacks the wrapper.
int CTrefoil_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34): the child closes every descriptor from `from` up before
/// it execs. Returns ENOSYS where the C library lacks it.
int CTrefoil_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// posix_spawn_file_actions_addchdir_np(3) (glibc 2.29): the child changes to `path` before it execs. Returns ENOSYS
/// where the C library lacks it.
int CTrefoil_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// Sets `attributes` (initialised) for a child in a process group of its own (its id is the child's, so that a kill of
/// the group reaches whatever the child starts), with no signal blocked and the default action for each of the
/// `count` signals in `defaults` (an ignored signal would otherwise stay ignored across exec). Returns the first
/// error, or 0.
int CTrefoil_spawnattr_own_group(posix_spawnattr_t *attributes, const int *defaults, int count);

#endif
