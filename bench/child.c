/* child.c — the child processes of `tripod bench`: fork/exec with a
 * parent-death signal, bounded stops (SIGTERM, then SIGKILL), and the
 * SIGINT/SIGTERM flag every long step of the bench looks at. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_interrupted;
static volatile sig_atomic_t g_killable; /* pid of the killable child_run() command, or 0 */

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    if (g_killable > 0) kill((pid_t)g_killable, SIGTERM);
}

void child_trap_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: blocking reads return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int child_interrupted(void)
{
    return g_interrupted != 0;
}

/* In the child just after fork: die with the parent, default signals. */
static void child_setup(pid_t parent)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
}

pid_t child_spawn(const char *path, char *const argv[], char *const envp[], const char *log)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0) return pid;
    child_setup(parent);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    close(fd);
    execve(path, argv, envp);
    _exit(127);
}

int child_alive(pid_t *pid)
{
    if (*pid <= 0) return 0;
    pid_t r = waitpid(*pid, NULL, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) return 1;
    *pid = -1;
    return 0;
}

int child_stop(pid_t *pids, int n, int grace_s, const char *what)
{
    int left = 0, killed = 0;
    for (int i = 0; i < n; i++)
        if (pids[i] > 0 && kill(pids[i], SIGTERM) == 0) left++;
    for (int waited_ms = 0; left > 0 && waited_ms < grace_s * 1000; waited_ms += 20) {
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
        left = 0;
        for (int i = 0; i < n; i++)
            left += child_alive(&pids[i]);
    }
    for (int i = 0; i < n; i++) {
        if (!child_alive(&pids[i])) continue;
        fprintf(stderr, "bench: %s (pid %d) did not stop within %d s of SIGTERM; killed\n", what,
                (int)pids[i], grace_s);
        kill(pids[i], SIGKILL);
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
        pids[i] = -1;
        killed++;
    }
    return killed;
}

int child_run(char *const argv[], int killable, char *out, size_t outlen)
{
    int fds[2], status = 0;
    size_t used = 0;
    char spill[512];
    pid_t parent = getpid();
    out[0] = '\0';
    if (pipe(fds) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        child_setup(parent);
        if (dup2(fds[1], STDOUT_FILENO) < 0 || dup2(fds[1], STDERR_FILENO) < 0) _exit(127);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    if (killable) {
        g_killable = pid;
        if (g_interrupted) /* the signal came between fork and here */
            kill(pid, SIGTERM);
    }
    for (;;) {
        char *dst = used + 1 < outlen ? out + used : spill;
        size_t room = used + 1 < outlen ? outlen - 1 - used : sizeof spill;
        ssize_t got = read(fds[0], dst, room);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (dst == out + used) used += (size_t)got;
    }
    out[used] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    g_killable = 0;
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}
