/* bench_pg.c — runs the HTTP benchmarks, which need real servers, a
 * throwaway PostgreSQL cluster and wrk, through bench/bench_pg.py. */
#include "bench_pg.h"

#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int bench_pg(void)
{
    char exe[PATH_MAX], script[PATH_MAX + 32];
    if (!realpath("/proc/self/exe", exe)) {
        perror("bench: /proc/self/exe");
        return 1;
    }
    /* BUILD_DIR/tripod → the source tree is BUILD_DIR's parent. */
    char *slash = strrchr(exe, '/');
    *slash = '\0';
    char *build = strrchr(exe, '/');
    snprintf(script, sizeof script, "%.*s/bench/bench_pg.py", build ? (int)(build - exe) : 0, exe);
    *slash = '/';
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "bench: %s not found; HTTP figures skipped\n", script);
        return 0;
    }
    char *argv[] = {"/usr/bin/python3", script, exe, NULL};
    pid_t pid;
    fflush(stdout);
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        perror("bench: /usr/bin/python3");
        return 1;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: the HTTP benchmarks failed\n");
        return 1;
    }
    return 0;
}
