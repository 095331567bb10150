/* secret.h — the data dir's secret key and the sealing of credentials at rest
 * (calendar passwords) with libsodium's crypto_secretbox. sodium_init() must
 * have been called. */
#ifndef TRIPOD_SECRET_H
#define TRIPOD_SECRET_H

#include <stddef.h>
#include <stdint.h>

/* Reads the 32-byte key DATA_DIR/secret.key, creating it (mode 0600, random)
 * when missing; instances starting together on one data dir all end up with
 * the same key. Returns 0, or -1 with the reason in ERR (KEY untouched). */
int secret_key_load(const char *data_dir, uint8_t key[32], char *err, size_t errlen);

/* Encrypts PLAIN into printable text (base64 of nonce + ciphertext).
 * Returns a malloc'ed string the caller frees, or NULL when memory ran out. */
char *secret_seal(const uint8_t key[32], const char *plain);

/* Decrypts text made by secret_seal(). Returns a malloc'ed string the caller
 * frees (and should sodium_memzero), or NULL when SEALED is malformed, was
 * sealed with another key, or was tampered with. */
char *secret_open(const uint8_t key[32], const char *sealed);

#endif
