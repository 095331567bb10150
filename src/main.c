/* main.c — the `tripod` command: serve, migrate, token, demo, bench. */
#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: tripod serve|migrate|token|demo|bench [options]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    (void)argv;
    return usage();
}
