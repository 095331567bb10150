/* radicale_fixture.h — a real Radicale for the C tests that speak CalDAV:
 * tests/servers/radicale_server.py in a temp dir, with user ann:secret and the
 * calendars asked for, stopped and removed afterwards. */
#ifndef TRIPOD_RADICALE_FIXTURE_H
#define TRIPOD_RADICALE_FIXTURE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    char dir[256];
    char base[128]; /* e.g. http://127.0.0.1:PORT */
} radicale_fixture;

/* Starts Radicale with CALENDARS (NULL-terminated, e.g. "ann/work"), its
 * storage in a new /tmp/tripod-test-TAG-XXXXXX. 0, or -1 when it did not
 * come up. */
static int radicale_fixture_start(radicale_fixture *r, const char *tag,
                                  const char *const *calendars)
{
    char script[1024];
    const char *here = __FILE__, *slash = strrchr(here, '/');
    const char *argv[32] = {"python3", script, "--dir", r->dir, "--user", "ann:secret"};
    int argc = 6, fds[2];
    for (size_t i = 0; calendars[i] && argc < 30; i++) {
        argv[argc++] = "--calendar";
        argv[argc++] = calendars[i];
    }
    snprintf(script, sizeof script, "%.*s/../servers/radicale_server.py",
             slash ? (int)(slash - here) : 0, here);
    snprintf(r->dir, sizeof r->dir, "/tmp/tripod-test-%s-XXXXXX", tag);
    if (!mkdtemp(r->dir) || pipe(fds) != 0) return -1;
    r->pid = fork();
    if (r->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], 1);
        close(fds[0]);
        execv("/usr/bin/python3", (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    int ok = f && fgets(line, sizeof line, f) && sscanf(line, "ready %127s", r->base) == 1;
    if (f) fclose(f);
    return ok ? 0 : -1;
}

/* Stops it and removes its storage. 0 or -1. */
static int radicale_fixture_stop(radicale_fixture *r)
{
    char cmd[512];
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, NULL, 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
