/* secret.c — the data dir's secret key and crypto_secretbox sealing of
 * credentials stored in the database. */
#include "app/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_VARIANT sodium_base64_VARIANT_ORIGINAL

/* Creates PATH holding a new random key, or leaves the one another process
 * made first: the key is written and synced under a temporary name, then
 * linked into place, so PATH never exists half-written. 0, or -1 with ERR. */
static int key_create(const char *data_dir, const char *path, char *err, size_t errlen)
{
    char tmp[4200];
    uint8_t buf[32];
    snprintf(tmp, sizeof tmp, "%s/.secret.key.%ld.XXXXXX", data_dir, (long)getpid());
    int fd = mkstemp(tmp), rc = -1;
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a key file in %s: %s", data_dir, strerror(errno));
        return -1;
    }
    randombytes_buf(buf, sizeof buf);
    int ok = fchmod(fd, 0600) == 0 && write(fd, buf, sizeof buf) == (ssize_t)sizeof buf &&
             fsync(fd) == 0;
    sodium_memzero(buf, sizeof buf);
    close(fd);
    if (!ok)
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    else if (link(tmp, path) != 0 && errno != EEXIST)
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    else
        rc = 0; /* ours, or the one another instance linked first */
    unlink(tmp);
    int dir = rc == 0 ? open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return rc;
}

int secret_key_load(const char *data_dir, uint8_t key[32], char *err, size_t errlen)
{
    char path[4096];
    uint8_t buf[33];
    int rc = -1;
    snprintf(path, sizeof path, "%s/secret.key", data_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (key_create(data_dir, path, err, errlen) != 0) return -1;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n != 32) {
        snprintf(err, errlen, "%s must hold exactly 32 bytes", path);
        goto out;
    }
    memcpy(key, buf, 32);
    rc = 0;
out:
    sodium_memzero(buf, sizeof buf);
    return rc;
}

char *secret_seal(const uint8_t key[32], const char *plain)
{
    size_t plen = strlen(plain);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
    unsigned char *box = malloc(blen);
    char *out = NULL;
    if (!box) return NULL;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, plen,
                          box, key);
    size_t olen = sodium_base64_ENCODED_LEN(blen, SECRET_VARIANT);
    out = malloc(olen);
    if (out) sodium_bin2base64(out, olen, box, blen, SECRET_VARIANT);
    free(box);
    return out;
}

char *secret_open(const uint8_t key[32], const char *sealed)
{
    size_t slen = strlen(sealed), blen = 0;
    unsigned char *box = malloc(slen + 1);
    char *plain = NULL;
    if (!box) return NULL;
    if (sodium_base642bin(box, slen + 1, sealed, slen, NULL, &blen, NULL, SECRET_VARIANT) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        goto out;
    size_t plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    plain = malloc(plen + 1);
    if (!plain) goto out;
    if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key) != 0) {
        free(plain);
        plain = NULL;
        goto out;
    }
    plain[plen] = '\0';
out:
    free(box);
    return plain;
}
