#ifndef RUNBOOK_PROCESS_SUPPORT_H
#define RUNBOOK_PROCESS_SUPPORT_H

#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close on exec, atomically, so a child spawned by another
/// thread never inherits them.
int runbook_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29+), which Swift cannot see without _GNU_SOURCE.
int runbook_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
