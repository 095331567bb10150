/* secret.c — the data dir's secret key and crypto_secretbox sealing of
 * credentials stored in the database. */
#include "api/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET_VARIANT sodium_base64_VARIANT_ORIGINAL

int secret_key_load(const char *data_dir, uint8_t key[32], char *err, size_t errlen)
{
    char path[4096];
    uint8_t buf[33];
    int rc = -1;
    snprintf(path, sizeof path, "%s/secret.key", data_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        randombytes_buf(buf, 32);
        int ok = write(fd, buf, 32) == 32 && fsync(fd) == 0;
        close(fd);
        if (!ok) {
            snprintf(err, errlen, "cannot write %s", path);
            unlink(path);
            goto out;
        }
        memcpy(key, buf, 32);
        rc = 0;
        goto out;
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
