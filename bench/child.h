/* child.h — the child processes of `tripod bench` (tripod serve, wrk, the
 * PostgreSQL helper): started so that they die with the bench, stopped on
 * every path, and Ctrl-C (SIGINT/SIGTERM) turned into an orderly unwind. */
#ifndef TRIPOD_BENCH_CHILD_H
#define TRIPOD_BENCH_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* From now on SIGINT and SIGTERM only set the interrupted flag and stop the
 * killable command child_run() is running; callers see the flag and unwind
 * through their usual cleanup. */
void child_trap_signals(void);

/* 1 once SIGINT or SIGTERM arrived, else 0. */
int child_interrupted(void);

/* Starts PATH with ARGV and ENVP, stdout and stderr appended to LOG. The
 * child gets SIGTERM if the bench dies first. Returns its pid (stop it with
 * child_stop), or -1 when it could not be started. */
pid_t child_spawn(const char *path, char *const argv[], char *const envp[], const char *log);

/* 1 while *PID runs; 0 once it has exited (it is then reaped and *PID set
 * to -1, so that no later signal can reach a reused pid). */
int child_alive(pid_t *pid);

/* Stops the N children in PIDS (entries <= 0 are skipped): SIGTERM to all,
 * then up to GRACE_S seconds for them to exit, then SIGKILL for any left
 * (said on stderr, naming them WHAT). Each stopped entry is set to -1.
 * Returns how many had to be killed. */
int child_stop(pid_t *pids, int n, int grace_s, const char *what);

/* Runs ARGV[0] (looked up in PATH) to completion with the bench's
 * environment, its stdout and stderr together in OUT (NUL-terminated,
 * truncated to OUTLEN - 1 bytes). KILLABLE: a SIGINT/SIGTERM of the bench
 * stops it at once (SIGTERM), else it is left to finish. Returns its exit
 * status (0-255), or -1 when it could not run or died of a signal. */
int child_run(char *const argv[], int killable, char *out, size_t outlen);

#endif
