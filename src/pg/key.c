/*
 * The salt master key.  It lives in a file only the server's OS user can read:
 * por.master_key_file, or por_master_key in the data directory, created with
 * a fresh random key on first use.  The key's bytes never reach SQL output,
 * logs or error messages; only its public identifier (key_id) does.
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"

#include "por_pg.h"

#define DEFAULT_KEY_FILE "por_master_key"

static const char *key_file_path(bool *is_default)
{
    *is_default = por_guc_master_key_file == NULL || por_guc_master_key_file[0] == '\0';
    if (*is_default)
        return psprintf("%s/%s", DataDir, DEFAULT_KEY_FILE);
    return por_guc_master_key_file;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Creates the default key file atomically: the key is written and synced to a
 * file of this backend's own, then linked to its name, so no other backend
 * can open the name before the key is whole; a racing creator's link wins
 * (EEXIST) and this one's key is dropped.
 */
static void create_key_file(const char *path)
{
    uint8_t key[POR_MASTER_KEY_BYTES];
    char text[2 * POR_MASTER_KEY_BYTES + 2];
    char *tmp = psprintf("%s.%d.tmp", path, MyProcPid);
    int fd, link_errno;
    if (por_master_key_generate(key) != 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate a master key: random source failed")));
    for (int i = 0; i < POR_MASTER_KEY_BYTES; i++)
        snprintf(text + 2 * i, 3, "%02x", key[i]);
    text[2 * POR_MASTER_KEY_BYTES] = '\n';
    text[2 * POR_MASTER_KEY_BYTES + 1] = '\0';
    explicit_bzero(key, sizeof(key));
    unlink(tmp); /* left by a crashed backend of the same pid */
    fd = OpenTransientFilePerm(tmp, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        explicit_bzero(text, sizeof(text));
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not create master key file \"%s\": %m", tmp)));
    }
    if (write(fd, text, 2 * POR_MASTER_KEY_BYTES + 1) != 2 * POR_MASTER_KEY_BYTES + 1 || pg_fsync(fd) != 0) {
        explicit_bzero(text, sizeof(text));
        CloseTransientFile(fd);
        unlink(tmp);
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not write master key file \"%s\": %m", tmp)));
    }
    explicit_bzero(text, sizeof(text));
    CloseTransientFile(fd);
    link_errno = link(tmp, path) == 0 ? 0 : errno;
    unlink(tmp);
    if (link_errno == EEXIST)
        return;
    if (link_errno != 0) {
        errno = link_errno;
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not create master key file \"%s\": %m", path)));
    }
    ereport(LOG, (errmsg("por: created a new salt master key in \"%s\"", path)));
}

void por_master_key_load(uint8_t key[POR_MASTER_KEY_BYTES], char key_id[17])
{
    bool is_default;
    const char *path = key_file_path(&is_default);
    char text[2 * POR_MASTER_KEY_BYTES + 64];
    struct stat st;
    int fd, len;

    if (is_default && stat(path, &st) != 0 && errno == ENOENT)
        create_key_file(path);
    fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
    if (fd < 0)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not open master key file \"%s\": %m", path),
                        errhint("Set por.master_key_file to a readable file of 64 hex digits.")));
    if (fstat(fd, &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        CloseTransientFile(fd);
        ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
                        errmsg("master key file \"%s\" has group or world access", path),
                        errhint("It must be readable by the server's OS user only (chmod 0600).")));
    }
    len = (int)read(fd, text, sizeof(text) - 1);
    CloseTransientFile(fd);
    if (len < 0)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not read master key file \"%s\": %m", path)));
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len != 2 * POR_MASTER_KEY_BYTES) {
        explicit_bzero(text, sizeof(text));
        ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
                        errmsg("master key file \"%s\" must hold exactly 64 hex digits", path)));
    }
    for (int i = 0; i < POR_MASTER_KEY_BYTES; i++) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            explicit_bzero(text, sizeof(text));
            explicit_bzero(key, POR_MASTER_KEY_BYTES);
            /* no position or character: they would leak key material */
            ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR),
                            errmsg("master key file \"%s\" must hold exactly 64 hex digits", path)));
        }
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    explicit_bzero(text, sizeof(text));
    if (por_master_key_id(key, key_id) != 0) {
        explicit_bzero(key, POR_MASTER_KEY_BYTES);
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not derive the master key identifier")));
    }
}
